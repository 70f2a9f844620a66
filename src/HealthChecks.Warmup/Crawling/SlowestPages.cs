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
    /// <summary>The slowest pages of <paramref name="crawl"/> that answered 200, slowest first.</summary>
    public static IReadOnlyList<UrlOutcome> Of(IReadOnlyList<UrlOutcome> crawl, int count) =>
        [.. crawl.Where(o => o is { Kind: UrlKind.Page, StatusCode: 200, Failure: FetchFailure.None }).OrderByDescending(o => o.Duration).Take(count)];

    /// <summary>
    /// Requests <paramref name="pages"/> once more, one at a time, in their variants (the repeat pass's
    /// requests, within its time limit); the timings of those that answered 200 again.
    /// </summary>
    public static async Task<IReadOnlyList<PageTiming>> MeasureAsync(string registration, IReadOnlyList<UrlOutcome> pages, IReadOnlyList<RequestVariant> variants,
        IFetcher fetcher, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var again = await RepeatPass.RunAsync(fetcher, pages, concurrency: 1, time, cancellationToken, variants);
        var timings = new List<PageTiming>(pages.Count);
        for (var i = 0; i < pages.Count; i++)
        {
            if (again[i] is { Failure: FetchFailure.None, StatusCode: 200 } warm)
            {
                var timing = new PageTiming(pages[i].Url, pages[i].Variant, pages[i].Duration, warm.Duration);
                timings.Add(timing);
                WarmupLog.PageTimed(logger, registration, Describe(timing), (long)timing.Cold.TotalMilliseconds, (long)timing.Warm.TotalMilliseconds);
            }
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
