using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace HealthChecks.Warmup.Discovery;

/// <summary>The addresses the server listens on, read as URLs, and the site's origin among them.</summary>
internal static class BoundAddresses
{
    private static readonly Uri s_fallbackOrigin = new("http://localhost/");

    /// <summary>
    /// The origin the app is served under: its first https address if it listens on https, else its
    /// first address, with wildcard hosts (<c>+</c>, <c>*</c>, <c>0.0.0.0</c>, <c>[::]</c>) read as
    /// <c>localhost</c>; <c>http://localhost</c> when the server reports no address (TestServer).
    /// </summary>
    public static Uri SiteOrigin(IServer? server)
    {
        var addresses = server?.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null || addresses.Count == 0)
        {
            return s_fallbackOrigin;
        }
        var chosen = addresses.FirstOrDefault(a => a.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) ?? addresses.First();
        return ParseAddress(chosen) ?? s_fallbackOrigin;
    }

    internal static Uri? ParseAddress(string address)
    {
        var schemeEnd = address.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            return null;
        }
        var scheme = address[..schemeEnd].ToLowerInvariant();
        var rest = address[(schemeEnd + 3)..];
        var pathStart = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = pathStart < 0 ? rest : rest[..pathStart];
        var portStart = authority.LastIndexOf(':');
        var host = authority;
        var port = "";
        if (portStart > 0 && portStart > authority.LastIndexOf(']'))
        {
            host = authority[..portStart];
            port = authority[portStart..];
        }
        if (host is "+" or "*" or "0.0.0.0" or "[::]" or "" || host.StartsWith("unix", StringComparison.OrdinalIgnoreCase))
        {
            host = "localhost";
        }
        return Uri.TryCreate($"{scheme}://{host}{port}/", UriKind.Absolute, out var origin) && origin.Scheme is "http" or "https"
            ? origin
            : null;
    }
}
