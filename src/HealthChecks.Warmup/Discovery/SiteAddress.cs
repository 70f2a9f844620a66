using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;

namespace HealthChecks.Warmup.Discovery;

/// <summary>Where the origin a site is warmed under came from.</summary>
internal enum SiteAddressSource
{
    /// <summary><see cref="SiteWarmupOptions.BaseAddress"/>: the site's public origin, as the user named it.</summary>
    BaseAddress,
    /// <summary>The first concrete host of the app's <c>AllowedHosts</c>, on the scheme and port it is bound to.</summary>
    AllowedHosts,
    /// <summary>The address the server listens on.</summary>
    Server,
}

/// <summary>
/// The origin a site is warmed under — the scheme, host and port its requests carry — and the other
/// names of the same site whose links are moved onto it. In-process the Host never chooses where a
/// request goes (it never leaves the process), so it is chosen to be one the app accepts and its caches
/// key visitors by: <see cref="SiteWarmupOptions.BaseAddress"/>; else, when host filtering restricts
/// <c>AllowedHosts</c>, its first host that is not a wildcard, on the bound scheme and port; else the
/// bound address. Over HTTP the origin is where requests go: <see cref="SiteWarmupOptions.BaseAddress"/>
/// or the bound address, and no other name is the same site.
/// </summary>
internal sealed record SiteAddress(Uri Origin, SiteAddressSource Source, IReadOnlyList<Uri> BoundOrigins, IReadOnlyList<string> PublicHosts)
{
    /// <summary>The concrete hosts of a restricted <c>AllowedHosts</c>; empty when any host is allowed.</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>Every origin the server listens on, whichever the transport; only their schemes and ports are sure.</summary>
    public IReadOnlyList<Uri> Listening { get; init; } = [];

    /// <summary>Whether host filtering restricts the hosts the app answers.</summary>
    public bool HostFiltering { get; init; }

    /// <summary>
    /// Whether the app caches whole responses keyed by host: output caching (<c>AddOutputCache</c>).
    /// Response caching leaves no trace in the services to tell.
    /// </summary>
    public bool CachesByHost { get; init; }

    /// <summary>An origin given as it is, with no other name (the command-line tool's site).</summary>
    public static SiteAddress Of(Uri origin) => new(SiteScope.OriginOf(origin), SiteAddressSource.BaseAddress, [], []);

    /// <summary>
    /// The address an attempt warms under. <paramref name="allowedHosts"/> is host filtering's
    /// <c>AllowedHosts</c>; <paramref name="cachesByHost"/> whether the app has output caching.
    /// </summary>
    public static SiteAddress Resolve(SiteWarmupOptions options, IServer? server, IList<string>? allowedHosts, bool cachesByHost)
    {
        var bound = BoundAddresses.SiteOrigin(server);
        var inProcess = options.Transport == WarmupTransport.InProcess;
        var allowed = Restricted(allowedHosts);
        var filtering = allowed is not null;
        var concrete = allowed?.Where(h => !h.Contains('*', StringComparison.Ordinal)).ToList() ?? [];

        Uri origin;
        SiteAddressSource source;
        if (options.BaseAddress is { } configured)
        {
            (origin, source) = (SiteScope.OriginOf(configured), SiteAddressSource.BaseAddress);
        }
        else if (inProcess && filtering && !IsAllowed(bound.IdnHost, allowed!))
        {
            if (concrete.Count == 0)
            {
                throw new InvalidOperationException(
                    $"Host filtering allows only wildcard hosts (AllowedHosts: {string.Join(';', allowed!)}), so the warm-up cannot tell which host to request the site under: " +
                    $"set {SiteWarmupOptions.ConfigurationSection}:BaseAddress to the site's public origin, such as https://www.example.com.");
            }
            origin = WarmupSeeds.HostOrigin(bound, concrete[0])
                ?? throw new InvalidOperationException($"AllowedHosts has '{concrete[0]}', which is not a host name.");
            source = SiteAddressSource.AllowedHosts;
        }
        else
        {
            (origin, source) = (bound, SiteAddressSource.Server);
        }

        List<Uri> listening = [.. ServerOrigins(server)];
        if (!inProcess)
        {
            return new SiteAddress(origin, source, [], []) { AllowedHosts = concrete, HostFiltering = filtering, CachesByHost = cachesByHost, Listening = listening };
        }
        // In-process, links to the bound address and to the public host are the same site.
        List<Uri> boundOrigins = [.. listening.Where(o => o != origin)];
        List<string> publicHosts = source == SiteAddressSource.Server ? [] : [origin.IdnHost];
        if (options.Hosts.Count == 0)
        {
            publicHosts.AddRange(concrete.Select(h => WarmupSeeds.HostOrigin(bound, h)?.IdnHost).OfType<string>());
        }
        return new SiteAddress(origin, source, boundOrigins, [.. publicHosts.Distinct(StringComparer.OrdinalIgnoreCase)])
        {
            AllowedHosts = concrete,
            HostFiltering = filtering,
            CachesByHost = cachesByHost,
            Listening = listening,
        };
    }

    /// <summary>
    /// The app's <c>AllowedHosts</c> when host filtering restricts them; <see langword="null"/> when it
    /// allows any host (<c>*</c>, or not configured).
    /// </summary>
    private static List<string>? Restricted(IList<string>? hosts)
    {
        if (hosts is null || hosts.Count == 0 || hosts.Any(h => h.Trim() == "*"))
        {
            return null;
        }
        return [.. hosts.Select(h => h.Trim()).Where(h => h.Length > 0)];
    }

    /// <summary>Host filtering's own matching: exact, or <c>*.example.com</c> for its subdomains.</summary>
    private static bool IsAllowed(string host, List<string> allowed) => allowed.Any(entry =>
        entry.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(entry[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(entry.Trim('[', ']'), host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<Uri> ServerOrigins(IServer? server) =>
        (server?.Features.Get<IServerAddressesFeature>()?.Addresses ?? []).Select(BoundAddresses.ParseAddress).OfType<Uri>().Distinct();
}
