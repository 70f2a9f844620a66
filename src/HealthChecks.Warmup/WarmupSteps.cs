using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;

namespace HealthChecks.Warmup;

/// <summary>One warm-up step: its name, and the code it runs in a service scope of its own.</summary>
public sealed class WarmupStep
{
    internal WarmupStep(string name, Func<IServiceProvider, CancellationToken, Task> warmAsync) => (Name, WarmAsync) = (name, warmAsync);

    /// <summary>The name the result, the logs and the metrics show.</summary>
    public string Name { get; }

    /// <summary>The step: given the scope's services and a token cancelled at its time limit.</summary>
    public Func<IServiceProvider, CancellationToken, Task> WarmAsync { get; }
}

/// <summary>
/// The steps of a warm-up (<see cref="SiteWarmupOptions.Steps"/>): code that warms what no URL reaches,
/// run one after the other, in the order added, before the crawl of every attempt. The first that throws
/// or runs past <see cref="SiteWarmupOptions.StepTimeout"/> fails the attempt; the rest and the crawl are
/// not run, and the attempt is retried after its backoff.
/// </summary>
public sealed class WarmupSteps : IReadOnlyList<WarmupStep>
{
    private readonly List<WarmupStep> _steps = [];

    internal WarmupSteps()
    {
    }

    /// <inheritdoc />
    public int Count => _steps.Count;

    /// <inheritdoc />
    public WarmupStep this[int index] => _steps[index];

    /// <summary>Adds a step that runs <paramref name="warmAsync"/> with the services of a scope of its own.</summary>
    /// <param name="name">Its name, unique among the steps: the result, the logs and the metrics show it.</param>
    /// <param name="warmAsync">What it runs: given the scope's services and a token cancelled at its time limit.</param>
    public WarmupSteps Add(string name, Func<IServiceProvider, CancellationToken, Task> warmAsync)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(warmAsync);
        _steps.Add(new WarmupStep(name, warmAsync));
        return this;
    }

    /// <summary>Adds a <typeparamref name="TStep"/>, created from the app's services in a scope of its own, named after its type.</summary>
    public WarmupSteps Add<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TStep>()
        where TStep : class, IWarmupStep => Add<TStep>(typeof(TStep).Name);

    /// <summary>Adds a <typeparamref name="TStep"/>, created from the app's services in a scope of its own.</summary>
    /// <param name="name">Its name, unique among the steps.</param>
    public WarmupSteps Add<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TStep>(string name)
        where TStep : class, IWarmupStep =>
        Add(name, (services, cancellationToken) => ActivatorUtilities.GetServiceOrCreateInstance<TStep>(services).WarmAsync(cancellationToken));

    /// <summary>Removes every step.</summary>
    public void Clear() => _steps.Clear();

    /// <inheritdoc />
    public IEnumerator<WarmupStep> GetEnumerator() => _steps.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
