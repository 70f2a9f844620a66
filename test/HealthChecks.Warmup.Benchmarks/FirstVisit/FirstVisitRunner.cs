using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace HealthChecks.Warmup.Benchmarks.FirstVisit;

/// <summary>
/// How an app of a row runs: with the warm-up as the README adds it, with it but no server warm-up, or
/// without it; without it, only until its first 200 on a plain <c>GET /</c> (the app's own cold start,
/// which the time to ready is compared with; no visit follows); and the app's own floor: without the
/// warm-up, its first <c>GET /</c> and then, over the network, the URLs the warm-up requested in-process,
/// eight at a time, and once more one URL through each folder the repeat pass's way, after its settle —
/// what any client must request to warm what the warm-up warms, with no parsing and no judging.
/// </summary>
internal enum WarmupMode
{
    With,
    NoServerWarmup,
    Without,
    FirstGet,
    Floor,
}

/// <summary>
/// One template app's two visits: the server's time for every request, summed and the slowest; and what
/// the warm-up spent after its crawl (the server warm-up and the repeat pass, from its log), in the time to ready.
/// </summary>
internal sealed record VisitResult(string Template, WarmupMode Mode, TimeSpan TimeToReady, double FirstSumMs, double FirstSlowestMs, double SecondSumMs,
    double SecondSlowestMs, int Requests, double AfterCrawlMs = 0)
{
    public string ModeName => Mode switch
    {
        WarmupMode.With => "with",
        WarmupMode.NoServerWarmup => "with, no server warm-up",
        WarmupMode.FirstGet => "without, to the first GET /",
        WarmupMode.Floor => "the floor: its URLs replayed",
        _ => "without",
    };

    public double SumRatio => FirstSumMs / Math.Max(SecondSumMs, 0.001);

    public double SlowestRatio => FirstSlowestMs / Math.Max(SecondSlowestMs, 0.001);
}

/// <summary>
/// <c>first-visit</c>: what the first visitor after the first 200 pays, against the second visitor. Fresh
/// <c>dotnet new</c> apps (webapp, mvc, blazor) in a temporary folder with the README's two lines (the
/// warm-up switched off by configuration for the "without" rows, its server warm-up for the "no server
/// warm-up" rows: what the server warm-up adds to the time to ready, and buys the first visitor), published and run in Production. Once
/// the app is ready (the readiness endpoint's first 200; without the warm-up, the app's first answer),
/// Chromium (Debian's, through Playwright) visits its pages — the front page and the pages it links —
/// twice, each visit in a fresh browser context (an empty cache), while a middleware first in the app's
/// pipeline times every request on the server (from its start to its last byte handed to Kestrel, which
/// includes waiting for the browser to read). Each row is the median of several fresh processes.
/// </summary>
internal sealed partial class FirstVisitRunner(TextWriter output)
{
    // The warm-up unless NoWarmup is set; a timer around the whole pipeline that prints every visitor's request.
    private const string Grow = """
        if (builder.Configuration.GetValue<bool>("NoWarmup")) builder.Services.AddHealthChecks();
        else builder.Services.AddHealthChecks().AddSiteWarmup();
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var headers = 0.0;
            context.Response.OnStarting(() => { headers = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds; return Task.CompletedTask; });
            await next(context);
            if (context.IsSiteWarmupRequest())
            {
                Console.WriteLine(FormattableString.Invariant($"CRAWLED {context.Request.Path}{context.Request.QueryString}"));
            }
            else if (!context.Request.Headers.UserAgent.ToString().StartsWith("HealthChecks.Warmup/", StringComparison.Ordinal)
                && !context.Request.Headers.UserAgent.ToString().StartsWith("floor", StringComparison.Ordinal)
                && !context.Request.Path.StartsWithSegments("/health") && !context.WebSockets.IsWebSocketRequest)
            {
                Console.WriteLine(FormattableString.Invariant($"TIMING {context.Request.Path}{context.Request.QueryString} {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds:F3} {headers:F3} {context.Response.Headers.ContentEncoding} {context.Response.ContentLength} {context.Response.StatusCode} {context.Request.Headers.AcceptEncoding} {context.Request.Protocol}"));
            }
        });
        """;

