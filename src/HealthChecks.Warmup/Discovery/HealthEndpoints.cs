using Microsoft.AspNetCore.Routing;

namespace HealthChecks.Warmup.Discovery;

/// <summary>
/// The app's health-check endpoints a probe can ask for: those <c>MapHealthChecks</c> mapped at a path
/// that needs no route value, and the address a probe of each is sent to.
/// </summary>
internal static class HealthEndpoints
{
    /// <summary>
    /// The display name <c>MapHealthChecks</c> gives its endpoints, the one thing that tells them: their
    /// handler is a pipeline built around ASP.NET Core's health check middleware, not code of their own.
    /// </summary>
    internal const string DisplayName = "Health checks";

    /// <summary>A health endpoint: its path, and the host (<c>*:8081</c>, <c>health.internal</c>) its <c>RequireHost</c> names first.</summary>
    internal sealed record Endpoint(string Path, string? Host);

    public static List<Endpoint> Read(EndpointDataSource? dataSource) =>
        dataSource is null ? [] :
        [
            .. dataSource.Endpoints.OfType<RouteEndpoint>()
                .Where(route => route.DisplayName == DisplayName)
                .Select(route => AppEndpoints.TryPath(route.RoutePattern, out var path)
                    ? new Endpoint(path, route.Metadata.GetMetadata<IHostMetadata>()?.Hosts.FirstOrDefault())
                    : null)
                .OfType<Endpoint>()
                .DistinctBy(endpoint => (endpoint.Path, endpoint.Host)),
        ];

    /// <summary>
    /// Where a probe of <paramref name="endpoint"/> goes: the bound address a load balancer or kubelet
    /// calls (the one on the port <c>RequireHost</c> names, under the host it names); <see langword="null"/>
    /// for a wildcard subdomain, which names no host to send.
    /// </summary>
    public static Uri? ProbeUrl(Endpoint endpoint, IReadOnlyList<Uri> boundOrigins, Uri fallback)
    {
        var (host, port) = Split(endpoint.Host);
        if (host.StartsWith("*.", StringComparison.Ordinal))
        {
            return null;
        }
        var bound = boundOrigins.FirstOrDefault(origin => port is null || origin.Port == port) ?? boundOrigins.FirstOrDefault() ?? fallback;
        var builder = new UriBuilder(bound) { Path = endpoint.Path };
        if (host is not ("" or "*"))
        {
            builder.Host = host;
        }
        if (port is { } named)
        {
            builder.Port = named;
        }
        return builder.Uri;
    }

    private static (string Host, int? Port) Split(string? hostAndPort)
    {
        if (string.IsNullOrEmpty(hostAndPort))
        {
            return ("", null);
        }
        var colon = hostAndPort.LastIndexOf(':');
        return colon > hostAndPort.LastIndexOf(']') && int.TryParse(hostAndPort.AsSpan(colon + 1), out var port)
            ? (hostAndPort[..colon], port)
            : (hostAndPort, null);
    }
}
