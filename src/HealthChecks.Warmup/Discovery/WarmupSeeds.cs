using HealthChecks.Warmup.Model;

namespace HealthChecks.Warmup.Discovery;

/// <summary>
/// Where one warm-up attempt starts: the sites (the origin, or each of <see cref="SiteWarmupOptions.Hosts"/>,
/// plus the sites <see cref="ISiteWarmupSource"/>s name), their entry pages, and the app's own endpoints.
/// </summary>
internal static class WarmupSeeds
{
    public static async Task<(SiteScope Scope, List<CrawlRequest> Seeds)> DiscoverAsync(
        string registration,
        SiteAddress address,
        SiteWarmupOptions options,
        IEnumerable<ISiteWarmupSource> sources,
        AppEndpoints.Found? endpoints,
        CancellationToken cancellationToken)
    {
        var origin = address.Origin;
        // Hosts were checked when the options were validated (SiteWarmupOptionsValidator, at start and in dotnet-warmup).
        List<Uri> sites = options.Hosts.Count == 0 ? [origin] : [.. options.Hosts.Select(host => HostOrigin(origin, host)).OfType<Uri>()];
        var seeds = new List<CrawlRequest>();
        // The default entry page of an app that maps nothing at / (a web API) is no entry page: its 404
        // is the app's design, not a cold site. Its endpoints are warmed instead, or / as a guess if none.
        var rootIsGuess = options.EntryPathsDefaulted && endpoints is { NothingAtRoot: true };
        foreach (var site in sites)
        {
            AddEntries(seeds, site, rootIsGuess ? [] : options.EntryPaths);
        }

        var otherSites = new List<Uri>(sites);
        foreach (var source in sources)
        {
            foreach (var named in await source.GetSitesAsync(registration, cancellationToken))
            {
                var site = named.Host is null
                    ? origin
                    : HostOrigin(origin, named.Host) ?? throw new InvalidOperationException($"{source.GetType().Name} named the host '{named.Host}', which is not a host name.");
                otherSites.Add(site);
                AddEntries(seeds, site, named.EntryPaths);
            }
        }

        foreach (var site in sites)
        {
            // Sample paths are the user's word, judged like linked pages; the rest is the library's guess.
            AddEndpoints(seeds, site, endpoints?.Named ?? [], discovered: false);
            AddEndpoints(seeds, site, endpoints?.Discovered ?? [], discovered: true);
            if (rootIsGuess && !seeds.Any(seed => seed.Url.Authority == site.Authority))
            {
                AddEndpoints(seeds, site, options.EntryPaths, discovered: true);
            }
        }
        List<SiteAlias> aliases =
        [
            .. address.BoundOrigins.Select(bound => new SiteAlias(origin, Origin: bound)),
            .. address.PublicHosts.Select(host => new SiteAlias(origin, Host: host)),
        ];
        var inProcess = options.Transport == WarmupTransport.InProcess;
        if (inProcess && options.Hosts.Count > 0)
        {
            aliases.AddRange(sites.Select(site => new SiteAlias(site, Host: site.IdnHost)));
        }
        // In-process, several hosts are one app: a stylesheet is the same under each, unless a cache keeps them apart.
        var scope = new SiteScope(origin, otherSites, aliases) { SharesResources = inProcess && sites.Count > 1 && !address.CachesByHost };
        return (scope, seeds);
    }

    /// <summary>
    /// The origin of a host name on the warm-up's scheme: <c>tenant.example</c> keeps the origin's port,
    /// <c>tenant.example:8443</c> names its own. <see langword="null"/> when it is not a plain host.
    /// </summary>
    internal static Uri? HostOrigin(Uri origin, string host)
    {
        if (string.IsNullOrWhiteSpace(host) || host.IndexOfAny(['/', '\\', '@', '?', '#', ' ']) >= 0
            || !Uri.TryCreate($"{origin.Scheme}://{host.Trim()}/", UriKind.Absolute, out var url)
            || url.UserInfo.Length > 0)
        {
            return null;
        }
        var namesPort = host.TrimEnd().LastIndexOf(':') > host.LastIndexOf(']');
        return namesPort ? url : new UriBuilder(url) { Port = origin.Port }.Uri;
    }

    private static void AddEndpoints(List<CrawlRequest> seeds, Uri site, IEnumerable<string> paths, bool discovered)
    {
        foreach (var path in paths)
        {
            if (LinkResolver.Resolve(site, path) is { } url)
            {
                seeds.Add(new CrawlRequest(url, UrlKind.Page, 0, Referrer: null, IsEntry: false, RedirectHops: 0, discovered));
            }
        }
    }

    private static void AddEntries(List<CrawlRequest> seeds, Uri site, IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (LinkResolver.Resolve(site, path) is { } url)
            {
                seeds.Add(new CrawlRequest(url, UrlKind.Page, 0, Referrer: null, IsEntry: true, RedirectHops: 0));
            }
        }
    }
}
