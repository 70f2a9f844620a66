using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace HealthChecks.Warmup.Tests.Support;

/// <summary>A request Chromium made: its URL and what it was for (document, stylesheet, script, image, font...).</summary>
internal sealed record BrowserRequest(string Url, string ResourceType);

/// <summary>
/// Debian's Chromium, driven by Playwright through <c>ExecutablePath</c> (no browser download), headless.
/// It loads pages as a visitor's browser does and records every GET it makes on the site's own
/// origin: the judge of what a page really loads. One process for a whole fixture.
/// </summary>
internal sealed class Browser : IAsyncDisposable
{
    private static readonly string[] s_candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"];
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private Browser(IPlaywright playwright, IBrowser browser) => (_playwright, _browser) = (playwright, browser);

    /// <summary>Starts Chromium; fails (never skips) with how to install it when it is missing.</summary>
    public static async Task<Browser> LaunchAsync()
    {
        var path = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } configured ? configured : s_candidates.FirstOrDefault(File.Exists);
        if (path is null || !File.Exists(path))
        {
            throw new AssertionException("The browser tests drive Debian's Chromium: install it with `apt-get install -y chromium` (.ci/run does), or set CHROMIUM_PATH.");
        }
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = path,
                Headless = true,
                // Containers have no user namespaces for Chromium's sandbox; the pages are our own.
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
                Timeout = 60_000,
            });
            return new Browser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads each page in a fresh context (an empty cache, as a first visitor's) until the network is
    /// idle, and returns the GETs Chromium made on <paramref name="origin"/>, each URL once.
    /// </summary>
    public async Task<List<BrowserRequest>> LoadAsync(Uri origin, IEnumerable<Uri> pages, CancellationToken cancellationToken = default)
    {
        var seen = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        foreach (var url in pages)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ServiceWorkers = ServiceWorkerPolicy.Block });
            var page = await context.NewPageAsync();
            page.Request += (_, request) =>
            {
                if (request.Method == "GET" && Uri.TryCreate(request.Url, UriKind.Absolute, out var requested)
                    && Uri.Compare(requested, origin, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0)
                {
                    seen.TryAdd(new UriBuilder(requested) { Fragment = "" }.Uri.AbsoluteUri, request.ResourceType);
                }
            };
            await page.GotoAsync(url.AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle, Timeout = 30_000 });
        }
        return [.. seen.Select(kv => new BrowserRequest(kv.Key, kv.Value)).OrderBy(r => r.Url, StringComparer.Ordinal)];
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
