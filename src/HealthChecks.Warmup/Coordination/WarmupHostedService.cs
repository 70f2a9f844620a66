using Microsoft.Extensions.Hosting;

namespace HealthChecks.Warmup.Coordination;

/// <summary>
/// Starts every registration's warm-up once the application has started (the server listens and the
/// pipeline is built), and stops them with the application.
/// </summary>
internal sealed class WarmupHostedService(WarmupCoordinators coordinators, IHostApplicationLifetime lifetime) : BackgroundService
{
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
