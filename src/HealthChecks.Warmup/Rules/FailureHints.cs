using HealthChecks.Warmup.Model;

namespace HealthChecks.Warmup.Rules;

/// <summary>
/// What to do about a failed attempt, when its failures point at the app's production configuration
/// rather than at a page: rate limiting that refused the warm-up, host filtering that refused its host.
/// </summary>
internal static class FailureHints
{
    public static string? For(IReadOnlyList<UrlOutcome> failures, Uri origin, IReadOnlyList<string>? allowedHosts)
    {
        if (failures.Any(f => f.Failure == FetchFailure.RateLimited))
        {
            return $"The app's rate limiting refused the warm-up: exempt warm-up requests from the limiter (HttpContext.IsSiteWarmupRequest()) or raise {SiteWarmupOptions.ConfigurationSection}:MaxRateLimitWait.";
        }
        if (allowedHosts is not null && failures.Any(f => f.IsEntry && f.StatusCode == 400 && f.Failure == FetchFailure.None))
        {
            var allowed = allowedHosts.Count == 0 ? "only wildcards" : string.Join(';', allowedHosts);
            return $"Host filtering is on (AllowedHosts: {allowed}) and may have refused the host {origin.Authority}: " +
                $"set {SiteWarmupOptions.ConfigurationSection}:BaseAddress to the site's public origin, on a host AllowedHosts allows.";
        }
        return null;
    }
}
