using HealthChecks.Warmup.Discovery;
using HealthChecks.Warmup.Fetching;
using HealthChecks.Warmup.Fetching.Http;
using HealthChecks.Warmup.Model;
using HealthChecks.Warmup.Reporting;
using HealthChecks.Warmup.Rules;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Logging;

namespace HealthChecks.Warmup.Crawling;

/// <summary>What one pass of the pipeline produced: the report to judge, and what the server warm-up said.</summary>
/// <param name="Report">The crawl's outcomes and counts, with the server warm-up's and the repeat pass's outcomes to judge.</param>
/// <param name="ServerWarmup">The server warm-up's summary, or why it was skipped; <see langword="null"/> when it did not run.</param>
/// <param name="Slowest">
/// The slowest pages, to measure what warming bought them (<see cref="WarmupPipeline.MeasureSlowestAsync"/>); empty
/// when they are not measured (the crawl failed, the app's rate limiting refused it, or <see cref="SiteWarmupOptions.SlowestPages"/> is 0).
/// </param>
internal sealed record WarmupPass(WarmupReport Report, string? ServerWarmup, IReadOnlyList<UrlOutcome> Slowest);

/// <summary>
/// One warm-up attempt from its sites to its report, composed here once for the health check and for
/// <c>dotnet-warmup</c>: where it starts (the sites, entry pages and endpoints), the crawl, and after a
/// crawl that succeeded the server warm-up (in-process, when asked) and the repeat pass; and, apart, what
/// warming bought the slowest pages. Judging the report is the caller's.
/// </summary>
/// <param name="registration">The registration's name.</param>
/// <param name="options">The registration's options.</param>
/// <param name="fetcher">How requests are sent.</param>
/// <param name="time">The clock.</param>
/// <param name="logger">Where the warm-up logs.</param>
/// <param name="telemetry">The meter, when the warm-up runs in an app.</param>
/// <param name="appCultures">The supported UI cultures of the app's request localization, when it runs in one.</param>
internal sealed class WarmupPipeline(string registration, SiteWarmupOptions options, IFetcher fetcher, TimeProvider time, ILogger logger, WarmupTelemetry? telemetry = null,
    IReadOnlyList<string>? appCultures = null)
{
    /// <summary>Where an attempt starts: its scope and its seeds.</summary>
    public Task<(SiteScope Scope, List<CrawlRequest> Seeds)> DiscoverAsync(SiteAddress address, IEnumerable<ISiteWarmupSource> sources,
        AppEndpoints.Found? endpoints, CancellationToken cancellationToken) =>
        WarmupSeeds.DiscoverAsync(registration, address, options, sources, endpoints, cancellationToken);

    /// <summary>
    /// Crawls from <paramref name="seeds"/>, counting into <paramref name="progress"/>; then, if nothing
    /// failed, warms <paramref name="server"/>'s own path (in-process) and repeats what routing compiles
    /// on a second request. Throws <see cref="OperationCanceledException"/> only when
    /// <paramref name="stopping"/> is cancelled.
    /// </summary>
    public async Task<WarmupPass> RunAsync(int attempt, SiteScope scope, IReadOnlyList<CrawlRequest> seeds, CrawlProgress progress, IServer? server,
        CancellationToken stopping)
    {
        WarmupLog.WarmupStarted(logger, registration, attempt, seeds.Count, scope.Origin);
        var variants = Variants;
        // In-process, the server's own path starts compiling beside the crawl.
        using var serverWarmup = options.Transport == WarmupTransport.InProcess && options.WarmServer ? new ServerWarmup(options, time) : null;
        var priming = serverWarmup?.PrimeAsync(server, scope.Origin, stopping) ?? Task.CompletedTask;
        var report = await new Crawler(registration, options, fetcher, time, logger, telemetry, progress, variants).RunAsync(attempt, scope, seeds, stopping);
        await priming;
        var crawled = time.GetTimestamp();
        if (FailureRules.Failures(report, options.IgnoreResourceServerErrors, options.JudgeDiscoveredEndpoints).Count > 0)
        {
            return new WarmupPass(report, null, []);
        }
        // Not when the app asked the warm-up to slow down: measuring is worth no refusal.
        var slowest = report.Counts.RateLimited > 0 ? [] : SlowestPages.Of(report.Outcomes, options.SlowestPages);
        // The server first, then the repeat pass: what routing compiles on a second request is
        // generated in the background after the first, and the server's requests give it time.
        string? serverSummary = null;
        IReadOnlyList<UrlOutcome>? repeat = null;
        if (serverWarmup is not null)
        {
            repeat = RepeatPass.Targets(report.Outcomes);
            (report, serverSummary) = await WarmServerAsync(serverWarmup, report, server, repeat, stopping);
        }
        report = await RepeatPass.AfterCrawlAsync(registration, report, crawled, repeat, fetcher, options, time, logger, stopping);
        return new WarmupPass(report, serverSummary, slowest);
    }

    /// <summary>
    /// What warming bought <paramref name="slowest"/> (a pass's <see cref="WarmupPass.Slowest"/>): each page
    /// requested once more, one at a time, its cold and warm times. Once everything else is warm, so the
    /// second request is what a visitor meets; not on the way to the verdict — a page's second request
    /// can take as long as its first (a page that waits on data every time: the blazor template's weather
    /// page, 500 ms), and the health check answers Healthy meanwhile.
    /// </summary>
    public async Task<IReadOnlyList<PageTiming>> MeasureSlowestAsync(IReadOnlyList<UrlOutcome> slowest, CancellationToken stopping) =>
        slowest.Count == 0 ? [] : await SlowestPages.MeasureAsync(registration, slowest, Variants, fetcher, time, logger, stopping);

    private IReadOnlyList<RequestVariant> Variants => RequestVariants.For(options, appCultures ?? []);

    /// <summary>The server's own path, after a crawl that succeeded: its outcomes are judged with the crawl's.</summary>
    private async Task<(WarmupReport Report, string Summary)> WarmServerAsync(ServerWarmup serverWarmup, WarmupReport report, IServer? server, IReadOnlyList<UrlOutcome> repeat,
        CancellationToken stopping)
    {
        var started = time.GetTimestamp();
        var result = await serverWarmup.RunAsync(server, report.Origin, report, repeat, stopping);
        if (result.Skipped)
        {
            WarmupLog.ServerWarmupSkipped(logger, registration, result.Summary);
            return (report, result.Summary);
        }
        // Judged with the crawl's outcomes, not counted with them: the counts are the site's URLs.
        WarmupLog.ServerWarmed(logger, registration, result.Summary);
        return (new WarmupReport(report.Attempt, report.Origin, report.Duration + time.GetElapsedTime(started), report.Counts, [.. report.Outcomes, .. result.Outcomes]),
            result.Summary);
    }
}
