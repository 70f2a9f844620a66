using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HealthChecks.Warmup.Tests.Discovery;

/// <summary>Every page once per variant — each culture of the app, each named set of headers — and every resource once.</summary>
[TestFixture]
public sealed class VariantTests
{
    /// <summary>A page linking to another, with a stylesheet; each crawl request's path, culture and X-Device recorded as the app ran it.</summary>
    private static FixtureSite Site(ConcurrentQueue<string> seen, Action<SiteWarmupOptions> configure, bool localized = false) => new FixtureSite { Configure = configure }
        // UseRequestLocalization first: the recorder after it sees the culture the request runs in.
        .WithMiddleware(app => _ = localized ? app.UseRequestLocalization() : app)
        .WithMiddleware(app => app.Use(async (context, next) =>
        {
            var userAgent = context.Request.Headers.UserAgent.ToString();
            if (userAgent.StartsWith("HealthChecks.Warmup/", StringComparison.Ordinal) && userAgent != HealthChecks.Warmup.Coordination.ProbeReach.UserAgent)
            {
                seen.Enqueue($"{context.Request.Path}|{CultureInfo.CurrentUICulture.Name}|{context.Request.Headers["X-Device"]}");
            }
            await next(context);
        }))
        .Html("/", "<link rel=\"stylesheet\" href=\"/site.css\"><a href=\"/about\">about</a>")
        .Html("/about", "about")
        .Css("/site.css", "body { color: red }");

    private static Dictionary<string, int> Variants(Probe probe) =>
        probe.Data.GetProperty("variants").Deserialize<Dictionary<string, int>>()!;

    [Test]
    public async Task LocalizedSite_GetsEveryPageInEachOfItsCultures_AndEveryResourceOnce()
    {
        var seen = new ConcurrentQueue<string>();
        var site = Site(seen, _ => { }, localized: true)
            .WithServices(services => services.Configure<RequestLocalizationOptions>(o =>
                o.SetDefaultCulture("en").AddSupportedCultures("en", "de", "fr").AddSupportedUICultures("en", "de", "fr")));
        await using var _ = await site.StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(seen.Where(s => !s.StartsWith("/site.css", StringComparison.Ordinal)), Is.EquivalentTo(new[] { "/|en|", "/|de|", "/|fr|", "/about|en|", "/about|de|", "/about|fr|" }));
        Assert.That(site.CountOf("/site.css"), Is.EqualTo(1), "a resource once");
        Assert.That(Variants(probe), Is.EquivalentTo(new Dictionary<string, int> { ["de"] = 2, ["en"] = 2, ["fr"] = 2 }));
    }

    [Test]
    public async Task CulturesTheAppDoesNotReadFromAcceptLanguage_AreNoVariants()
    {
        var seen = new ConcurrentQueue<string>();
        var site = Site(seen, _ => { }, localized: true)
            .WithServices(services => services.Configure<RequestLocalizationOptions>(o =>
            {
                o.SetDefaultCulture("en").AddSupportedCultures("en", "de", "fr").AddSupportedUICultures("en", "de", "fr");
                // A cookie alone: Accept-Language would change nothing.
                o.RequestCultureProviders = [new Microsoft.AspNetCore.Localization.CookieRequestCultureProvider()];
            }));
        await using var _ = await site.StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(site.CountOf("/"), Is.EqualTo(1));
        Assert.That(probe.Data.TryGetProperty("variants", out var _), Is.False);
    }

    [Test]
    public async Task OneCulture_IsNoVariant()
    {
        var seen = new ConcurrentQueue<string>();
        await using var site = await Site(seen, _ => { }).StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(site.CountOf("/"), Is.EqualTo(1));
        Assert.That(probe.Data.TryGetProperty("variants", out var _), Is.False);
    }

    [TestCase(WarmupTransport.InProcess)]
    [TestCase(WarmupTransport.Http)]
    public async Task NamedVariant_SendsItsHeaders_BesideThePlainRequest(WarmupTransport transport)
    {
        var seen = new ConcurrentQueue<string>();
        await using var site = await Site(seen, o =>
        {
            o.Transport = transport;
            o.Variants.Add("mobile", new Dictionary<string, string> { ["X-Device"] = "phone" });
        }).StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        var pages = seen.Where(s => !s.StartsWith("/site.css", StringComparison.Ordinal)).Select(s => s.Split('|')).Select(s => $"{s[0]}|{s[2]}");
        Assert.That(pages, Is.EquivalentTo(new[] { "/|", "/|phone", "/about|", "/about|phone" }));
        Assert.That(site.CountOf("/site.css"), Is.EqualTo(1));
        Assert.That(Variants(probe), Is.EquivalentTo(new Dictionary<string, int> { ["default"] = 2, ["mobile"] = 2 }));
    }

    [Test]
    public void VariantsAndCultures_BindFromConfiguration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HealthChecks:SiteWarmup:Variants:mobile:User-Agent"] = "Mozilla/5.0 (iPhone)",
            ["HealthChecks:SiteWarmup:Cultures:0"] = "de",
            ["HealthChecks:SiteWarmup:Cultures:1"] = "fr-CA",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddHealthChecks().AddSiteWarmup();

        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptionsMonitor<SiteWarmupOptions>>().Get("site-warmup");

        Assert.That(options.Variants["mobile"]["User-Agent"], Is.EqualTo("Mozilla/5.0 (iPhone)"));
        Assert.That(options.Cultures, Is.EqualTo(new[] { "de", "fr-CA" }));
    }

    [Test]
    public void BadVariants_AreConfigurationErrors()
    {
        var options = new SiteWarmupOptions { EntryPaths = ["/"], Cultures = ["de", "not a culture"] };
        options.Variants.Add("default", new Dictionary<string, string>());
        options.Variants.Add("tablet", new Dictionary<string, string> { ["Host"] = "elsewhere.example", ["Bad Header"] = "x" });

        var result = new SiteWarmupOptionsValidator().Validate("site-warmup", options);

        Assert.That(result.Failures, Is.EquivalentTo(new[]
        {
            "HealthChecks:SiteWarmup:Variants has a variant named \"default\": a name is one word, and not \"default\".",
            "HealthChecks:SiteWarmup:Variants:tablet has an invalid header \"Host\" (Host is always the site's).",
            "HealthChecks:SiteWarmup:Variants:tablet has an invalid header \"Bad Header\" (Host is always the site's).",
            "HealthChecks:SiteWarmup:Cultures has \"not a culture\": a culture name such as de or fr-CA.",
        }));
    }
}
