using HealthChecks.Warmup.Fetching;
using HealthChecks.Warmup.Model;

namespace HealthChecks.Warmup.Crawling;

/// <summary>
/// The app asking the warm-up to slow down — a 429, or a 503 with Retry-After — for one attempt: every
/// request waits for a free slot and for the pause the app last asked for, and each refusal halves the
/// number of requests in flight (down to one) for the rest of the attempt. A refusal is the app's rate
/// limiter speaking, not a broken link: the crawler retries the URL after the pause.
/// </summary>
internal sealed class BackPressure
{
    /// <summary>The longest pause waited when the app does not say how long (no Retry-After).</summary>
    internal static readonly TimeSpan MaxGuessedPause = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time;
    private readonly TimeSpan _firstPause;
    private readonly TimeSpan _maxPause;
    private readonly SemaphoreSlim _slots;
    private readonly Lock _gate = new();
    private int _limit;
    // Slots withheld since the last back-off: taken from the next requests that end.
    private int _withheld;
    private long _pausedUntil;

    /// <param name="concurrency">The requests in flight at first.</param>
    /// <param name="firstPause">The pause after a URL's first refusal without Retry-After.</param>
    /// <param name="maxPause">The longest every request is held back, whatever the app asked: a URL
    /// that must wait longer gives up, and the others try again sooner.</param>
    /// <param name="time">The clock.</param>
    public BackPressure(int concurrency, TimeSpan firstPause, TimeSpan maxPause, TimeProvider time)
    {
        _maxPause = maxPause;
        _limit = Math.Max(1, concurrency);
        _slots = new SemaphoreSlim(_limit, _limit);
        _firstPause = firstPause;
        _time = time;
    }

    /// <summary>
    /// Whether a URL of this attempt was refused to the end: the attempt fails whatever comes next, so
    /// later refusals are not waited for (the next attempt, after the coordinator's backoff, tries again).
    /// </summary>
    public bool GaveUp { get; private set; }

    /// <summary>Records that a URL was refused to the end.</summary>
    public void GiveUp() => GaveUp = true;

    /// <summary>How many requests may be in flight now.</summary>
    public int Limit => Volatile.Read(ref _limit);

    /// <summary>Whether a response is the app asking to slow down.</summary>
    public static bool IsRefusal(FetchResult response) =>
        response.Failure == FetchFailure.None && (response.StatusCode == 429 || (response.StatusCode == 503 && response.RetryAfter is not null));

    /// <summary>Waits for a slot and for any pause the app asked for; <see cref="Exit"/> gives the slot back.</summary>
    public async Task EnterAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            TimeSpan wait;
            while ((wait = TimeSpan.FromTicks(Volatile.Read(ref _pausedUntil) - _time.GetUtcNow().UtcTicks)) > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, cancellationToken);
            }
        }
        catch
        {
            Exit();
            throw;
        }
    }

    public void Exit()
    {
        // Every request passes here: no lock unless a back-off withheld slots.
        int withheld;
        while ((withheld = Volatile.Read(ref _withheld)) > 0)
        {
            if (Interlocked.CompareExchange(ref _withheld, withheld - 1, withheld) == withheld)
            {
                return;
            }
        }
        _slots.Release();
    }

    /// <summary>
    /// Records the app's refusal of one request (its <paramref name="refusals"/>th in a row): pauses every
    /// request for the Retry-After the app gave, else for <c>firstPause × 2^(refusals−1)</c> up to
    /// <see cref="MaxGuessedPause"/>, and halves the requests in flight. Returns the pause.
    /// </summary>
    public TimeSpan Refused(TimeSpan? retryAfter, int refusals)
    {
        var pause = retryAfter ?? TimeSpan.FromTicks(Math.Min(MaxGuessedPause.Ticks, _firstPause.Ticks << Math.Min(refusals - 1, 20)));
        var until = _time.GetUtcNow().UtcTicks + Math.Min(pause.Ticks, _maxPause.Ticks);
        lock (_gate)
        {
            // Requests refused together are one refusal: halve once per pause.
            if (_pausedUntil <= _time.GetUtcNow().UtcTicks)
            {
                var halved = Math.Max(1, _limit / 2);
                Interlocked.Add(ref _withheld, _limit - halved);
                Volatile.Write(ref _limit, halved);
            }
            if (until > _pausedUntil)
            {
                Volatile.Write(ref _pausedUntil, until);
            }
        }
        return pause;
    }
}
