using HealthChecks.Warmup.Benchmarks.Site;
using Microsoft.Extensions.Caching.Memory;

namespace HealthChecks.Warmup.Benchmarks.RenderedSite;

/// <summary>A link in the navigation.</summary>
/// <param name="Href">Where it goes.</param>
/// <param name="Text">What it says.</param>
public sealed record NavLink(string Href, string Text);

/// <summary>What a page shows.</summary>
/// <param name="Title">Its title.</param>
/// <param name="Figures">The figures it shows, by number.</param>
/// <param name="Nav">Its navigation: home's lists the sections, a page's its section.</param>
public sealed record DocsPage(string Title, IReadOnlyList<int> Figures, IReadOnlyList<NavLink> Nav);

/// <summary>
/// The pages' data, as an app reads it from a database: each page's first lookup costs
/// <see cref="FirstLookupCost"/> (a round trip), later ones are answered from the <see cref="IMemoryCache"/>.
/// </summary>
public sealed class DocsCatalog
{
    /// <summary>What a page's first lookup waits, as for a database on the same network.</summary>
    public static readonly TimeSpan FirstLookupCost = TimeSpan.FromMilliseconds(2);

    private readonly IMemoryCache _cache;
    private readonly DocsSite _site;

    /// <summary>The catalog of <paramref name="site"/>'s pages, cached in <paramref name="cache"/>.</summary>
    internal DocsCatalog(IMemoryCache cache, DocsSite site)
    {
        _cache = cache;
        _site = site;
    }

    /// <summary>Page <paramref name="index"/> of section <paramref name="section"/>; <see langword="null"/> when there is none (home is 0, in no section).</summary>
    public Task<DocsPage?> PageAsync(int index, int? section) =>
        index < 0 || index >= _site.Pages || (index == 0 ? section is not null : section != DocsSite.SectionOf(index))
            ? Task.FromResult<DocsPage?>(null)
            : _cache.GetOrCreateAsync(index, async _ =>
            {
                await Task.Delay(FirstLookupCost);
                return (DocsPage?)new DocsPage(index == 0 ? "Docs" : $"Page {index}",
                    [.. Enumerable.Range(0, 3).Select(figure => (index * 3 + figure) % RenderedDocsSite.Figures)], Nav(index == 0 ? null : DocsSite.SectionOf(index)));
            });

    /// <summary>A section's navigation (home's for <see langword="null"/>), made once and shared by its pages, as an app caches its menu.</summary>
    private IReadOnlyList<NavLink> Nav(int? section) => _cache.GetOrCreate(("nav", section), _ => section is not { } s
        ? [.. Enumerable.Range(0, _site.Sections).Select(i => new NavLink(DocsSite.PagePath(i * DocsSite.SectionSize + 1), $"Section {i}"))]
        : (IReadOnlyList<NavLink>)[.. _site.SectionPages(s).Select(i => new NavLink(DocsSite.PagePath(i), $"Page {i}")), new NavLink("/", "Home")])!;
}
