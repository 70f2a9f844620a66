namespace HealthChecks.Warmup.Model;

/// <summary>Why a request produced no status code.</summary>
internal enum FetchFailure
{
    None,
    /// <summary>The request took longer than <see cref="SiteWarmupOptions.RequestTimeout"/>.</summary>
    Timeout,
    /// <summary>The request threw before a response could be made.</summary>
    Exception,
    /// <summary>
    /// The app kept asking the warm-up to slow down (429, or 503 with Retry-After) until
    /// <see cref="SiteWarmupOptions.MaxRateLimitWait"/> or the deadline: the URL was not warmed.
    /// </summary>
    RateLimited,
}
