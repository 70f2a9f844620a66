using HealthChecks.Warmup;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Endpoint conventions for the site warm-up's endpoint discovery.</summary>
public static class WarmupEndpointConventionBuilderExtensions
{
    /// <summary>Keeps the endpoints out of endpoint discovery.</summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoints, e.g. what <c>MapGet</c> returns.</param>
    /// <returns>The same builder.</returns>
    public static TBuilder ExcludeFromWarmup<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint => endpoint.Metadata.Add(new ExcludeFromWarmupAttribute()));
        return builder;
    }

    /// <summary>Warms the endpoints at these sample paths, for endpoints that need route values.</summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoints, e.g. what <c>MapGet("/products/{id}", ...)</c> returns.</param>
    /// <param name="paths">Paths to warm, such as <c>/products/42</c>.</param>
    /// <returns>The same builder.</returns>
    public static TBuilder WithWarmup<TBuilder>(this TBuilder builder, params string[] paths)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(paths);
        builder.Add(endpoint => endpoint.Metadata.Add(new WarmupAttribute(paths)));
        return builder;
    }
}
