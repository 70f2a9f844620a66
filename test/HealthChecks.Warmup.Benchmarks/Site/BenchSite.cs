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
/// <c>serve --pages N --port P --mode M</c>: the generated site on Kestrel, in a process of its own so
/// that time-to-ready is measured from process start. <c>/__bench/seen</c> lists the paths it served
/// (unless <c>--record-seen 0</c>, for memory runs);
/// <c>/__bench/memory</c> reports the working-set peak during the warm-up and the managed heap kept after.
/// </summary>
internal static class BenchSite
{
    public static async Task RunAsync(int pages, int port, ReadyMode mode, bool recordSeen = true, int runs = 3)
    {
        var site = new DocsSite(pages);
        var seen = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var memory = new MemoryProbe();

        var builder = WebApplication.CreateSlimBuilder();
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
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint() is not null)
            {
                await next(context);
                return;
            }
            var path = context.Request.Path.Value + context.Request.QueryString.Value;
            if (recordSeen)
            {
                seen.TryAdd(path, 0);
            }
            await ServeAsync(site, context, path);
        });
        app.Lifetime.ApplicationStarted.Register(memory.Start);
        await app.RunAsync();
    }

    private static async Task ServeAsync(DocsSite site, HttpContext context, string path)
    {
        var response = context.Response;
        if (site.PageIndex(context.Request.Path.Value!) is var index and >= 0)
        {
            response.ContentType = "text/html; charset=utf-8";
            await response.WriteAsync(site.Html(index));
        }
        else if (DocsSite.Resources.TryGetValue(path, out var resource) || DocsSite.Resources.TryGetValue(context.Request.Path.Value!, out resource))
        {
            response.ContentType = resource.ContentType;
            if (resource.ContentType == "text/css")
            {
                await response.WriteAsync(DocsSite.Css(path));
            }
            else
            {
                response.ContentLength = resource.Size;
                await response.Body.WriteAsync(new byte[resource.Size]);
            }
        }
        else
        {
            response.StatusCode = StatusCodes.Status404NotFound;
        }
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
    private static void Configure(SiteWarmupOptions options, DocsSite site, WarmupTransport transport)
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
    private static async Task<TimeSpan> ReplayAsync(DocsSite site, Uri origin, InProcessFetcher fetcher, int concurrency, CancellationToken stoppingToken)
    {
        var queue = new ConcurrentQueue<string>(site.AllPaths());
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
    private sealed class FloorReplay(DocsSite site, ReadyFlag ready, IServiceProvider services) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            var origin = await StartedAsync(services, stoppingToken);
            var options = new SiteWarmupOptions();
            var fetcher = new InProcessFetcher(services.GetRequiredService<InProcessApplication>(), options, ServerRequestDefaults.From(services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>>().Value), TimeProvider.System);
            ready.Duration = await ReplayAsync(site, origin, fetcher, options.EffectiveMaxConcurrency, stoppingToken);
        }
    }

    /// <summary>
    /// The library's crawl, as the in-process warm-up runs it, and the floor's replay, alternately
    /// <paramref name="runs"/> times each in one process (three in the side-by-side run); the last of
    /// each is reported, with the code compiled and optimised by then. Every run's pair is written to
    /// standard output, to see how many runs the runtime takes to settle.
    /// </summary>
    private sealed class RepeatedCrawl(DocsSite site, ReadyFlag ready, IServiceProvider services, int runs) : BackgroundService
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
                floor = await ReplayAsync(site, origin, fetcher, options.EffectiveMaxConcurrency, stoppingToken);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"run {run}: crawl {report.Duration.TotalMilliseconds:F0} ms, floor replay {floor.TotalMilliseconds:F0} ms"));
            }
            ready.FloorDuration = floor;
            ready.Duration = report!.Duration;
        }
    }
}

/// <summary>Samples the working set from the application's start until the warm-up reports, and the heap before and after.</summary>
internal sealed class MemoryProbe : IHostedService
{
    private long _idleWorkingSet;
    private long _peakWorkingSet;
    private long _idleHeap;
    private volatile bool _sampling;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Before ApplicationStarted: the warm-up has not begun.
        _idleHeap = GC.GetTotalMemory(forceFullCollection: true);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _sampling = false;
        return Task.CompletedTask;
    }

    public void Start()
    {
        _idleWorkingSet = Environment.WorkingSet;
        _peakWorkingSet = _idleWorkingSet;
        _sampling = true;
        _ = Task.Run(async () =>
        {
            while (_sampling)
            {
                _peakWorkingSet = Math.Max(_peakWorkingSet, Environment.WorkingSet);
                await Task.Delay(20);
            }
        });
    }

    public object Report()
    {
        _sampling = false;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        // What the last full, blocking collection kept: the live heap.
        var live = GC.GetGCMemoryInfo(GCKind.FullBlocking).PromotedBytes;
        return new
        {
            liveHeapMb = live / 1e6,
            idleWorkingSetMb = _idleWorkingSet / 1e6,
            peakWorkingSetMb = _peakWorkingSet / 1e6,
            idleHeapMb = _idleHeap / 1e6,
            heapAfterMb = heap / 1e6,
            gen0 = GC.CollectionCount(0),
            gen1 = GC.CollectionCount(1),
            gen2 = GC.CollectionCount(2),
            allocatedMb = GC.GetTotalAllocatedBytes() / 1e6,
        };
    }
}
