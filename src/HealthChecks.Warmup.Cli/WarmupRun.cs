using System.Globalization;
using HealthChecks.Warmup.Crawling;
using HealthChecks.Warmup.Discovery;
using HealthChecks.Warmup.Extraction;
using HealthChecks.Warmup.Fetching.Http;
using HealthChecks.Warmup.Model;
using HealthChecks.Warmup.Rules;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace HealthChecks.Warmup.Cli;

/// <summary>
/// One warm-up over HTTP, with the library's own pipeline (frontier, HTTP fetcher, extraction, rules):
/// a live progress line on a terminal, plain progress lines when output is redirected, a summary after.
/// </summary>
internal static class WarmupRun
{
    private const string Registration = "dotnet-warmup";

    public static async Task<RunResult> RunAsync(SiteWarmupOptions options, TextWriter output, TextWriter error, bool interactive, CancellationToken cancellationToken)
    {
        // While the HTTP stack starts and the first responses come in, on the other core.
        new ExtractionPrimer().Start();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging
            .SetMinimumLevel(options.Verbose ? LogLevel.Information : LogLevel.Warning)
            .AddProvider(new WriterLoggerProvider(error)));
        services.AddSingleton(Options.Create(options));
        services.AddSingleton<IOptionsMonitor<SiteWarmupOptions>>(new FixedOptionsMonitor(options));
        WarmupHttpClient.Add(services, Registration);
        await using var provider = services.BuildServiceProvider();

        var time = TimeProvider.System;
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(WarmupHttpClient.Name(Registration));
        var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("dotnet-warmup");
        // The health check's pipeline, over HTTP: no server of its own to warm, no app endpoints to read.
        var pipeline = new WarmupPipeline(Registration, options, new HttpFetcher(client, options, time), time, logger);
        var origin = SiteScope.OriginOf(options.BaseAddress!);
        var (scope, seeds) = await pipeline.DiscoverAsync(SiteAddress.Of(origin), [], endpoints: null, cancellationToken);
        var progress = new CrawlProgress();

        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        // The crawl first: the console's set-up and the header (the first table rendered, which the
        // summary's tables then find compiled) run beside it instead of before it.
        var crawl = Task.Run(() => pipeline.RunAsync(1, scope, seeds, progress, server: null, cancellationToken), CancellationToken.None);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
        WriteHeader(console, origin, seeds.Count, options);

        if (interactive)
        {
            await console.Live(new Markup(Progress(progress, time.GetElapsedTime(started))))
                .StartAsync(async live =>
                {
                    while (!crawl.IsCompleted)
                    {
                        await Task.WhenAny(crawl, Task.Delay(100, cancellationToken));
                        live.UpdateTarget(new Markup(Progress(progress, time.GetElapsedTime(started))));
                    }
                });
        }
        else
        {
            while (!crawl.IsCompleted)
            {
                await Task.WhenAny(crawl, Task.Delay(1000, cancellationToken));
                if (!crawl.IsCompleted)
                {
                    console.WriteLine(Progress(progress, time.GetElapsedTime(started), markup: false));
                }
            }
        }
        var (report, _, slowest) = await crawl;
        var timings = await pipeline.MeasureSlowestAsync(slowest, cancellationToken);
        WriteSummary(console, report, timings, options);
        return new RunResult(report, startedAt, timings);
    }

    private static string Progress(CrawlProgress progress, TimeSpan elapsed, bool markup = true)
    {
        var rate = elapsed.TotalSeconds > 0 ? progress.Done / elapsed.TotalSeconds : 0;
        var failing = progress.ServerErrors + progress.Errors;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{progress.Done} done, {progress.Admitted - progress.Done} queued, {failing} failing, {rate:0.0} URL/s");
        return markup ? $"[grey]warming:[/] {text}" : "progress: " + text;
    }

    private static void WriteHeader(IAnsiConsole console, Uri origin, int entryPages, SiteWarmupOptions options)
    {
        var settings = new Table().Title($"Warming {Markup.Escape(origin.ToString())}")
            .AddColumns("entry pages", "depth", "requests at once", "max URLs", "deadline");
        settings.AddRow(
            entryPages.ToString(CultureInfo.InvariantCulture),
            options.MaxDepth.ToString(CultureInfo.InvariantCulture),
            options.MaxConcurrency?.ToString(CultureInfo.InvariantCulture) ?? "default",
            options.MaxUrls.ToString(CultureInfo.InvariantCulture),
            options.Deadline.ToString("c", CultureInfo.InvariantCulture));
        console.Write(settings);
    }

    private static void WriteSummary(IAnsiConsole console, WarmupReport report, IReadOnlyList<PageTiming> timings, SiteWarmupOptions options)
    {
        var counts = report.Counts;
        var totals = new Table().Title("Outcomes").AddColumns("requested", "2xx/3xx", "4xx", "5xx", "errors", "out of scope", "excluded", "over limit");
        totals.AddRow(new[] { counts.Done, counts.Succeeded, counts.ClientErrors, counts.ServerErrors, counts.Errors, counts.OutOfScope, counts.Excluded, counts.OverLimit }
            .Select(n => n.ToString(CultureInfo.InvariantCulture)).ToArray());
        console.Write(totals);

        var slowest = new Table().Title("Slowest URLs").AddColumns("ms", "status", "url");
        foreach (var outcome in report.Outcomes.OrderByDescending(o => o.Duration).Take(5))
        {
            slowest.AddRow(((long)outcome.Duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), Markup.Escape(outcome.Result), Markup.Escape(outcome.Url));
        }
        console.Write(slowest);

        if (timings.Count > 0)
        {
            // What warming bought, a line each: the slowest pages' first and second request.
            var bought = new Table().Title("What warming bought").AddColumns("page", "cold ms", "warm ms");
            foreach (var timing in timings)
            {
                bought.AddRow(Markup.Escape(SlowestPages.Describe(timing)), ((long)timing.Cold.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                    ((long)timing.Warm.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
            }
            console.Write(bought);
        }

        var failures = FailureRules.Failures(report, options.IgnoreResourceServerErrors);
        if (failures.Count > 0)
        {
            var table = new Table().Title($"Failures ({failures.Count})").AddColumns("status", "url", "referrer");
            foreach (var failure in failures.Take(20))
            {
                table.AddRow(Markup.Escape(failure.Result), Markup.Escape(failure.Url), Markup.Escape(failure.Referrer ?? "(entry page)"));
            }
            console.Write(table);
        }
        if (counts.LimitsReached != WarmupLimits.None)
        {
            console.MarkupLine($"[yellow]Limits reached:[/] {counts.LimitsReached}");
        }
        console.MarkupLine(failures.Count == 0
            ? string.Create(CultureInfo.InvariantCulture, $"[green]Warm:[/] {counts.Done} URLs in {report.Duration.TotalSeconds:0.0} s.")
            : string.Create(CultureInfo.InvariantCulture, $"[red]Not warm:[/] {failures.Count} failure(s) among {counts.Done} URLs."));
    }

    /// <summary>The options of this one run, for the named HTTP client's resilience pipeline.</summary>
    private sealed class FixedOptionsMonitor(SiteWarmupOptions options) : IOptionsMonitor<SiteWarmupOptions>
    {
        public SiteWarmupOptions CurrentValue => options;

        public SiteWarmupOptions Get(string? name) => options;

        public IDisposable? OnChange(Action<SiteWarmupOptions, string?> listener) => null;
    }
}
