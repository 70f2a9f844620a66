using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using HealthChecks.Warmup.Tests.Support;

namespace HealthChecks.Warmup.Tests.Templates;

/// <summary>
/// A fresh <c>dotnet new webapp</c> grown the way real apps grow past their links — a warm-up step, cookie
/// authentication with an admin-only Razor Page, three cultures and a mobile variant — published and run in
/// Production. A middleware prints every request it answered (<c>SEEN path status culture device warm-up?</c>).
/// </summary>
[TestFixture]
[Category("Templates")]
public sealed partial class BeyondLinksAppTests
{
    private const string Warmup = """
        builder.Services.AddHealthChecks().AddSiteWarmup(o =>
        {
            o.Steps.Add("catalog", (services, ct) => { Console.WriteLine("STEP catalog done"); return Task.CompletedTask; });
            o.User = _ => new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "warm-up"), new Claim(ClaimTypes.Role, "Admin")], "Warmup"));
            o.Variants.Add("mobile", new Dictionary<string, string> { ["X-Device"] = "phone" });
        });
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
        builder.Services.Configure<RequestLocalizationOptions>(o =>
            o.SetDefaultCulture("en").AddSupportedCultures("en", "de", "fr").AddSupportedUICultures("en", "de", "fr"));
        """;

    private const string Pipeline = """
        var app = builder.Build();
        app.UseRequestLocalization();
        app.Use(async (context, next) =>
        {
            var culture = System.Globalization.CultureInfo.CurrentUICulture.Name;
            await next(context);
            Console.WriteLine($"SEEN {context.Request.Path} {context.Response.StatusCode} {culture} device:{context.Request.Headers["X-Device"]} {context.IsSiteWarmupRequest()}");
        });
        """;

    private const string AdminPage = """
        @page
        @attribute [Microsoft.AspNetCore.Authorization.Authorize(Roles = "Admin")]
        @{ Console.WriteLine($"RENDERED Admin as {User.Identity?.Name}"); }
        <h1>Admin area</h1>
        <p>Signed in as @User.Identity?.Name.</p>
        """;

    private DirectoryInfo _work = null!;
    private Run _run = null!;

    [OneTimeSetUp]
    public async Task PublishAndRunOnce()
    {
        _work = Directory.CreateTempSubdirectory("warmup-beyond-links-");
        using var setUp = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var app = await TemplateApp.CreateAsync("webapp", _work.FullName,
            code => "using System.Security.Claims;\nusing Microsoft.AspNetCore.Authentication.Cookies;\n" + code
                .Replace(TemplateApp.AddWarmup, Warmup, StringComparison.Ordinal)
                .Replace("var app = builder.Build();", Pipeline, StringComparison.Ordinal)
                .Replace("app.UseAuthorization();", "app.UseAuthentication();\napp.UseAuthorization();", StringComparison.Ordinal),
            new Dictionary<string, Func<string?, string>>
            {
                ["Pages/Admin.cshtml"] = _ => AdminPage,
                ["Pages/Index.cshtml"] = index => index + "\n<p><a href=\"/Admin\">Admin</a></p>\n",
            });

        var port = Processes.FreePort();
        var output = new ConcurrentQueue<string>();
        var process = Processes.Start(TemplateApp.Published(app), new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" }, output.Enqueue,
            "dotnet", "webapp.dll", "--urls", $"http://127.0.0.1:{port}");
        var origin = new Uri($"http://127.0.0.1:{port}/");
        var body = await TemplateApp.WaitUntilReadyAsync(origin, process, output, setUp.Token);
        // What warming bought the slowest pages is measured after the verdict: the data carries it once measured.
        using (var client = new HttpClient { BaseAddress = origin })
        {
            while (!body.Contains("\"slowest\"", StringComparison.Ordinal))
            {
                await Task.Delay(50, setUp.Token);
                body = await client.GetStringAsync("/health/ready", setUp.Token);
            }
        }
        _run = new Run(origin, process, output, JsonDocument.Parse(body).RootElement.GetProperty("entries").GetProperty("site-warmup").GetProperty("data").Clone());
    }

    [OneTimeTearDown]
    public async Task StopAndDelete()
    {
        if (_run is not null)
        {
            _run.Process.Kill(entireProcessTree: true);
            await _run.Process.WaitForExitAsync(CancellationToken.None);
            _run.Process.Dispose();
        }
        Processes.DeleteQuietly(_work);
    }

