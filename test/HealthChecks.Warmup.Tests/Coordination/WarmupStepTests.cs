using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using HealthChecks.Warmup.Reporting;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace HealthChecks.Warmup.Tests.Coordination;

/// <summary>Warm-up steps: code that warms what no URL reaches, run before the crawl of every attempt.</summary>
[TestFixture]
public sealed class WarmupStepTests
{
    /// <summary>A cache the app fills on its first use; a page reports whether it was full when it rendered.</summary>
    private sealed class Catalog(ConcurrentQueue<string> events)
    {
        public bool Loaded { get; private set; }

        public async Task LoadAsync(CancellationToken cancellationToken)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            Loaded = true;
            events.Enqueue("catalog loaded");
        }
    }

    /// <summary>A step created from DI, in a scope: it takes a scoped service.</summary>
    private sealed class SearchIndexWarmup(ScopedThing scoped, ConcurrentQueue<string> events) : IWarmupStep
    {
        public Task WarmAsync(CancellationToken cancellationToken)
        {
            events.Enqueue($"search index warmed with scoped {scoped.Id}");
            return Task.CompletedTask;
        }
    }

    private sealed class ScopedThing
    {
        public Guid Id { get; } = Guid.NewGuid();
    }

    private static FixtureSite Site(ConcurrentQueue<string> events, Action<SiteWarmupOptions> configure) => new FixtureSite
    {
        Configure = configure,
    }
        .WithServices(services => services.AddSingleton(events).AddSingleton<Catalog>().AddScoped<ScopedThing>())
        .Route("/", async context =>
        {
            var catalog = context.RequestServices.GetRequiredService<Catalog>();
            events.Enqueue($"page / rendered, catalog loaded: {catalog.Loaded}");
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<p>home</p>");
        });

    [Test]
    public async Task Steps_RunInOrder_BeforeTheCrawl_AndShowInTheResult()
    {
        var events = new ConcurrentQueue<string>();
        await using var site = await Site(events, o =>
        {
            o.Steps.Add("catalog", (services, ct) => services.GetRequiredService<Catalog>().LoadAsync(ct));
            o.Steps.Add<SearchIndexWarmup>();
        }).StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(events.Select(e => e.Split(" with ")[0]), Is.EqualTo(new[] { "catalog loaded", "search index warmed", "page / rendered, catalog loaded: True" }));
        var steps = probe.Data.GetProperty("steps").EnumerateArray().ToList();
        Assert.That(steps.Select(s => s.GetProperty("name").GetString()), Is.EqualTo(new[] { "catalog", "SearchIndexWarmup" }));
        Assert.That(steps.Select(s => s.GetProperty("outcome").GetString()), Is.All.EqualTo("succeeded"));
        Assert.That(steps.Select(s => s.GetProperty("durationMs").GetInt64()), Is.All.GreaterThanOrEqualTo(0));
        Assert.That(site.Logs.Named("StepSucceeded").Select(e => e.Properties["Step"]), Is.EqualTo(new object[] { "catalog", "SearchIndexWarmup" }));
    }

    [Test]
    public async Task FailingStep_FailsTheAttemptBeforeAnyRequest_AndIsRetriedWithIt()
    {
        var events = new ConcurrentQueue<string>();
        var calls = 0;
        var secondCall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The app's clock, moved by the test: the retry waits until the failure has been looked at.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var site = await Site(events, o =>
        {
            o.Steps.Add("catalog", async (_, ct) =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    throw new InvalidOperationException("the database is not up yet");
                }
                secondCall.TrySetResult();
                await gate.Task.WaitAsync(ct);
            });
        }).WithServices(services => services.AddSingleton<TimeProvider>(time)).StartAsync();

        var failed = await site.WaitForVerdictAsync();
        Assert.That(failed.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(failed.Description, Does.StartWith("Warm-up failed: step \"catalog\" threw InvalidOperationException: the database is not up yet."));
        Assert.That(site.Logs.Named("StepFailed").Single().Properties["Failure"], Is.EqualTo("step \"catalog\" threw InvalidOperationException: the database is not up yet"));

        time.Advance(TimeSpan.FromMinutes(1));
        await secondCall.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var warming = await site.ProbeAsync();
        Assert.That(warming.Description, Does.StartWith("Warming: step \"catalog\" runs. Attempt 2; the last one failed: step \"catalog\" threw"));
        Assert.That(warming.Data.GetProperty("step").GetString(), Is.EqualTo("catalog"));
        Assert.That(site.WarmupRequests, Is.Empty, "no request while a step has not succeeded");

        gate.SetResult();
        await Eventually.UntilAsync(() => site.Coordinator.Snapshot.State == WarmupState.Succeeded, "the second attempt never succeeded");
        var ready = await site.ProbeAsync();
        Assert.That(ready.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(ready.Count("attempt"), Is.EqualTo(2));
        Assert.That(ready.Data.GetProperty("steps")[0].GetProperty("outcome").GetString(), Is.EqualTo("succeeded"));
        Assert.That(site.CountOf("/"), Is.EqualTo(1));
    }

    [TestCase(true, TestName = "StepPastItsTimeLimit_FailsTheAttempt(observing its token)")]
    [TestCase(false, TestName = "StepPastItsTimeLimit_FailsTheAttempt(ignoring its token)")]
    public async Task StepPastItsTimeLimit_FailsTheAttempt(bool observesToken)
    {
        var events = new ConcurrentQueue<string>();
        var neverEnds = new TaskCompletionSource();
        await using var site = await Site(events, o =>
        {
            o.StepTimeout = TimeSpan.FromMilliseconds(200);
            o.RetryDelay = TimeSpan.FromMinutes(1);
            o.Steps.Add("slow", (_, ct) => observesToken ? Task.Delay(Timeout.Infinite, ct) : neverEnds.Task);
        }).StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(probe.Description, Does.StartWith("Warm-up failed: step \"slow\" did not end within 0.2 s (StepTimeout)."));
        Assert.That(probe.Data.GetProperty("steps")[0].GetProperty("outcome").GetString(), Is.EqualTo("timed_out"));
        Assert.That(site.WarmupRequests, Is.Empty);
    }

    [Test]
    public async Task Steps_AreMeasured_AndTraced()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == WarmupTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var events = new ConcurrentQueue<string>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var site = await Site(events, o =>
        {
            o.Steps.Add("gated", (_, ct) => gate.Task.WaitAsync(ct));
            o.Steps.Add("catalog", (services, ct) => services.GetRequiredService<Catalog>().LoadAsync(ct));
        }).StartAsync();
        using var durations = new MetricCollector<double>(site.Services.GetRequiredService<IMeterFactory>(), WarmupTelemetry.Name, "healthchecks.warmup.step.duration");

        gate.SetResult();
        await site.WaitForVerdictAsync();

        var measured = durations.GetMeasurementSnapshot();
        Assert.That(measured.Select(m => m.Tags["healthchecks.warmup.step"]), Is.EqualTo(new object[] { "gated", "catalog" }));
        Assert.That(measured.Select(m => m.Tags["healthchecks.warmup.outcome"]), Is.All.EqualTo("succeeded"));
        var attempt = spans.Single(s => s.OperationName == "healthchecks.warmup");
        var steps = spans.Where(s => s.OperationName == "healthchecks.warmup.step").ToList();
        Assert.That(steps.Select(s => s.GetTagItem("healthchecks.warmup.step")), Is.EqualTo(new object[] { "gated", "catalog" }));
        Assert.That(steps.Select(s => s.ParentSpanId), Is.All.EqualTo(attempt.SpanId), "each step's span is a child of its attempt's");
    }

    [Test]
    public void TwoStepsOfOneName_AreAConfigurationError()
    {
        var options = new SiteWarmupOptions { EntryPaths = ["/"] };
        options.Steps.Add("catalog", (_, _) => Task.CompletedTask).Add("Catalog", (_, _) => Task.CompletedTask);

        var result = new Microsoft.Extensions.DependencyInjection.SiteWarmupOptionsValidator().Validate("site-warmup", options);

        Assert.That(result.Failures, Is.EqualTo(new[] { "HealthChecks:SiteWarmup:Steps has two steps named \"catalog\": each step needs a name of its own (the result, the logs and the metrics show it)." }));
        Assert.That(() => options.Steps.Add(" ", (_, _) => Task.CompletedTask), Throws.ArgumentException);
    }
}
