using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using HealthChecks.Warmup.Tests.Support;

namespace HealthChecks.Warmup.Tests.Templates;

/// <summary>
/// The SDK's own templates, as a new user meets the library: a fresh <c>dotnet new</c> app in a
/// temporary folder, the README's two lines and a project reference added, published and run in
/// Production. It must get ready, request no more than twice what its pages and their resources come
/// to (wget's recursive fetch of the same site, one level deep, with page requisites, is the judge;
/// robots.txt and sitemaps aside), and send nothing to the framework's plumbing. These tests are how
/// the library learns that a new ASP.NET Core changed what apps look like.
/// </summary>
[TestFixture]
[Category("Templates")]
public sealed partial class TemplateAppTests
{
    [TestCase("webapp")]
    [TestCase("mvc")]
    [TestCase("blazor")]
    [CancelAfter(600_000)]
    public Task FreshTemplateApp_WithTheReadmesTwoLines_GetsReadyAndWarmsWhatItsPagesLoad(string template, CancellationToken cancellationToken) =>
        GetsReadyAndWarmsWhatItsPagesLoadAsync(template, [], notWarmed: _ => false, cancellationToken);

    /// <summary>
    /// Individual accounts: Identity's default UI is Microsoft's code, so its pages are warmed through the
    /// links the layout has (sign-in, registration), and those that work only inside a flow (the second
    /// step of a two-factor sign-in, which throws out of it) are not discovered.
    /// </summary>
    [Test]
    [CancelAfter(600_000)]
    public Task FreshMvcAppWithIndividualAccounts_GetsReadyAndWarmsWhatItsPagesLoad(CancellationToken cancellationToken) =>
        GetsReadyAndWarmsWhatItsPagesLoadAsync("mvc", ["--auth", "Individual"], notWarmed: _ => false, cancellationToken);

    /// <summary>
    /// WebAssembly interactivity: no circuit, so no <c>_blazor/initializers</c> (the app answers it 404).
    /// What the WebAssembly runtime downloads once a page holds a WebAssembly component — <c>dotnet.js</c>
    /// through the import map, then the assemblies, ICU data and <c>appsettings.json</c> its boot
    /// configuration lists — is not warmed (docs/warming-more.md): static files that cost the server a
    /// file send each, named here so that anything else Chromium loads is still judged.
    /// </summary>
    [Test]
    [CancelAfter(600_000)]
    public Task FreshBlazorWebAssemblyApp_GetsReady_AndAsksForNoCircuit(CancellationToken cancellationToken) =>
        GetsReadyAndWarmsWhatItsPagesLoadAsync("blazor", ["--interactivity", "WebAssembly"], IsWebAssemblyRuntimeDownload, cancellationToken);

