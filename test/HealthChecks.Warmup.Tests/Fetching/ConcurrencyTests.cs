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

    private static async Task<int> MostInFlightAsync(Action<SiteWarmupOptions> configure)
    {
        var inFlight = 0;
        var most = 0;
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
                // Long enough that every worker has taken a URL before the first answer.
                await Task.Delay(150);
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
    public async Task InProcess_by_default_runs_twice_the_cores_at_once()
    {
        var most = await MostInFlightAsync(_ => { });

        Assert.That(most, Is.EqualTo(Math.Min(Resources, Environment.ProcessorCount * 2)));
    }

    [Test]
    public async Task Http_by_default_runs_four_times_the_cores_and_at_least_eight_at_once()
    {
        var most = await MostInFlightAsync(o => o.Transport = WarmupTransport.Http);

        Assert.That(most, Is.EqualTo(Math.Min(Resources, Math.Max(8, Environment.ProcessorCount * 4))));
    }

    [Test]
    public async Task MaxConcurrency_set_is_what_runs_at_once_on_either_transport(
        [Values(WarmupTransport.InProcess, WarmupTransport.Http)] WarmupTransport transport)
    {
        var most = await MostInFlightAsync(o =>
        {
            o.Transport = transport;
            o.MaxConcurrency = 3;
        });

        Assert.That(most, Is.EqualTo(3));
    }
}
