using HealthChecks.Warmup.Reporting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HealthChecks.Warmup.Coordination;

/// <summary>
/// The health check: reads the coordinator's state and answers at once. It never starts, waits for or
/// repeats a warm-up. The probe's query may carry the original's flags: <c>ignoreResourceServerError=yes</c>
/// judges this probe with resource server errors ignored; <c>verbose=yes</c> logs the last attempt's
/// per-URL outcomes. <c>force=yes</c> is not honoured: re-crawling on demand was a denial-of-service hole.
/// </summary>
internal sealed class SiteWarmupHealthCheck(WarmupCoordinator coordinator, IHttpContextAccessor httpContextAccessor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var query = httpContextAccessor.HttpContext?.Request.Query;
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
