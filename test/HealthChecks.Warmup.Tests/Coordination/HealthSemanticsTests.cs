using System.Net;
using HealthChecks.Warmup.Reporting;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace HealthChecks.Warmup.Tests.Coordination;

/// <summary>The health semantics table of the design, one row at a time, through MapHealthChecks.</summary>
[TestFixture]
public sealed class HealthSemanticsTests
{
    private const string FrontPage = "<html><body><a href=\"/second\">2</a><img src=\"/img/a.png\"></body></html>";

    [Test]
    public async Task Probe_WhileWarmingThenWarm_Answers503Then200()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var site = await new FixtureSite()
            .Route("/", GatedFrontPage(gate))
            .Html("/second", "<p>second</p>")
            .StartAsync();

        // The front page is still rendering (blocked on the gate): the probe must not wait for it.
        await WaitUntilAsync(() => site.CountOf("/") == 1);
        var warming = await site.ProbeAsync();
        gate.SetResult();
        var warm = await site.WaitForVerdictAsync();

        Assert.That(warming.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(warming.Description, Does.StartWith("Warming: 0/1 URLs"));
        Assert.That(warming.Data.GetProperty("state").GetString(), Is.EqualTo("Warming"));
        Assert.That(warm.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(warm.Description, Does.StartWith("Warm: 3 URLs"));
        Assert.That(warm.Count("requested"), Is.EqualTo(3));
    }

    [Test]
    public async Task EntryPage401_IsHealthy()
    {
        await using var site = await new FixtureSite().Status("/", 401).StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(probe.Count("clientErrors"), Is.EqualTo(1));
    }

    [TestCase(403)]
    [TestCase(404)]
    [TestCase(410)]
    [TestCase(500)]
    [TestCase(503)]
    public async Task EntryPageError_IsUnhealthyNamingUrlAndStatus(int status)
    {
        await using var site = await new FixtureSite().Status("/", status).StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(probe.Description, Does.Contain($"{site.Address}").And.Contain($"→ {status}"));
        Assert.That(probe.Data.GetProperty("failures")[0].GetString(), Is.EqualTo($"{site.Address} → {status} (entry page)"));
        // Logged as what it is: a failure, no broken link, and where the URL came from.
        Assert.That(site.Logs.Named("UrlFailed").Select(e => e.Message),
            Has.Some.Matches<string>(m => m.StartsWith($"Page {site.Address} failed: {status} ", StringComparison.Ordinal) && m.EndsWith("(from EntryPaths)", StringComparison.Ordinal)));
        Assert.That(site.Logs.Named("UrlClientError"), Is.Empty);
    }

    [Test]
    public async Task EntryPageThrows_IsUnhealthyWith500()
    {
        await using var site = await new FixtureSite()
            .Route("/", _ => throw new InvalidOperationException("boom"))
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(probe.Description, Does.Contain("→ 500"));
    }

    [Test]
    public async Task EntryPageTimesOut_IsUnhealthy()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var site = new FixtureSite { Configure = o => o.RequestTimeout = TimeSpan.FromMilliseconds(300) }
            // Ignores RequestAborted on purpose: the warm-up must abandon it, not wait for it.
            .Route("/", async _ => await release.Task);
        await site.StartAsync();

        try
        {
            var probe = await site.WaitForVerdictAsync();

            Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(probe.Description, Does.Contain("timed out"));
            Assert.That(probe.Count("errors"), Is.EqualTo(1));
        }
        finally
        {
            release.SetResult();
        }
    }

    [TestCase("/img/a.png", TestName = "a resource")]
    [TestCase("/second", TestName = "a second-level page")]
    public async Task ServerErrorBelowTheEntryPage_IsUnhealthy(string broken)
    {
        await using var site = await new FixtureSite().Html("/", FrontPage).Html("/second", "ok").Status(broken, 500).StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(probe.Description, Does.Contain($"{new Uri(site.Address, broken)} → 500 (from {site.Address})"));
        Assert.That(probe.Count("serverErrors"), Is.EqualTo(1));
    }

    [Test]
    public async Task Failure_IsDescribedWithTheUrlAsRequested_Escaped()
    {
        await using var site = await new FixtureSite { Configure = o => o.FollowPageLinksWithQuery = true }
            .Html("/", """<a href="/café menu?q=a b">menu</a>""")
            .Status("/caf%C3%A9%20menu", 500)
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        // What went over the wire, as an access log shows it; Uri.ToString() would have unescaped it.
        Assert.That(probe.Description, Does.Contain($"{site.Address}caf%C3%A9%20menu?q=a%20b → 500 (from {site.Address})"));
    }

    [Test]
    public async Task ResourceServerError_WithIgnoreResourceServerErrors_IsHealthy()
    {
        await using var site = new FixtureSite { Configure = o => o.IgnoreResourceServerErrors = true }
            .Html("/", FrontPage).Html("/second", "ok").Status("/img/a.png", 500);
        await site.StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(probe.Count("serverErrors"), Is.EqualTo(1));
    }

