using HealthChecks.Warmup.Fetching.InProcess;

namespace Microsoft.AspNetCore.Http;

/// <summary>Tells the site warm-up's own requests from visitors'.</summary>
public static class SiteWarmupHttpContextExtensions
{
    /// <summary>
    /// Whether this request is one of the site warm-up's own in-process requests. It reads a request
    /// feature that only the warm-up sets, on requests that never leave the process, so no header,
    /// query string or remote request can make it <see langword="true"/>. Use it to keep warm-up
    /// traffic out of telemetry, request logs, analytics or a rate limiter's partitions.
    /// </summary>
    /// <param name="context">The request's context.</param>
    /// <returns><see langword="true"/> for the warm-up's in-process requests, <see langword="false"/> for every other.</returns>
    public static bool IsSiteWarmupRequest(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<SiteWarmupRequestFeature>() is not null;
    }
}
