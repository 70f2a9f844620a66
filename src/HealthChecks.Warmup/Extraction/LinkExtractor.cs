using System.Text;
using HealthChecks.Warmup.Crawling;
using HealthChecks.Warmup.Fetching;

namespace HealthChecks.Warmup.Extraction;

/// <summary>Extracts the links of a fetched body by its content type: HTML or CSS.</summary>
internal static class LinkExtractor
{
    public static void Extract(Uri url, FetchResult response, List<ExtractedLink> links, ResolvedLinks? resolved = null)
    {
        if (response.Body.IsEmpty)
        {
            return;
        }
        if (ContentTypes.IsHtml(response.ContentType))
        {
            HtmlLinkExtractor.Extract(response.Body, response.ContentType, url, links, resolved);
        }
        else if (ContentTypes.IsCss(response.ContentType))
        {
            ExtractCss(response.Body.Span, url, links);
        }
    }

    private static void ExtractCss(ReadOnlySpan<byte> css, Uri stylesheetUrl, List<ExtractedLink> links)
    {
        var raw = new List<string>();
        CssUrlScanner.Scan(Encoding.UTF8.GetString(css.StartsWith(Encoding.UTF8.Preamble) ? css[3..] : css), raw);
        foreach (var reference in raw)
        {
            if (LinkResolver.Resolve(stylesheetUrl, reference) is { } url)
            {
                links.Add(new ExtractedLink(url, LinkRole.Resource));
            }
        }
    }
}
