using System.Net;
using HealthChecks.Warmup.Tests.Support;

namespace HealthChecks.Warmup.Tests.Fetching;

/// <summary>
/// How many warm-up requests are in flight at once, counted by the site itself: in-process the default
/// follows the cores, over HTTP (where requests mostly wait on the network) it is wider.
/// </summary>
[TestFixture]
public sealed class ConcurrencyTests
{
    private const int Resources = 64;

    /// <summary>
    /// The most requests the site saw at once. Each holds its answer until <paramref name="expected"/> are in
    /// flight (bounded: 10 s), so that every worker has taken a URL before the first answer: fewer workers
    /// show as fewer, more as more.
    /// </summary>
    private static async Task<int> MostInFlightAsync(int expected, Action<SiteWarmupOptions> configure)
    {
        var inFlight = 0;
        var most = 0;
        var full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var html = string.Concat(Enumerable.Range(0, Resources).Select(i => $"<img src=\"/img/{i}.png\">"));
        var site = new FixtureSite { Configure = configure }.Html("/", html);
        for (var i = 0; i < Resources; i++)
        {
            site.Route($"/img/{i}.png", async context =>
            {
                var now = Interlocked.Increment(ref inFlight);
                int seen;
                while ((seen = Volatile.Read(ref most)) < now && Interlocked.CompareExchange(ref most, now, seen) != seen)
                {
                }
                if (now >= expected)
                {
                    full.TrySetResult();
                }
                try
                {
                    await full.Task.WaitAsync(TimeSpan.FromSeconds(10));
                }
                catch (TimeoutException)
                {
                    // Fewer than expected ever came at once: the count says so.
                }
                Interlocked.Decrement(ref inFlight);
                context.Response.ContentType = "image/png";
            });
        }
        await using (site)
        {
            await site.StartAsync();
            var probe = await site.WaitForVerdictAsync();
            Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        }
        return most;
    }

    [Test]
    public async Task InProcess_ByDefault_RunsFourTimesTheCores_AndAtLeastEight()
    {
        var expected = Math.Min(Resources, Math.Max(8, Environment.ProcessorCount * 4));

        Assert.That(await MostInFlightAsync(expected, _ => { }), Is.EqualTo(expected));
    }

    [Test]
    public async Task Http_ByDefault_RunsFourTimesTheCores_AndAtLeastEight()
    {
        var expected = Math.Min(Resources, Math.Max(8, Environment.ProcessorCount * 4));

        Assert.That(await MostInFlightAsync(expected, o => o.Transport = WarmupTransport.Http), Is.EqualTo(expected));
    }

    [Test]
    public async Task MaxConcurrency_Set_IsWhatRunsAtOnce_OnEitherTransport(
        [Values(WarmupTransport.InProcess, WarmupTransport.Http)] WarmupTransport transport)
    {
        var most = await MostInFlightAsync(3, o =>
        {
            o.Transport = transport;
            o.MaxConcurrency = 3;
        });

        Assert.That(most, Is.EqualTo(3));
    }
}