    [Test]
    public async Task EntryPageServerError_WithIgnoreResourceServerErrors_IsStillUnhealthy()
    {
        await using var site = new FixtureSite { Configure = o => o.IgnoreResourceServerErrors = true }.Status("/", 500);
        await site.StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
    }

    [Test]
    public async Task IgnoreResourceServerErrorFlag_JudgesThatProbeOnly()
    {
        await using var site = await new FixtureSite().Html("/", FrontPage).Html("/second", "ok").Status("/img/a.png", 503).StartAsync();
        await site.WaitForVerdictAsync();

        var flagged = await site.ProbeAsync("?ignoreResourceServerError=yes");
        var plain = await site.ProbeAsync();

        Assert.That(flagged.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(flagged.Description, Does.Contain("Resource server errors ignored by this probe"));
        Assert.That(plain.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
    }

    [Test]
    public async Task IgnoreResourceServerErrorFlag_DoesNotExcuseABrokenEntryPage()
    {
        await using var site = await new FixtureSite().Status("/", 500).StartAsync();
        await site.WaitForVerdictAsync();

        var flagged = await site.ProbeAsync("?ignoreResourceServerError=yes");

        Assert.That(flagged.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
    }

    [Test]
    public async Task ClientErrorBelowTheEntryPage_IsRecordedAndLoggedNotAFailure()
    {
        await using var site = await new FixtureSite().Html("/", FrontPage).Html("/second", "ok").StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(probe.Count("clientErrors"), Is.EqualTo(1), "/img/a.png is not served: 404");
        var logged = site.Logs.Named("UrlClientError").Single();
        Assert.That(logged.Properties["Url"]?.ToString(), Is.EqualTo(new Uri(site.Address, "/img/a.png").ToString()));
        Assert.That(logged.Properties["Status"], Is.EqualTo(404));
    }

    [Test]
    public async Task VerboseFlag_LogsTheLastAttemptsOutcomesOnce()
    {
        await using var site = await new FixtureSite().Html("/", FrontPage).Html("/second", "ok").Status("/img/a.png", 500).StartAsync();
        var verdict = await site.WaitForVerdictAsync();
        Assert.That(site.Logs.Named("ProbeUrlOutcome"), Is.Empty);

        await site.ProbeAsync("?verbose=yes");
        await site.ProbeAsync("?verbose=yes");

        var outcomes = site.Logs.Named("ProbeUrlOutcome").ToList();
        Assert.That(outcomes, Has.Count.EqualTo(verdict.Count("requested")));
        Assert.That(outcomes.Select(o => o.Properties["Outcome"]), Does.Contain("500"));
    }

    [Test]
    public async Task Success_Latches_NoFurtherCrawl()
    {
        var broken = false;
        await using var site = await new FixtureSite()
            .Html("/", FrontPage)
            .Route("/second", context =>
            {
                context.Response.StatusCode = broken ? 500 : 200;
                return Task.CompletedTask;
            })
            .StartAsync();
        await site.WaitForVerdictAsync();

        broken = true;
        var probes = new List<Probe>();
        foreach (var query in new[] { "", "?force=yes", "?verbose=yes", "?ignoreResourceServerError=yes", "?force=1" })
        {
            probes.Add(await site.ProbeAsync(query));
        }

        Assert.That(probes.Select(p => p.Status), Is.All.EqualTo(HttpStatusCode.OK));
        Assert.That(site.CountOf("/second"), Is.EqualTo(1));
        Assert.That(site.CountOf("/"), Is.EqualTo(1));
        Assert.That(site.Logs.Named("WarmupStarted").Count(), Is.EqualTo(1));
    }

    [Test]
    public async Task Shutdown_MidWarmup_EndsCleanly()
    {
        // Raised on the finalizer thread, for a faulted task nobody observed; the collection below runs the finalizers.
        var unobserved = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e) => unobserved.Enqueue(e.Exception);
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            var site = await new FixtureSite()
                .Route("/", async _ => await release.Task) // never answers, ignores RequestAborted
                .StartAsync();
            await WaitUntilAsync(() => site.CountOf("/") == 1);

            using var shutdownTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await site.StopAsync(shutdownTimeout.Token);

            Assert.That(shutdownTimeout.IsCancellationRequested, Is.False, "the host stopped within its shutdown timeout");
            Assert.That(site.Coordinator.Snapshot.State, Is.EqualTo(WarmupState.Stopped));
            Assert.That(site.Logs.Named("WarmupCancelled").Count(), Is.EqualTo(1));
            Assert.That(site.Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error), Is.Empty);
            await site.DisposeAsync();
        }
        finally
        {
            release.SetResult();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }
        Assert.That(unobserved, Is.Empty);
    }

    /// <summary>The front page, rendered only once the test opens the gate.</summary>
    private static RequestDelegate GatedFrontPage(TaskCompletionSource gate) => async context =>
    {
        await gate.Task;
        context.Response.ContentType = "text/html";
        await context.Response.WriteAsync(FrontPage);
    };

    internal static Task WaitUntilAsync(Func<bool> condition) => Eventually.UntilAsync(condition, "the condition never became true");
}
