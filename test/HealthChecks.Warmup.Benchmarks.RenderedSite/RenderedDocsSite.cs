using HealthChecks.Warmup.Benchmarks.Site;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace HealthChecks.Warmup.Benchmarks.RenderedSite;

/// <summary>
/// The generated site's pages (<see cref="DocsSite"/>: home, sections of 50 pages, three figures with
/// <c>srcset</c> and about 18 KB of prose a page), rendered as apps render them: Razor Pages with a layout
/// and a navigation partial, the stylesheet and script through <c>asp-append-version</c>, each page's data
/// through <see cref="DocsCatalog"/> (an <c>IMemoryCache</c> over a lookup whose first call costs a
/// round trip), response compression, and the static files through <c>MapStaticAssets</c>.
/// </summary>
internal sealed class RenderedDocsSite(int pages) : IBenchSite
{
    /// <summary>The figures pages show, each as an SVG at 1x and 2x.</summary>
    public const int Figures = 12;

    /// <summary>The static files pages and stylesheets reference without a version.</summary>
    private static readonly string[] s_unversioned =
    [
        "/css/base.css", "/css/print.css", "/fonts/inter.woff2", "/fonts/inter.woff",
        "/img/logo.svg", "/img/bg/hero.svg", "/img/bg/pattern.svg", "/img/bg/pattern@2x.svg",
    ];

    private readonly DocsSite _site = new(pages);

    public int Pages => _site.Pages;

    public WebApplicationBuilder CreateBuilder()
    {
        // The content root is the working directory: the publish folder, where the static assets' manifest
        // and precompressed files are.
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddRazorPages();
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton(_site);
        builder.Services.AddSingleton(services => new DocsCatalog(services.GetRequiredService<IMemoryCache>(), _site));
        builder.Services.AddResponseCompression();
        return builder;
    }

    public void Map(WebApplication app)
    {
        app.UseResponseCompression();
        app.MapStaticAssets();
        app.MapRazorPages().WithStaticAssets();
    }

    public IEnumerable<string> AllPaths(IServiceProvider services)
    {
        for (var i = 0; i < _site.Pages; i++)
        {
            yield return DocsSite.PagePath(i);
        }
        // As the layout renders them (asp-append-version, and ~/ on the icon): the asset's fingerprinted URL
        // from the static assets the pages' endpoints carry.
        var assets = services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.GetMetadata<ResourceAssetCollection>())
            .First(c => c is not null)!;
        foreach (var versioned in new[] { "css/site.css", "js/site.js", "favicon.ico" })
        {
            yield return "/" + assets[versioned].TrimStart('/');
        }
        foreach (var path in s_unversioned)
        {
            yield return path;
        }
        for (var k = 0; k < Figures; k++)
        {
            yield return $"/img/fig-{k}.svg";
            yield return $"/img/fig-{k}@2x.svg";
        }
    }
}
