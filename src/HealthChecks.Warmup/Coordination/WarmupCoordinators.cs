using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HealthChecks.Warmup.Coordination;

/// <summary>The names given to <c>AddSiteWarmup</c>, one coordinator each.</summary>
internal sealed class WarmupRegistrations
{
    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
}

/// <summary>One coordinator per registration name, made on first use and shared by its health check and the hosted service.</summary>
internal sealed class WarmupCoordinators(
    IOptions<WarmupRegistrations> registrations,
    IOptionsMonitor<SiteWarmupOptions> options,
    WarmupApp app,
    ILogger<WarmupCoordinator> logger)
{
    // Lazy: two callers at once (the hosted service and a first probe) get one coordinator, never two
    // of which only one runs.
    private readonly ConcurrentDictionary<string, Lazy<WarmupCoordinator>> _coordinators = new(StringComparer.Ordinal);

    public IEnumerable<WarmupCoordinator> All => registrations.Value.Names.Select(Get);

    public WarmupCoordinator Get(string name) =>
        _coordinators.GetOrAdd(name, static (name, self) => new Lazy<WarmupCoordinator>(() => self.Create(name), LazyThreadSafetyMode.ExecutionAndPublication), this).Value;

    private WarmupCoordinator Create(string name)
    {
        var coordinator = new WarmupCoordinator(name, options.Get(name), app, Jitter, logger);
        app.Telemetry.Track(name, () => coordinator.Snapshot);
        return coordinator;
    }

    /// <summary>The retry backoff's jitter: the library's one random source, handed to each coordinator.</summary>
#pragma warning disable RS0030 // Banned API: here, and only here, the shared random source is chosen.
    private static double Jitter() => Random.Shared.NextDouble();
#pragma warning restore RS0030
}
