using HealthChecks.Warmup.Fetching;
using HealthChecks.Warmup.Model;
using HealthChecks.Warmup.Reporting;
using HealthChecks.Warmup.Rules;
using Microsoft.Extensions.Logging;

namespace HealthChecks.Warmup.Crawling;

/// <summary>
/// Some of what a request compiles is compiled only on a later request through the same route. Measured:
/// ASP.NET Core's routing gives each route node with 2 to 99 literal children (a folder of static assets,
/// a controller's actions) a jump table that it generates in the background after the node's first use,
/// and the first request through the node after that compiles it — a dynamic method, compiled fully
/// optimised at once: 67 ms for one node on the way to Bootstrap's script in a fresh mvc app, on a 2-core
/// machine, paid by whoever comes first. So once a crawl succeeds, URLs that together pass through every
/// folder the crawl reached are requested once more: the fewest, since a URL passes through every folder
/// above its own (one from each deepest folder, a resource rather than a page). Bounded in number and
/// time; judged like resources ("from the repeat pass"), not counted.
/// </summary>
internal static class RepeatPass
{
    /// <summary>The most URLs requested once more.</summary>
    public const int MaxUrls = 32;

    /// <summary>
    /// How long after the crawl's end the repeat pass starts at the earliest. A folder's jump table is
    /// generated on the thread pool after its first request; a repeat before it is ready compiles nothing,
    /// and the visitor after it pays. Measured: with no wait, a visitor's request compiled the table in a
    /// full test run on the 2-core machine (RouteJumpTableTests); in-process the server warm-up's requests
    /// usually take this long anyway.
    /// </summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(100);

    /// <summary>The whole repeat pass's time limit.</summary>
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(10);

    /// <summary>What a repeat pass outcome names as where it came from.</summary>
    public const string Referrer = "the repeat pass";

    /// <summary>
    /// The URLs to request once more: of the pages and resources that answered 200 (guesses aside), one
    /// in each folder that no URL chosen from a deeper folder already passes through; in the crawl's order.
    /// </summary>
    public static IReadOnlyList<UrlOutcome> Targets(IReadOnlyList<UrlOutcome> outcomes, int max = MaxUrls)
    {
        // Each folder's choice, with its place in the crawl: a resource rather than a page (cheaper to
        // serve again), else the first answered.
        var byFolder = new Dictionary<string, (int Index, UrlOutcome Outcome)>(StringComparer.Ordinal);
        for (var i = 0; i < outcomes.Count; i++)
        {
            var outcome = outcomes[i];
            if (outcome is not { Kind: UrlKind.Page or UrlKind.Resource, StatusCode: 200, Failure: FetchFailure.None, IsSpeculative: false }
                || Folder(outcome.Url) is not { } folder)
            {
                continue;
            }
            if (!byFolder.TryGetValue(folder, out var chosen) || chosen.Outcome.Kind == UrlKind.Page && outcome.Kind == UrlKind.Resource)
            {
                byFolder[folder] = (i, outcome);
            }
        }
        var covered = new List<string>();
        var targets = new List<(int Index, UrlOutcome Outcome)>();
        foreach (var (folder, choice) in byFolder.OrderByDescending(f => f.Key.Count(c => c == '/')).ThenBy(f => f.Value.Index))
        {
            if (targets.Count == max)
            {
                break;
            }
            if (!covered.Exists(deeper => deeper.StartsWith(folder, StringComparison.Ordinal)))
            {
                covered.Add(folder);
                targets.Add(choice);
            }
        }
        return [.. targets.OrderBy(t => t.Index).Select(t => t.Outcome)];
    }

