using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HealthChecks.Warmup.Benchmarks.Site;

namespace HealthChecks.Warmup.Benchmarks.SideBySide;

/// <summary>One system's run on the generated site, or the median of several (with the fastest and slowest).</summary>
internal sealed record SystemResult(string System, TimeSpan? TimeToReady, TimeSpan Work, IReadOnlySet<string> Found)
{
    public TimeSpan Fastest { get; init; } = Work;

    public TimeSpan Slowest { get; init; } = Work;

    /// <summary>The median run of one system's runs; the URL set of a run that found another set than the first, if any.</summary>
    public static SystemResult Median(IEnumerable<SystemResult> runs)
    {
        var byWork = runs.OrderBy(r => r.Work).ToList();
        var median = byWork[byWork.Count / 2];
        var found = byWork.FirstOrDefault(r => !r.Found.SetEquals(byWork[0].Found))?.Found ?? byWork[0].Found;
        var ready = byWork.Select(r => r.TimeToReady).OrderBy(r => r).ElementAt(byWork.Count / 2);
        return median with { TimeToReady = ready, Found = found, Fastest = byWork[0].Work, Slowest = byWork[^1].Work };
    }
}

/// <summary>Probe latency while warming and memory of a large warm-up.</summary>
internal sealed record LoadResult(int Pages, IReadOnlyList<ProbeWindow> Windows, double IdleWorkingSetMb, double PeakWorkingSetMb, double RetainedHeapMb, double SettledHeapMb, TimeSpan Work);

/// <summary>Which site side-by-side serves.</summary>
internal enum SiteKind
{
    /// <summary>The generated site, served from memory: the crawl's own cost stands out (<see cref="GeneratedSite"/>).</summary>
    Generated,
    /// <summary>The same pages rendered by Razor Pages, compressed, with MapStaticAssets: where the app's own cost is most of the warm-up.</summary>
    Rendered,
}

/// <summary>
/// <c>side-by-side --pages N [--site rendered]</c>: the same site, served by a fresh process for each
/// system, warmed in-process and over HTTP by this library, crawled by wget (and linkinator when
/// installed), and replayed through the same fetcher with no parsing (the floor); one table of times,
/// ratios and URL sets. Every request goes to 127.0.0.1. The rendered site is published once, first.
/// </summary>
internal sealed class SideBySideRunner(TextWriter output, SiteKind site = SiteKind.Generated) : IDisposable
{
    /// <summary>The folders this runner published to, each its own: deleted when it is disposed.</summary>
    private readonly List<DirectoryInfo> _published = [];

    private static readonly string s_self = typeof(SideBySideRunner).Assembly.Location;

    /// <summary>This library's command-line tool, built beside the benchmark (a project reference).</summary>
    private static readonly string s_cli = Path.Combine(Path.GetDirectoryName(s_self)!, "dotnet-warmup.dll");

    /// <summary>This benchmark's project file.</summary>
    private static readonly string s_project = Repository.Project("test", "HealthChecks.Warmup.Benchmarks");

    /// <summary>The rendered site's project file.</summary>
    private static readonly string s_rendered = Repository.Project("test", "HealthChecks.Warmup.Benchmarks.RenderedSite");

    private SiteApp? _app;

    /// <summary>The app that serves the site: for the rendered one, published on first use.</summary>
    private async Task<SiteApp> AppAsync() => _app ??= site == SiteKind.Generated
        ? SiteApp.Generated
        : await PublishAsync(s_rendered, "healthchecks-warmup-rendered", readyToRun: false);

    /// <summary>The targets of the side-by-side table for this site: in-process ÷ floor, ÷ wget, over HTTP ÷ wget.</summary>
    private (double Floor, double Wget, double HttpWget) Targets => site == SiteKind.Generated ? (1.3, 0.25, 0.5) : (1.2, 0.5, 0.5);

