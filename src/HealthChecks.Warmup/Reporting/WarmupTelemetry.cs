using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Diagnostics;
using HealthChecks.Warmup.Model;

namespace HealthChecks.Warmup.Reporting;

/// <summary>
/// The <c>HealthChecks.Warmup</c> meter and activity source (docs/metrics.md): requests by kind and
/// status class, request and warm-up durations in seconds, URLs queued and done, and the state of
/// every registration; one span per warm-up attempt with an event per failure.
/// </summary>
internal sealed class WarmupTelemetry
{
    public const string Name = "HealthChecks.Warmup";

    public static readonly ActivitySource ActivitySource = new(Name, typeof(WarmupTelemetry).Assembly.GetName().Version?.ToString());

    // Each registration's current snapshot, read when a gauge is observed.
    private readonly ConcurrentDictionary<string, Func<WarmupSnapshot>> _snapshots = new(StringComparer.Ordinal);
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<double> _warmupDuration;
    private readonly Histogram<double> _stepDuration;

    public WarmupTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _requests = meter.CreateCounter<long>("healthchecks.warmup.requests", "{request}", "Requests the warm-up made, by URL kind and status class.");
        _requestDuration = meter.CreateHistogram<double>("healthchecks.warmup.request.duration", "s", "Duration of the warm-up's requests, retries included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _warmupDuration = meter.CreateHistogram<double>("healthchecks.warmup.duration", "s", "Duration of warm-up attempts, by outcome.");
        _stepDuration = meter.CreateHistogram<double>("healthchecks.warmup.step.duration", "s", "Duration of warm-up steps, by step and outcome.");
        meter.CreateObservableGauge("healthchecks.warmup.urls.queued", () => Observe(p => p.Admitted - p.Done), "{url}", "URLs admitted and not yet answered.");
        meter.CreateObservableGauge("healthchecks.warmup.urls.done", () => Observe(p => p.Done), "{url}", "URLs answered in the running or last attempt.");
        meter.CreateObservableGauge("healthchecks.warmup.state", ObserveState, "{state}", "1 for the state each registration is in.");
    }

    /// <summary>Observes a registration's state and progress through <paramref name="snapshot"/>.</summary>
    public void Track(string registration, Func<WarmupSnapshot> snapshot) => _snapshots[registration] = snapshot;

    public void RecordRequest(string registration, UrlOutcome outcome)
    {
        var tags = new TagList
        {
            { "healthchecks.warmup.registration", registration },
            { "healthchecks.warmup.url.kind", Kind(outcome.Kind) },
            { "healthchecks.warmup.status_class", StatusClass(outcome) },
        };
        if (outcome.StatusCode is { } status)
        {
            tags.Add("http.response.status_code", status);
        }
        if (outcome.Failure != FetchFailure.None)
        {
            tags.Add("error.type", outcome.Failure == FetchFailure.Timeout ? "timeout" : "exception");
        }
        _requests.Add(1, tags);
        _requestDuration.Record(outcome.Duration.TotalSeconds, tags);
    }

    public void RecordWarmup(string registration, TimeSpan duration, bool succeeded) =>
        _warmupDuration.Record(duration.TotalSeconds,
            new KeyValuePair<string, object?>("healthchecks.warmup.registration", registration),
            new KeyValuePair<string, object?>("healthchecks.warmup.outcome", succeeded ? "succeeded" : "failed"));

    public void RecordStep(string registration, StepOutcome step) =>
        _stepDuration.Record(step.Duration.TotalSeconds,
            new KeyValuePair<string, object?>("healthchecks.warmup.registration", registration),
            new KeyValuePair<string, object?>("healthchecks.warmup.step", step.Name),
            new KeyValuePair<string, object?>("healthchecks.warmup.outcome", step.Status));

    /// <summary>The span of one warm-up step, a child of its attempt's.</summary>
    public static Activity? StartStep(string registration, string step) =>
        ActivitySource.StartActivity("healthchecks.warmup.step", ActivityKind.Internal, parentContext: default, tags:
        [
            new("healthchecks.warmup.registration", registration),
            new("healthchecks.warmup.step", step),
        ]);

    public static void EndStep(Activity? activity, StepOutcome step)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetTag("healthchecks.warmup.outcome", step.Status);
        activity.SetStatus(step.Failed ? ActivityStatusCode.Error : ActivityStatusCode.Ok, step.Failed ? step.Describe() : null);
    }

    /// <summary>The span of one attempt; the requests it makes are its children.</summary>
    public static Activity? StartAttempt(string registration, int attempt, Uri origin) =>
        ActivitySource.StartActivity("healthchecks.warmup", ActivityKind.Internal, parentContext: default, tags:
        [
            new("healthchecks.warmup.registration", registration),
            new("healthchecks.warmup.attempt", attempt),
            new("url.full", origin.AbsoluteUri),
        ]);

    public static void EndAttempt(Activity? activity, WarmupReport report, IReadOnlyList<UrlOutcome> failures)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetTag("healthchecks.warmup.urls.done", report.Counts.Done);
        activity.SetTag("healthchecks.warmup.failures", failures.Count);
        foreach (var failure in failures.Take(WarmupHealthResult.MaxFailuresShown))
        {
            activity.AddEvent(new ActivityEvent("healthchecks.warmup.url_failed", tags: new ActivityTagsCollection
            {
                ["url.full"] = failure.Url,
                ["http.response.status_code"] = failure.StatusCode,
                ["error.type"] = failure.Failure == FetchFailure.None ? null : failure.Failure.ToString(),
                ["healthchecks.warmup.referrer"] = failure.Referrer,
            }));
        }
        activity.SetStatus(failures.Count == 0 ? ActivityStatusCode.Ok : ActivityStatusCode.Error,
            failures.Count == 0 ? null : failures[0].Describe());
    }

    /// <summary>Ends an attempt that a warm-up step failed: no URL was requested.</summary>
    public static void EndAttempt(Activity? activity, StepOutcome failedStep)
    {
        activity?.SetTag("healthchecks.warmup.failures", 1);
        activity?.SetStatus(ActivityStatusCode.Error, failedStep.Describe());
    }

    private IEnumerable<Measurement<int>> Observe(Func<CrawlProgress, int> value) =>
        _snapshots.Select(s => (Name: s.Key, Snapshot: s.Value()))
            .Where(s => s.Snapshot.Progress is not null)
            .Select(s => new Measurement<int>(value(s.Snapshot.Progress!), new KeyValuePair<string, object?>("healthchecks.warmup.registration", s.Name)));

    private IEnumerable<Measurement<int>> ObserveState() =>
        _snapshots.Select(s => (Name: s.Key, Snapshot: s.Value())).SelectMany(s => Enum.GetValues<WarmupState>().Select(state => new Measurement<int>(
            s.Snapshot.State == state ? 1 : 0,
            new KeyValuePair<string, object?>("healthchecks.warmup.registration", s.Name),
            new KeyValuePair<string, object?>("healthchecks.warmup.state", state.ToString().ToLowerInvariant()))));

    private static string Kind(UrlKind kind) => kind switch
    {
        UrlKind.Page => "page",
        UrlKind.Resource => "resource",
        UrlKind.HealthEndpoint => "health_endpoint",
        _ => "sitemap",
    };

    private static string StatusClass(UrlOutcome outcome) => outcome.Class switch
    {
        OutcomeClass.Error => "error",
        OutcomeClass.ServerError => "5xx",
        OutcomeClass.ClientError => "4xx",
        OutcomeClass.Redirect => "3xx",
        _ => "2xx",
    };
}
