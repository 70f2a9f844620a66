using HealthChecks.Warmup;
using HealthChecks.Warmup.Coordination;
using HealthChecks.Warmup.DependencyInjection;
using HealthChecks.Warmup.Extraction;
using HealthChecks.Warmup.Fetching.InProcess;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the site warm-up health check.</summary>
public static class SiteWarmupHealthChecksBuilderExtensions
{
    /// <summary>The registration name used when none is given.</summary>
    public const string DefaultName = "site-warmup";

    /// <summary>
    /// Adds a health check that is Unhealthy until the site has warmed itself — its entry pages, the
    /// pages they link to and every resource those pages and their stylesheets load have been requested
    /// once through the app's own pipeline — and Healthy for good after. The warm-up starts when the
    /// application has started; probes only read its state.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="configure">Changes the options after they are bound from <c>HealthChecks:SiteWarmup</c> (or, for another <paramref name="name"/>, <c>HealthChecks:SiteWarmup:{name}</c>).</param>
    /// <param name="name">The health check's name, unique among the app's health checks. Default: <c>site-warmup</c>.</param>
    /// <param name="failureStatus">The status reported while the site is not warm. Default: <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter health checks by, such as <c>ready</c>.</param>
    /// <param name="timeout">How long the health check service waits for this check. The check answers at once, so the default (none) suits it.</param>
    /// <returns>The same builder.</returns>
    public static IHealthChecksBuilder AddSiteWarmup(
        this IHealthChecksBuilder builder,
        Action<SiteWarmupOptions>? configure = null,
        string name = DefaultName,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(SiteWarmupName) && d.ImplementationInstance is SiteWarmupName added && added.Name == name))
        {
            throw new InvalidOperationException(
                $"AddSiteWarmup was already called with the name '{name}': give each site warm-up its own name, AddSiteWarmup(name: \"...\"), and its own configuration section, HealthChecks:SiteWarmup:{{name}}.");
        }
        services.AddSingleton(new SiteWarmupName(name));
        AddInProcessTransport(services);
        services.AddHttpContextAccessor();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<WarmupApp>();
        services.TryAddSingleton<WarmupCoordinators>();
        services.TryAddSingleton<ExtractionPrimer>();
        services.AddMetrics();
        services.TryAddSingleton<HealthChecks.Warmup.Reporting.WarmupTelemetry>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WarmupHostedService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SiteWarmupOptions>, SiteWarmupOptionsValidator>());
        services.Configure<WarmupRegistrations>(registrations => registrations.Names.Add(name));
        HealthChecks.Warmup.Fetching.Http.WarmupHttpClient.Add(services, name);

        // Bound by the configuration binding source generator (the project enables it): no reflection, so
        // trimmed and Native AOT apps bind every option.
        var options = services.AddOptions<SiteWarmupOptions>(name).BindConfiguration(SiteWarmupOptions.SectionFor(name));
        if (configure is not null)
        {
            options.Configure(configure);
        }
        options.PostConfigure(o =>
        {
            if (o.EntryPaths is { Count: 0 })
            {
                o.EntryPaths.Add("/");
                o.EntryPathsDefaulted = true;
            }
        });
        options.ValidateOnStart();

        return builder.Add(new HealthCheckRegistration(
            name,
            services => new SiteWarmupHealthCheck(
                services.GetRequiredService<WarmupCoordinators>().Get(name),
                services.GetRequiredService<Microsoft.AspNetCore.Http.IHttpContextAccessor>()),
            failureStatus,
            tags,
            timeout));
    }

    /// <summary>
    /// Captures the app's request pipeline: by decorating the server registered so far (full hosting
    /// behaviour), and by an outermost startup filter for when another server replaces it later.
    /// </summary>
    internal static void AddInProcessTransport(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(InProcessApplication)))
        {
            return;
        }
        services.AddSingleton<InProcessApplication>();
        services.Insert(0, ServiceDescriptor.Transient<IStartupFilter, CapturePipelineStartupFilter>());

        var server = services.LastOrDefault(d => d.ServiceType == typeof(IServer) && !d.IsKeyedService);
        if (server is null)
        {
            return;
        }
        services.Add(ServiceDescriptor.Describe(
            typeof(IServer),
            provider => new WarmupServerDecorator(CreateInner(provider, server), provider.GetRequiredService<InProcessApplication>()),
            server.Lifetime));
    }

    private static IServer CreateInner(IServiceProvider provider, ServiceDescriptor descriptor) =>
        (IServer)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(provider)
            ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!));
}
