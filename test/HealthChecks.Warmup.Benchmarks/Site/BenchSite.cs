using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HealthChecks.Warmup.Crawling;
using HealthChecks.Warmup.Discovery;
using HealthChecks.Warmup.Fetching.InProcess;
using HealthChecks.Warmup.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HealthChecks.Warmup.Benchmarks.Site;

/// <summary>How the served site gets ready.</summary>
internal enum ReadyMode
{
    /// <summary>This library, in-process.</summary>
    InProcess,
    /// <summary>This library, over HTTP.</summary>
    Http,
    /// <summary>No warm-up: an external tool crawls it.</summary>
    None,
    /// <summary>The floor: the site's known URL list replayed through the in-process fetcher, no parsing or discovery.</summary>
    Floor,
    /// <summary>
    /// The library's crawl (same options, in-process fetcher) and the floor's replay, alternately three
    /// times each (<c>--runs N</c>: N times) in one process, each pair printed, reporting the last: the
    /// crawl's own cost against serving the pages, once the runtime has compiled and optimised the code.
    /// </summary>
    WarmProcess,
}

/// <summary>
/// <c>serve --pages N --port P --mode M</c>: a benchmark site on Kestrel, in a process of its own so
/// that time-to-ready is measured from process start, getting ready as <see cref="ReadyMode"/> says.
/// <c>/__bench/seen</c> lists the paths it served (unless <c>--record-seen 0</c>, for memory runs),
/// <c>/__bench/urls</c> the site's own URL list, <c>/__bench/memory</c> the working-set peak during the
/// warm-up and the managed heap kept after. The generated site's process is the benchmark's own
/// (<c>serve</c>); the rendered site's is its published app, which compiles this file in too.
/// </summary>
internal static class BenchSite
{
    public static async Task RunAsync(IBenchSite site, ServeArguments serve)
    {
        var (_, port, mode, recordSeen, runs) = serve;
        var seen = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var memory = new MemoryProbe();

        var builder = site.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddSingleton(memory);
        builder.Services.AddHostedService(services => memory);
        var ready = new ReadyFlag();
        var healthChecks = builder.Services.AddHealthChecks();
        switch (mode)
        {
            case ReadyMode.InProcess or ReadyMode.Http:
                healthChecks.AddSiteWarmup(o => Configure(o, site, mode == ReadyMode.Http ? WarmupTransport.Http : WarmupTransport.InProcess));
                break;
            case ReadyMode.Floor or ReadyMode.WarmProcess:
                SiteWarmupHealthChecksBuilderExtensions.AddInProcessTransport(builder.Services);
                builder.Services.AddSingleton(ready);
                builder.Services.AddHostedService<BackgroundService>(services => mode == ReadyMode.Floor
                    ? new FloorReplay(site, ready, services)
                    : new RepeatedCrawl(site, ready, services, runs));
                healthChecks.AddCheck("floor", () => ready.Duration is { } d
                    ? HealthCheckResult.Healthy(data: ready.FloorDuration is { } floor
                        ? new Dictionary<string, object> { ["durationMs"] = (long)d.TotalMilliseconds, ["floorMs"] = (long)floor.TotalMilliseconds }
                        : new Dictionary<string, object> { ["durationMs"] = (long)d.TotalMilliseconds })
                    : HealthCheckResult.Unhealthy());
                break;
        }

        await using var app = builder.Build();
        app.MapHealthChecks("/health/ready", new() { ResponseWriter = WriteReport });
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapGet("/__bench/seen", () => string.Join('\n', seen.Keys.Order(StringComparer.Ordinal)));
        app.MapGet("/__bench/memory", () => Results.Json(memory.Report()));
        app.MapGet("/__bench/urls", (IServiceProvider services) => string.Join('\n', site.AllPaths(services)));
        if (recordSeen)
        {
            app.Use((context, next) =>
            {
                // In-process, the crawl's requests are the in-process ones: those over Kestrel are the server
                // warm-up's (the site's own URLs again, and /favicon.ico, a guess).
                if (!context.Request.Path.StartsWithSegments("/health") && !context.Request.Path.StartsWithSegments("/__bench")
                    && (mode != ReadyMode.InProcess || context.IsSiteWarmupRequest()))
                {
                    seen.TryAdd(context.Request.Path.Value + context.Request.QueryString.Value, 0);
                }
                return next(context);
            });
        }
        site.Map(app);
        app.Lifetime.ApplicationStarted.Register(memory.Start);
        await app.RunAsync();
    }

