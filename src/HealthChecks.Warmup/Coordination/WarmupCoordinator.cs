using HealthChecks.Warmup.Crawling;
using HealthChecks.Warmup.Discovery;
using HealthChecks.Warmup.Fetching.Http;
using HealthChecks.Warmup.Fetching.InProcess;
using HealthChecks.Warmup.Fetching;
using HealthChecks.Warmup.Model;
using HealthChecks.Warmup.Reporting;
using HealthChecks.Warmup.Rules;
using Microsoft.Extensions.Logging;

namespace HealthChecks.Warmup.Coordination;

/// <summary>
/// Owns one registration's warm-up: runs one attempt at a time, retries a failed one after an
/// exponential backoff with jitter, and latches success. Probes only read <see cref="Snapshot"/>.
/// </summary>
/// <param name="name">The registration's name.</param>
/// <param name="options">The registration's options.</param>
/// <param name="app">What the warm-up reads of the app it runs in.</param>
/// <param name="jitter">The retry backoff's jitter, from 0 to 1.</param>
/// <param name="logger">Where the warm-up logs.</param>
internal sealed class WarmupCoordinator(string name, SiteWarmupOptions options, WarmupApp app, Func<double> jitter, ILogger logger)
{
    private readonly TimeProvider _time = app.Time;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WarmupSnapshot _snapshot = WarmupSnapshot.Initial;
    private int _attempt;
    private int _verboseLoggedAttempt;
    // Where to ask whether probes reach the health checks, until asked.
    private SiteAddress? _probeAt;

    public string Name { get; } = name;

    public WarmupSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>Completes when <see cref="RunAsync"/> has nothing left to do: succeeded and measured, or stopped.</summary>
    public Task Finished => _finished.Task;

    /// <summary>Warms the site until it succeeds or <paramref name="stopping"/> is cancelled. Never throws.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            var first = await AttemptAsync(stopping);
            if (first.State == WarmupState.Failed)
            {
                await RetryAsync(first, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            if (Snapshot.State != WarmupState.Succeeded)
            {
                Publish(Snapshot with { State = WarmupState.Stopped, NextAttemptAt = null });
                WarmupLog.Cancelled(logger, Name);
            }
        }
        finally
        {
            _finished.TrySetResult();
        }
    }

    /// <summary>
    /// Retries after <paramref name="failure"/> until an attempt succeeds: each failure waits its backoff
    /// (on the app's clock), published as NextAttemptAt and logged, then tries again.
    /// </summary>
    private async Task RetryAsync(WarmupSnapshot failure, CancellationToken stopping)
    {
        for (var failures = 1; failure.State == WarmupState.Failed; failures++)
        {
            var delay = RetryDelay(options, failures - 1, jitter());
            Publish(Snapshot with { NextAttemptAt = _time.GetUtcNow() + delay });
            WarmupLog.RetryScheduled(logger, Name, (long)delay.TotalMilliseconds, failures + 1);
            await Task.Delay(delay, _time, stopping);
            failure = await AttemptAsync(stopping);
        }
    }

