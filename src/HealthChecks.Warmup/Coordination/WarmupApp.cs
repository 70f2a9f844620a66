using HealthChecks.Warmup.Discovery;
using HealthChecks.Warmup.Fetching.InProcess;
using HealthChecks.Warmup.Reporting;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HealthChecks.Warmup.Coordination;

/// <summary>
/// What a warm-up reads of the app it runs in, each part injected (the optional ones are absent from a
/// bare host: no server, no routing): one for every registration. The coordinators read the app only
/// through this.
/// </summary>
internal sealed class WarmupApp(
    InProcessApplication application,
    IHttpClientFactory httpClients,
    IEnumerable<ISiteWarmupSource> sources,
    IOptions<KestrelServerOptions> kestrel,
    IOptions<HostFilteringOptions> hostFiltering,
    WarmupTelemetry telemetry,
    TimeProvider time,
    IServiceScopeFactory scopes,
    IOptions<Microsoft.AspNetCore.Builder.RequestLocalizationOptions>? localization = null,
    IServiceProviderIsService? isService = null,
    IServer? server = null,
    EndpointDataSource? endpoints = null,
    Microsoft.AspNetCore.Hosting.IWebHostEnvironment? environment = null)
{
    /// <summary>The app's request pipeline, once the host has built it.</summary>
    public InProcessApplication Application { get; } = application;

    /// <summary>The named HTTP clients of the HTTP transport.</summary>
    public IHttpClientFactory HttpClients { get; } = httpClients;

    /// <summary>The app's own sources of sites and entry pages.</summary>
    public IReadOnlyList<ISiteWarmupSource> Sources { get; } = [.. sources];

    /// <summary>The server, when the host has one (the server warm-up and the bound addresses need it).</summary>
    public IServer? Server { get; } = server;

    public WarmupTelemetry Telemetry { get; } = telemetry;

    public TimeProvider Time { get; } = time;

    /// <summary>
    /// The supported UI cultures of the app's request localization (one, the current culture, when it has
    /// none); none when no provider reads <c>Accept-Language</c>: a culture the app would not see is no variant.
    /// </summary>
    public IReadOnlyList<string> Cultures { get; } = localization?.Value is { } requestLocalization
        && requestLocalization.RequestCultureProviders.OfType<Microsoft.AspNetCore.Localization.AcceptLanguageHeaderRequestCultureProvider>().Any()
            ? [.. requestLocalization.SupportedUICultures?.Select(c => c.Name) ?? []]
            : [];

    /// <summary>Where warm-up steps get their services: a scope each.</summary>
    public IServiceScopeFactory Scopes { get; } = scopes;

    /// <summary>Kestrel's request settings, which in-process requests observe too.</summary>
    public ServerRequestDefaults RequestDefaults { get; } = ServerRequestDefaults.From(kestrel.Value);

    /// <summary>The origin to warm under and the other names of the site, read when an attempt starts.</summary>
    public SiteAddress Address(SiteWarmupOptions options) => SiteAddress.Resolve(options, Server, hostFiltering.Value.AllowedHosts,
        cachesByHost: isService?.IsService(typeof(Microsoft.AspNetCore.OutputCaching.IOutputCacheStore)) == true);

    /// <summary>The app's endpoints, read when an attempt starts (routing builds them with the pipeline).</summary>
    public AppEndpoints.Found Endpoints() => AppEndpoints.Read(endpoints, environment?.WebRootFileProvider);

    /// <summary>The app's health-check endpoints, read when an attempt starts.</summary>
    public List<HealthEndpoints.Endpoint> HealthEndpoints() => Discovery.HealthEndpoints.Read(endpoints);
}
