using HealthChecks.Warmup.Fetching;
using HealthChecks.Warmup.Model;
using HealthChecks.Warmup.Reporting;
using Microsoft.Extensions.Logging;

namespace HealthChecks.Warmup.Crawling;

/// <summary>
/// What warming bought: after a crawl that succeeded, its slowest pages (<see cref="SiteWarmupOptions.SlowestPages"/>)
/// are requested once more, one at a time so that neither time is shared with other requests, and each
/// page's first (cold) and second (warm) time are reported. The second requests are not judged: a page
/// that answered 200 in the crawl is warm whatever its second answer says.
/// </summary>
internal static class SlowestPages
{
    /// <summary>The whole measurement's time limit.</summary>
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(10);

    /// <summary>The slowest pages of <paramref name="crawl"/> that answered 200, slowest first.</summary>
    public static IReadOnlyList<UrlOutcome> Of(IReadOnlyList<UrlOutcome> crawl, int count) =>
        [.. crawl.Where(o => o is { Kind: UrlKind.Page, StatusCode: 200, Failure: FetchFailure.None }).OrderByDescending(o => o.Duration).Take(count)];

    /// <summary>Requests <paramref name="pages"/> once more, in their variants; the timings of those that answered 200 again.</summary>
    public static async Task<IReadOnlyList<PageTiming>> MeasureAsync(string registration, IReadOnlyList<UrlOutcome> pages, IReadOnlyList<RequestVariant> variants,
        IFetcher fetcher, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var timings = new List<PageTiming>(pages.Count);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeLimit);
        try
        {
            foreach (var page in pages)
            {
                var variant = page.Variant is { } name ? variants.FirstOrDefault(v => v.Name == name) : null;
                var request = new CrawlRequest(new Uri(page.Url), UrlKind.Page, page.Depth, Referrer: null, IsEntry: false, RedirectHops: 0, Variant: variant);
                var started = time.GetTimestamp();
                using var response = await fetcher.FetchAsync(request, limit.Token);
                var warm = time.GetElapsedTime(started);
                if (response is { Failure: FetchFailure.None, StatusCode: 200 })
                {
                    var timing = new PageTiming(page.Url, page.Variant, page.Duration, warm);
                    timings.Add(timing);
                    WarmupLog.PageTimed(logger, registration, Describe(timing), (long)timing.Cold.TotalMilliseconds, (long)timing.Warm.TotalMilliseconds);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Past the time limit: what was measured is reported.
        }
        return timings;
    }

    /// <summary>The page as a visitor reads it: its path and query, and its variant in brackets.</summary>
    public static string Describe(PageTiming timing)
    {
        var uri = new Uri(timing.Url);
        return timing.Variant is { } variant ? $"{uri.PathAndQuery} [{variant}]" : uri.PathAndQuery;
    }
}
