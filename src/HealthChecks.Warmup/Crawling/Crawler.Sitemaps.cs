using System.Collections.Concurrent;
using HealthChecks.Warmup.Discovery;
using HealthChecks.Warmup.Fetching;
using HealthChecks.Warmup.Model;
using HealthChecks.Warmup.Reporting;

namespace HealthChecks.Warmup.Crawling;

/// <summary>
/// robots.txt and sitemaps, fetched outside the visit loop for <see cref="SitemapDiscovery"/>, which says
/// which files to ask for and reads them: robots.txt before the frontier exists, the sitemaps beside the workers.
/// </summary>
internal sealed partial class Crawler
{
    /// <summary>What the sites' robots.txt files said, and the URLs requested to read them.</summary>
    private sealed record RobotsTxtRead(List<string> Disallowed, List<CrawlRequest> Sitemaps, List<Uri> Requested);

    /// <summary>Reads each site's robots.txt, one after the other, before anything else is requested.</summary>
    private async Task<RobotsTxtRead> ReadRobotsTxtAsync(SitemapDiscovery files, SiteScope scope, BackPressure pressure, CancellationToken cancellationToken)
    {
        var read = new RobotsTxtRead([], [], []);
        foreach (var request in files.RobotsTxtFiles(scope.Origins))
        {
            if (!TakeFile(files) || Requested(request) is not { } first)
            {
                continue;
            }
            var (url, response) = await FetchFileAsync(first, Requested, scope, pressure, cancellationToken);
            using (response)
            {
                Read(url, response, body => files.ReadRobotsTxt(url, body.Span, read.Disallowed, read.Sitemaps));
            }
        }
        return read;

        // A URL is asked once (a redirect may lead to another site's robots.txt), and only inside the site.
        CrawlRequest? Requested(CrawlRequest request)
        {
            if (!scope.Contains(request.Url) || options.Excludes(request.Url.AbsolutePath) || read.Requested.Contains(request.Url))
            {
                return null;
            }
            read.Requested.Add(request.Url);
            return request;
        }
    }

    /// <summary>
    /// Reads the sitemaps level by level — those named first, then those their indexes name — offering
    /// their pages to the frontier, and ends the frontier's seeding when done.
    /// </summary>
    private async Task ReadSitemapsAsync(SitemapDiscovery files, Frontier frontier, List<CrawlRequest> sitemaps, BackPressure pressure, int concurrency, CancellationToken cancellationToken)
    {
        try
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken };
            for (var level = sitemaps; level.Count > 0;)
            {
                var next = new ConcurrentQueue<CrawlRequest>();
                await Parallel.ForEachAsync(level, parallel, async (sitemap, token) =>
                {
                    if (!TakeFile(files) || Claimed(sitemap) is not { } first)
                    {
                        return;
                    }
                    var (url, response) = await FetchFileAsync(first, Claimed, frontier.Scope, pressure, token);
                    using (response)
                    {
                        var pages = new List<CrawlRequest>();
                        var named = new List<CrawlRequest>();
                        Read(url, response, body => files.ReadSitemap(url, body, pages, named));
                        pages.ForEach(page => OfferPage(frontier, page));
                        named.ForEach(next.Enqueue);
                    }
                });
                level = [.. next];
            }
        }
        finally
        {
            frontier.SeedingDone();
        }

        CrawlRequest? Claimed(CrawlRequest request) =>
            Logged(frontier.Claim(request, out var admitted), request) == Admission.Admitted ? admitted : null;
    }

    /// <summary>Takes one of the files <see cref="SitemapDiscovery.MaxFiles"/> allows; logs the limit once when none is left.</summary>
    private bool TakeFile(SitemapDiscovery files)
    {
        if (files.TryTake())
        {
            return true;
        }
        if (Progress.Reached(WarmupLimits.MaxSitemaps))
        {
            WarmupLog.LimitReached(logger, registration, WarmupLimits.MaxSitemaps);
        }
        return false;
    }

    /// <summary>
    /// Fetches a robots.txt or sitemap, following its redirects here, each hop admitted by
    /// <paramref name="admit"/>: the URL it was read from and, on a 2xx, the response to read; otherwise none.
    /// </summary>
    private async Task<(Uri Url, FetchResult? Response)> FetchFileAsync(CrawlRequest request, Func<CrawlRequest, CrawlRequest?> admit, SiteScope scope, BackPressure pressure, CancellationToken cancellationToken)
    {
        while (true)
        {
            var response = await FetchAndRecordAsync(request, pressure, cancellationToken);
            if (response is { Failure: FetchFailure.None, StatusCode: >= 200 and < 300, ReachedHealthCheck: false })
            {
                return (request.Url, response);
            }
            var next = response is { Failure: FetchFailure.None, StatusCode: { } status, ReachedHealthCheck: false } && s_redirects.Contains(status)
                ? Redirected(request, response.Location, scope)
                : null;
            response.Dispose();
            if (next is null || admit(next) is not { } admitted)
            {
                return (request.Url, null);
            }
            request = admitted;
        }
    }

    /// <summary>Reads a fetched file's body, if there is one; a body the reader cannot read is logged, not thrown.</summary>
    private void Read(Uri url, FetchResult? response, Action<ReadOnlyMemory<byte>> read)
    {
        if (response is null)
        {
            return;
        }
        try
        {
            read(response.Body);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            WarmupLog.ExtractionFailed(logger, url.AbsoluteUri, ex);
        }
    }
}
