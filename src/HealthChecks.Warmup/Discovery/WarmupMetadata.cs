namespace HealthChecks.Warmup;

/// <summary>
/// Keeps an endpoint (a controller, an action, a Razor Page, or through <c>ExcludeFromWarmup()</c> a
/// minimal API) out of endpoint discovery. Links to it found in pages are still followed.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method | AttributeTargets.Delegate, Inherited = true, AllowMultiple = false)]
public sealed class ExcludeFromWarmupAttribute : Attribute;

/// <summary>
/// Sample paths that warm an endpoint which needs route values, such as <c>[Warmup("/products/42")]</c>
/// on <c>/products/{id}</c>, or through <c>WithWarmup("/products/42")</c>. Each path starts with a
/// single <c>/</c>.
/// </summary>
/// <param name="paths">The paths to warm.</param>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method | AttributeTargets.Delegate, Inherited = true, AllowMultiple = true)]
public sealed class WarmupAttribute(params string[] paths) : Attribute
{
    /// <summary>The paths to warm.</summary>
    public IReadOnlyList<string> Paths { get; } = paths ?? [];
}
