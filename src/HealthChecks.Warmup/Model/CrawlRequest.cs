namespace HealthChecks.Warmup.Model;

/// <summary>Why a URL was requested: a page (a link), a resource of a page or stylesheet, or a file that lists URLs.</summary>
internal enum UrlKind
{
    Page,
    Resource,
    /// <summary>A sitemap or sitemap index, read for the pages and sitemaps it lists; never a failure.</summary>
    Sitemap,
    /// <summary>A site's robots.txt, read for its sitemaps and Disallow rules; never a failure.</summary>
    RobotsTxt,
    /// <summary>A health endpoint of this app that a warm-up request reached: its answer is no verdict on the site; never a failure.</summary>
    HealthEndpoint,
}

/// <summary>What else a resource's body is read for, besides HTML and CSS (which are read by their content type).</summary>
internal enum ReadAs
{
    /// <summary>Nothing: warm once served.</summary>
    Nothing,
    /// <summary>A JavaScript module: its imports are followed.</summary>
    Module,
    /// <summary>A web app manifest: its icons and pages are followed.</summary>
    Manifest,
}

/// <summary>
/// A variant a page is requested in (a culture, a named set of headers): every page once per variant,
/// a resource once.
/// </summary>
/// <param name="Name">The variant's name: a culture's (<c>de</c>) or the one it was given (<c>mobile</c>).</param>
/// <param name="Headers">The headers its requests send, over the warm-up's own.</param>
internal sealed record RequestVariant(string Name, IReadOnlyList<KeyValuePair<string, string>> Headers);

/// <summary>One URL the frontier admitted, with how it was reached.</summary>
/// <param name="Url">The absolute, normalised URL (no fragment).</param>
/// <param name="Kind">Page or resource.</param>
/// <param name="Depth">Link hops from an entry page; resources have the depth of the page that uses them.</param>
/// <param name="Referrer">The page, stylesheet or redirect that led here; <see langword="null"/> for entry pages.</param>
/// <param name="IsEntry">An entry page, or where an entry page redirected to.</param>
/// <param name="RedirectHops">How many redirects led here.</param>
/// <param name="IsDiscovered">
/// Found by endpoint discovery alone, a guess of the library's: its failure is reported, not judged,
/// unless a page or stylesheet also references it.
/// </param>
/// <param name="ReadAs">What the body is read for besides HTML and CSS.</param>
/// <param name="IsSpeculative">A guess from a script's text: a miss is no broken link and never a failure.</param>
/// <param name="Variant">The variant the request is made in; <see langword="null"/> when the warm-up has none.</param>
internal sealed record CrawlRequest(Uri Url, UrlKind Kind, int Depth, Uri? Referrer, bool IsEntry, int RedirectHops, bool IsDiscovered = false,
    ReadAs ReadAs = ReadAs.Nothing, bool IsSpeculative = false, RequestVariant? Variant = null);
