using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace HealthChecks.Warmup.Fetching.InProcess;

/// <summary>
/// Runs one request through the app's own pipeline. The completeResponse callback runs after the
/// app returned (or threw) and before the request context is disposed, so the response can be read.
/// </summary>
internal interface IApplicationPipeline
{
    Task ProcessAsync(IFeatureCollection features, Func<Exception?, Task> completeResponse);
}

/// <summary>
/// The app as the server sees it: hosting creates the <see cref="HttpContext"/>, starts its activity,
/// logs and metrics, exactly as for a request from Kestrel (what TestHost does).
/// </summary>
internal sealed class HostedApplicationPipeline<TContext>(IHttpApplication<TContext> application) : IApplicationPipeline
    where TContext : notnull
{
    public async Task ProcessAsync(IFeatureCollection features, Func<Exception?, Task> completeResponse)
    {
        var context = application.CreateContext(features);
        Exception? error = null;
        try
        {
            await application.ProcessRequestAsync(context);
        }
        catch (Exception ex)
        {
            error = ex;
        }
        try
        {
            await completeResponse(error);
        }
        finally
        {
            application.DisposeContext(context, error);
        }
    }
}

/// <summary>
/// The fallback when another server replaced the decorated one (WebApplicationFactory's TestServer):
/// the middleware pipeline captured by <see cref="CapturePipelineStartupFilter"/>, with contexts made by
/// the app's own <see cref="IHttpContextFactory"/>. No hosting activity or request logs.
/// </summary>
internal sealed class RequestDelegatePipeline(RequestDelegate pipeline, IHttpContextFactory contextFactory) : IApplicationPipeline
{
    public async Task ProcessAsync(IFeatureCollection features, Func<Exception?, Task> completeResponse)
    {
        var context = contextFactory.Create(features);
        Exception? error = null;
        try
        {
            await pipeline(context);
        }
        catch (Exception ex)
        {
            error = ex;
        }
        try
        {
            await completeResponse(error);
        }
        finally
        {
            contextFactory.Dispose(context);
        }
    }
}
