using HealthChecks.Warmup.Discovery;
using HealthChecks.Warmup.Extraction;
using HealthChecks.Warmup.Fetching;
using HealthChecks.Warmup.Model;
using HealthChecks.Warmup.Reporting;

namespace HealthChecks.Warmup.Crawling;

/// <summary>robots.txt and sitemaps: the pages and sitemaps they list, and robots.txt's rules.</summary>
internal sealed partial class Crawler
{
    /// <summary>robots.txt: its sitemaps and, when respected, its Disallow rules; a sitemap: its pages and sitemaps.</summary>
    private void ReadSitemap(CrawlRequest request, FetchResult response, Frontier frontier)
    {
        var sitemaps = new List<string>();
        var pages = new List<string>();
        try
        {
            if (request.Url.AbsolutePath == "/robots.txt")
            {
                var disallowed = new List<string>();
                RobotsTxt.Read(System.Text.Encoding.UTF8.GetString(response.Body.Span), sitemaps, disallowed);
                if (options.RespectRobotsTxt)
                {
                    frontier.Disallow(disallowed);
                }
                if (!options.DiscoverSitemaps)
                {
                    sitemaps.Clear();
                }
            }
            else
            {
                SitemapReader.Read(response.Body, options.MaxParsedBytes, pages, sitemaps);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            WarmupLog.ExtractionFailed(logger, request.Url.AbsoluteUri, ex);
        }
        foreach (var sitemap in sitemaps)
        {
            if (LinkResolver.Resolve(request.Url, sitemap) is { } url)
            {
                Offer(frontier, new CrawlRequest(url, UrlKind.Sitemap, 0, request.Url, IsEntry: false, RedirectHops: 0));
            }
        }
        foreach (var page in pages)
        {
            if (LinkResolver.Resolve(request.Url, page) is { } url)
            {
                Offer(frontier, new CrawlRequest(url, UrlKind.Page, 0, request.Url, IsEntry: false, RedirectHops: 0));
            }
        }
    }
}
