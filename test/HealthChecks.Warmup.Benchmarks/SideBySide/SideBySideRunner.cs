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

/// <summary>
/// <c>side-by-side --pages N</c>: the same generated site, served by a fresh process for each system,
/// warmed in-process and over HTTP by this library, crawled by wget (and linkinator when installed),
/// and replayed through the same fetcher with no parsing (the floor); one table of times, ratios and
/// URL sets. Every request goes to 127.0.0.1.
/// </summary>
internal sealed class SideBySideRunner(TextWriter output)
{
    private static readonly string s_self = typeof(SideBySideRunner).Assembly.Location;

    /// <summary>This library's command-line tool, built beside the benchmark (a project reference).</summary>
    private static readonly string s_cli = Path.Combine(Path.GetDirectoryName(s_self)!, "dotnet-warmup.dll");

    /// <summary>This benchmark's project file, from its build output (bin/Release/net10.0).</summary>
    private static readonly string s_project = Path.Combine(Path.GetDirectoryName(s_self)!, "..", "..", "..", "HealthChecks.Warmup.Benchmarks.csproj");

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
        var expected = new DocsSite(pages).AllPaths().ToHashSet(StringComparer.Ordinal);
        var systems = new List<Func<Task<SystemResult[]>>>
        {
            async () => [await WarmAsync(pages, ReadyMode.InProcess, Rows.InProcess)],
            async () => [await WarmAsync(pages, ReadyMode.Http, Rows.Http)],
            async () => [await WarmAsync(pages, ReadyMode.Floor, Rows.Floor)],
            async () => await WarmProcessAsync(pages),
        };
        if (readyToRun)
        {
            var published = await PublishReadyToRunAsync(s_project, "healthchecks-warmup-r2r", "HealthChecks.Warmup.Benchmarks.dll");
            systems.Add(async () => [await WarmAsync(pages, ReadyMode.InProcess, Rows.ReadyToRun, published)]);
        }
        foreach (var (row, variable) in runtimeSettings ? s_runtimeSettings : [])
        {
            systems.Add(async () => [await WarmAsync(pages, ReadyMode.InProcess, row, environment: (variable, "0"))]);
        }
        systems.Add(async () => [await CrawlAsync(pages, Rows.Cli, "dotnet", port => ["exec", s_cli, $"http://127.0.0.1:{port}/", "--depth", "10", "--no-sitemaps"])]);
        if (readyToRun)
        {
            // What `dotnet tool install` puts on this machine: the tool's package for its platform, precompiled.
            var packaged = await PublishReadyToRunAsync(Path.Combine(Path.GetDirectoryName(s_project)!, "..", "..", "src", "HealthChecks.Warmup.Cli", "HealthChecks.Warmup.Cli.csproj"),
                "healthchecks-warmup-cli-r2r", "dotnet-warmup.dll");
            systems.Add(async () => [await CrawlAsync(pages, Rows.CliPackaged, "dotnet", port => ["exec", packaged, $"http://127.0.0.1:{port}/", "--depth", "10", "--no-sitemaps"])]);
        }
        if (includeTools && Installed("wget"))
        {
            systems.Add(async () => [await CrawlAsync(pages, Rows.Wget, "wget", port => ["-r", "-l", "inf", "-p", "--delete-after", "-e", "robots=off", "-nv", "-P", Path.Combine(Path.GetTempPath(), $"wget-{port}"), $"http://127.0.0.1:{port}/"])]);
        }
        if (includeTools && Installed("linkinator"))
        {
            systems.Add(async () => [await CrawlAsync(pages, Rows.Linkinator, "linkinator", port => [$"http://127.0.0.1:{port}/", "--recurse", "--check-css", "--concurrency", "100", "--silent"])]);
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
        output.WriteLine($"Site: {pages:N0} pages, {expected.Count:N0} URLs. Times in seconds, the median of {rounds} round(s), each in another order; ready = process start to first 200 on /health/ready (for crawlers: to listening, plus the crawl).");
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
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"in-process ÷ floor = {ours.Work.TotalSeconds / floor.Work.TotalSeconds:0.00} (target ≤ 1.3); once the runtime has optimised the code (third runs in one process) = {warmProcess.Work.TotalSeconds / warmFloor.Work.TotalSeconds:0.00}"));
        if (wget is not null)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"in-process ÷ wget = {ours.Work.TotalSeconds / wget.Work.TotalSeconds:0.00} (target ≤ 0.25); HTTP ÷ wget = {http.Work.TotalSeconds / wget.Work.TotalSeconds:0.00} (target ≤ 0.5)"));
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
        var windows = new List<ProbeWindow>();
        var flood = Installed("wrk");
        if (flood)
        {
            windows.AddRange(await ProbeWhileWarmingAsync(pages, Probers.Flood, Probers.WrkAsync));
        }
        windows.AddRange(await ProbeWhileWarmingAsync(pages, Probers.OneAtATime, url => Probers.OneAtATimeAsync(url, TimeSpan.FromSeconds(2))));

        // The same app, not warmed, after answering its first probe, beside it: what warming leaves on
        // the heap is the difference, right after the latch and again a minute later, once the runtime
        // has trimmed the array pools it keeps for reuse (ArrayPool<T>.Shared trims what went unused for
        // a minute, at a full collection).
        await using var cold = await ServedSite.StartAsync(pages, ReadyMode.None, recordSeen: false);
        await cold.WaitUntilListeningAsync();
        await cold.IsReadyAsync();
        await using var site = await ServedSite.StartAsync(pages, ReadyMode.InProcess, recordSeen: false);
        var work = await site.WaitUntilReadyAsync();
        async Task<double> LiveHeapMbAsync(ServedSite served)
        {
            using var json = JsonDocument.Parse(await served.GetAsync("/__bench/memory"));
            return json.RootElement.GetProperty("liveHeapMb").GetDouble();
        }
        using var memory = JsonDocument.Parse(await site.GetAsync("/__bench/memory"));
        var root = memory.RootElement;
        var retained = root.GetProperty("liveHeapMb").GetDouble() - await LiveHeapMbAsync(cold);
        await Task.Delay(TimeSpan.FromSeconds(65));
        var settled = await LiveHeapMbAsync(site) - await LiveHeapMbAsync(cold);
        var result = new LoadResult(pages, windows,
            root.GetProperty("idleWorkingSetMb").GetDouble(), root.GetProperty("peakWorkingSetMb").GetDouble(),
            retained, settled, work.Work);
        output.WriteLine();
        if (!flood)
        {
            output.WriteLine("Probe latency under a flood not measured: wrk is not installed (apt-get install -y wrk).");
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Probes while warming {pages:N0} pages in-process (both endpoints at once; each kind of probe on a fresh process):"));
        output.WriteLine("| probes | window | /health/ready p50 | p99 | /health/live p50 | p99 | ready p99 ÷ live p99 |");
        output.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var w in windows)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {w.Probes} | {w.Window} | {w.Ready.P50:0.00} ms | {w.Ready.P99:0.00} ms | {w.Live.P50:0.00} ms | {w.Live.P99:0.00} ms | {w.Ready.P99 / w.Live.P99:0.00} |"));
        }
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Memory of a {pages:N0}-page warm-up without load ({work.Work.TotalSeconds:0.0} s): working set idle {result.IdleWorkingSetMb:0} MB, peak {result.PeakWorkingSetMb:0} MB (+{result.PeakWorkingSetMb - result.IdleWorkingSetMb:0} MB); live managed heap {result.RetainedHeapMb:0.00} MB more than the same app not warmed right after the latch, {result.SettledHeapMb:0.00} MB a minute later."));
        return result;
    }

    /// <summary>A fresh site warming in-process, both endpoints probed by <paramref name="probe"/> at once, two windows.</summary>
    private async Task<List<ProbeWindow>> ProbeWhileWarmingAsync(int pages, string probes, Func<string, Task<Latency>> probe)
    {
        var windows = new List<ProbeWindow>();
        await using var site = await ServedSite.StartAsync(pages, ReadyMode.InProcess);
        await site.WaitUntilListeningAsync();
        foreach (var window in new[] { "first 2 s after listening", "next 2 s" })
        {
            var ready = probe(site.Url("/health/ready"));
            var live = probe(site.Url("/health/live"));
            windows.Add(new ProbeWindow(probes, window, await ready, await live));
        }
        if (await site.IsReadyAsync())
        {
            output.WriteLine($"note: the warm-up ended before the latency runs ({probes}) did; use more pages.");
        }
        return windows;
    }

    /// <summary>The crawl and the floor, third runs of each in one process.</summary>
    private static async Task<SystemResult[]> WarmProcessAsync(int pages)
    {
        await using var site = await ServedSite.StartAsync(pages, ReadyMode.WarmProcess);
        await site.WaitUntilReadyAsync();
        using var json = JsonDocument.Parse(await site.GetAsync("/health/ready"));
        var crawl = TimeSpan.FromMilliseconds(json.RootElement.GetProperty("durationMs").GetDouble());
        var floor = TimeSpan.FromMilliseconds(json.RootElement.GetProperty("floorMs").GetDouble());
        var seen = await site.SeenAsync();
        return [new SystemResult(Rows.ThirdCrawl, null, crawl, seen),
            new SystemResult(Rows.ThirdReplay, null, floor, seen)];
    }

    private static async Task<SystemResult> WarmAsync(int pages, ReadyMode mode, string name, string? assembly = null, (string Name, string Value)? environment = null)
    {
        await using var site = await ServedSite.StartAsync(pages, mode, assembly: assembly, environment: environment);
        var (ready, work) = await site.WaitUntilReadyAsync();
        return new SystemResult(name, ready, work, await site.SeenAsync());
    }

    private static async Task<SystemResult> CrawlAsync(int pages, string name, string tool, Func<int, string[]> arguments)
    {
        await using var site = await ServedSite.StartAsync(pages, ReadyMode.None);
        var listening = await site.WaitUntilListeningAsync();
        var clock = Stopwatch.StartNew();
        await RunToolAsync(tool, arguments(site.Port));
        var work = clock.Elapsed;
        return new SystemResult(name, listening + work, work, await site.SeenAsync());
    }

    /// <summary>
    /// A project published ReadyToRun (every assembly, AngleSharp included, precompiled for this
    /// machine's runtime identifier): this benchmark's site, as a site is deployed when start-up time
    /// matters, or the command-line tool, as its package for this platform holds it.
    /// </summary>
    private async Task<string> PublishReadyToRunAsync(string project, string folder, string assembly)
    {
        var target = Path.Combine(Path.GetTempPath(), folder);
        output.WriteLine($"Publishing ReadyToRun to {target} ...");
        var log = await RunToolAsync("dotnet", ["publish", Path.GetFullPath(project), "-c", "Release", "-r", System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier,
            "--self-contained", "false", "-p:PublishReadyToRun=true", "--disable-build-servers", "-o", target]);
        var published = Path.Combine(target, assembly);
        return File.Exists(published) ? published : throw new InvalidOperationException("dotnet publish failed:\n" + log);
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
