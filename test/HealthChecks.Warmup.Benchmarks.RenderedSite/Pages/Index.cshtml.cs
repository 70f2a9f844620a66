using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HealthChecks.Warmup.Benchmarks.RenderedSite.Pages;

/// <summary>Home: the sections' first pages.</summary>
/// <param name="catalog">Where the page's data comes from.</param>
public sealed class IndexModel(DocsCatalog catalog) : PageModel
{
    /// <summary>What the page shows.</summary>
    public DocsPage Doc { get; private set; } = null!;

    /// <summary>Looks the page up.</summary>
    public async Task<IActionResult> OnGetAsync() => await DocsPageModel.ShowAsync(this, catalog, 0, null, doc => Doc = doc);
}
