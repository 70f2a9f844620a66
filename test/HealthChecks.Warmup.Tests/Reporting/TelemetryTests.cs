using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using HealthChecks.Warmup.Reporting;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace HealthChecks.Warmup.Tests.Reporting;

/// <summary>The HealthChecks.Warmup meter and activity source, read as an exporter would.</summary>
[TestFixture]
public sealed class TelemetryTests
{
    private static FixtureSite GatedSite(TaskCompletionSource gate, ConcurrentQueue<(ActivityTraceId Trace, ActivitySpanId Parent)>? requestActivities = null) => new FixtureSite()
        .Route("/", async context =>
        {
            await gate.Task;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<img src=\"/img/a.png\"><a href=\"/broken\">b</a><img src=\"/img/missing.png\">");
        })
        .Route("/img/a.png", context =>
        {
            if (Activity.Current is { } current)
            {
                requestActivities?.Enqueue((current.TraceId, current.ParentSpanId));
            }
            return Task.CompletedTask;
        })
        .Status("/broken", 503);

    [Test]
    public async Task Meter_CountsRequestsByKindAndStatusClass_AndTimesThem()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var site = await GatedSite(gate).StartAsync();
        await HealthChecks.Warmup.Tests.Coordination.HealthSemanticsTests.WaitUntilAsync(() => site.CountOf("/") == 1);
        var meters = site.Services.GetRequiredService<IMeterFactory>();
        using var requests = new MetricCollector<long>(meters, WarmupTelemetry.Name, "healthchecks.warmup.requests");
        using var durations = new MetricCollector<double>(meters, WarmupTelemetry.Name, "healthchecks.warmup.request.duration");
        using var warmups = new MetricCollector<double>(meters, WarmupTelemetry.Name, "healthchecks.warmup.duration");
        using var states = new MetricCollector<int>(meters, WarmupTelemetry.Name, "healthchecks.warmup.state");
        using var done = new MetricCollector<int>(meters, WarmupTelemetry.Name, "healthchecks.warmup.urls.done");

        gate.SetResult();
        await site.WaitForVerdictAsync();
        states.RecordObservableInstruments();
        done.RecordObservableInstruments();

        var byClass = requests.GetMeasurementSnapshot()
            .GroupBy(m => $"{m.Tags["healthchecks.warmup.url.kind"]} {m.Tags["healthchecks.warmup.status_class"]}")
            .ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.That(byClass, Is.EquivalentTo(new Dictionary<string, long>
        {
            ["page 2xx"] = 1,
            ["resource 2xx"] = 1,
            ["page 5xx"] = 1,
            ["resource 4xx"] = 1,
        }));
        Assert.That(requests.GetMeasurementSnapshot().Select(m => m.Tags["healthchecks.warmup.registration"]), Is.All.EqualTo("site-warmup"));
        Assert.That(durations.GetMeasurementSnapshot(), Has.Count.EqualTo(4).And.All.Matches<CollectedMeasurement<double>>(m => m.Value >= 0));
        var warmup = warmups.GetMeasurementSnapshot().Single();
        Assert.That(warmup.Tags["healthchecks.warmup.outcome"], Is.EqualTo("failed"));
        Assert.That(states.GetMeasurementSnapshot().Single(m => m.Value == 1).Tags["healthchecks.warmup.state"], Is.EqualTo("failed"));
        Assert.That(done.LastMeasurement?.Value, Is.EqualTo(4));
    }

    [Test]
    public async Task ActivitySource_OneSpanPerWarmup_FailuresAsEvents_RequestsAsChildren()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is WarmupTelemetry.Name or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == WarmupTelemetry.Name)
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requestActivities = new ConcurrentQueue<(ActivityTraceId Trace, ActivitySpanId Parent)>();
        await using var site = await GatedSite(gate, requestActivities).StartAsync();

        gate.SetResult();
        await site.WaitForVerdictAsync();
        await HealthChecks.Warmup.Tests.Coordination.HealthSemanticsTests.WaitUntilAsync(() => !spans.IsEmpty);

        var span = spans.Single(s => Equals(s.GetTagItem("url.full"), site.Address.ToString()));
        Assert.That(span.OperationName, Is.EqualTo("healthchecks.warmup"));
        Assert.That(span.Status, Is.EqualTo(ActivityStatusCode.Error));
        Assert.That(span.Events.Select(e => e.Name), Is.EqualTo(new[] { "healthchecks.warmup.url_failed" }));
        Assert.That(span.Events.Single().Tags.First(t => t.Key == "url.full").Value, Is.EqualTo($"{site.Address}broken"));
        Assert.That(requestActivities, Is.EqualTo(new[] { (span.TraceId, span.SpanId) }),
            "the app's request activity for /img/a.png is a child of the warm-up span");
    }
}
