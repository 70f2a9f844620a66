using HealthChecks.Warmup.Model;

namespace HealthChecks.Warmup.Reporting;

/// <summary>Where a registration's warm-up stands.</summary>
internal enum WarmupState
{
    /// <summary>The application has not started yet.</summary>
    NotStarted,
    /// <summary>An attempt is running.</summary>
    Warming,
    /// <summary>The last attempt failed; the next starts after a backoff delay.</summary>
    Failed,
    /// <summary>The site is warm, for good.</summary>
    Succeeded,
    /// <summary>The application stopped before the site was warm.</summary>
    Stopped,
}

/// <summary>
/// An immutable picture of a warm-up, swapped whole by the coordinator and read by probes without locks.
/// </summary>
/// <param name="State">Where it stands.</param>
/// <param name="Attempt">The number of the running or last attempt; 0 before the first.</param>
/// <param name="Progress">Live counters of the running attempt, or the final ones of the last.</param>
/// <param name="LastReport">The last finished attempt; after success, its counts only.</param>
/// <param name="Failures">What made the last finished attempt fail.</param>
/// <param name="CrawlerError">An error of the warm-up itself, not of a URL.</param>
/// <param name="NextAttemptAt">When the next attempt starts, after a failure.</param>
internal sealed record WarmupSnapshot(
    WarmupState State,
    int Attempt,
    CrawlProgress? Progress,
    WarmupReport? LastReport,
    IReadOnlyList<UrlOutcome> Failures,
    string? CrawlerError,
    DateTimeOffset? NextAttemptAt)
{
    public static WarmupSnapshot Initial { get; } = new(WarmupState.NotStarted, 0, null, null, [], null, null);

    /// <summary>Endpoints only endpoint discovery found that failed in the last finished attempt: reported, not judged.</summary>
    public IReadOnlyList<UrlOutcome> DiscoveredFailures { get; init; } = [];

    /// <summary>What to do about the last attempt's failures, when they point at the app's configuration.</summary>
    public string? Hint { get; init; }

    /// <summary>What the server warm-up did, or why it did not run.</summary>
    public string? ServerWarmup { get; init; }

    /// <summary>What each warm-up step of the running or last attempt did, in order.</summary>
    public IReadOnlyList<StepOutcome> Steps { get; init; } = [];

    /// <summary>What warming bought the last attempt's slowest pages: their cold and warm times.</summary>
    public IReadOnlyList<PageTiming> Slowest { get; init; } = [];

    /// <summary>The step that failed the last finished attempt; the crawl did not run.</summary>
    public StepOutcome? FailedStep { get; init; }

    /// <summary>The origin the site was warmed under (its scheme, host and port, as the app saw them).</summary>
    public Uri? WarmedAs { get; init; }
}