    private const string MapReadiness = "app.MapHealthChecks(\"/health/ready\", new() { ResponseWriter = HealthChecks.UI.Client.UIResponseWriter.WriteHealthCheckUIResponse });";

    public async Task<List<VisitResult>> RunAsync(IReadOnlyList<string> templates, int runs = 3)
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("first-visit drives Debian's Chromium: apt-get install -y chromium");
        var work = Directory.CreateTempSubdirectory("warmup-first-visit-");
        var results = new List<VisitResult>();
        // Each template's and mode's median time to ready, over all its runs (a row is the median run by the first visit).
        var readyMedians = new Dictionary<(string Template, WarmupMode Mode), double>();
        try
        {
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            });
            foreach (var template in templates)
            {
                var app = await CreateAppAsync(template, work.FullName);
                // Each run a fresh process, the modes in turn (a noisy machine drifts: side by side, not one
                // block after another); the median run by the first visit's sum is the row.
                var each = Enum.GetValues<WarmupMode>().ToDictionary(mode => mode, _ => new List<VisitResult>());
                List<string>? crawled = null;
                for (var run = 0; run < runs; run++)
                {
                    foreach (var mode in Enum.GetValues<WarmupMode>())
                    {
                        var (result, requested) = await VisitAsync(browser, template, app, mode, crawled);
                        // The floor replays what the first run with the warm-up requested in-process.
                        crawled ??= mode == WarmupMode.With ? requested : null;
                        each[mode].Add(result);
                        output.WriteLine(Format(result));
                    }
                }
                foreach (var (mode, list) in each)
                {
                    readyMedians[(template, mode)] = list.Select(r => r.TimeToReady.TotalSeconds).Order().ElementAt(list.Count / 2);
                    // The plain GET / runs have no visit: their median by the time to ready.
                    results.Add(list.OrderBy(r => mode == WarmupMode.FirstGet ? r.TimeToReady.TotalMilliseconds : r.FirstSumMs).ElementAt(list.Count / 2));
                }
            }
        }
        finally
        {
            try
            {
                work.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A file still held: the temporary folder is the system's to clean.
            }
        }
        output.WriteLine();
        output.WriteLine(Table(results));
        output.WriteLine();
        foreach (var app in results.GroupBy(r => r.Template))
        {
            var (with, cold, floor) = (readyMedians[(app.Key, WarmupMode.With)], readyMedians[(app.Key, WarmupMode.FirstGet)], readyMedians[(app.Key, WarmupMode.Floor)]);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{app.Key} (medians of the time to ready): with the warm-up {with:0.00} s, the first GET / {cold:0.00} s, the floor {floor:0.00} s; with ÷ first GET / = {with / cold:0.00} (target ≤ 1.2); the floor ÷ first GET / = {floor / cold:0.00}; with ÷ the floor = {with / floor:0.00}"));
        }
        return results;
    }

    /// <summary>The markdown table docs/benchmarks.md carries.</summary>
    public static string Table(IEnumerable<VisitResult> results)
    {
        var lines = new List<string>
        {
            "| app | warm-up | ready | of it, server warm-up + repeat pass | requests | first visit Σ | second visit Σ | Σ ratio | first slowest | second slowest | slowest ratio |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        };
        lines.AddRange(results.Select(r => r.Mode == WarmupMode.FirstGet
            ? string.Create(CultureInfo.InvariantCulture, $"| {r.Template} | {r.ModeName} | {r.TimeToReady.TotalSeconds:0.00} s | | | | | | | | |")
            : string.Create(CultureInfo.InvariantCulture,
            $"| {r.Template} | {r.ModeName} | {r.TimeToReady.TotalSeconds:0.00} s | {(r.Mode != WarmupMode.Without ? $"{r.AfterCrawlMs:0} ms" : "")} | {r.Requests} | {r.FirstSumMs:0.0} ms | {r.SecondSumMs:0.0} ms | {r.SumRatio:0.00} | {r.FirstSlowestMs:0.0} ms | {r.SecondSlowestMs:0.0} ms | {r.SlowestRatio:0.00} |")));
        return string.Join(Environment.NewLine, lines);
    }

    private static string Format(VisitResult r) => r.Mode == WarmupMode.FirstGet
        ? string.Create(CultureInfo.InvariantCulture, $"{r.Template,-7} {r.ModeName,-23} ready {r.TimeToReady.TotalSeconds:0.00} s")
        : string.Create(CultureInfo.InvariantCulture,
        $"{r.Template,-7} {r.ModeName,-23} ready {r.TimeToReady.TotalSeconds:0.00} s ({r.AfterCrawlMs:0} ms after the crawl); first visit {r.FirstSumMs:0.0} ms (slowest {r.FirstSlowestMs:0.0}), second {r.SecondSumMs:0.0} ms (slowest {r.SecondSlowestMs:0.0}): {r.SumRatio:0.00}×");

    /// <summary>
    /// One fresh process of <paramref name="app"/> in <paramref name="mode"/>, and its visits: the result, and
    /// the paths the warm-up requested in-process (none without it). The floor replays <paramref name="floorUrls"/>.
    /// </summary>
    private async Task<(VisitResult Result, List<string> Requested)> VisitAsync(IBrowser browser, string template, string app, WarmupMode mode,
        IReadOnlyList<string>? floorUrls)
    {
        var port = FreePort();
        var timings = new ConcurrentQueue<(string Path, double Ms)>();
        var log = new ConcurrentQueue<string>();
        var requested = new ConcurrentQueue<string>();
        var start = new ProcessStartInfo("dotnet", [Spec(template).Template + ".dll", "--urls", $"http://127.0.0.1:{port}"])
        {
            // In the publish folder, its content root: from the project folder, precompressed assets are empty 200s.
            WorkingDirectory = Path.Combine(app, "out"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["NoWarmup"] = mode is WarmupMode.Without or WarmupMode.FirstGet or WarmupMode.Floor ? "true" : "false",
                ["HealthChecks__SiteWarmup__WarmServer"] = mode == WarmupMode.NoServerWarmup ? "false" : "true",
            },
        };
        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                return;
            }
            log.Enqueue(line.Data);
            if (Environment.GetEnvironmentVariable("FIRST_VISIT_DETAIL") == "1" && line.Data.StartsWith("TIMING", StringComparison.Ordinal))
            {
                output.WriteLine("    " + line.Data);
            }
            if (line.Data.StartsWith("CRAWLED ", StringComparison.Ordinal))
            {
                requested.Enqueue(line.Data["CRAWLED ".Length..]);
            }
            if (Timing().Match(line.Data) is { Success: true } timing)
            {
                timings.Enqueue((timing.Groups["path"].Value, double.Parse(timing.Groups["ms"].Value, CultureInfo.InvariantCulture)));
            }
        };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) { log.Enqueue(line.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var origin = new Uri($"http://127.0.0.1:{port}/");
            // With the warm-up, its first 200; without, the app's first answer (it has no check), or its
            // first 200 on the front page.
            await WaitUntilReadyAsync(origin, mode is WarmupMode.FirstGet or WarmupMode.Floor ? "/" : "/health/ready", process, log);
            if (mode == WarmupMode.Floor)
            {
                await FloorAsync(origin, floorUrls ?? throw new InvalidOperationException("the floor replays a run with the warm-up: run it first"));
            }
            var ready = Stopwatch.GetElapsedTime(started);
            if (mode == WarmupMode.FirstGet)
            {
                return (new VisitResult(template, mode, ready, 0, 0, 0, 0, 0), []);
            }

            var pages = await PagesAsync(origin);
            var first = await TimedVisitAsync(browser, pages, timings);
            var second = await TimedVisitAsync(browser, pages, timings);
            if (Environment.GetEnvironmentVariable("FIRST_VISIT_DETAIL") == "1")
            {
                output.WriteLine(string.Join('\n', first.Select((t, i) => string.Create(CultureInfo.InvariantCulture,
                    $"  {t.Path} {t.Ms:0.00} ms, then {(i < second.Count ? second[i].Ms : double.NaN):0.00} ms"))));
            }
            var afterCrawl = log.Select(line => AfterCrawl().Match(line)).Where(m => m.Success).Sum(m => double.Parse(m.Groups["ms"].Value, CultureInfo.InvariantCulture));
            return (new VisitResult(template, mode, ready, first.Sum(t => t.Ms), first.Max(t => t.Ms), second.Sum(t => t.Ms), second.Max(t => t.Ms), first.Count, afterCrawl),
                [.. requested.Distinct()]);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>
    /// The app's own floor, after its first <c>GET /</c>: <paramref name="paths"/> over the network as a browser
    /// asks (compressed), eight at a time, each read to its end; then, the repeat pass's settle after, one
    /// path through each folder once more, chosen as the repeat pass chooses — what routing compiles on a
    /// second request through a folder. No parsing, no judging.
    /// </summary>
    private static async Task FloorAsync(Uri origin, IReadOnlyList<string> paths)
    {
        using var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, UseCookies = false })
        {
            BaseAddress = origin,
            Timeout = TimeSpan.FromSeconds(30),
        };
        client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", "floor");
        client.DefaultRequestHeaders.TryAddWithoutValidation("Accept-Encoding", "gzip, deflate, br");
        async Task GetAsync(string path, CancellationToken cancellationToken)
        {
            using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            await (await response.Content.ReadAsStreamAsync(cancellationToken)).CopyToAsync(Stream.Null, cancellationToken);
        }
        await Parallel.ForEachAsync(paths.Where(p => p != "/"), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (path, token) => await GetAsync(path, token));
        var round = Stopwatch.GetTimestamp();
        var answered = paths.Select(p => new Uri(origin, p))
            .Select(url => new Model.UrlOutcome(url.AbsoluteUri, Path.HasExtension(url.AbsolutePath) ? Model.UrlKind.Resource : Model.UrlKind.Page,
                0, null, false, 200, Model.FetchFailure.None, null, TimeSpan.Zero))
            .ToList();
        if (Crawling.RepeatPass.Settle - Stopwatch.GetElapsedTime(round) is { Ticks: > 0 } wait)
        {
            await Task.Delay(wait);
        }
        await Parallel.ForEachAsync(Crawling.RepeatPass.Targets(answered), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (outcome, token) => await GetAsync(new Uri(outcome.Url).PathAndQuery, token));
    }

    /// <summary>The front page and the same-origin pages it links, as a visitor clicking through would reach them.</summary>
    private static async Task<List<Uri>> PagesAsync(Uri origin)
    {
        // Asked once with HttpClient, not the browser: the browser's visits are the ones timed.
        using var client = new HttpClient { BaseAddress = origin };
        var html = await client.GetStringAsync("/");
        var links = Anchor().Matches(html).Select(m => m.Groups["href"].Value)
            .Select(href => Uri.TryCreate(origin, WebUtility.HtmlDecode(href), out var url) ? url : null)
            .OfType<Uri>()
            .Where(u => u.GetLeftPart(UriPartial.Authority) == origin.GetLeftPart(UriPartial.Authority) && !u.AbsolutePath.StartsWith("/health", StringComparison.Ordinal))
            .Select(u => new UriBuilder(u) { Fragment = "" }.Uri)
            .Distinct();
        return [origin, .. links.Where(u => u != origin)];
    }

    /// <summary>One visit in a fresh context: every page until the network is idle; the server's timings of it.</summary>
    private static async Task<List<(string Path, double Ms)>> TimedVisitAsync(IBrowser browser, List<Uri> pages, ConcurrentQueue<(string Path, double Ms)> timings)
    {
        timings.Clear();
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ServiceWorkers = ServiceWorkerPolicy.Block });
        var page = await context.NewPageAsync();
        var origin = pages[0].GetLeftPart(UriPartial.Authority);
        var finished = 0;
        // Every same-origin request the browser finished is one line of the app's timings (web sockets never finish).
        page.RequestFinished += (_, request) =>
        {
            if (request.Url.StartsWith(origin, StringComparison.Ordinal) && !new Uri(request.Url).AbsolutePath.StartsWith("/health", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref finished);
            }
        };
        foreach (var url in pages)
        {
            await page.GotoAsync(url.AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle, Timeout = 60_000 });
        }
        // The app's line for the last request may trail the browser: wait for it, at most 5 s.
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 5);
        while (timings.Count < Volatile.Read(ref finished) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(10);
        }
        return [.. timings];
    }

    private static async Task WaitUntilReadyAsync(Uri origin, string path, Process process, ConcurrentQueue<string> log)
    {
        using var client = new HttpClient { BaseAddress = origin, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 120);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the app exited with {process.ExitCode}:\n{string.Join('\n', log)}");
            }
            try
            {
                using var response = await client.GetAsync(path);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"not ready within 120 s:\n{string.Join('\n', log)}");
    }

    /// <summary>
    /// A template as <c>--templates</c> names it: the SDK's short name, or a variant of it with its options
    /// (<c>blazor-wasm</c>: <c>blazor --interactivity WebAssembly</c>; <c>blazor-auto</c>: <c>--interactivity Auto</c>).
    /// </summary>
    private static (string Template, string[] Options) Spec(string name) => name switch
    {
        "blazor-wasm" => ("blazor", ["--interactivity", "WebAssembly"]),
        "blazor-auto" => ("blazor", ["--interactivity", "Auto"]),
        _ => (name, []),
    };

    private static async Task<string> CreateAppAsync(string name, string work)
    {
        var root = Repository.Root;
        var (template, options) = Spec(name);
        var app = Path.Combine(work, name);
        await RunAsync(work, "dotnet", ["new", template, "-o", app, "--name", template, .. options]);
        // With WebAssembly interactivity the app is two projects: the server's has a folder of its own.
        var server = File.Exists(Path.Combine(app, "Program.cs")) ? app : Path.Combine(app, template);
        var program = Path.Combine(server, "Program.cs");
        var code = await File.ReadAllTextAsync(program);
        code = code.Replace("var app = builder.Build();", Grow, StringComparison.Ordinal).Replace("app.Run();", MapReadiness + "\napp.Run();", StringComparison.Ordinal);
        await File.WriteAllTextAsync(program, code);
        var props = await File.ReadAllTextAsync(Path.Combine(root, "Directory.Packages.props"));
        var uiClient = Regex.Match(props, "<PackageVersion Include=\"AspNetCore.HealthChecks.UI.Client\" Version=\"([^\"]+)\"").Groups[1].Value;
        var project = Path.Combine(server, template + ".csproj");
        await File.WriteAllTextAsync(project, (await File.ReadAllTextAsync(project)).Replace("</Project>", $"""
              <ItemGroup>
                <ProjectReference Include="{Repository.Project("src", "HealthChecks.Warmup")}" />
                <PackageReference Include="AspNetCore.HealthChecks.UI.Client" Version="{uiClient}" />
              </ItemGroup>
            </Project>
            """, StringComparison.Ordinal));
        await RunAsync(server, "dotnet", "publish", "-c", "Release", "-o", Path.Combine(app, "out"));
        return app;
    }

    private static async Task RunAsync(string directory, string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"^TIMING (?<path>\S+) (?<ms>[0-9.]+) (?<headers>[0-9.]+)")]
    private static partial Regex Timing();

    // The warm-up's log lines ServerWarmed and Repeated.
    [GeneratedRegex(@"(warmed the server too: .* in|URLs once more, .* in) (?<ms>\d+) ms")]
    private static partial Regex AfterCrawl();

    [GeneratedRegex("""<a\s[^>]*href="(?<href>[^"#]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex Anchor();
}
