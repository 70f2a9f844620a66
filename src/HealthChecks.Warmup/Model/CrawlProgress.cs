
namespace HealthChecks.Warmup.Model;

/// <summary>
/// Live counters of one warm-up, updated by the frontier and the workers and read by probes at any
/// moment without locks.
/// </summary>
internal sealed class CrawlProgress
{
    private int _admitted;
    private int _done;
    private int _succeeded;
    private int _clientErrors;
    private int _serverErrors;
    private int _errors;
    private int _outOfScope;
    private int _excluded;
    private int _overLimit;
    private int _limits;
    private int _sitemaps;
    private int _healthEndpoints;
    private int _rateLimited;
    private int _guesses;
    private int _guessesMissed;
    private int _pagesWithoutIcon;
    private string? _step;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _pagesByVariant = new(StringComparer.Ordinal);

    /// <summary>The warm-up step that runs now, before the crawl; <see langword="null"/> when none does.</summary>
    public string? Step
    {
        get => Volatile.Read(ref _step);
        set => Volatile.Write(ref _step, value);
    }

    /// <summary>URLs admitted to the crawl: requested or waiting to be.</summary>
    public int Admitted => Volatile.Read(ref _admitted);

    /// <summary>URLs requested and answered (or failed).</summary>
    public int Done => Volatile.Read(ref _done);

    /// <summary>robots.txt files and sitemaps read (or looked for): not counted by status class.</summary>
    public int Sitemaps => Volatile.Read(ref _sitemaps);

    /// <summary>Requests that reached one of this app's health endpoints: not counted by status class.</summary>
    public int HealthEndpoints => Volatile.Read(ref _healthEndpoints);

    /// <summary>
    /// Refusals of the app's rate limiting (429, or 503 with Retry-After), each retried after a pause:
    /// requests sent again, not URLs.
    /// </summary>
    public int RateLimited => Volatile.Read(ref _rateLimited);

    /// <summary>URLs guessed from scripts' text and requested: not counted by status class.</summary>
    public int Guesses => Volatile.Read(ref _guesses);

    /// <summary>Guesses that answered 4xx, 5xx or nothing: no broken links, since a script may never load them.</summary>
    public int GuessesMissed => Volatile.Read(ref _guessesMissed);

    /// <summary>
    /// HTML pages read that declare no icon (<c>rel=icon</c>): on such a page browsers ask for
    /// <c>/favicon.ico</c> themselves. Not a count of URLs.
    /// </summary>
    public int PagesWithoutIcon => Volatile.Read(ref _pagesWithoutIcon);

    /// <summary>Counts an HTML page read that declares no icon.</summary>
    public void PageWithoutIcon() => Interlocked.Increment(ref _pagesWithoutIcon);

    /// <summary>2xx and 3xx answers.</summary>
    public int Succeeded => Volatile.Read(ref _succeeded);

    /// <summary>4xx answers.</summary>
    public int ClientErrors => Volatile.Read(ref _clientErrors);

    /// <summary>5xx answers.</summary>
    public int ServerErrors => Volatile.Read(ref _serverErrors);

    /// <summary>Time-outs, exceptions and URLs the app's rate limiting refused to the end.</summary>
    public int Errors => Volatile.Read(ref _errors);

    /// <summary>References to other origins or schemes, never requested.</summary>
    public int OutOfScope => Volatile.Read(ref _outOfScope);

    /// <summary>References matching an excluded path, never requested.</summary>
    public int Excluded => Volatile.Read(ref _excluded);

    /// <summary>URLs found after the URL limit was reached, never requested.</summary>
    public int OverLimit => Volatile.Read(ref _overLimit);

    public WarmupLimits LimitsReached => (WarmupLimits)Volatile.Read(ref _limits);

    public void CountAdmitted() => Interlocked.Increment(ref _admitted);

    public void CountOutOfScope() => Interlocked.Increment(ref _outOfScope);

    public void CountExcluded() => Interlocked.Increment(ref _excluded);

    public void CountRateLimited() => Interlocked.Increment(ref _rateLimited);

    public void CountOverLimit()
    {
        Interlocked.Increment(ref _overLimit);
        Reached(WarmupLimits.MaxUrls);
    }

    /// <summary>Pages requested in each variant (a culture, a named set of headers); empty when the warm-up has none.</summary>
    public IReadOnlyDictionary<string, int> PagesByVariant => _pagesByVariant;

    /// <summary>Records that a limit was reached; returns <see langword="true"/> the first time.</summary>
    public bool Reached(WarmupLimits limit) => (Interlocked.Or(ref _limits, (int)limit) & (int)limit) == 0;

    public void CountDone(UrlOutcome outcome)
    {
        if (outcome is { Variant: { } variant, Kind: UrlKind.Page })
        {
            _pagesByVariant.AddOrUpdate(variant, 1, static (_, count) => count + 1);
        }
        if (outcome.Kind is UrlKind.Sitemap or UrlKind.RobotsTxt)
        {
            // A site without a sitemap is no broken link.
            Interlocked.Increment(ref _sitemaps);
        }
        else if (outcome.Kind == UrlKind.HealthEndpoint)
        {
            Interlocked.Increment(ref _healthEndpoints);
        }
        else if (outcome.IsSpeculative && outcome.Failure != FetchFailure.RateLimited)
        {
            Interlocked.Increment(ref _guesses);
            if (outcome.IsMiss)
            {
                Interlocked.Increment(ref _guessesMissed);
            }
        }
        else
        {
            switch (outcome.Class)
            {
                case OutcomeClass.Error:
                    Interlocked.Increment(ref _errors);
                    break;
                case OutcomeClass.ServerError:
                    Interlocked.Increment(ref _serverErrors);
                    break;
                case OutcomeClass.ClientError:
                    Interlocked.Increment(ref _clientErrors);
                    break;
                default:
                    Interlocked.Increment(ref _succeeded);
                    break;
            }
        }
        Interlocked.Increment(ref _done);
    }
}

/// <summary>The limits a warm-up can reach; reaching one is reported, not a failure.</summary>
[Flags]
internal enum WarmupLimits
{
    None = 0,
    /// <summary><see cref="SiteWarmupOptions.MaxUrls"/>.</summary>
    MaxUrls = 1,
    /// <summary><see cref="SiteWarmupOptions.Deadline"/>.</summary>
    Deadline = 2,
    /// <summary><see cref="SiteWarmupOptions.MaxRedirects"/>.</summary>
    MaxRedirects = 4,
    /// <summary><see cref="SiteWarmupOptions.MaxParsedBytes"/>.</summary>
    MaxParsedBytes = 8,
    /// <summary>The 50 robots.txt files and sitemaps one warm-up reads.</summary>
    MaxSitemaps = 16,
}
