using System.Collections.Concurrent;
using HealthChecks.Warmup.Discovery;
using HealthChecks.Warmup.Extraction;
using HealthChecks.Warmup.Fetching;
using HealthChecks.Warmup.Model;
using HealthChecks.Warmup.Reporting;
using Microsoft.Extensions.Logging;

namespace HealthChecks.Warmup.Crawling;

/// <summary>
/// One warm-up attempt: workers take URLs from the frontier, fetch them, record the outcome and offer
/// back what the HTML or CSS references, until nothing is left, the deadline passes or the app stops.
/// </summary>
internal sealed partial class Crawler(string registration, SiteWarmupOptions options, IFetcher fetcher, TimeProvider time, ILogger logger, WarmupTelemetry? telemetry = null,
    CrawlProgress? progress = null, IReadOnlyList<RequestVariant>? variants = null)
{
    private static readonly HashSet<int> s_redirects = [301, 302, 303, 307, 308];

    /// <summary>
    /// Where pages and stylesheets are parsed: the thread pool, but never on more than all cores but one
    /// at once, process-wide. Parsing is the warm-up's CPU-heavy part; bounded, it leaves the app's own
    /// requests and the readiness probes (which the health check service queues to the pool) a core.
    /// </summary>
    private static readonly TaskScheduler s_parsing =
        new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, Math.Max(1, Environment.ProcessorCount - 1)).ConcurrentScheduler;
    private readonly ConcurrentQueue<UrlOutcome> _outcomes = new();
    private readonly LogLevel _detail = options.Verbose ? LogLevel.Information : LogLevel.Debug;

    /// <summary>Live counters, for probes while the crawl runs.</summary>
    public CrawlProgress Progress { get; } = progress ?? new();

    /// <summary>
    /// Crawls from <paramref name="seeds"/> and, per the options, each site's robots.txt and sitemaps.
    /// Ends normally when done or at the deadline; throws <see cref="OperationCanceledException"/> only
    /// when <paramref name="stopping"/> is cancelled.
    /// </summary>
    public async Task<WarmupReport> RunAsync(int attempt, SiteScope scope, IReadOnlyList<CrawlRequest> seeds, CancellationToken stopping)
    {
        var started = time.GetTimestamp();
        using var deadline = new CancellationTokenSource(options.Deadline, time);
        using var crawl = CancellationTokenSource.CreateLinkedTokenSource(stopping, deadline.Token);

        var resolved = new ResolvedLinks(scope.Origin);
        var workerCount = Math.Max(1, options.EffectiveMaxConcurrency);
        var pressure = new BackPressure(workerCount, options.RequestRetryDelay, options.MaxRateLimitWait, time);
        var files = new SitemapDiscovery(options);
        Frontier? frontier = null;
        try
        {
            // robots.txt first, before the frontier exists: its Disallow rules hold for every URL.
            var robots = await ReadRobotsTxtAsync(files, scope, pressure, crawl.Token);
            frontier = new Frontier(scope, options, Progress, robots.Disallowed);
            foreach (var url in robots.Requested)
            {
                frontier.Requested(url);
            }
            foreach (var seed in seeds)
            {
                OfferPage(frontier, seed);
            }

            var workers = new Task[workerCount + 1];
            for (var i = 0; i < workerCount; i++)
            {
                workers[i] = WorkAsync(frontier, resolved, pressure, crawl.Token);
            }
            // The sitemaps are read beside the workers; the crawl ends after the last one's pages.
            workers[workerCount] = ReadSitemapsAsync(files, frontier, [.. robots.Sitemaps, .. files.DefaultSitemaps(scope.Origins)], pressure, workerCount, crawl.Token);
            await Task.WhenAll(workers);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested && deadline.IsCancellationRequested)
        {
            if (Progress.Reached(WarmupLimits.Deadline))
            {
                WarmupLog.LimitReached(logger, registration, WarmupLimits.Deadline);
            }
        }
        // A discovered endpoint or a guess that a page, stylesheet or sitemap also referenced is the site's link.
        var outcomes = _outcomes.Select(o => (o.IsDiscovered || o.IsSpeculative) && frontier?.IsOnlyGuessed(new Uri(o.Url), o.Kind == UrlKind.Page ? UrlKind.Page : UrlKind.Resource, o.Variant) == false ? o with { IsDiscovered = false, IsSpeculative = false } : o);
        return new WarmupReport(attempt, scope.Origin, time.GetElapsedTime(started), Progress, [.. outcomes]);
    }

    private async Task WorkAsync(Frontier frontier, ResolvedLinks resolved, BackPressure pressure, CancellationToken cancellationToken)
    {
        // Yield first so that starting the workers never runs a request on the caller's thread.
        await Task.Yield();
        var links = new List<ExtractedLink>();
        await foreach (var request in frontier.Queue.ReadAllAsync(cancellationToken))
        {
            try
            {
                await VisitAsync(request, frontier, resolved, pressure, links, cancellationToken);
            }
            finally
            {
                frontier.Done();
            }
        }
    }

    private async Task VisitAsync(CrawlRequest request, Frontier frontier, ResolvedLinks resolved, BackPressure pressure, List<ExtractedLink> links, CancellationToken cancellationToken)
    {
        // Disposed when this visit is done with the body: the extraction below has ended by then.
        using var response = await FetchAndRecordAsync(request, pressure, cancellationToken);
        if (response.Failure != FetchFailure.None || response.StatusCode is not { } status || response.ReachedHealthCheck)
        {
            return;
        }
        if (s_redirects.Contains(status))
        {
            if (Redirected(request, response.Location, frontier.Scope) is { } next)
            {
                Offer(frontier, next);
            }
            return;
        }
        if (response.BodyTruncated && Progress.Reached(WarmupLimits.MaxParsedBytes))
        {
            WarmupLog.LimitReached(logger, registration, WarmupLimits.MaxParsedBytes);
        }

        if (await ExtractAsync(request, response, links, resolved, cancellationToken))
        {
            if (ContentTypes.IsHtml(response.ContentType) && !links.Exists(l => l.Role == LinkRole.Icon))
            {
                Progress.PageWithoutIcon();
            }
            Follow(request, links, frontier);
        }
    }

    /// <summary>The links of a body, parsed on the parsing scheduler; <see langword="false"/> when the parser could not read it.</summary>
    private async Task<bool> ExtractAsync(CrawlRequest request, FetchResult response, List<ExtractedLink> links, ResolvedLinks resolved, CancellationToken cancellationToken)
    {
        links.Clear();
        try
        {
            await Task.Factory.StartNew(() => LinkExtractor.Extract(request.Url, response, links, resolved, request.ReadAs),
                cancellationToken, TaskCreationOptions.DenyChildAttach, s_parsing);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Markup the parser cannot read is the page's problem, not the warm-up's: keep going.
            WarmupLog.ExtractionFailed(logger, request.Url.AbsoluteUri, ex);
            return false;
        }
    }

    /// <summary>Offers what <paramref name="request"/>'s body links to, each as the request its role makes.</summary>
    private void Follow(CrawlRequest request, List<ExtractedLink> links, Frontier frontier)
    {
        foreach (var link in links)
        {
            if (link.Role != LinkRole.NofollowPage || options.FollowNofollowLinks)
            {
                Offer(frontier, Next(request, link));
            }
        }
    }

    private static CrawlRequest Next(CrawlRequest from, ExtractedLink link) => link.Role switch
    {
        LinkRole.Page or LinkRole.NofollowPage => new CrawlRequest(link.Url, UrlKind.Page, from.Depth + 1, from.Url, IsEntry: false, RedirectHops: 0, Variant: from.Variant),
        LinkRole.Refresh => new CrawlRequest(link.Url, UrlKind.Page, from.Depth, from.Url, from.IsEntry, RedirectHops: 0, Variant: from.Variant),
        LinkRole.Module => new CrawlRequest(link.Url, UrlKind.Resource, from.Depth, from.Url, IsEntry: false, RedirectHops: 0, ReadAs: ReadAs.Module, Variant: from.Variant),
        LinkRole.Manifest => new CrawlRequest(link.Url, UrlKind.Resource, from.Depth, from.Url, IsEntry: false, RedirectHops: 0, ReadAs: ReadAs.Manifest, Variant: from.Variant),
        LinkRole.Guess => new CrawlRequest(link.Url, UrlKind.Resource, from.Depth, from.Url, IsEntry: false, RedirectHops: 0, IsSpeculative: true, Variant: from.Variant),
        _ => new CrawlRequest(link.Url, UrlKind.Resource, from.Depth, from.Url, IsEntry: false, RedirectHops: 0, Variant: from.Variant),
    };

    /// <summary>The request a redirect leads to, within the redirect limit; <see langword="null"/> past it or without a usable Location.</summary>
    private CrawlRequest? Redirected(CrawlRequest request, string? location, SiteScope scope)
    {
        if (LinkResolver.Resolve(request.Url, location) is not { } target)
        {
            return null;
        }
        if (request.RedirectHops >= options.MaxRedirects)
        {
            if (Progress.Reached(WarmupLimits.MaxRedirects))
            {
                WarmupLog.LimitReached(logger, registration, WarmupLimits.MaxRedirects);
            }
            return null;
        }
        scope.TryAdmitHttpsRedirect(request.Url, target);
        return request with { Url = target, Referrer = request.Url, RedirectHops = request.RedirectHops + 1 };
    }

    private void Offer(Frontier frontier, CrawlRequest request) => Logged(frontier.Offer(request), request);

    /// <summary>Offers a page that no page linked to (an entry, an endpoint, a sitemap's page) in every variant; the pages it links to keep theirs.</summary>
    private void OfferPage(Frontier frontier, CrawlRequest page)
    {
        if (variants is not { Count: > 0 })
        {
            Offer(frontier, page);
            return;
        }
        foreach (var variant in variants)
        {
            Offer(frontier, page with { Variant = variant });
        }
    }

    /// <summary>Logs what the frontier did with <paramref name="request"/>, where that is worth a line.</summary>
    private Admission Logged(Admission admission, CrawlRequest request)
    {
        switch (admission)
        {
            // Checked first: the URLs are formatted only for a log that is written.
            case Admission.OutOfScope when logger.IsEnabled(_detail):
                WarmupLog.OutOfScope(logger, _detail, request.Url.AbsoluteUri, request.Referrer?.AbsoluteUri);
                break;
            case Admission.Excluded when logger.IsEnabled(_detail):
                WarmupLog.Excluded(logger, _detail, request.Url.AbsoluteUri, request.Referrer?.AbsoluteUri);
                break;
            case Admission.OverLimit when Progress.OverLimit == 1:
                WarmupLog.LimitReached(logger, registration, WarmupLimits.MaxUrls);
                break;
        }
        return admission;
    }

    /// <summary>Fetches <paramref name="request"/> within the app's back-pressure and records its outcome.</summary>
    private async Task<FetchResult> FetchAndRecordAsync(CrawlRequest request, BackPressure pressure, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var response = await FetchAsync(request, pressure, cancellationToken);
        var kind = response.ReachedHealthCheck ? UrlKind.HealthEndpoint : request.Kind;
        Record(new UrlOutcome(request.Url.AbsoluteUri, kind, request.Depth, request.Referrer?.AbsoluteUri, request.IsEntry,
            response.StatusCode, response.Failure, response.Error, time.GetElapsedTime(started), response.Attempts, request.IsDiscovered, request.IsSpeculative,
            request.Variant?.Name));
        return response;
    }

    private void Record(UrlOutcome outcome)
    {
        _outcomes.Enqueue(outcome);
        Progress.CountDone(outcome);
        telemetry?.RecordRequest(registration, outcome);
        var durationMs = (long)outcome.Duration.TotalMilliseconds;
        if (outcome.Kind == UrlKind.HealthEndpoint)
        {
            WarmupLog.HealthEndpointReached(logger, _detail, outcome.Url, outcome.StatusCode, outcome.From);
        }
        else if (outcome.IsSpeculative && outcome.IsMiss)
        {
            WarmupLog.GuessMissed(logger, _detail, outcome.Url, outcome.Result, outcome.From);
        }
        else if (Rules.FailureRules.IsReportedOnly(outcome, options.JudgeDiscoveredEndpoints))
        {
            WarmupLog.DiscoveredEndpointFailed(logger, outcome.Url, outcome.Result);
        }
        else if (outcome.IsBroken)
        {
            WarmupLog.UrlFailed(logger, outcome.Kind, outcome.Url, outcome.StatusCode, outcome.Error ?? outcome.Failure.ToString(), outcome.From);
        }
        else if (outcome.Class == OutcomeClass.ClientError && outcome.IsEntry && !outcome.IsDiscovered && outcome.StatusCode != 401)
        {
            // An entry page must answer: its 4xx fails the warm-up (FailureRules), no broken link.
            WarmupLog.UrlFailed(logger, outcome.Kind, outcome.Url, outcome.StatusCode, "(an entry page)", outcome.From);
        }
        else if (outcome.Class == OutcomeClass.ClientError)
        {
            WarmupLog.UrlClientError(logger, _detail, outcome.Kind, outcome.Url, outcome.StatusCode, outcome.From);
        }
        else
        {
            WarmupLog.UrlFetched(logger, _detail, outcome.Kind, outcome.Url, outcome.StatusCode, durationMs, outcome.From);
        }
    }
}
