using System.Diagnostics;
using System.Net;
using HealthChecks.Warmup.Coordination;
using HealthChecks.Warmup.Reporting;
using HealthChecks.Warmup.Sample.Services;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HealthChecks.Warmup.Tests.Deployment;

/// <summary>
/// The kubelet's probe rules played against the sample site on Kestrel (docs/kubernetes.md): each probe
/// has a 1 s timeout and succeeds on 200–399; the period is scaled down from 10 s to 100 ms.
/// </summary>
[TestFixture]
public sealed class KubeletProbeTests
{
    private const int FailureThreshold = 3;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_period = TimeSpan.FromMilliseconds(100);

    private sealed record ProbeResult(TimeSpan At, HttpStatusCode? Status, bool TimedOut, WarmupState StateAfter)
    {
        public bool Succeeded => Status is >= HttpStatusCode.OK and < HttpStatusCode.BadRequest;
    }

    [Test]
    public async Task KubeletRules_NeverATimeout_NotReadyBeforeWarm_ReadyAfter()
    {
        var coldDelay = SlowCatalog.ColdDelay;
        SlowCatalog.ColdDelay = TimeSpan.FromMilliseconds(200);
        try
        {
            await using var factory = new WebApplicationFactory<Program>();
            factory.UseKestrel(0);
            factory.StartServer();
            using var client = factory.CreateClient();
            client.Timeout = Timeout.InfiniteTimeSpan;
            var coordinator = factory.Services.GetRequiredService<WarmupCoordinators>().Get("site-warmup");

            var results = new List<ProbeResult>();
            var clock = Stopwatch.StartNew();
            // Startup probe until the first success, then readiness for ten more periods.
            while (clock.Elapsed < TimeSpan.FromSeconds(60) && results.Count(r => r.Succeeded) < 10)
            {
                results.Add(await ProbeAsync(client, "/health/ready", clock, coordinator));
                await Task.Delay(s_period);
            }
            var live = await ProbeAsync(client, "/health/live", clock, coordinator);

            var firstReady = results.FindIndex(r => r.Succeeded);
            Assert.That(results.Where(r => r.TimedOut), Is.Empty, "no probe may time out");
            Assert.That(firstReady, Is.GreaterThan(0), "the pod is not ready at once: the sample's pages are cold");
            Assert.That(results.Take(firstReady).Select(r => r.Status), Is.All.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(results.Where(r => r.Succeeded).Select(r => r.StateAfter), Is.All.EqualTo(WarmupState.Succeeded),
                "never ready before the warm-up has succeeded");
            Assert.That(results.Skip(firstReady).Select(r => r.Succeeded), Is.All.True, "ready for good once warm: no flapping");
            Assert.That(results.Skip(firstReady).Count(), Is.GreaterThanOrEqualTo(FailureThreshold));
            Assert.That(live.Succeeded, Is.True);
        }
        finally
        {
            SlowCatalog.ColdDelay = coldDelay;
        }
    }

    private static async Task<ProbeResult> ProbeAsync(HttpClient client, string path, Stopwatch clock, WarmupCoordinator coordinator)
    {
        var at = clock.Elapsed;
        using var timeout = new CancellationTokenSource(s_timeout);
        try
        {
            using var response = await client.GetAsync(path, timeout.Token);
            return new ProbeResult(at, response.StatusCode, false, coordinator.Snapshot.State);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new ProbeResult(at, null, true, coordinator.Snapshot.State);
        }
    }
}
