using System.Text;
using HealthChecks.Warmup.Model;

namespace HealthChecks.Warmup.Discovery;

/// <summary>
/// robots.txt and sitemaps as a source of URLs: which files to ask for — each site's robots.txt, then
/// its <c>/sitemap.xml</c> and every sitemap robots.txt or a sitemap index names, at most
/// <see cref="MaxFiles"/> in all — and what each one says, as plain values. It requests nothing itself:
/// the crawler fetches the files it names and hands it their bodies.
/// </summary>
internal sealed class SitemapDiscovery(SiteWarmupOptions options)
{
    /// <summary>The most robots.txt files and sitemaps one warm-up reads.</summary>
    public const int MaxFiles = 50;

    private int _taken;

    /// <summary>Each site's robots.txt, when its sitemaps or its rules are wanted; none of a path <see cref="SiteWarmupOptions.ExcludedPaths"/> excludes.</summary>
    public IEnumerable<CrawlRequest> RobotsTxtFiles(IEnumerable<Uri> sites) =>
        options.DiscoverSitemaps || options.RespectRobotsTxt
            ? sites.Select(site => new Uri(site, "/robots.txt")).Where(url => !options.Excludes(url.AbsolutePath)).Select(url => File(url, UrlKind.RobotsTxt, null))
            : [];

    /// <summary>The sitemap each site is asked for whether or not robots.txt names it.</summary>
    public IEnumerable<CrawlRequest> DefaultSitemaps(IEnumerable<Uri> sites) =>
        options.DiscoverSitemaps ? sites.Select(site => File(new Uri(site, "/sitemap.xml"), UrlKind.Sitemap, null)) : [];

    /// <summary>Takes one more file to request; <see langword="false"/> once <see cref="MaxFiles"/> are taken.</summary>
    public bool TryTake() => Interlocked.Increment(ref _taken) <= MaxFiles;

    /// <summary>
    /// A robots.txt read from <paramref name="url"/>: its Disallow rules for all user agents when
    /// <see cref="SiteWarmupOptions.RespectRobotsTxt"/>, and the sitemaps it names when
    /// <see cref="SiteWarmupOptions.DiscoverSitemaps"/>.
    /// </summary>
    public void ReadRobotsTxt(Uri url, ReadOnlySpan<byte> body, List<string> disallowed, List<CrawlRequest> sitemaps)
    {
        var named = new List<string>();
        var rules = new List<string>();
        RobotsTxt.Read(Encoding.UTF8.GetString(body), named, rules);
        if (options.RespectRobotsTxt)
        {
            disallowed.AddRange(rules);
        }
        if (options.DiscoverSitemaps)
        {
            sitemaps.AddRange(Resolve(url, named, UrlKind.Sitemap));
        }
    }

    /// <summary>A sitemap or sitemap index read from <paramref name="url"/>: the pages and the sitemaps it lists.</summary>
    public void ReadSitemap(Uri url, ReadOnlyMemory<byte> body, List<CrawlRequest> pages, List<CrawlRequest> sitemaps)
    {
        var pageUrls = new List<string>();
        var sitemapUrls = new List<string>();
        SitemapReader.Read(body, options.MaxParsedBytes, pageUrls, sitemapUrls);
        pages.AddRange(Resolve(url, pageUrls, UrlKind.Page));
        sitemaps.AddRange(Resolve(url, sitemapUrls, UrlKind.Sitemap));
    }

    private static IEnumerable<CrawlRequest> Resolve(Uri file, List<string> urls, UrlKind kind) =>
        urls.Select(url => LinkResolver.Resolve(file, url)).OfType<Uri>().Select(url => File(url, kind, file));

    private static CrawlRequest File(Uri url, UrlKind kind, Uri? referrer) => new(url, kind, 0, referrer, IsEntry: false, RedirectHops: 0);
}
