namespace HealthChecks.Warmup.Discovery;

/// <summary>
/// Another name of a site in scope, whose links are moved onto it: an exact origin (the address the app
/// is bound to, when it is warmed under its public origin), or a public host on its site's port and the
/// default ports (<c>https://www.example.com/about</c> on a site warmed as <c>http://www.example.com:5000</c>).
/// Only in-process, where the request never leaves the app whatever its URL says.
/// </summary>
internal sealed record SiteAlias(Uri Site, Uri? Origin = null, string? Host = null);

/// <summary>
/// The origins a warm-up may request: the site's own (scheme, host, port), plus the https origin of the
/// same host when the site itself redirects there. Nothing a page, a probe or a Host header says
/// widens it any other way; links to another name of the site (<see cref="SiteAlias"/>) are moved onto it.
/// </summary>
internal sealed class SiteScope
{
    private readonly Lock _gate = new();
    private readonly SiteAlias[] _aliases;
    private Uri[] _origins;

    public SiteScope(Uri origin, IEnumerable<Uri>? otherSites = null, IEnumerable<SiteAlias>? aliases = null)
    {
        Origin = OriginOf(origin);
        _origins = [Origin, .. (otherSites ?? []).Select(OriginOf).Where(o => o != Origin).Distinct()];
        // An alias whose site is out of scope would move a URL nowhere.
        _aliases = [.. (aliases ?? []).Where(a => Contains(a.Site))];
    }

    /// <summary>
    /// A URL under another name of a site in scope, moved onto that site (same path and query);
    /// <see langword="null"/> when it names no alias.
    /// </summary>
    public Uri? MoveOntoSite(Uri url)
    {
        if (_aliases.Length == 0 || !url.IsAbsoluteUri || url.UserInfo.Length > 0 || url.Scheme is not ("http" or "https"))
        {
            return null;
        }
        foreach (var alias in _aliases)
        {
            var named = alias.Origin is { } origin
                ? SameOrigin(origin, url)
                : string.Equals(url.IdnHost, alias.Host, StringComparison.OrdinalIgnoreCase) && (url.IsDefaultPort || url.Port == alias.Site.Port);
            if (named)
            {
                return new Uri(alias.Site, url.PathAndQuery);
            }
        }
        return null;
    }

    /// <summary>
    /// Whether a resource (a stylesheet, script, image, font) is the same under every site in scope, so
    /// that it is requested under the first site that references it only: several hosts of one app,
    /// in-process, with no cache keyed by host. Pages are always requested under each site.
    /// </summary>
    public bool SharesResources { get; init; }

    /// <summary>Every origin in scope: the site's and those of the other sites it was given.</summary>
    public IReadOnlyList<Uri> Origins => Volatile.Read(ref _origins);

    internal static Uri OriginOf(Uri url) => new(url.GetLeftPart(UriPartial.Authority) + "/");

    /// <summary>The site's own origin, with a trailing slash: <c>http://localhost:5000/</c>.</summary>
    public Uri Origin { get; }

    public bool Contains(Uri url)
    {
        if (!url.IsAbsoluteUri || url.UserInfo.Length > 0)
        {
            return false;
        }
        foreach (var origin in Volatile.Read(ref _origins))
        {
            if (SameOrigin(origin, url))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// An http→https redirect to the same host is the same site: admit that https origin from now on.
    /// </summary>
    public bool TryAdmitHttpsRedirect(Uri from, Uri to)
    {
        if (!Contains(from) || to.UserInfo.Length > 0
            || from.Scheme != Uri.UriSchemeHttp || to.Scheme != Uri.UriSchemeHttps
            || !string.Equals(from.IdnHost, to.IdnHost, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        lock (_gate)
        {
            if (!Contains(to))
            {
                _origins = [.. _origins, OriginOf(to)];
            }
        }
        return true;
    }

    private static bool SameOrigin(Uri origin, Uri url) =>
        url.Port == origin.Port
        && string.Equals(url.Scheme, origin.Scheme, StringComparison.Ordinal)
        && string.Equals(url.IdnHost, origin.IdnHost, StringComparison.OrdinalIgnoreCase);
}
