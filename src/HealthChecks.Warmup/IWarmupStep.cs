namespace HealthChecks.Warmup;

/// <summary>
/// Code that warms what no URL reaches — a connection pool, an EF Core model, a search index — run before
/// the crawl of every warm-up attempt. Added with <see cref="WarmupSteps.Add{TStep}()"/>, it is created
/// from the app's services in a scope of its own, so it may take scoped services in its constructor.
/// </summary>
public interface IWarmupStep
{
    /// <summary>
    /// Warms its part of the app. A throw, or running past <see cref="SiteWarmupOptions.StepTimeout"/>, fails
    /// the attempt, which is retried like any failed attempt.
    /// </summary>
    /// <param name="cancellationToken">Cancelled at the step's time limit and when the app stops.</param>
    Task WarmAsync(CancellationToken cancellationToken);
}
