using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using HealthChecks.Warmup.Tests.Support;

namespace HealthChecks.Warmup.Tests.Templates;

/// <summary>
/// A fresh <c>dotnet new webapp</c> configured the way production apps are — host filtering restricted to
/// the public host, ASP.NET Core's rate limiter partitioned by remote address — published once and run in
/// Production under each configuration. A middleware first in the pipeline prints every request the app
/// answered (<c>SEEN host path status warm-up?</c>): the app's own record of what the warm-up did.
/// </summary>
[TestFixture]
[Category("Templates")]
public sealed partial class ProductionConfigTests
{
    // The template's pipeline grows a record of every answer and the rate limiter the issue describes,
    // its limits read from configuration (none unless Limits:PermitLimit is set); probes are not limited.
    private const string RateLimiter = """
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = 429;
            var permits = builder.Configuration.GetValue<int>("Limits:PermitLimit");
            var window = builder.Configuration.GetValue<TimeSpan>("Limits:Window");
            limiter.GlobalLimiter = System.Threading.RateLimiting.PartitionedRateLimiter.Create<HttpContext, string>(context =>
                permits <= 0 || context.Request.Path.StartsWithSegments("/health")
                    ? System.Threading.RateLimiting.RateLimitPartition.GetNoLimiter("none")
                    : System.Threading.RateLimiting.RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "",
                        _ => new System.Threading.RateLimiting.FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window }));
        });
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            await next(context);
            Console.WriteLine($"SEEN {context.Request.Host} {context.Request.Path} {context.Response.StatusCode} {context.IsSiteWarmupRequest()}");
        });
        app.UseRateLimiter();
        """;

    private DirectoryInfo _work = null!;
    private string _app = null!;

    [OneTimeSetUp]
    public async Task PublishOnce()
    {
        _work = Directory.CreateTempSubdirectory("warmup-production-");
        _app = await TemplateApp.CreateAsync("webapp", _work.FullName,
            code => code.Replace("var app = builder.Build();", RateLimiter, StringComparison.Ordinal));
    }

    [OneTimeTearDown]
    public void Delete() => Processes.DeleteQuietly(_work);

    [Test]
    [CancelAfter(180_000)]
    public async Task AllowedHostsRestricted_IsReady_UnderTheAllowedHost(CancellationToken cancellationToken)
    {
        var run = await RunAsync(new() { ["AllowedHosts"] = "www.example.com;example.com" }, "www.example.com", cancellationToken);

        Assert.That(run.Status, Is.EqualTo(HttpStatusCode.OK), run.Explain());
        Assert.That(run.Warmup.Select(s => s.Host).Distinct(), Is.EqualTo(new[] { $"www.example.com:{run.Port}" }), run.Explain());
        Assert.That(run.Warmup.Where(s => s.Path == "/").Select(s => s.Status), Is.Not.Empty.And.All.EqualTo(200), run.Explain());
        Assert.That(run.Data.GetProperty("warmedAs").GetString(), Is.EqualTo($"http://www.example.com:{run.Port}/"));
    }

    [Test]
    [CancelAfter(180_000)]
    public async Task AllowedHostsOnlyWildcards_FailsWithAClearMessage(CancellationToken cancellationToken)
    {
        var run = await RunAsync(new() { ["AllowedHosts"] = "*.example.com" }, "www.example.com", cancellationToken);

        Assert.That(run.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), run.Explain());
        Assert.That(run.Description, Does.Contain("only wildcard hosts (AllowedHosts: *.example.com)").And.Contain("HealthChecks:SiteWarmup:BaseAddress"));
    }

    [Test]
    [CancelAfter(180_000)]
    public async Task RateLimited_IsReadyOnlyAfterEveryUrlAnswered200Once(CancellationToken cancellationToken)
    {
        var run = await RunAsync(new() { ["Limits__PermitLimit"] = "4", ["Limits__Window"] = "00:00:02" }, host: null, cancellationToken);

        Assert.That(run.Status, Is.EqualTo(HttpStatusCode.OK), run.Explain());
        var refused = run.Warmup.Count(s => s.Status == 429);
        TestContext.Out.WriteLine($"{run.Warmup.Count} warm-up requests, {refused} refused: {run.Description}");
        Assert.That(refused, Is.Positive, $"the limiter refused the warm-up: the test tests something\n{run.Explain()}");
        Assert.That(run.Data.GetProperty("rateLimitRetries").GetInt32(), Is.EqualTo(refused), "each refusal retried and counted");
        var answered = run.Warmup.Where(s => s.Status != 429).ToList();
        Assert.That(answered.GroupBy(s => s.Path).Where(g => g.Count() > 1).Select(g => g.Key), Is.Empty, "each URL answered once");
        Assert.That(answered.Where(s => s.Status != 200 && s.Path is not "/robots.txt" and not "/sitemap.xml"), Is.Empty, run.Explain());
        Assert.That(answered.Select(s => s.Path), Does.Contain("/").And.Contain("/Privacy"), run.Explain());
        Assert.That(run.Data.GetProperty("clientErrors").GetInt32(), Is.Zero, "no refusal counted as a broken link");
    }

    [Test]
    [CancelAfter(180_000)]
    public async Task RateLimiterThatNeverLetsTheWarmupThrough_IsUnhealthy_AndSaysWhy(CancellationToken cancellationToken)
    {
        var run = await RunAsync(new()
        {
            ["Limits__PermitLimit"] = "1",
            ["Limits__Window"] = "01:00:00",
            ["HealthChecks__SiteWarmup__MaxRateLimitWait"] = "00:00:02",
        }, host: null, cancellationToken);

        Assert.That(run.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), run.Explain());
        Assert.That(run.Description, Does.Contain("rate limited").And.Contain("The app's rate limiting refused the warm-up")
            .And.Contain("IsSiteWarmupRequest()"));
    }

    private async Task<Run> RunAsync(Dictionary<string, string> environment, string? host, CancellationToken cancellationToken)
    {
        var port = Processes.FreePort();
        var output = new ConcurrentQueue<string>();
        environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var process = Processes.Start(TemplateApp.Published(_app), environment, output.Enqueue, "dotnet", "webapp.dll", "--urls", $"http://127.0.0.1:{port}");
        try
        {
            var (status, body) = await TemplateApp.WaitForVerdictAsync(new Uri($"http://127.0.0.1:{port}/"), process, output, cancellationToken, host);
            var entry = JsonDocument.Parse(body).RootElement.GetProperty("entries").GetProperty("site-warmup");
            List<Seen> warmup = [.. output.Select(line => SeenLine().Match(line)).Where(m => m.Success && m.Groups["warmup"].Value == "True")
                .Select(m => new Seen(m.Groups["host"].Value, m.Groups["path"].Value, int.Parse(m.Groups["status"].Value, System.Globalization.CultureInfo.InvariantCulture)))];
            return new Run(port, status, entry.GetProperty("description").GetString() ?? "", entry.GetProperty("data").Clone(), warmup, [.. output]);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private sealed record Seen(string Host, string Path, int Status);

    private sealed record Run(int Port, HttpStatusCode Status, string Description, JsonElement Data, List<Seen> Warmup, List<string> Output)
    {
        public string Explain() => $"{Status}: {Description}\n{string.Join('\n', Output)}";
    }

    [GeneratedRegex(@"SEEN (?<host>\S+) (?<path>\S+) (?<status>\d+) (?<warmup>True|False)")]
    private static partial Regex SeenLine();
}