    /// <summary>
    /// After a crawl that succeeded, in both transports and in <c>dotnet-warmup</c>: <paramref name="targets"/>
    /// requested once more, their outcomes added to the report's (judged with the crawl's, not counted:
    /// the counts are the site's URLs). Not when <see cref="SiteWarmupOptions.RepeatRequests"/> is off, the
    /// crawl failed, or the app asked it to slow down (the repeat pass is worth no refusal). The targets are
    /// the report's <see cref="Targets"/> unless the caller has them already.
    /// </summary>
    public static async Task<WarmupReport> AfterCrawlAsync(string registration, WarmupReport report, long crawled, IReadOnlyList<UrlOutcome>? targets,
        IFetcher fetcher, SiteWarmupOptions options, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        if (!options.RepeatRequests || report.Counts.RateLimited > 0
            || FailureRules.Failures(report, options.IgnoreResourceServerErrors, options.JudgeDiscoveredEndpoints).Count > 0)
        {
            return report;
        }
        targets ??= Targets(report.Outcomes);
        if (targets.Count == 0)
        {
            return report;
        }
        var started = time.GetTimestamp();
        if (Settle - time.GetElapsedTime(crawled) is { Ticks: > 0 } wait)
        {
            await Task.Delay(wait, time, cancellationToken);
        }
        var outcomes = await RunAsync(fetcher, targets, options.EffectiveMaxConcurrency, time, cancellationToken);
        var elapsed = time.GetElapsedTime(started);
        WarmupLog.Repeated(logger, registration, outcomes.Count, (long)elapsed.TotalMilliseconds);
        return new WarmupReport(report.Attempt, report.Origin, report.Duration + elapsed, report.Counts, [.. report.Outcomes, .. outcomes]);
    }

    /// <summary>
    /// Requests <paramref name="targets"/> once more, each in its variant when <paramref name="variants"/>
    /// names it; their outcomes, in the targets' order, each timed on its own.
    /// </summary>
    public static async Task<IReadOnlyList<UrlOutcome>> RunAsync(IFetcher fetcher, IReadOnlyList<UrlOutcome> targets, int concurrency,
        TimeProvider time, CancellationToken cancellationToken, IReadOnlyList<RequestVariant>? variants = null)
    {
        var outcomes = new UrlOutcome?[targets.Count];
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeLimit);
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, targets.Count),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, concurrency), CancellationToken = limit.Token },
                async (i, token) => outcomes[i] = await RepeatAsync(fetcher, targets[i], variants, time, token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Past the time limit: what was not repeated is said so below.
        }
        return [.. outcomes.Select((o, i) => o ?? Outcome(targets[i], null, FetchFailure.Timeout,
            $"not repeated within the repeat pass's {TimeLimit.TotalSeconds:0} s", TimeSpan.Zero, 1))];
    }

    private static async Task<UrlOutcome> RepeatAsync(IFetcher fetcher, UrlOutcome first, IReadOnlyList<RequestVariant>? variants, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var variant = first.Variant is { } name ? variants?.FirstOrDefault(v => v.Name == name) : null;
        var request = new CrawlRequest(new Uri(first.Url), first.Kind, first.Depth, Referrer: null, IsEntry: false, RedirectHops: 0, first.IsDiscovered,
            Variant: variant);
        using var response = await fetcher.FetchAsync(request, cancellationToken);
        return Outcome(first, response.StatusCode, response.Failure, response.Error, time.GetElapsedTime(started), response.Attempts);
    }

    private static UrlOutcome Outcome(UrlOutcome first, int? status, FetchFailure failure, string? error, TimeSpan duration, int attempts) =>
        new(first.Url, first.Kind, first.Depth, Referrer, IsEntry: false, status, failure, error, duration, attempts, first.IsDiscovered);

    /// <summary>
    /// The folder of an absolute URL's path, with its trailing slash: <c>/lib/js/</c> for
    /// <c>http://site/lib/js/app.js?v=1</c>. Read from the string the outcome keeps (a crawl's outcomes are
    /// many; no <see cref="Uri"/> is parsed for each); <see langword="null"/> for what is not an absolute URL.
    /// </summary>
    internal static string? Folder(string url)
    {
        var authority = url.IndexOf("://", StringComparison.Ordinal);
        var path = authority < 0 ? -1 : url.IndexOf('/', authority + 3);
        if (path < 0)
        {
            return authority < 0 ? null : "/";
        }
        var end = url.IndexOfAny(['?', '#'], path);
        var beforeQuery = url.AsSpan(path, (end < 0 ? url.Length : end) - path);
        return beforeQuery[..(beforeQuery.LastIndexOf('/') + 1)].ToString();
    }
}
