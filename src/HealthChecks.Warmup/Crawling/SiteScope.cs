namespace HealthChecks.Warmup.Crawling;

/// <summary>
/// The origins a warm-up may request: the site's own (scheme, host, port), plus the https origin of the
/// same host when the site itself redirects there. Nothing a page, a probe or a Host header says
/// widens it any other way.
/// </summary>
internal sealed class SiteScope
{
    private readonly Lock _gate = new();
    private Uri[] _origins;

    public SiteScope(Uri origin, IEnumerable<Uri>? otherSites = null)
    {
        Origin = OriginOf(origin);
        _origins = [Origin, .. (otherSites ?? []).Select(OriginOf).Where(o => o != Origin).Distinct()];
    }

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