    private static Task WriteReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var entry = report.Entries.Values.FirstOrDefault();
        var duration = entry.Data?.TryGetValue("durationMs", out var value) == true ? value : null;
        var requested = entry.Data?.TryGetValue("requested", out var count) == true ? count : null;
        var floorMs = entry.Data?.TryGetValue("floorMs", out var floorValue) == true ? floorValue : null;
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { status = report.Status.ToString(), durationMs = duration, requested, floorMs }));
    }

    /// <summary>The options every mode that runs the library's crawl uses.</summary>
    private static void Configure(SiteWarmupOptions options, IBenchSite site, WarmupTransport transport)
    {
        options.Transport = transport;
        options.MaxDepth = 10;
        options.MaxUrls = site.Pages + 1_000;
        options.DiscoverSitemaps = false;
        options.DiscoverEndpoints = false;
        options.ProgressInterval = TimeSpan.FromHours(1);
        options.Deadline = TimeSpan.FromHours(1);
    }

    private static async Task<Uri> StartedAsync(IServiceProvider services, CancellationToken stoppingToken)
    {
        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }
        return new Uri(services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First());
    }

    internal sealed class ReadyFlag
    {
        public TimeSpan? Duration { get; set; }

        /// <summary>For <see cref="ReadyMode.WarmProcess"/>: the floor's replay in the same process.</summary>
        public TimeSpan? FloorDuration { get; set; }
    }

    /// <summary>The site's known URL list through <paramref name="fetcher"/>, with the warm-up's concurrency.</summary>
    private static async Task<TimeSpan> ReplayAsync(IBenchSite site, IServiceProvider services, Uri origin, InProcessFetcher fetcher, int concurrency, CancellationToken stoppingToken)
    {
        var queue = new ConcurrentQueue<string>(site.AllPaths(services));
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (queue.TryDequeue(out var path))
            {
                var url = new Uri(origin, path);
                using var response = await fetcher.FetchAsync(new CrawlRequest(url, path.EndsWith(".html", StringComparison.Ordinal) || path == "/" ? UrlKind.Page : UrlKind.Resource, 0, null, false, 0), stoppingToken);
            }
        }));
        return clock.Elapsed;
    }

    /// <summary>The same fetcher and concurrency as the warm-up, over the known URL list: no parsing, no discovery.</summary>
    private sealed class FloorReplay(IBenchSite site, ReadyFlag ready, IServiceProvider services) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            var origin = await StartedAsync(services, stoppingToken);
            var options = new SiteWarmupOptions();
            var fetcher = new InProcessFetcher(services.GetRequiredService<InProcessApplication>(), options, ServerRequestDefaults.From(services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>>().Value), TimeProvider.System);
            ready.Duration = await ReplayAsync(site, services, origin, fetcher, options.EffectiveMaxConcurrency, stoppingToken);
        }
    }

    /// <summary>
    /// The library's crawl, as the in-process warm-up runs it, and the floor's replay, alternately
    /// <paramref name="runs"/> times each in one process (three in the side-by-side run); the last of
    /// each is reported, with the code compiled and optimised by then. Every run's pair is written to
    /// standard output, to see how many runs the runtime takes to settle.
    /// </summary>
    private sealed class RepeatedCrawl(IBenchSite site, ReadyFlag ready, IServiceProvider services, int runs) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            var origin = await StartedAsync(services, stoppingToken);
            var options = new SiteWarmupOptions();
            Configure(options, site, WarmupTransport.InProcess);
            var fetcher = new InProcessFetcher(services.GetRequiredService<InProcessApplication>(), options, ServerRequestDefaults.From(services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>>().Value), TimeProvider.System);
            WarmupReport? report = null;
            var floor = TimeSpan.Zero;
            for (var run = 1; run <= Math.Max(1, runs); run++)
            {
                var crawler = new Crawler("warm-process", options, fetcher, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
                report = await crawler.RunAsync(run, new SiteScope(origin), [new CrawlRequest(origin, UrlKind.Page, 0, null, IsEntry: true, RedirectHops: 0)],
                    stoppingToken);
                floor = await ReplayAsync(site, services, origin, fetcher, options.EffectiveMaxConcurrency, stoppingToken);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"run {run}: crawl {report.Duration.TotalMilliseconds:F0} ms, floor replay {floor.TotalMilliseconds:F0} ms"));
            }
            ready.FloorDuration = floor;
            ready.Duration = report!.Duration;
        }
    }
}

