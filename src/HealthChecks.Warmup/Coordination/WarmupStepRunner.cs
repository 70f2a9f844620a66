using HealthChecks.Warmup.Model;
using HealthChecks.Warmup.Reporting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HealthChecks.Warmup.Coordination;

/// <summary>
/// Runs a registration's warm-up steps before the crawl of an attempt: in order, each in a service scope
/// of its own, on the thread pool, within <see cref="SiteWarmupOptions.StepTimeout"/>. The first that
/// fails ends the run.
/// </summary>
internal sealed class WarmupStepRunner(string registration, SiteWarmupOptions options, IServiceScopeFactory scopes, WarmupTelemetry telemetry, TimeProvider time, ILogger logger)
{
    /// <summary>
    /// Runs the steps, saying in <paramref name="progress"/> which one runs. Returns what each that ran
    /// did; the last failed if any did. Throws <see cref="OperationCanceledException"/> only when
    /// <paramref name="stopping"/> is cancelled.
    /// </summary>
    public async Task<IReadOnlyList<StepOutcome>> RunAsync(int attempt, CrawlProgress progress, CancellationToken stopping)
    {
        var outcomes = new List<StepOutcome>(options.Steps.Count);
        try
        {
            foreach (var step in options.Steps)
            {
                progress.Step = step.Name;
                var (outcome, exception) = await RunAsync(step, stopping);
                outcomes.Add(outcome);
                telemetry.RecordStep(registration, outcome);
                if (outcome.Failed)
                {
                    WarmupLog.StepFailed(logger, registration, attempt, outcome.Describe(), (long)outcome.Duration.TotalMilliseconds, exception);
                    break;
                }
                WarmupLog.StepSucceeded(logger, registration, step.Name, (long)outcome.Duration.TotalMilliseconds);
            }
        }
        finally
        {
            progress.Step = null;
        }
        return outcomes;
    }

    private async Task<(StepOutcome Outcome, Exception? Exception)> RunAsync(WarmupStep step, CancellationToken stopping)
    {
        using var span = WarmupTelemetry.StartStep(registration, step.Name);
        var started = time.GetTimestamp();
        using var timeout = new CancellationTokenSource(options.StepTimeout, time);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token);
        (StepOutcome, Exception?) Ended(StepResult result, string? error, Exception? exception = null)
        {
            var outcome = new StepOutcome(step.Name, time.GetElapsedTime(started), result, error);
            WarmupTelemetry.EndStep(span, outcome);
            return (outcome, exception);
        }
        var scope = scopes.CreateAsyncScope();
        // On the thread pool, and awaited within the limit: a step that blocks, or ignores its token,
        // is abandoned at its time limit, not waited for.
        var running = Task.Run(() => step.WarmAsync(scope.ServiceProvider, limit.Token), CancellationToken.None);
        try
        {
            await running.WaitAsync(limit.Token);
            return Ended(StepResult.Succeeded, null);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return Ended(StepResult.TimedOut, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"did not end within {options.StepTimeout.TotalSeconds:0.###} s (StepTimeout)"));
        }
        catch (Exception ex)
        {
            return Ended(StepResult.Threw, Fetching.FetchResult.Describe(ex), ex);
        }
        finally
        {
            if (running.IsCompleted)
            {
                await scope.DisposeAsync();
            }
            else
            {
                // The scope's services outlive an abandoned step until it ends.
                _ = DisposeWhenEndedAsync(running, scope);
            }
        }
    }

    private static async Task DisposeWhenEndedAsync(Task running, AsyncServiceScope scope)
    {
        await Task.WhenAny(running);
        _ = running.Exception;
        await scope.DisposeAsync();
    }
}
