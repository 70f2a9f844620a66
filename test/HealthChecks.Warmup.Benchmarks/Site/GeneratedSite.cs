using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HealthChecks.Warmup.Benchmarks.Site;

/// <summary>
/// The generated site (<see cref="DocsSite"/>) served from memory by one middleware: serving costs almost
/// nothing, so what the crawl itself costs (parsing, discovery) stands out.
/// </summary>
internal sealed class GeneratedSite(int pages) : IBenchSite
{
    private readonly DocsSite _site = new(pages);

    public int Pages => _site.Pages;

    public WebApplicationBuilder CreateBuilder() => WebApplication.CreateSlimBuilder();

    public IEnumerable<string> AllPaths(IServiceProvider services) => _site.AllPaths();

    public void Map(WebApplication app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint() is not null)
        {
            await next(context);
            return;
        }
        await ServeAsync(context, context.Request.Path.Value + context.Request.QueryString.Value);
    });

    private async Task ServeAsync(HttpContext context, string path)
    {
        var response = context.Response;
        if (_site.PageIndex(context.Request.Path.Value!) is var index and >= 0)
        {
            response.ContentType = "text/html; charset=utf-8";
            await response.WriteAsync(_site.Html(index));
        }
        else if (DocsSite.Resources.TryGetValue(path, out var resource) || DocsSite.Resources.TryGetValue(context.Request.Path.Value!, out resource))
        {
            response.ContentType = resource.ContentType;
            if (resource.ContentType == "text/css")
            {
                await response.WriteAsync(DocsSite.Css(path));
            }
            else
            {
                response.ContentLength = resource.Size;
                await response.Body.WriteAsync(new byte[resource.Size]);
            }
        }
        else
        {
            response.StatusCode = StatusCodes.Status404NotFound;
        }
    }
}