    /// <summary>
    /// RetryDelay doubled for each failure so far, plus up to a quarter of it as jitter (<paramref name="jitter"/>,
    /// from 0 to 1) so that many instances failing together do not retry in step; never less than
    /// RetryDelay, never more than MaxRetryDelay.
    /// </summary>
    internal static TimeSpan RetryDelay(SiteWarmupOptions options, int failuresBefore, double jitter)
    {
        var exponential = options.RetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failuresBefore, 30));
        var jittered = exponential * (1 + (Math.Clamp(jitter, 0, 1) / 4));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, options.MaxRetryDelay.TotalMilliseconds));
    }

    private async ValueTask<WarmupSnapshot> AttemptAsync(CancellationToken stopping)
    {
        var attempt = ++_attempt;
        var progress = new CrawlProgress();
        Publish(Snapshot with { State = WarmupState.Warming, Attempt = attempt, Progress = progress, NextAttemptAt = null });

        WarmupSnapshot judged;
        Func<CancellationToken, Task<IReadOnlyList<PageTiming>>>? measureSlowest = null;
        using (var progressLogging = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            var progressLog = LogProgressAsync(progress, progressLogging.Token);
            try
            {
                (judged, measureSlowest) = await CrawlAsync(attempt, progress, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                WarmupLog.CrawlerError(logger, Name, attempt, ex);
                judged = Snapshot with { State = WarmupState.Failed, Failures = [], CrawlerError = $"{ex.GetType().Name}: {ex.Message}" };
            }
            finally
            {
                await progressLogging.CancelAsync();
                await progressLog;
            }
        }
        // Published only now: once a probe sees the latch, the crawl (its frontier, its outcomes) is unreachable.
        Publish(judged);
        if (_probeAt is { } probed)
        {
            _probeAt = null; // Once, after the first verdict, so nothing runs beside the crawl.
            await ProbeReach.CheckAsync(Name, app, options, probed, logger, stopping);
        }
        if (judged.State == WarmupState.Succeeded && measureSlowest is not null)
        {
            await MeasureSlowestAsync(measureSlowest, stopping);
        }
        return judged;
    }

    /// <summary>
    /// After a success is published: what warming bought the slowest pages, added to the snapshot (data
    /// <c>slowest</c>) when measured. Probes answer Healthy meanwhile. Never throws but for <paramref name="stopping"/>.
    /// </summary>
    private async Task MeasureSlowestAsync(Func<CancellationToken, Task<IReadOnlyList<PageTiming>>> measure, CancellationToken stopping)
    {
        try
        {
            var timings = await measure(stopping);
            if (timings.Count > 0)
            {
                Publish(Snapshot with { Slowest = timings });
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            WarmupLog.SlowestNotMeasured(logger, Name, ex);
        }
    }

    /// <summary>
    /// One crawl, judged. Nothing of it outlives this method but the verdict and, after a success, how to
    /// measure its slowest pages.
    /// </summary>
    private async Task<(WarmupSnapshot Judged, Func<CancellationToken, Task<IReadOnlyList<PageTiming>>>? MeasureSlowest)> CrawlAsync(int attempt, CrawlProgress progress, CancellationToken stopping)
    {
        if (options.Transport == WarmupTransport.InProcess && app.Application.Pipeline is null)
        {
            throw new InvalidOperationException(
                "The application's request pipeline was not captured: AddSiteWarmup needs an ASP.NET Core web host (WebApplication or ConfigureWebHost).");
        }
        var address = app.Address(options);
        if (attempt == 1)
        {
            if (address.Source != SiteAddressSource.BaseAddress && address.CachesByHost)
            {
                WarmupLog.PublicOriginNotSet(logger, Name, address.Origin, SiteWarmupOptions.SectionFor(Name) + ":BaseAddress");
            }
            _probeAt = address;
        }
        using var span = WarmupTelemetry.StartAttempt(Name, attempt, address.Origin);
        var started = _time.GetTimestamp();
        var steps = options.Steps.Count == 0 ? [] : await new WarmupStepRunner(Name, options, app.Scopes, app.Telemetry, _time, logger).RunAsync(attempt, progress, stopping);
        if (steps.Count > 0 && steps[^1].Failed)
        {
            WarmupTelemetry.EndAttempt(span, steps[^1]);
            app.Telemetry.RecordWarmup(Name, _time.GetElapsedTime(started), succeeded: false);
            return (Snapshot with
            {
                State = WarmupState.Failed, LastReport = null, Failures = [], DiscoveredFailures = [], CrawlerError = null, Hint = null,
                Steps = steps, FailedStep = steps[^1], ServerWarmup = null, Slowest = [], WarmedAs = address.Origin,
            }, null);
        }
        IFetcher fetcher = options.Transport == WarmupTransport.Http
            ? new HttpFetcher(app.HttpClients.CreateClient(WarmupHttpClient.Name(Name)), options, _time, ownApp: true)
            : new InProcessFetcher(app.Application, options, app.RequestDefaults, _time, User());
        var pipeline = new WarmupPipeline(Name, options, fetcher, _time, logger, app.Telemetry, app.Cultures);
        var (scope, seeds) = await DiscoverAsync(pipeline, address, stopping);
        var (report, serverWarmup, slowest) = await pipeline.RunAsync(attempt, scope, seeds, progress, app.Server, stopping);
        var judged = Judge(report, address) with { ServerWarmup = serverWarmup, Steps = steps, FailedStep = null, Slowest = [] };
        WarmupTelemetry.EndAttempt(span, report, judged.Failures);
        app.Telemetry.RecordWarmup(Name, report.Duration, judged.State == WarmupState.Succeeded);
        return (judged, slowest.Count == 0 ? null : token => pipeline.MeasureSlowestAsync(slowest, token));
    }

    /// <summary>
    /// The attempt's scope and seeds. The app's endpoints are read to discover them, and for the default
    /// entry page: where the app maps nothing at <c>/</c> (a web API), <c>/</c> is no entry page.
    /// </summary>
    private async Task<(SiteScope Scope, List<CrawlRequest> Seeds)> DiscoverAsync(WarmupPipeline pipeline, SiteAddress address, CancellationToken stopping)
    {
        var discoverEndpoints = options.DiscoverEndpoints ?? options.Transport == WarmupTransport.InProcess;
        var endpoints = discoverEndpoints || options.EntryPathsDefaulted ? app.Endpoints() : null;
        var nothingAtRoot = options.EntryPathsDefaulted && endpoints is { NothingAtRoot: true };
        var (scope, seeds) = await pipeline.DiscoverAsync(address, app.Sources,
            discoverEndpoints ? endpoints : nothingAtRoot ? new AppEndpoints.Found([], [], NothingAtRoot: true) : null, stopping);
        if (nothingAtRoot && seeds.Any(seed => seed.IsDiscovered && seed.Url.AbsolutePath == "/"))
        {
            WarmupLog.NothingToStartFrom(logger, Name);
        }
        else if (nothingAtRoot)
        {
            WarmupLog.NothingAtRoot(logger, Name, seeds.Count(seed => seed.IsDiscovered || !seed.IsEntry));
        }
        return (scope, seeds);
    }

    /// <summary>The user in-process requests carry in this attempt, made from a service scope of its own.</summary>
    private System.Security.Claims.ClaimsPrincipal? User()
    {
        if (options.User is not { } makeUser)
        {
            return null;
        }
        using var scope = app.Scopes.CreateScope();
        return makeUser(scope.ServiceProvider)
            ?? throw new InvalidOperationException($"{SiteWarmupOptions.SectionFor(Name)}:User returned no user.");
    }

    private WarmupSnapshot Judge(WarmupReport report, SiteAddress address)
    {
        var counts = report.Counts;
        var failures = FailureRules.Failures(report, options.IgnoreResourceServerErrors, options.JudgeDiscoveredEndpoints);
        List<UrlOutcome> discoveredFailures = [.. report.Outcomes.Where(o => FailureRules.IsReportedOnly(o, options.JudgeDiscoveredEndpoints))];
        var durationMs = (long)report.Duration.TotalMilliseconds;
        if (failures.Count == 0)
        {
            WarmupLog.WarmupSucceeded(logger, Name, counts.Done, counts.Succeeded, counts.ClientErrors, counts.ServerErrors, counts.Errors, counts.OutOfScope, durationMs);
            // Latched: keep the counts and what was reported, release the per-URL outcomes.
            var summary = new WarmupReport(report.Attempt, report.Origin, report.Duration, counts, []);
            return Snapshot with
            {
                State = WarmupState.Succeeded, LastReport = summary, Failures = [], DiscoveredFailures = discoveredFailures,
                CrawlerError = null, Hint = null, WarmedAs = address.Origin,
            };
        }
        var hint = FailureHints.For(failures, address.Origin, address.HostFiltering ? address.AllowedHosts : null);
        WarmupLog.WarmupFailed(logger, Name, report.Attempt, failures.Count, failures[0].Describe() + (hint is null ? "" : ". " + hint), counts.Done, durationMs);
        return Snapshot with
        {
            State = WarmupState.Failed, LastReport = report, Failures = failures, DiscoveredFailures = discoveredFailures,
            CrawlerError = null, Hint = hint, WarmedAs = address.Origin,
        };
    }

    private async Task LogProgressAsync(CrawlProgress progress, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.ProgressInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                WarmupLog.Progress(logger, Name, progress.Done, progress.Admitted);
            }
        }
        catch (OperationCanceledException)
        {
            // The attempt ended.
        }
    }

    /// <summary>
    /// Logs the per-URL outcomes of the last finished attempt for a probe that asked (<c>?verbose=yes</c>),
    /// once per attempt, so that repeated probes cannot flood the log.
    /// </summary>
    public void LogOutcomesForProbe()
    {
        if (Snapshot.LastReport is not { } report || Interlocked.Exchange(ref _verboseLoggedAttempt, report.Attempt) == report.Attempt)
        {
            return;
        }
        WarmupLog.ProbeVerbose(logger, Name, report.Attempt, report.Outcomes.Count);
        foreach (var outcome in report.Outcomes)
        {
            WarmupLog.ProbeUrlOutcome(logger, outcome.Kind, outcome.Url, outcome.IsSpeculative ? outcome.Result + " (a guess from a script)" : outcome.Result,
                (long)outcome.Duration.TotalMilliseconds, outcome.Depth, outcome.From);
        }
    }

    private WarmupSnapshot Publish(WarmupSnapshot snapshot)
    {
        Volatile.Write(ref _snapshot, snapshot);
        return snapshot;
    }
}
