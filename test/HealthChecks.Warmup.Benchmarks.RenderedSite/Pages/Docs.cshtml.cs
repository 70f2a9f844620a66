using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HealthChecks.Warmup.Benchmarks.RenderedSite.Pages;

/// <summary>A documentation page: its section's pages, three figures and prose.</summary>
/// <param name="catalog">Where the page's data comes from.</param>
public sealed class DocsModel(DocsCatalog catalog) : PageModel
{
    /// <summary>What the page shows.</summary>
    public DocsPage Doc { get; private set; } = null!;

    /// <summary>Looks page <paramref name="index"/> of <paramref name="section"/> up; 404 when there is none.</summary>
    public async Task<IActionResult> OnGetAsync(int section, int index) => await DocsPageModel.ShowAsync(this, catalog, index, section, doc => Doc = doc);
}

/// <summary>What both pages do with their data.</summary>
internal static class DocsPageModel
{
    public static async Task<IActionResult> ShowAsync(PageModel page, DocsCatalog catalog, int index, int? section, Action<DocsPage> show)
    {
        if (await catalog.PageAsync(index, section) is not { } doc)
        {
            return page.NotFound();
        }
        show(doc);
        page.ViewData["Title"] = doc.Title;
        page.ViewData["Nav"] = doc.Nav;
        return page.Page();
    }
}
