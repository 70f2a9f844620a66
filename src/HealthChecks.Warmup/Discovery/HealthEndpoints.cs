using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace HealthChecks.Warmup.Discovery;

/// <summary>
/// Finds the app's health check endpoints, which the warm-up never requests: while it runs they
/// answer 503 by design, and warming them warms nothing.
/// </summary>
internal static class HealthEndpoints
{
    // The display name MapHealthChecks gives its endpoints.
    private const string DisplayName = "Health checks";

    public static HashSet<string> Paths(IServiceProvider services)
    {
        var paths = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (services.GetService<EndpointDataSource>() is not { } dataSource)
        {
            return paths;
        }
        foreach (var endpoint in dataSource.Endpoints)
        {
            if (endpoint is RouteEndpoint { DisplayName: DisplayName } route && route.RoutePattern.RawText is { } pattern)
            {
                paths.Add("/" + pattern.Trim('/'));
            }
        }
        return paths;
    }
}
