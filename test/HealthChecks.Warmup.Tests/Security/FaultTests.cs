using System.Net;
using HealthChecks.Warmup.Tests.Coordination;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HealthChecks.Warmup.Tests.Security;

/// <summary>Faults in the app and in the warm-up itself: the app keeps serving, the report says why.</summary>
[TestFixture]
public sealed class FaultTests
{
    [Test]
    public async Task ThrowingAndHangingHandlers_AreRecordedAndTheCrawlGoesOn()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var site = await new FixtureSite { Configure = o => o.RequestTimeout = TimeSpan.FromMilliseconds(300) }
            .Html("/", "<a href=\"/throws\">t</a><a href=\"/hangs\">h</a><a href=\"/fine\">f</a>")
            .Route("/throws", _ => throw new InvalidOperationException("handler bug"))
            .Route("/hangs", async _ => await release.Task)
            .Html("/fine", "<img src=\"/img/after-faults.png\">")
            .StartAsync();
        try
        {
            var probe = await site.WaitForVerdictAsync();
            var live = await site.Client.GetAsync("/fine");

            Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(probe.Count("serverErrors"), Is.EqualTo(1));
            Assert.That(probe.Count("errors"), Is.EqualTo(1));
            Assert.That(site.Paths, Does.Contain("/img/after-faults.png"), "the crawl went on past both");
            Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the app keeps serving");
        }
        finally
        {
            release.SetResult();
        }
    }

    [Test]
    public async Task ProbesCancelledOrTimedOut_DoNotCancelTheWarmup()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var site = await new FixtureSite()
            .Route("/", async context =>
            {
                await gate.Task;
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("ok");
            })
            .StartAsync();
        await HealthSemanticsTests.WaitUntilAsync(() => site.CountOf("/") == 1);

        for (var i = 0; i < 50; i++)
        {
            using var cancelled = new CancellationTokenSource();
            var probe = site.Client.GetAsync("/health/ready", cancelled.Token);
            await cancelled.CancelAsync();
            try
            {
                await probe;
            }
            catch (OperationCanceledException)
            {
                // The probe gave up: exactly what a kubelet with a 1 s timeout does.
            }
        }
        gate.SetResult();
        var verdict = await site.WaitForVerdictAsync();

        Assert.That(verdict.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(site.Logs.Named("WarmupStarted").Count(), Is.EqualTo(1));
        Assert.That(site.Logs.Named("WarmupCancelled"), Is.Empty);
    }

    [Test]
    public async Task ErrorInsideTheWarmupItself_IsUnhealthyWithTheReason_NotACrash()
    {
        // A generic host has no web server and no request pipeline: the warm-up cannot run in-process.
        var builder = Host.CreateApplicationBuilder();
        var logs = new LogCollector();
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.Services.AddHealthChecks().AddSiteWarmup(o => o.RetryDelay = TimeSpan.FromMinutes(1));
        using var host = builder.Build();
        await host.StartAsync();
        var service = host.Services.GetRequiredService<HealthCheckService>();

        HealthReport report = null!;
        await Eventually.UntilAsync(async () =>
        {
            report = await service.CheckHealthAsync();
            return report.Entries["site-warmup"].Data["state"] is "Failed";
        }, "the warm-up failed");
        await host.StopAsync();

        var entry = report.Entries["site-warmup"];
        Assert.That(entry.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(entry.Description, Does.Contain("request pipeline was not captured"));
        Assert.That(entry.Data["error"], Does.Contain("InvalidOperationException"));
        Assert.That(logs.Named("WarmupCrawlerError").Count(), Is.EqualTo(1));
    }
}
