using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HealthChecks.Warmup.Tests.DependencyInjection;

[TestFixture]
public sealed class RegistrationTests
{
    private static WebApplication Build(Dictionary<string, string?> settings, Action<SiteWarmupOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddHealthChecks().AddSiteWarmup(configure);
        return builder.Build();
    }

    [Test]
    public void TheSameNameTwice_FailsWhereItIsAdded_NamingTheName()
    {
        var services = new ServiceCollection();
        var checks = services.AddHealthChecks().AddSiteWarmup(name: "shop");

        var error = Assert.Throws<InvalidOperationException>(() => checks.AddSiteWarmup(name: "shop"));

        Assert.That(error!.Message, Does.Contain("'shop'").And.Contain("its own name"));
        Assert.That(() => checks.AddSiteWarmup(name: "docs"), Throws.Nothing, "another name is another warm-up");
    }

    [TestCase("MaxDepth", "-1")]
    [TestCase("MaxConcurrency", "0")]
    [TestCase("MaxUrls", "0")]
    [TestCase("MaxParsedBytes", "10")]
    [TestCase("MaxRedirects", "51")]
    [TestCase("RequestTimeout", "00:00:00")]
    [TestCase("Deadline", "00:00:00.5")]
    [TestCase("RetryDelay", "00:00:00")]
    [TestCase("ProgressInterval", "00:00:00")]
    [TestCase("EntryPaths:0", "https://elsewhere.example/")]
    [TestCase("EntryPaths:0", "//elsewhere.example/")]
    [TestCase("EntryPaths:0", "no-slash")]
    public async Task BadConfiguration_FailsAtStartNamingTheKey(string key, string value)
    {
        await using var app = Build(new() { [$"HealthChecks:SiteWarmup:{key}"] = value });

        var failure = Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.That(failure!.Message, Does.Contain($"HealthChecks:SiteWarmup:{key.Split(':')[0]}"));
    }

    [Test]
    public async Task MaxRetryDelayBelowRetryDelay_FailsAtStart()
    {
        await using var app = Build(new()
        {
            ["HealthChecks:SiteWarmup:RetryDelay"] = "00:01:00",
            ["HealthChecks:SiteWarmup:MaxRetryDelay"] = "00:00:10",
        });

        var failure = Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.That(failure!.Message, Does.Contain("HealthChecks:SiteWarmup:MaxRetryDelay"));
    }

    [Test]
    public void Options_BindFromConfiguration_ThenTheDelegate()
    {
        using var app = Build(
            new()
            {
                ["HealthChecks:SiteWarmup:MaxDepth"] = "3",
                ["HealthChecks:SiteWarmup:EntryPaths:0"] = "/en",
                ["HealthChecks:SiteWarmup:EntryPaths:1"] = "/de",
                ["HealthChecks:SiteWarmup:IgnoreResourceServerErrors"] = "true",
            },
            o => o.MaxUrls = 77);

        var options = app.Services.GetRequiredService<IOptionsMonitor<SiteWarmupOptions>>().Get("site-warmup");

        Assert.That(options.MaxDepth, Is.EqualTo(3));
        Assert.That(options.EntryPaths, Is.EqualTo(new[] { "/en", "/de" }));
        Assert.That(options.IgnoreResourceServerErrors, Is.True);
        Assert.That(options.MaxUrls, Is.EqualTo(77));
    }

    [Test]
    public async Task NamedRegistration_BindsItsOwnSection_AndItsErrorsNameIt()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HealthChecks:SiteWarmup:MaxDepth"] = "3",
            ["HealthChecks:SiteWarmup:cdn:MaxDepth"] = "5",
            ["HealthChecks:SiteWarmup:cdn:Transport"] = "Http",
            ["HealthChecks:SiteWarmup:broken:MaxUrls"] = "0",
        });
        builder.Services.AddHealthChecks().AddSiteWarmup().AddSiteWarmup(name: "cdn").AddSiteWarmup(name: "broken");
        await using var app = builder.Build();
        var options = app.Services.GetRequiredService<IOptionsMonitor<SiteWarmupOptions>>();

        Assert.That(options.Get("site-warmup").MaxDepth, Is.EqualTo(3));
        Assert.That(options.Get("site-warmup").Transport, Is.EqualTo(WarmupTransport.InProcess));
        Assert.That(options.Get("cdn").MaxDepth, Is.EqualTo(5));
        Assert.That(options.Get("cdn").Transport, Is.EqualTo(WarmupTransport.Http));
        var failure = Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.That(failure!.Message, Does.Contain("HealthChecks:SiteWarmup:broken:MaxUrls"));
    }

    [Test]
    public void Options_WithoutEntryPaths_StartAtTheFrontPage()
    {
        using var app = Build([]);

        var options = app.Services.GetRequiredService<IOptionsMonitor<SiteWarmupOptions>>().Get("site-warmup");

        Assert.That(options.EntryPaths, Is.EqualTo(new[] { "/" }));
    }

    [Test]
    public void AddSiteWarmup_RegistersTheCheckWithItsArguments()
    {
        var services = new ServiceCollection();
        services.AddHealthChecks().AddSiteWarmup(name: "warm", failureStatus: HealthStatus.Degraded, tags: ["ready"], timeout: TimeSpan.FromSeconds(2));
        using var provider = services.BuildServiceProvider();

        var registration = provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Single();

        Assert.That(registration.Name, Is.EqualTo("warm"));
        Assert.That(registration.FailureStatus, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(registration.Tags, Is.EquivalentTo(new[] { "ready" }));
        Assert.That(registration.Timeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public void AddSiteWarmup_TwiceWithDifferentNames_AddsTheSharedServicesOnce()
    {
        var services = new ServiceCollection();
        services.AddHealthChecks().AddSiteWarmup(name: "a").AddSiteWarmup(name: "b");

        Assert.That(services.Count(d => d.ImplementationType == typeof(HealthChecks.Warmup.Coordination.WarmupHostedService)), Is.EqualTo(1));
        Assert.That(services.Count(d => d.ServiceType == typeof(Microsoft.AspNetCore.Hosting.IStartupFilter)), Is.EqualTo(1));
    }

    [Test]
    public void AddSiteWarmup_NullBuilder_Throws() =>
        Assert.That(() => ((IHealthChecksBuilder)null!).AddSiteWarmup(), Throws.ArgumentNullException);

    [Test]
    public async Task FailureStatus_IsWhatAProbeSeesWhileNotWarm()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddHealthChecks().AddSiteWarmup(failureStatus: HealthStatus.Degraded);
        await using var app = builder.Build();
        app.MapGet("/", () => Microsoft.AspNetCore.Http.Results.StatusCode(500));
        await app.StartAsync();
        var service = app.Services.GetRequiredService<HealthCheckService>();

        HealthReport report = null!;
        await Eventually.UntilAsync(async () =>
        {
            report = await service.CheckHealthAsync();
            return report.Entries["site-warmup"].Data["state"] is not ("NotStarted" or "Warming");
        }, "the warm-up reached a verdict");

        Assert.That(report.Status, Is.EqualTo(HealthStatus.Degraded));
    }
}
