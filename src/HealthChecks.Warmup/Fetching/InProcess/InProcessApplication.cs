using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace HealthChecks.Warmup.Fetching.InProcess;

/// <summary>
/// Holds the app's request pipeline once the host has built it. The server decorator gives the full
/// hosting application; the startup filter gives the middleware pipeline when no decorator ran.
/// </summary>
internal sealed class InProcessApplication
{
    private IApplicationPipeline? _hosted;
    private IApplicationPipeline? _middleware;

    /// <summary>The pipeline to send requests through, or <see langword="null"/> before the host built it.</summary>
    public IApplicationPipeline? Pipeline => Volatile.Read(ref _hosted) ?? Volatile.Read(ref _middleware);

    public void UseHostedApplication<TContext>(IHttpApplication<TContext> application)
        where TContext : notnull =>
        Volatile.Write(ref _hosted, new HostedApplicationPipeline<TContext>(application));

    public void UseMiddlewarePipeline(RequestDelegate pipeline, IServiceProvider services) =>
        Volatile.Write(ref _middleware, new RequestDelegatePipeline(pipeline, services.GetRequiredService<IHttpContextFactory>()));
}

/// <summary>Hands the hosting application to <see cref="InProcessApplication"/> as the server starts.</summary>
internal sealed class WarmupServerDecorator(IServer inner, InProcessApplication application) : IServer
{
    /// <summary>The app's own server.</summary>
    public IServer Inner => inner;

    public Microsoft.AspNetCore.Http.Features.IFeatureCollection Features => inner.Features;

    public Task StartAsync<TContext>(IHttpApplication<TContext> httpApplication, CancellationToken cancellationToken)
        where TContext : notnull
    {
        application.UseHostedApplication(httpApplication);
        return inner.StartAsync(httpApplication, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => inner.StopAsync(cancellationToken);

    public void Dispose() => inner.Dispose();
}

/// <summary>
/// Registered first, so its no-op middleware is the outermost: what follows it is the app's whole
/// pipeline. It returns <c>next</c> itself, so real requests pay nothing.
/// </summary>
internal sealed class CapturePipelineStartupFilter(InProcessApplication application) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        var services = app.ApplicationServices;
        app.Use(pipeline =>
        {
            application.UseMiddlewarePipeline(pipeline, services);
            return pipeline;
        });
        next(app);
    };
}