    private List<Seen> WarmupRequests => [.. _run.Output.Select(line => SeenLine().Match(line)).Where(m => m.Success && m.Groups["warmup"].Value == "True")
        .Select(m => new Seen(m.Groups["path"].Value, int.Parse(m.Groups["status"].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups["culture"].Value, m.Groups["device"].Value))];

    [Test]
    public void Step_RanBeforeTheFirstRequest_AndShowsInTheData()
    {
        var lines = _run.Output.ToList();
        var step = lines.FindIndex(l => l.Contains("STEP catalog done", StringComparison.Ordinal));
        var firstRequest = lines.FindIndex(l => SeenLine().IsMatch(l));
        Assert.That(step, Is.GreaterThanOrEqualTo(0).And.LessThan(firstRequest), _run.Explain());
        Assert.That(_run.Data.GetProperty("steps")[0].GetProperty("name").GetString(), Is.EqualTo("catalog"));
        Assert.That(_run.Data.GetProperty("steps")[0].GetProperty("outcome").GetString(), Is.EqualTo("succeeded"));
    }

    [Test]
    public void AdminPage_RenderedForTheWarmupUser()
    {
        Assert.That(WarmupRequests.Where(r => r.Path == "/Admin").Select(r => r.Status), Is.Not.Empty.And.All.EqualTo(200), _run.Explain());
        Assert.That(_run.Output, Has.Some.EqualTo("RENDERED Admin as warm-up"));
    }

    [TestCase("plain")]
    [TestCase("the warm-up's user agent")]
    [TestCase("a made-up auth cookie")]
    [TestCase("an Authorization header")]
    public async Task AdminPage_FromOutside_StillRedirectsToTheLogin(string dressedWith)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = _run.Origin };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/Admin");
        _ = dressedWith switch
        {
            "the warm-up's user agent" => request.Headers.TryAddWithoutValidation("User-Agent", "HealthChecks.Warmup/1.0 (in-process)"),
            "a made-up auth cookie" => request.Headers.TryAddWithoutValidation("Cookie", ".AspNetCore.Cookies=warm-up"),
            "an Authorization header" => request.Headers.TryAddWithoutValidation("Authorization", "Warmup warm-up"),
            _ => true,
        };

        using var response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(response.Headers.Location?.AbsolutePath, Is.EqualTo("/Account/Login"));
    }

    [Test]
    public void EntryPage_IsWarmedInEachCulture_AndTheMobileVariant()
    {
        var front = WarmupRequests.Where(r => r.Path == "/").ToList();
        Assert.That(front.Where(r => r.Device == "").Select(r => r.Culture), Is.SupersetOf(new[] { "en", "de", "fr" }), _run.Explain());
        Assert.That(front.Where(r => r.Device == "phone"), Is.Not.Empty, "the mobile variant's header reached the app");
        var variants = _run.Data.GetProperty("variants").Deserialize<Dictionary<string, int>>()!;
        Assert.That(variants.Keys, Is.EquivalentTo(new[] { "en", "de", "fr", "mobile" }));
        Assert.That(variants.Values.Distinct(), Has.Exactly(1).Items, "each variant the same pages");
    }

    [Test]
    public void Slowest_ShowsRealColdAndWarmTimes()
    {
        var slowest = _run.Data.GetProperty("slowest").EnumerateArray().ToList();
        Assert.That(slowest, Has.Count.EqualTo(5), _run.Explain());
        Assert.That(slowest[0].GetProperty("warmMs").GetInt64(), Is.LessThan(slowest[0].GetProperty("coldMs").GetInt64()),
            "the slowest page's second request, once the app is warm");
    }

    private sealed record Seen(string Path, int Status, string Culture, string Device);

    private sealed record Run(Uri Origin, System.Diagnostics.Process Process, ConcurrentQueue<string> Output, JsonElement Data)
    {
        public string Explain() => string.Join('\n', Output);
    }

    [GeneratedRegex(@"SEEN (?<path>\S+) (?<status>\d+) (?<culture>\S*) device:(?<device>\S*) (?<warmup>True|False)")]
    private static partial Regex SeenLine();
}