    /// <summary>A web API maps nothing at <c>/</c>: it gets ready on its endpoints and is never asked for <c>/</c>.</summary>
    [TestCase("--use-controllers", "false")]
    [TestCase("--use-controllers", "true")]
    [CancelAfter(600_000)]
    public async Task FreshWebApi_GetsReadyOnItsEndpoints(string option, string value, CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("warmup-template-webapi-");
        try
        {
            var app = await TemplateApp.CreateAsync("webapi", work.FullName, options: [option, value]);
            var (origin, process, output) = Run(app, "webapi");
            using var _ = process;
            try
            {
                var ready = await TemplateApp.WaitUntilReadyAsync(origin, process, output, cancellationToken);
                var warmed = Requested(output, origin).Select(u => new Uri(u).AbsolutePath).ToList();

                Assert.That(warmed, Does.Contain("/weatherforecast").Or.Contain("/WeatherForecast"), string.Join('\n', output));
                Assert.That(warmed, Does.Not.Contain("/"), "nothing is mapped at /");
                var data = JsonDocument.Parse(ready).RootElement.GetProperty("entries").GetProperty("site-warmup").GetProperty("data");
                Assert.That(data.GetProperty("clientErrors").GetInt32(), Is.Zero, ready);
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
        finally
        {
            Processes.DeleteQuietly(work);
        }
    }

    private static async Task GetsReadyAndWarmsWhatItsPagesLoadAsync(string template, string[] options, Func<Uri, bool> notWarmed, CancellationToken cancellationToken)
    {
        var wget = Wget();
        var work = Directory.CreateTempSubdirectory($"warmup-template-{template}-");
        try
        {
            var app = await TemplateApp.CreateAsync(template, work.FullName, options: options);
            var (origin, process, output) = Run(app, template);
            using var _ = process;
            try
            {
                var ready = await TemplateApp.WaitUntilReadyAsync(origin, process, output, cancellationToken);
                var warmed = Requested(output, origin);
                var pages = await wget.UrlsAsync(origin, work.FullName);

                var data = JsonDocument.Parse(ready).RootElement.GetProperty("entries").GetProperty("site-warmup").GetProperty("data");
                Assert.That(data.GetProperty("clientErrors").GetInt32() + data.GetProperty("serverErrors").GetInt32() + data.GetProperty("errors").GetInt32(),
                    Is.Zero, $"no broken link in a fresh template: {ready}\n{string.Join('\n', warmed)}");
                Assert.That(pages, Is.Not.Empty, "wget found the site's pages");
                Assert.That(warmed.Where(IsFrameworkPlumbing), Is.Empty, "no request to the framework's plumbing");
                var crawled = warmed.Where(u => !IsRobotsOrSitemap(u)).ToList();
                TestContext.Out.WriteLine($"{template}: the warm-up requested {crawled.Count} URLs (robots.txt and sitemaps aside), wget {pages.Count}");
                Assert.That(crawled.Count, Is.LessThanOrEqualTo(2 * pages.Count),
                    $"at most twice what the pages load ({pages.Count}: {string.Join(' ', pages)});\nwarmed {crawled.Count}: {string.Join(' ', crawled)}");
                Assert.That(crawled, Is.SupersetOf(pages.Where(p => !IsRobotsOrSitemap(p))), "every page and resource wget reached was warmed");

                // Chromium, the real judge: every same-origin GET it makes on the pages the warm-up reached was warmed.
                await using var browser = await Support.Browser.LaunchAsync();
                var reached = output.Select(line => ReachedPage().Match(line)).Where(m => m.Success).Select(m => new Uri(m.Groups["url"].Value))
                    .Where(u => u.AbsoluteUri.StartsWith(origin.AbsoluteUri, StringComparison.Ordinal)).Distinct().ToList();
                var loaded = await browser.LoadAsync(origin, reached, cancellationToken);
                TestContext.Out.WriteLine($"{template}: Chromium made {loaded.Count} same-origin GETs on the {reached.Count} pages");
                var judged = loaded.Where(r => !notWarmed(new Uri(r.Url))).ToList();
                if (judged.Count < loaded.Count)
                {
                    TestContext.Out.WriteLine($"{template}: {loaded.Count - judged.Count} of them are the WebAssembly runtime's downloads, not warmed");
                }
                Browser.BrowserParityTests.AssertWarmed(origin, judged, [.. warmed.Select(u => new Uri(u).PathAndQuery)]);
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
        finally
        {
            Processes.DeleteQuietly(work);
        }
    }

    /// <summary>The published app run in Production on a free port, every request and outcome logged.</summary>
    private static (Uri Origin, System.Diagnostics.Process Process, ConcurrentQueue<string> Output) Run(string app, string template)
    {
        var port = Processes.FreePort();
        var output = new ConcurrentQueue<string>();
        var process = Processes.Start(TemplateApp.Published(app), new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            // Every request and outcome at Information, so that the log lists what was requested.
            ["HealthChecks__SiteWarmup__Verbose"] = "true",
        }, output.Enqueue, "dotnet", $"{template}.dll", "--urls", $"http://127.0.0.1:{port}");
        return (new Uri($"http://127.0.0.1:{port}/"), process, output);
    }

    /// <summary>What the WebAssembly runtime downloads as it boots: under <c>_framework/</c> but Blazor's own script, and the client's settings.</summary>
    private static bool IsWebAssemblyRuntimeDownload(Uri url) =>
        (url.AbsolutePath.StartsWith("/_framework/", StringComparison.Ordinal) && !url.AbsolutePath.StartsWith("/_framework/blazor.web.", StringComparison.Ordinal))
        || url.AbsolutePath is "/appsettings.json" or "/appsettings.Production.json";

    /// <summary>The URLs the warm-up's log says it requested (UrlFetched, UrlClientError, UrlFailed, HealthEndpointReached).</summary>
    private static List<string> Requested(IEnumerable<string> output, Uri origin) =>
        [.. output.Select(line => RequestedUrl().Match(line)).Where(m => m.Success).Select(m => m.Groups["url"].Value)
            .Where(u => u.StartsWith(origin.AbsoluteUri, StringComparison.Ordinal)).Distinct()];

    // Blazor's circuit (negotiate, the connection, disconnect) and redirect endpoints; not its initializers,
    // which the browser fetches with GET on every page load.
    private static bool IsFrameworkPlumbing(string url) =>
        (url.Contains("/_blazor", StringComparison.OrdinalIgnoreCase) && !url.Contains("/_blazor/initializers", StringComparison.OrdinalIgnoreCase))
        || url.Contains("/_framework/opaque-redirect", StringComparison.OrdinalIgnoreCase);

    private static bool IsRobotsOrSitemap(string url) =>
        url.EndsWith("/robots.txt", StringComparison.Ordinal) || url.EndsWith("/sitemap.xml", StringComparison.Ordinal);

    private static Wget Wget() =>
        File.Exists("/usr/bin/wget") ? new Wget("/usr/bin/wget")
        : throw new AssertionException("These tests compare with wget: install it (apt-get install -y wget; .ci/run does).");

    [GeneratedRegex(@"Page (?<url>https?://\S+) answered 200 ")]
    private static partial Regex ReachedPage();

    [GeneratedRegex(@"(?:Page|Resource|Sitemap|HealthEndpoint) (?<url>https?://\S+) (?:answered|failed)")]
    private static partial Regex RequestedUrl();
}

/// <summary>wget's recursive fetch of a site, one level deep with page requisites: what the pages and their resources come to.</summary>
internal sealed partial class Wget(string path)
{
    public async Task<List<string>> UrlsAsync(Uri origin, string work)
    {
        var into = Directory.CreateDirectory(Path.Combine(work, "wget")).FullName;
        // Exit code 8: some URL answered an error. wget guesses URLs in inline JSON too (Blazor's `href:`).
        var log = await Processes.RunAsync(into, [0, 8], path, "-r", "-l", "1", "-p", "-nv", "-e", "robots=off", "--delete-after", "-P", into, origin.AbsoluteUri);
        return [.. log.Split('\n').Select(line => FetchedUrl().Match(line)).Where(m => m.Success).Select(m => m.Groups["url"].Value).Distinct()];
    }

    [GeneratedRegex(@"URL:(?<url>https?://\S+) ")]
    private static partial Regex FetchedUrl();
}
