using System.Runtime.InteropServices;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using HealthChecks.Warmup.Crawling;

namespace HealthChecks.Warmup.Extraction;

/// <summary>
/// Finds, with AngleSharp, the pages an HTML document links to and the resources it loads (the list
/// is in docs/architecture.md). Forms, <c>ping</c>, <c>cite</c>, <c>rel=preconnect|dns-prefetch</c>
/// and inert schemes are never read.
/// </summary>
internal static class HtmlLinkExtractor
{
    // Parsing is synchronous, so a parser per thread is never shared between two documents at once.
    [ThreadStatic]
    private static HtmlParser? t_parser;

    private static readonly HashSet<string> s_resourceRels = new(
        ["stylesheet", "icon", "apple-touch-icon", "apple-touch-icon-precomposed", "manifest", "preload", "modulepreload", "prefetch"],
        StringComparer.OrdinalIgnoreCase);

    private const string XLinkNamespace = "http://www.w3.org/1999/xlink";
    private const string SvgNamespace = "http://www.w3.org/2000/svg";

    public static void Extract(ReadOnlyMemory<byte> html, Uri documentUrl, List<ExtractedLink> links)
    {
        var parser = t_parser ??= new HtmlParser(new HtmlParserOptions { IsScripting = false });
        using var stream = MemoryMarshal.TryGetArray(html, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(html.ToArray(), writable: false);
        using var document = parser.ParseDocument(stream);

        var baseUrl = documentUrl;
        if (document.QuerySelector("base[href]") is { } baseElement)
        {
            baseUrl = LinkResolver.Resolve(documentUrl, baseElement.GetAttribute("href")) ?? documentUrl;
        }

        var found = new Collector(baseUrl, links);
        foreach (var element in document.All)
        {
            Visit(element, found);
            if (element.GetAttribute("style") is { Length: > 0 } style)
            {
                found.AddCss(style);
            }
        }
    }

    private static void Visit(IElement element, Collector found)
    {
        switch (element.LocalName)
        {
            case "a" or "area":
                found.Add(element.GetAttribute("href"), LinkRole.Page);
                break;
            case "img" or "source":
                found.Add(element.GetAttribute("src"), LinkRole.Resource);
                found.AddSrcset(element.GetAttribute("srcset"));
                break;
            case "input" when string.Equals(element.GetAttribute("type"), "image", StringComparison.OrdinalIgnoreCase):
            case "script" or "audio" or "track" or "embed" or "iframe":
                found.Add(element.GetAttribute("src"), LinkRole.Resource);
                break;
            case "video":
                found.Add(element.GetAttribute("src"), LinkRole.Resource);
                found.Add(element.GetAttribute("poster"), LinkRole.Resource);
                break;
            case "object":
                found.Add(element.GetAttribute("data"), LinkRole.Resource);
                break;
            case "link":
                if (HasResourceRel(element.GetAttribute("rel")))
                {
                    found.Add(element.GetAttribute("href"), LinkRole.Resource);
                }
                found.AddSrcset(element.GetAttribute("imagesrcset"));
                break;
            case "image" or "use" when element.NamespaceUri == SvgNamespace:
                found.Add(element.GetAttribute("href"), LinkRole.Resource);
                found.Add(element.GetAttribute(XLinkNamespace, "href"), LinkRole.Resource);
                break;
            case "style":
                found.AddCss(element.TextContent);
                break;
            case "body" or "table" or "td" or "th":
                found.Add(element.GetAttribute("background"), LinkRole.Resource);
                break;
            case "meta" when string.Equals(element.GetAttribute("http-equiv"), "refresh", StringComparison.OrdinalIgnoreCase):
                found.Add(MetaRefresh.Url(element.GetAttribute("content")), LinkRole.Refresh);
                break;
        }
    }

    private static bool HasResourceRel(string? rel)
    {
        if (string.IsNullOrEmpty(rel))
        {
            return false;
        }
        foreach (var token in rel.Split([' ', '\t', '\n', '\r', '\f'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (s_resourceRels.Contains(token))
            {
                return true;
            }
        }
        return false;
    }

    private sealed class Collector(Uri baseUrl, List<ExtractedLink> links)
    {
        private readonly List<string> _scratch = [];

        public void Add(string? raw, LinkRole role)
        {
            if (LinkResolver.Resolve(baseUrl, raw) is { } url)
            {
                links.Add(new ExtractedLink(url, role));
            }
        }

        public void AddSrcset(string? srcset)
        {
            _scratch.Clear();
            SrcsetParser.ParseUrls(srcset, _scratch);
            foreach (var raw in _scratch)
            {
                Add(raw, LinkRole.Resource);
            }
        }

        public void AddCss(string css)
        {
            _scratch.Clear();
            CssUrlScanner.Scan(css, _scratch);
            foreach (var raw in _scratch)
            {
                Add(raw, LinkRole.Resource);
            }
        }
    }
}
