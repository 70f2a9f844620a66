namespace HealthChecks.Warmup.Fetching.InProcess;

/// <summary>
/// Marks a request as the warm-up's own. Only the in-process fetcher creates it, on a feature
/// collection it builds itself: no header, query or remote request can put it on a request.
/// </summary>
internal sealed class SiteWarmupRequestFeature
{
    /// <summary>Set when the request reached one of the app's health checks of the warm-up (a health endpoint).</summary>
    public bool ReachedHealthCheck { get; set; }
}