    /// <summary>
    /// Runtime settings an app owner can choose (in the app's project file, or as these environment
    /// variables) for a faster first warm-up, each a row of its own: the runtime's tiered compilation
    /// decides how long the parser runs unoptimised code in a fresh process.
    /// </summary>
    private static readonly (string Row, string Variable)[] s_runtimeSettings =
    [
        (Rows.TieredPgoOff, "DOTNET_TieredPGO"),
        (Rows.TieredCompilationOff, "DOTNET_TieredCompilation"),
    ];

    /// <summary>
    /// Runs every system <paramref name="rounds"/> times, each round in another order (a fresh process
    /// started first, or right after a build, is slower for reasons of the machine, not of the system),
    /// and reports each system's median with its range.
    /// </summary>
    public async Task<IReadOnlyList<SystemResult>> CompareAsync(int pages, bool includeTools = true, bool readyToRun = false, bool runtimeSettings = false, int rounds = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        var app = await AppAsync();
        var expected = await ExpectedAsync(app, pages);
        var systems = new List<Func<Task<SystemResult[]>>>
        {
            async () => [await WarmAsync(app, pages, ReadyMode.InProcess, Rows.InProcess)],
            async () => [await WarmAsync(app, pages, ReadyMode.Http, Rows.Http)],
            async () => [await WarmAsync(app, pages, ReadyMode.Floor, Rows.Floor)],
            async () => await WarmProcessAsync(app, pages),
        };
        if (readyToRun)
        {
            var published = site == SiteKind.Generated
                ? (await PublishAsync(s_project, "healthchecks-warmup-r2r", readyToRun: true)) with { Command = ["serve"], ContentRoot = null }
                : await PublishAsync(s_rendered, "healthchecks-warmup-rendered-r2r", readyToRun: true);
            systems.Add(async () => [await WarmAsync(published, pages, ReadyMode.InProcess, Rows.ReadyToRun)]);
        }
        foreach (var (row, variable) in runtimeSettings ? s_runtimeSettings : [])
        {
            systems.Add(async () => [await WarmAsync(app, pages, ReadyMode.InProcess, row, environment: (variable, "0"))]);
        }
        systems.Add(async () => [await CrawlAsync(app, pages, Rows.Cli, "dotnet", port => ["exec", s_cli, $"http://127.0.0.1:{port}/", "--depth", "10", "--no-sitemaps"])]);
        if (readyToRun)
        {
            // What `dotnet tool install` puts on this machine: the tool's package for its platform, precompiled.
            var packaged = (await PublishAsync(Repository.Project("src", "HealthChecks.Warmup.Cli"), "healthchecks-warmup-cli-r2r", readyToRun: true, "dotnet-warmup.dll")).Assembly;
            systems.Add(async () => [await CrawlAsync(app, pages, Rows.CliPackaged, "dotnet", port => ["exec", packaged, $"http://127.0.0.1:{port}/", "--depth", "10", "--no-sitemaps"])]);
        }
        if (includeTools && Installed("wget"))
        {
            systems.Add(async () => [await CrawlAsync(app, pages, Rows.Wget, "wget", port => ["-r", "-l", "inf", "-p", "--delete-after", "-e", "robots=off", "-nv", "-P", Path.Combine(Path.GetTempPath(), $"wget-{port}"), $"http://127.0.0.1:{port}/"])]);
        }
        if (includeTools && Installed("linkinator"))
        {
            systems.Add(async () => [await CrawlAsync(app, pages, Rows.Linkinator, "linkinator", port => [$"http://127.0.0.1:{port}/", "--recurse", "--check-css", "--concurrency", "100", "--silent"])]);
        }

        var runs = new List<SystemResult>();
        for (var round = 0; round < rounds; round++)
        {
            var first = round * systems.Count / rounds;
            for (var i = 0; i < systems.Count; i++)
            {
                runs.AddRange(await systems[(first + i) % systems.Count]());
            }
        }
        var results = runs.GroupBy(r => r.System).Select(SystemResult.Median).ToList();

        SystemResult Row(string system) => results.Single(r => r.System == system);
        var ours = Row(Rows.InProcess);
        var http = Row(Rows.Http);
        var warmProcess = Row(Rows.ThirdCrawl);
        var warmFloor = Row(Rows.ThirdReplay);
        var floor = Row(Rows.Floor);
        var wget = results.FirstOrDefault(r => r.System == Rows.Wget);
        output.WriteLine($"Site: {site.ToString().ToLowerInvariant()}, {pages:N0} pages, {expected.Count:N0} URLs. Times in seconds, the median of {rounds} round(s), each in another order; ready = process start to first 200 on /health/ready (for crawlers: to listening, plus the crawl).");
        output.WriteLine();
        output.WriteLine("| system | ready (s) | warm-up (s) | warm-up range (s) | ours ÷ it (warm-up) | URLs found | same set as the site |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---|");
        foreach (var result in results)
        {
            var ratio = result == ours ? "1.00" : (ours.Work.TotalSeconds / result.Work.TotalSeconds).ToString("0.00", CultureInfo.InvariantCulture);
            var missing = expected.Except(result.Found).Count();
            var extra = result.Found.Except(expected).Count();
            var same = missing == 0 && extra == 0 ? "yes" : $"no: {missing} missing, {extra} extra";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {result.System} | {(result.TimeToReady is { } ready ? ready.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) : "–")} | {result.Work.TotalSeconds:0.00} | {result.Fastest.TotalSeconds:0.00}–{result.Slowest.TotalSeconds:0.00} | {ratio} | {result.Found.Count:N0} | {same} |"));
        }
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"in-process ÷ floor = {ours.Work.TotalSeconds / floor.Work.TotalSeconds:0.00} (target ≤ {Targets.Floor}); once the runtime has optimised the code (third runs in one process) = {warmProcess.Work.TotalSeconds / warmFloor.Work.TotalSeconds:0.00}"));
        if (wget is not null)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"in-process ÷ wget = {ours.Work.TotalSeconds / wget.Work.TotalSeconds:0.00} (target ≤ {Targets.Wget}); HTTP ÷ wget = {http.Work.TotalSeconds / wget.Work.TotalSeconds:0.00} (target ≤ {Targets.HttpWget})"));
            if (readyToRun)
            {
                var published = Row(Rows.ReadyToRun);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"in-process, published ReadyToRun ÷ wget = {published.Work.TotalSeconds / wget.Work.TotalSeconds:0.00}; ÷ floor = {published.Work.TotalSeconds / floor.Work.TotalSeconds:0.00}"));
            }
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dotnet-warmup ÷ wget = {Row(Rows.Cli).Work.TotalSeconds / wget.Work.TotalSeconds:0.00} (both crawl from a process of their own)"));
            if (readyToRun)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dotnet-warmup as packaged ÷ wget = {Row(Rows.CliPackaged).Work.TotalSeconds / wget.Work.TotalSeconds:0.00}"));
            }
            foreach (var (row, _) in runtimeSettings ? s_runtimeSettings : [])
            {
                var setting = Row(row);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{row["HealthChecks.Warmup ".Length..]} ÷ wget = {setting.Work.TotalSeconds / wget.Work.TotalSeconds:0.00}; ÷ floor = {setting.Work.TotalSeconds / floor.Work.TotalSeconds:0.00}"));
            }
        }
        return results;
    }

    /// <summary>
    /// Probe latency while warming: <c>/health/ready</c> and <c>/health/live</c> probed the same way at
    /// the same time, in two windows (the first from the moment the app listens, so it includes the
    /// process's own start-up) — flooded by wrk with 50 connections each, then, on a fresh process,
    /// one request at a time each. Then, in a run without load or the site's record of what it served,
    /// the warm-up's memory.
    /// </summary>
    public async Task<LoadResult?> LoadAsync(int pages)
    {
        var app = await AppAsync();
        var windows = new List<ProbeWindow>();
        var flood = Installed("wrk");
        if (flood)
        {
            windows.AddRange(await ProbeWhileWarmingAsync(app, pages, Probers.Flood, Probers.WrkAsync));
        }
        windows.AddRange(await ProbeWhileWarmingAsync(app, pages, Probers.OneAtATime, url => Probers.OneAtATimeAsync(url, TimeSpan.FromSeconds(2))));

        // The same app after serving every URL once without the warm-up (the floor's replay), beside it:
        // what warming leaves on the heap beyond what serving the pages leaves (the rendered site's cache
        // of its pages, the runtime's of the code that ran) is the difference, right after the latch and
        // again a minute later, once the runtime has trimmed the array pools it keeps for reuse
        // (ArrayPool<T>.Shared trims what went unused for a minute, at a full collection).
        await using var cold = await ServedSite.StartAsync(app, pages, ReadyMode.Floor, recordSeen: false);
        await cold.WaitUntilReadyAsync();
        await using var warmed = await ServedSite.StartAsync(app, pages, ReadyMode.InProcess, recordSeen: false);
        var work = await warmed.WaitUntilReadyAsync();
        async Task<double> LiveHeapMbAsync(ServedSite served)
        {
            using var json = JsonDocument.Parse(await served.GetAsync("/__bench/memory"));
            return json.RootElement.GetProperty("liveHeapMb").GetDouble();
        }
        using var memory = JsonDocument.Parse(await warmed.GetAsync("/__bench/memory"));
        var root = memory.RootElement;
        var retained = root.GetProperty("liveHeapMb").GetDouble() - await LiveHeapMbAsync(cold);
        await Task.Delay(TimeSpan.FromSeconds(65));
        var settled = await LiveHeapMbAsync(warmed) - await LiveHeapMbAsync(cold);
        var result = new LoadResult(pages, windows,
            root.GetProperty("idleWorkingSetMb").GetDouble(), root.GetProperty("peakWorkingSetMb").GetDouble(),
            retained, settled, work.Work);
        output.WriteLine();
        if (!flood)
        {
            output.WriteLine("Probe latency under a flood not measured: wrk is not installed (apt-get install -y wrk).");
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Probes while warming {pages:N0} {site.ToString().ToLowerInvariant()} pages in-process (both endpoints at once; each kind of probe on a fresh process):"));
        output.WriteLine("| probes | window | /health/ready p50 | p99 | /health/live p50 | p99 | ready p99 ÷ live p99 |");
        output.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var w in windows)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {w.Probes} | {w.Window} | {w.Ready.P50:0.00} ms | {w.Ready.P99:0.00} ms | {w.Live.P50:0.00} ms | {w.Live.P99:0.00} ms | {w.Ready.P99 / w.Live.P99:0.00} |"));
        }
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Memory of a {pages:N0}-page {site.ToString().ToLowerInvariant()} warm-up without load ({work.Work.TotalSeconds:0.0} s): working set idle {result.IdleWorkingSetMb:0} MB, peak {result.PeakWorkingSetMb:0} MB (+{result.PeakWorkingSetMb - result.IdleWorkingSetMb:0} MB); live managed heap {result.RetainedHeapMb:0.00} MB more than the same app after serving the same URLs (the floor) right after the latch, {result.SettledHeapMb:0.00} MB a minute later."));
        return result;
    }

    /// <summary>A fresh site warming in-process, both endpoints probed by <paramref name="probe"/> at once, two windows.</summary>
    private async Task<List<ProbeWindow>> ProbeWhileWarmingAsync(SiteApp app, int pages, string probes, Func<string, Task<Latency>> probe)
    {
        var windows = new List<ProbeWindow>();
        await using var served = await ServedSite.StartAsync(app, pages, ReadyMode.InProcess);
        await served.WaitUntilListeningAsync();
        foreach (var window in new[] { "first 2 s after listening", "next 2 s" })
        {
            var ready = probe(served.Url("/health/ready"));
            var live = probe(served.Url("/health/live"));
            windows.Add(new ProbeWindow(probes, window, await ready, await live));
        }
        if (await served.IsReadyAsync())
        {
            output.WriteLine($"note: the warm-up ended before the latency runs ({probes}) did; use more pages.");
        }
        return windows;
    }

    /// <summary>The crawl and the floor, third runs of each in one process.</summary>
    private static async Task<SystemResult[]> WarmProcessAsync(SiteApp app, int pages)
    {
        await using var site = await ServedSite.StartAsync(app, pages, ReadyMode.WarmProcess);
        await site.WaitUntilReadyAsync();
        using var json = JsonDocument.Parse(await site.GetAsync("/health/ready"));
        var crawl = TimeSpan.FromMilliseconds(json.RootElement.GetProperty("durationMs").GetDouble());
        var floor = TimeSpan.FromMilliseconds(json.RootElement.GetProperty("floorMs").GetDouble());
        var seen = await site.SeenAsync();
        return [new SystemResult(Rows.ThirdCrawl, null, crawl, seen),
            new SystemResult(Rows.ThirdReplay, null, floor, seen)];
    }

    /// <summary>The site's own URL list, from a process of its own that is not warmed.</summary>
    private static async Task<HashSet<string>> ExpectedAsync(SiteApp app, int pages)
    {
        await using var served = await ServedSite.StartAsync(app, pages, ReadyMode.None, recordSeen: false);
        await served.WaitUntilListeningAsync();
        return [.. await served.UrlsAsync()];
    }

    private static async Task<SystemResult> WarmAsync(SiteApp app, int pages, ReadyMode mode, string name, (string Name, string Value)? environment = null)
    {
        await using var site = await ServedSite.StartAsync(app, pages, mode, environment: environment);
        var (ready, work) = await site.WaitUntilReadyAsync();
        return new SystemResult(name, ready, work, await site.SeenAsync());
    }

    private static async Task<SystemResult> CrawlAsync(SiteApp app, int pages, string name, string tool, Func<int, string[]> arguments)
    {
        await using var site = await ServedSite.StartAsync(app, pages, ReadyMode.None);
        var listening = await site.WaitUntilListeningAsync();
        var clock = Stopwatch.StartNew();
        await RunToolAsync(tool, arguments(site.Port));
        var work = clock.Elapsed;
        return new SystemResult(name, listening + work, work, await site.SeenAsync());
    }

    /// <summary>
    /// A project published in Release to a temporary folder: the rendered site as it is deployed; with
    /// <paramref name="readyToRun"/>, for this machine's runtime identifier with every assembly (AngleSharp
    /// included) precompiled — a site deployed when start-up time matters, or the command-line tool as its
    /// package for this platform holds it.
    /// </summary>
    private async Task<SiteApp> PublishAsync(string project, string folder, bool readyToRun, string? assembly = null)
    {
        var directory = Directory.CreateTempSubdirectory(folder + "-");
        _published.Add(directory);
        var target = directory.FullName;
        output.WriteLine($"Publishing {Path.GetFileNameWithoutExtension(project)}{(readyToRun ? " ReadyToRun" : "")} to {target} ...");
        string[] arguments = ["publish", Path.GetFullPath(project), "-c", "Release", "--disable-build-servers", "-o", target];
        if (readyToRun)
        {
            arguments = [.. arguments, "-r", System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier, "--self-contained", "false", "-p:PublishReadyToRun=true"];
        }
        var log = await RunToolAsync("dotnet", arguments);
        var published = SiteApp.Published(target, assembly ?? Path.GetFileNameWithoutExtension(project) + ".dll");
        return File.Exists(published.Assembly) ? published : throw new InvalidOperationException("dotnet publish failed:\n" + log);
    }

    /// <summary>Deletes what this runner published.</summary>
    public void Dispose()
    {
        foreach (var directory in _published)
        {
            try
            {
                directory.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A file still held: the temporary folder is the system's to clean.
            }
        }
    }

    internal static bool Installed(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, tool)));

    internal static async Task<string> RunToolAsync(string tool, string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        await process.WaitForExitAsync(timeout.Token);
        return await stdout + await stderr;
    }
}
