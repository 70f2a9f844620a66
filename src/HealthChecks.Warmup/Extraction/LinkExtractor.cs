using System.Text;
using HealthChecks.Warmup.Discovery;
using HealthChecks.Warmup.Fetching;
using HealthChecks.Warmup.Model;

namespace HealthChecks.Warmup.Extraction;

/// <summary>
/// Extracts the links of a fetched response: its Link header, then its body by content type — HTML,
/// CSS, and a JavaScript module or web app manifest when the reference said it is one.
/// </summary>
internal static class LinkExtractor
{
    public static void Extract(Uri url, FetchResult response, List<ExtractedLink> links, ResolvedLinks? resolved = null, ReadAs readAs = ReadAs.Nothing)
    {
        List<(string Raw, LinkRole Role)>? found = null;
        if (response.LinkHeader is { Length: > 0 } header)
        {
            LinkHeader.Read(header, found = []);
        }
        if (!response.Body.IsEmpty)
        {
            if (ContentTypes.IsHtml(response.ContentType))
            {
                HtmlLinkExtractor.Extract(response.Body, response.ContentType, url, links, resolved);
            }
            else if (ContentTypes.IsCss(response.ContentType))
            {
                found ??= [];
                var raw = new List<string>();
                CssUrlScanner.Scan(Text(response.Body.Span), raw);
                found.AddRange(raw.Select(r => (r, LinkRole.Resource)));
            }
            else if (readAs == ReadAs.Module && ContentTypes.IsJavaScript(response.ContentType))
            {
                ScriptScanner.ScanModule(Text(response.Body.Span), found ??= []);
            }
            else if (readAs == ReadAs.Manifest)
            {
                JsonReferences.WebManifest(response.Body, found ??= []);
            }
        }
        foreach (var (raw, role) in found ?? [])
        {
            if (role == LinkRole.BareImport)
            {
                // What the pages' import maps say; a specifier no map knows is not fetched.
                if (resolved?.ImportMaps.Resolve(raw) is { } mapped)
                {
                    links.Add(new ExtractedLink(mapped, LinkRole.Module));
                }
            }
            // Relative to the response's own URL: a stylesheet's, a module's, a manifest's.
            else if (LinkResolver.Resolve(url, raw) is { } target)
            {
                links.Add(new ExtractedLink(target, role));
            }
        }
    }

    private static string Text(ReadOnlySpan<byte> bytes) =>
        Encoding.UTF8.GetString(bytes.StartsWith(Encoding.UTF8.Preamble) ? bytes[3..] : bytes);
}
