using System.Reflection;
using HealthChecks.Warmup.Discovery;
using HealthChecks.Warmup.Sample.Services;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace HealthChecks.Warmup.Tests.Discovery;

/// <summary>
/// Endpoint discovery on an app with Razor Pages (the sample's), MVC controllers (attribute and
/// conventional routes) and minimal APIs: exactly the GET endpoints of the app's own code that need no
/// route value, minus exclusions, and the opt-ins apart.
/// </summary>
[TestFixture]
public sealed class EndpointDiscoveryTests
{
    private static readonly string[] s_expected =
    [
        // Razor Pages of the sample site (Index answers at "" and "Index").
        "/", "/Index", "/About", "/Blog", "/Contact", "/Docs", "/Error", "/Gallery", "/Products",
        // MVC, attribute-routed.
        "/mvc/list", "/mvc/page/1", "/mvc/optional",
        // MVC, attribute-routed, of SynchronousIOTests (the same test assembly is the application part).
        "/xml/opted-in", "/xml/not-opted-in",
        // MVC, conventional route {controller=Home}/{action=Index}/{id?}.
        "/Conventional/Index", "/Conventional/Details",
        // Minimal APIs, one a request delegate.
        "/api/ping", "/api/any", "/api/context",
    ];

    private static readonly string[] s_named = ["/mvc/item/7", "/api/items/1"];

    private static FixtureSite AppWithEveryKindOfEndpoint(Action<SiteWarmupOptions>? configure = null) => new FixtureSite
    {
        Configure = o =>
        {
            o.MaxDepth = 0;
            configure?.Invoke(o);
        },
    }
        .WithServices(services =>
        {
            services.AddSingleton<SlowCatalog>();
            services.AddRazorPages().AddApplicationPart(typeof(Program).Assembly);
            services.AddControllersWithViews().AddApplicationPart(typeof(MvcFixtureController).Assembly);
        })
        .WithMiddleware(app =>
        {
            app.MapRazorPages();
            app.MapControllers();
            app.MapControllerRoute("default", "{controller=Home}/{action=Index}/{id?}");
            app.MapGet("/api/ping", () => "pong");
            app.MapGet("/api/items/{id}", (int id) => id).WithWarmup("/api/items/1");
            app.MapGet("/api/needs/{value}", (string value) => value);
            app.MapPost("/api/post", () => "posted");
            app.MapGet("/api/hidden", () => "hidden").ExcludeFromWarmup();
            app.MapMethods("/api/any", ["GET", "HEAD"], () => "any");
            app.MapGet("/api/context", context => context.Response.WriteAsync("a request delegate"));
            app.MapHealthChecks("/health/live");
        });

    [Test]
    public async Task Discovery_FindsExactlyTheAppsParameterlessGetEndpoints_MinusExclusions_AndTheOptInsApart()
    {
        SlowCatalog.ColdDelay = TimeSpan.Zero;
        await using var site = await AppWithEveryKindOfEndpoint().StartAsync();

        var found = AppEndpoints.Read(site.Services.GetService<Microsoft.AspNetCore.Routing.EndpointDataSource>());

        Assert.That(found.Discovered, Is.EquivalentTo(s_expected), "health endpoints are the framework's code, not the app's");
        Assert.That(found.Named, Is.EquivalentTo(s_named));
    }

    [Test]
    public async Task DiscoveredEndpoints_AreWarmed_AndTheirFailuresAreNotEntryFailures()
    {
        SlowCatalog.ColdDelay = TimeSpan.Zero;
        await using var site = await AppWithEveryKindOfEndpoint().StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(site.Paths, Is.SupersetOf(s_expected).And.SupersetOf(s_named));
        Assert.That(site.Paths, Does.Not.Contain("/api/hidden").And.Not.Contain("/mvc/secret").And.Not.Contain("/health/live").And.Not.Contain("/api/post"));
        Assert.That(probe.Status, Is.EqualTo(System.Net.HttpStatusCode.OK), probe.Json);
    }

    /// <summary>
    /// Pages, controllers and components a Microsoft package ships (Identity's default UI) are that
    /// package's code, told by their type's assembly: the same descriptors with the app's own types are the app's.
    /// </summary>
    [Test]
    public void PagesControllersAndComponents_OfMicrosoftsPackages_AreNotTheAppsOwn()
    {
        static RouteEndpoint Endpoint(object metadata) => new(_ => Task.CompletedTask, Microsoft.AspNetCore.Routing.Patterns.RoutePatternFactory.Parse("/x"), 0,
            new EndpointMetadataCollection(metadata), "x");
        var frameworkType = typeof(Microsoft.AspNetCore.Mvc.RazorPages.PageModel).GetTypeInfo();
        var appType = typeof(MvcFixtureController).GetTypeInfo();

        Assert.Multiple(() =>
        {
            Assert.That(AppCode.Serves(Endpoint(new Microsoft.AspNetCore.Mvc.RazorPages.CompiledPageActionDescriptor { PageTypeInfo = frameworkType, HandlerTypeInfo = frameworkType })), Is.False);
            Assert.That(AppCode.Serves(Endpoint(new Microsoft.AspNetCore.Mvc.RazorPages.CompiledPageActionDescriptor { PageTypeInfo = appType, HandlerTypeInfo = appType })), Is.True);
            Assert.That(AppCode.Serves(Endpoint(new Microsoft.AspNetCore.Mvc.Controllers.ControllerActionDescriptor { ControllerTypeInfo = frameworkType })), Is.False);
            Assert.That(AppCode.Serves(Endpoint(new Microsoft.AspNetCore.Mvc.Controllers.ControllerActionDescriptor { ControllerTypeInfo = appType })), Is.True);
            Assert.That(AppCode.Serves(Endpoint(new Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata(typeof(Microsoft.AspNetCore.Components.Routing.Router)))), Is.False);
            Assert.That(AppCode.Serves(Endpoint(new Microsoft.AspNetCore.Mvc.RazorPages.PageActionDescriptor())), Is.True, "a page not compiled yet: whose it is is not known");
        });
    }

    [Test]
    public async Task DiscoverEndpointsOff_WarmsOnlyTheEntryPages()
    {
        SlowCatalog.ColdDelay = TimeSpan.Zero;
        await using var site = await AppWithEveryKindOfEndpoint(o => o.DiscoverEndpoints = false).StartAsync();

        await site.WaitForVerdictAsync();

        Assert.That(site.Paths, Does.Not.Contain("/api/ping").And.Not.Contain("/mvc/list"));
        Assert.That(site.Paths, Does.Contain("/"));
    }
}

[Route("mvc")]
public sealed class MvcFixtureController : Controller
{
    [HttpGet("list")]
    public IActionResult List() => Content("list");

    [HttpGet("item/{id}")]
    [Warmup("/mvc/item/7")]
    public IActionResult Item(int id) => Content($"item {id}");

    [HttpGet("needs/{id}")]
    public IActionResult Needs(int id) => Content($"needs {id}");

    [HttpGet("page/{n=1}")]
    public IActionResult Page(int n) => Content($"page {n}");

    [HttpGet("optional/{x?}")]
    public IActionResult Optional(string? x) => Content($"optional {x}");

    [HttpPost("save")]
    public IActionResult Save() => Content("saved");

    [HttpGet("secret")]
    [ExcludeFromWarmup]
    public IActionResult Secret() => Content("secret");
}

public sealed class ConventionalController : Controller
{
    public IActionResult Index() => Content("conventional index");

    public IActionResult Details(int id) => Content($"details {id}");
}
