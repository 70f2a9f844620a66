using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using HealthChecks.Warmup.Benchmarks.Site;

namespace HealthChecks.Warmup.Benchmarks.SideBySide;

/// <summary>
/// Which app serves a benchmark site: the benchmark's own <c>serve</c> command (the generated site), or a
/// published app (the rendered site) run from its publish folder, its content root.
/// </summary>
/// <param name="Assembly">The app's assembly, run with <c>dotnet exec</c>.</param>
/// <param name="Command">What comes before the serve arguments: <c>serve</c> for the benchmark's own.</param>
/// <param name="ContentRoot">Where it runs; <see langword="null"/> for the benchmark's working directory.</param>
internal sealed record SiteApp(string Assembly, string[] Command, string? ContentRoot)
{
    /// <summary>The generated site, served by this benchmark's own assembly.</summary>
    public static SiteApp Generated { get; } = new(typeof(SiteApp).Assembly.Location, ["serve"], null);

    /// <summary>A published app in <paramref name="folder"/>.</summary>
    public static SiteApp Published(string folder, string assembly) => new(Path.Combine(folder, assembly), [], folder);
}

/// <summary>A child process serving a benchmark site on a free loopback port.</summary>
internal sealed class ServedSite : IAsyncDisposable
{
    private static readonly HttpClient s_client = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Process _process;
    private readonly Stopwatch _sinceStart;

    private ServedSite(Process process, Stopwatch sinceStart, int port)
    {
        _process = process;
        _sinceStart = sinceStart;
        Port = port;
    }

    public int Port { get; }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    public static Task<ServedSite> StartAsync(SiteApp app, int pages, ReadyMode mode, bool recordSeen = true, (string Name, string Value)? environment = null)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = app.ContentRoot ?? "" };
        foreach (var argument in new[] { "exec", app.Assembly }.Concat(app.Command).Concat(["--pages", pages.ToString(CultureInfo.InvariantCulture), "--port", port.ToString(CultureInfo.InvariantCulture), "--mode", mode.ToString(), "--record-seen", recordSeen ? "1" : "0"]))
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DOTNET_gcServer"] = "0";
        if (environment is var (name, value))
        {
            start.Environment[name] = value;
        }
        var clock = Stopwatch.StartNew();
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return Task.FromResult(new ServedSite(process, clock, port));
    }

    public async Task<TimeSpan> WaitUntilListeningAsync()
    {
        while (true)
        {
            try
            {
                using var response = await s_client.GetAsync(Url("/health/live"));
                return _sinceStart.Elapsed;
            }
            catch (HttpRequestException) when (!_process.HasExited)
            {
                await Task.Delay(5);
            }
        }
    }

    public async Task<bool> IsReadyAsync()
    {
        using var response = await s_client.GetAsync(Url("/health/ready"));
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>Polls until the first 200: process start to that moment, and the warm-up's own duration.</summary>
    public async Task<(TimeSpan Ready, TimeSpan Work)> WaitUntilReadyAsync()
    {
        while (true)
        {
            try
            {
                using var response = await s_client.GetAsync(Url("/health/ready"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var ready = _sinceStart.Elapsed;
                    using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    return (ready, TimeSpan.FromMilliseconds(json.RootElement.GetProperty("durationMs").GetDouble()));
                }
                if (_sinceStart.Elapsed > TimeSpan.FromMinutes(30))
                {
                    throw new TimeoutException("The site never got ready.");
                }
            }
            catch (HttpRequestException) when (!_process.HasExited)
            {
            }
            await Task.Delay(5);
        }
    }

    public async Task<string> GetAsync(string path) => await s_client.GetStringAsync(Url(path));

    public async Task<IReadOnlySet<string>> SeenAsync() => await PathsAsync("/__bench/seen");

    /// <summary>The site's own URL list: what every system's set is compared with.</summary>
    public async Task<IReadOnlySet<string>> UrlsAsync() => await PathsAsync("/__bench/urls");

    private async Task<IReadOnlySet<string>> PathsAsync(string path) =>
        (await GetAsync(path)).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
