using HealthChecks.Warmup.Extraction;
using Microsoft.Extensions.Hosting;

namespace HealthChecks.Warmup.Coordination;

/// <summary>
/// Starts every registration's warm-up once the application has started (the server listens and the
/// pipeline is built), and stops them with the application. Primes the extractors as the host starts.
/// </summary>
internal sealed class WarmupHostedService(WarmupCoordinators coordinators, ExtractionPrimer primer, IHostApplicationLifetime lifetime)
    : BackgroundService, IHostedLifecycleService
{
    /// <summary>Before any hosted service starts, the server included: the priming overlaps the host's own start-up.</summary>
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        primer.Start();
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        Task[] runs;
        // The warm-up's requests are its own: nothing of the host's start-up flows into them.
        using (ExecutionContext.SuppressFlow())
        {
            runs = [.. coordinators.All.Select(c => Task.Run(() => c.RunAsync(stoppingToken), CancellationToken.None))];
        }
        await Task.WhenAll(runs);
    }
}
