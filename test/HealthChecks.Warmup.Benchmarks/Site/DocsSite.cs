using System.Text;

namespace HealthChecks.Warmup.Benchmarks.Site;

/// <summary>
/// A generated documentation-like site, deterministic for a page count: pages of about 20 KB with
/// navigation, images with srcset (no picture sources: wget does not read them, and the tools must
/// crawl the same URL set), a shared stylesheet that @imports two more and
/// loads fonts and background images, a script and a favicon. Home links to each section's first page,
/// and every page lists its section (50 pages), so every page is within two link hops of home.
/// Bodies are made on request, so a site of 100,000 pages costs no memory.
/// </summary>
internal sealed class DocsSite(int pages)
{
    /// <summary>Pages per section: a section's pages list each other.</summary>
    public const int SectionSize = 50;
    private const int Figures = 60;
    /// <summary>One paragraph of prose, as markup.</summary>
    public static readonly string Paragraph = string.Concat(Enumerable.Repeat(
        "<p>Warming a site means requesting every page and resource once so that just-in-time compilation, view compilation and caches are done before visitors arrive. ", 1))
        + "This paragraph stands for documentation prose of a realistic length, with <code>inline code</code>, <em>emphasis</em> and <a href=\"#top\">an anchor</a>.</p>\n";

    public int Pages { get; } = Math.Max(1, pages);

    /// <summary>The number of sections; home links each one's first page.</summary>
    public int Sections => (Pages - 2) / SectionSize + 1;

    /// <summary>The section of page <paramref name="index"/> (not home).</summary>
    public static int SectionOf(int index) => (index - 1) / SectionSize;

    /// <summary>The pages of <paramref name="section"/>, in order.</summary>
    public IEnumerable<int> SectionPages(int section)
    {
        var first = section * SectionSize + 1;
        for (var i = first; i < first + SectionSize && i < Pages; i++)
        {
            yield return i;
        }
    }

    public static string PagePath(int index) => index == 0 ? "/" : $"/docs/{(index - 1) / SectionSize}/page-{index}.html";

    /// <summary>Every URL path of the site, as a complete crawler finds it.</summary>
    public IEnumerable<string> AllPaths()
    {
        for (var i = 0; i < Pages; i++)
        {
            yield return PagePath(i);
        }
        foreach (var path in Resources.Keys)
        {
            yield return path;
        }
    }

    /// <summary>The site's resources: path → content type and size.</summary>
    public static IReadOnlyDictionary<string, (string ContentType, int Size)> Resources { get; } = BuildResources();

    private static Dictionary<string, (string, int)> BuildResources()
    {
        var resources = new Dictionary<string, (string, int)>(StringComparer.Ordinal)
        {
            ["/css/site.css?v=3"] = ("text/css", 0),
            ["/css/base.css"] = ("text/css", 0),
            ["/css/print.css"] = ("text/css", 0),
            ["/js/site.js?v=3"] = ("text/javascript", 6 * 1024),
            ["/favicon.ico"] = ("image/x-icon", 1024),
            ["/fonts/inter.woff2"] = ("font/woff2", 24 * 1024),
            ["/fonts/inter.woff"] = ("font/woff", 32 * 1024),
            ["/img/bg/hero.jpg"] = ("image/jpeg", 40 * 1024),
            ["/img/bg/pattern.png"] = ("image/png", 2 * 1024),
            ["/img/bg/pattern@2x.png"] = ("image/png", 4 * 1024),
            ["/img/logo.svg"] = ("image/svg+xml", 2 * 1024),
        };
        for (var k = 0; k < Figures; k++)
        {
            resources[$"/img/fig-{k}.png"] = ("image/png", 8 * 1024);
            resources[$"/img/fig-{k}@2x.png"] = ("image/png", 16 * 1024);
        }
        return resources;
    }

    public static string Css(string path) => path switch
    {
        "/css/site.css?v=3" or "/css/site.css" => """
            @import "base.css";
            @import url("print.css") print;
            @font-face {
              font-family: "Inter";
              src: local("Inter"), url("../fonts/inter.woff2") format("woff2"), url('../fonts/inter.woff') format("woff");
              font-display: swap;
            }
            body { font-family: Inter, system-ui, sans-serif; background: #fff url(../img/bg/hero.jpg) no-repeat top; }
            .pattern { background-image: image-set(url("../img/bg/pattern.png") 1x, url("../img/bg/pattern@2x.png") 2x); }
            /* main layout */
            main { max-width: 70ch; margin: 0 auto; }
            """,
        "/css/base.css" => "html { color: #222; } nav a { margin-right: .5rem; } .logo { background: url(/img/logo.svg) no-repeat; }",
        _ => "@media print { nav { display: none; } }",
    };

    /// <summary>The HTML of page <paramref name="index"/>, about 20 KB.</summary>
    public string Html(int index)
    {
        var html = new StringBuilder(24 * 1024);
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Page ").Append(index)
            .Append("</title><link rel=\"stylesheet\" href=\"/css/site.css?v=3\"><link rel=\"icon\" href=\"/favicon.ico\">")
            .Append("<script src=\"/js/site.js?v=3\" defer></script></head><body><header class=\"pattern\"><a href=\"/\" class=\"logo\">Docs</a><nav>");
        if (index == 0)
        {
            for (var section = 0; section < Sections; section++)
            {
                html.Append("<a href=\"").Append(PagePath(section * SectionSize + 1)).Append("\">Section ").Append(section).Append("</a> ");
            }
        }
        else
        {
            foreach (var i in SectionPages(SectionOf(index)))
            {
                html.Append("<a href=\"").Append(PagePath(i)).Append("\">Page ").Append(i).Append("</a> ");
            }
            html.Append("<a href=\"/\">Home</a>");
        }
        html.Append("</nav></header><main><h1>Page ").Append(index).Append("</h1>");
        for (var figure = 0; figure < 3; figure++)
        {
            var k = (index * 3 + figure) % Figures;
            html.Append("<figure><img src=\"/img/fig-").Append(k)
                .Append(".png\" srcset=\"/img/fig-").Append(k).Append(".png 1x, /img/fig-").Append(k).Append("@2x.png 2x\" alt=\"Figure\"></figure>");
            while (html.Length < (figure + 1) * 6000)
            {
                html.Append(Paragraph);
            }
        }
        html.Append("</main><footer><p>Generated documentation.</p></footer></body></html>");
        return html.ToString();
    }

    /// <summary>The page index of a path, or -1.</summary>
    public int PageIndex(string path)
    {
        if (path == "/")
        {
            return 0;
        }
        var slash = path.LastIndexOf("/page-", StringComparison.Ordinal);
        if (slash < 0 || !path.EndsWith(".html", StringComparison.Ordinal)
            || !int.TryParse(path.AsSpan(slash + 6, path.Length - slash - 11), out var index)
            || index <= 0 || index >= Pages || PagePath(index) != path)
        {
            return -1;
        }
        return index;
    }
}
