using System.Diagnostics;
using System.Net;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace HealthChecks.Warmup.Tests.Security;

/// <summary>
/// Probe storms on a real Kestrel: 1,000 concurrent probes while warming and 10,000 after the latch
/// give exactly one crawl and only 503 or 200. Latencies are printed, not asserted (machines are shared).
/// </summary>
[TestFixture]
public sealed class ProbeStormTests
{
    [Test]
    public async Task ProbeStorm_DuringAndAfterWarmup_OneCrawlOnly503Or200()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var site = await new FixtureSite()
            .Route("/", async context =>
            {
                await gate.Task;
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<a href=\"/page\">p</a><img src=\"/img/a.png\">");
            })
            .Html("/page", "ok")
            .StartAsync();
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = site.Address };

        var during = await StormAsync(client, total: 1_000, concurrency: 1_000);
        gate.SetResult();
        await site.WaitForVerdictAsync();
        string[] headers = ["X-Force", "Cache-Control", "X-Forwarded-Host"];
        var after = await StormAsync(client, total: 10_000, concurrency: 100, i => i % 3 == 0 ? "?force=yes" : i % 3 == 1 ? "?verbose=yes&ignoreResourceServerError=yes" : "", headers);

        TestContext.Out.WriteLine($"during warm-up: 1,000 probes, p50 {Percentile(during, 0.5):0.0} ms, p99 {Percentile(during, 0.99):0.0} ms");
        TestContext.Out.WriteLine($"after the latch: 10,000 probes, p50 {Percentile(after, 0.5):0.0} ms, p99 {Percentile(after, 0.99):0.0} ms");
        Assert.That(during.Select(r => r.Status), Is.All.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(after.Select(r => r.Status), Is.All.EqualTo(HttpStatusCode.OK));
        Assert.That(site.Logs.Named("WarmupStarted").Count(), Is.EqualTo(1));
        Assert.That(site.CountOf("/"), Is.EqualTo(1));
        Assert.That(site.CountOf("/page"), Is.EqualTo(1));
    }

    private static async Task<List<(HttpStatusCode Status, double Milliseconds)>> StormAsync(
        HttpClient client, int total, int concurrency, Func<int, string>? query = null, string[]? headers = null)
    {
        var results = new List<(HttpStatusCode, double)>(total);
        var next = -1;
        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/health/ready" + (query?.Invoke(i) ?? ""));
                foreach (var header in headers ?? [])
                {
                    request.Headers.TryAddWithoutValidation(header, "yes");
                }
                var started = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(request);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                lock (results)
                {
                    results.Add((response.StatusCode, elapsed));
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker)));
        return results;
    }

    private static double Percentile(List<(HttpStatusCode Status, double Milliseconds)> results, double percentile)
    {
        var sorted = results.Select(r => r.Milliseconds).Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(percentile * sorted.Count) - 1)];
    }
}
