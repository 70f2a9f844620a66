using System.Collections.Concurrent;
using HealthChecks.Warmup.Fetching.InProcess;
using HealthChecks.Warmup.Reporting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HealthChecks.Warmup.Coordination;

/// <summary>The names given to <c>AddSiteWarmup</c>, one coordinator each.</summary>
internal sealed class WarmupRegistrations
{
    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
}

/// <summary>One coordinator per registration name, made on first use and shared by its health check and the hosted service.</summary>
internal sealed class WarmupCoordinators(IServiceProvider services, IOptions<WarmupRegistrations> registrations)
{
    private readonly ConcurrentDictionary<string, WarmupCoordinator> _coordinators = new(StringComparer.Ordinal);

    public IEnumerable<WarmupCoordinator> All => registrations.Value.Names.Select(Get);

    public WarmupCoordinator Get(string name) => _coordinators.GetOrAdd(name, static (name, services) => Tracked(services, new WarmupCoordinator(
        name,
        services.GetRequiredService<IOptionsMonitor<SiteWarmupOptions>>().Get(name),
        services.GetRequiredService<InProcessApplication>(),
        services.GetService<IServer>(),
        services,
        services.GetRequiredService<IHttpClientFactory>(),
        services.GetRequiredService<WarmupTelemetry>(),
        services.GetRequiredService<TimeProvider>(),
        Jitter,
        services.GetRequiredService<ILogger<WarmupCoordinator>>())), services);

    /// <summary>The retry backoff's jitter: the library's one random source, handed to each coordinator.</summary>
#pragma warning disable RS0030 // Banned API: here, and only here, the shared random source is chosen.
    private static double Jitter() => Random.Shared.NextDouble();
#pragma warning restore RS0030

    private static WarmupCoordinator Tracked(IServiceProvider services, WarmupCoordinator coordinator)
    {
        services.GetRequiredService<WarmupTelemetry>().Track(coordinator.Name, () => coordinator.Snapshot);
        return coordinator;
    }
}
