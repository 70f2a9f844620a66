using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace HealthChecks.Warmup.Tests.Fetching;

/// <summary>A user for in-process requests: pages behind a login render for the warm-up, and for nobody else.</summary>
[TestFixture]
public sealed class WarmupUserTests
{
    private static ClaimsPrincipal Admin(IServiceProvider _) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, "warm-up"), new Claim(ClaimTypes.Role, "Admin")], "Warmup"));

    /// <summary>Cookie authentication, a page for admins only, and a record of who each request to it ran as.</summary>
    private static FixtureSite Site(ConcurrentQueue<string> seenAs, Action<SiteWarmupOptions> configure) => new FixtureSite { Configure = configure }
        .WithServices(services =>
        {
            services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
            services.AddAuthorization();
        })
        .WithMiddleware(app =>
        {
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapGet("/admin", (HttpContext context) =>
            {
                seenAs.Enqueue(context.User.Identity?.Name ?? "(anonymous)");
                return Results.Content($"<p>Admin area for {context.User.Identity?.Name}</p>", "text/html");
            }).RequireAuthorization(policy => policy.RequireRole("Admin"));
        })
        .Html("/", "<a href=\"/admin\">admin</a>");

    [Test]
    public async Task PageBehindALogin_RendersForTheWarmupUser()
    {
        var seenAs = new ConcurrentQueue<string>();
        await using var site = await Site(seenAs, o => o.User = Admin).StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(site.CountOf("/admin"), Is.EqualTo(1));
        Assert.That(site.Paths, Does.Not.Contain("/Account/Login?ReturnUrl=%2Fadmin"), "no redirect to the login");
        Assert.That(seenAs, Is.EqualTo(new[] { "warm-up" }));
    }

    [Test]
    public async Task WithoutAUser_ThePageRedirectsTheWarmupToTheLogin()
    {
        var seenAs = new ConcurrentQueue<string>();
        await using var site = await Site(seenAs, _ => { }).StartAsync();

        await site.WaitForVerdictAsync();

        var admin = site.Logs.Named("UrlFetched").Single(e => e.Properties["Url"]?.ToString()?.EndsWith("/admin", StringComparison.Ordinal) == true);
        Assert.That(admin.Properties["Status"], Is.EqualTo(302), "the cookie scheme's challenge: to the login");
        Assert.That(seenAs, Is.Empty);
    }

    [Test]
    public async Task TheWarmupUser_CannotBeObtainedFromOutside()
    {
        var seenAs = new ConcurrentQueue<string>();
        await using var site = await Site(seenAs, o => o.User = Admin).StartAsync();
        await site.WaitForVerdictAsync();
        using var outside = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = site.Address };

        var attempts = new (string Name, Action<HttpRequestMessage> Dress)[]
        {
            ("plain", _ => { }),
            ("the warm-up's user agent", r => r.Headers.UserAgent.ParseAdd("HealthChecks.Warmup/1.0 (in-process)")),
            ("a made-up auth cookie", r => r.Headers.Add("Cookie", ".AspNetCore.Cookies=warm-up")),
            ("an Authorization header", r => r.Headers.Add("Authorization", "Warmup warm-up")),
            ("forwarded from loopback", r => r.Headers.Add("X-Forwarded-For", "127.0.0.1")),
            ("a warm-up header", r => r.Headers.Add("X-Site-Warmup", "true")),
        };
        foreach (var (name, dress) in attempts)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/admin?user=warm-up&role=Admin");
            dress(request);
            using var response = await outside.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), name);
            Assert.That(response.Headers.Location?.AbsolutePath, Is.EqualTo("/Account/Login"), name);
        }
        Assert.That(seenAs, Is.EqualTo(new[] { "warm-up" }), "only the warm-up's own request ran as its user");
    }

    [Test]
    public void User_OverHttp_IsAConfigurationErrorThatPointsToRequestHeaders()
    {
        var options = new SiteWarmupOptions { EntryPaths = ["/"], Transport = WarmupTransport.Http, User = Admin };

        var result = new SiteWarmupOptionsValidator().Validate("site-warmup", options);

        Assert.That(result.Failures, Is.EqualTo(new[]
        {
            "HealthChecks:SiteWarmup:User applies to in-process requests only: over HTTP, send the credentials a visitor would with RequestHeaders (a cookie or an Authorization header).",
        }));
    }
}
