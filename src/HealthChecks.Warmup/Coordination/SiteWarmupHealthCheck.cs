using HealthChecks.Warmup.Fetching.Http;
using HealthChecks.Warmup.Fetching.InProcess;
using HealthChecks.Warmup.Reporting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HealthChecks.Warmup.Coordination;

/// <summary>
/// The health check: reads the coordinator's state and answers at once. It never starts, waits for or
/// repeats a warm-up. The probe's query may carry the original's flags: <c>ignoreResourceServerError=yes</c>
/// judges this probe with resource server errors ignored; <c>verbose=yes</c> logs the last attempt's
/// per-URL outcomes. <c>force=yes</c> is not honoured: re-crawling on demand was a denial-of-service hole.
/// A request of the warm-up's own that reaches a health endpoint gets Healthy from this check, so that
/// a warm-up never waits for itself, however the endpoint is mapped or named.
/// </summary>
internal sealed class SiteWarmupHealthCheck(WarmupCoordinator coordinator, IHttpContextAccessor httpContextAccessor) : IHealthCheck
{
    private static readonly HealthCheckResult OwnRequest = HealthCheckResult.Healthy("The site warm-up's own request.");

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var httpContext = httpContextAccessor.HttpContext;
        if (httpContext?.Features.Get<SiteWarmupRequestFeature>() is { } warmupRequest)
        {
            // The warm-up reached a health endpoint of its own app: it must never wait for itself. The
            // crawler learns from the feature that this answer is no verdict on the site.
            warmupRequest.Reached(context.Registration.Name);
            return Task.FromResult(OwnRequest);
        }
        if (httpContext is not null && OwnRequestMarker.IsOwn(httpContext.Request.Headers[OwnRequestMarker.Header]))
        {
            // The same, for this app's warm-up over HTTP; the response header tells its fetcher.
            httpContext.Response.Headers[OwnRequestMarker.ReachedHeader] = "1";
            return Task.FromResult(OwnRequest);
        }
        var query = httpContext?.Request.Query;
        if (IsYes(query, "verbose"))
        {
            coordinator.LogOutcomesForProbe();
        }
        var result = WarmupHealthResult.From(coordinator.Snapshot, context.Registration.FailureStatus, IsYes(query, "ignoreResourceServerError"));
        return Task.FromResult(result);
    }

    private static bool IsYes(IQueryCollection? query, string flag) =>
        query is not null && query.TryGetValue(flag, out var value)
        && (string.Equals(value, "yes", StringComparison.OrdinalIgnoreCase)
            || string.Equals(value, "true", StringComparison.OrdinalIgnoreCase)
            || value == "1");
}
