using System.Net;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace HealthChecks.Warmup.Tests.Discovery;

/// <summary>
/// The host a site is warmed under. In production, visitors arrive under the site's public host (through a
/// load balancer or an ingress), host filtering refuses any other and the output cache keys its entries by
/// it; in-process, the Host never chooses where a request goes, so the warm-up carries one the app accepts
/// and caches by: <c>BaseAddress</c> when set, else the first concrete host of <c>AllowedHosts</c>.
/// </summary>
[TestFixture]
public sealed class PublicHostTests
{
    private static FixtureSite FilteredSite(string allowedHosts, Action<SiteWarmupOptions>? configure = null) =>
        new FixtureSite { Configure = configure }
            .Html("/", "<a href=\"/about\">about</a>")
            .Html("/about", "<p>about</p>")
            .WithServices(services => services.Configure<HostFilteringOptions>(o => o.AllowedHosts = allowedHosts.Split(';')))
            .WithMiddleware(app => app.UseHostFiltering());

    [Test]
    public async Task AllowedHostsRestricted_WarmsUnderTheFirstConcreteHost()
    {
        await using var site = await FilteredSite("*.cdn.example;www.example.com;example.com").StartAsync();
        site.Client.DefaultRequestHeaders.Host = "www.example.com";

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(site.WarmupRequests.Select(r => r.Host).Distinct(), Is.EqualTo(new[] { $"www.example.com:{site.Address.Port}" }));
        Assert.That(site.Paths, Is.EquivalentTo(new[] { "/", "/about" }));
        Assert.That(probe.Data.GetProperty("warmedAs").GetString(), Is.EqualTo($"http://www.example.com:{site.Address.Port}/"));
    }

    [Test]
    public async Task AllowedHostsOnlyWildcards_SaysWhatToSet()
    {
        await using var site = await FilteredSite("*.example.com").StartAsync();
        site.Client.DefaultRequestHeaders.Host = "www.example.com";

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), probe.Json);
        Assert.That(probe.Description, Does.Contain("only wildcard hosts (AllowedHosts: *.example.com)")
            .And.Contain("HealthChecks:SiteWarmup:BaseAddress"));
        Assert.That(site.WarmupRequests, Is.Empty, "nothing is requested under a host the app refuses");
    }

    [Test]
    public async Task AllowedHostsRestricted_OverHttpWithoutBaseAddress_FailureNamesHostFilteringAndTheOption()
    {
        await using var site = await FilteredSite("www.example.com", o => o.Transport = WarmupTransport.Http).StartAsync();
        site.Client.DefaultRequestHeaders.Host = "www.example.com";

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), probe.Json);
        Assert.That(probe.Description, Does.Contain("→ 400 (entry page)").And.Contain("Host filtering is on (AllowedHosts: www.example.com)")
            .And.Contain("HealthChecks:SiteWarmup:BaseAddress"));
    }

    [Test]
    public async Task LinksToThePublicHostAndToTheBoundAddress_AreTheSameSite()
    {
        await using var site = await new FixtureSite { Configure = o => o.BaseAddress = new Uri("https://www.example.com/") }
            .Route("/", context =>
            {
                var bound = context.RequestServices.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                context.Response.ContentType = "text/html";
                return context.Response.WriteAsync(
                    "<a href=\"https://www.example.com/about\">about</a><a href=\"http://www.example.com/plain\">plain</a>" +
                    $"<a href=\"{bound}/contact\">contact</a><a href=\"https://www.example.com:8443/other-port\">other</a>" +
                    "<a href=\"https://shop.example.com/\">shop</a>");
            })
            .Html("/about", "about").Html("/plain", "plain").Html("/contact", "contact")
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(site.Paths, Is.EquivalentTo(new[] { "/", "/about", "/plain", "/contact" }),
            "links to the public host, on either scheme, and to the bound address are the site; another port or host is not");
        Assert.That(site.WarmupRequests.Select(r => r.Host).Distinct(), Is.EqualTo(new[] { "www.example.com" }));
        Assert.That(probe.Count("outOfScope"), Is.EqualTo(2));
    }
}
