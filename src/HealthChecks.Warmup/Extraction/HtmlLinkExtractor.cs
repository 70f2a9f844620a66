using System.Text;
using AngleSharp.Html;
using AngleSharp.Html.Parser;
using AngleSharp.Html.Parser.Tokens.Struct;
using AngleSharp.Text;
using HealthChecks.Warmup.Crawling;

namespace HealthChecks.Warmup.Extraction;

/// <summary>
/// Finds the pages an HTML document links to and the resources it loads (the list is in
/// docs/architecture.md), with AngleSharp's HTML tokenizer. Forms, <c>ping</c>, <c>cite</c>,
/// <c>rel=preconnect|dns-prefetch</c> and inert schemes are never read.
/// </summary>
/// <remarks>
/// The tokenizer, not the tree builder: every URL lives in a start tag's attributes or in a
/// <c>&lt;style&gt;</c> element's text, so no DOM is needed, and skipping text, scripts and comments
/// makes one linear pass. AngleSharp's tree builder is quadratic on deep nesting (100,000 nested
/// elements took 40 s), which hostile markup must not be able to cause.
/// </remarks>
internal static class HtmlLinkExtractor
{
    private static readonly HashSet<string> s_resourceRels = new(
        ["stylesheet", "icon", "apple-touch-icon", "apple-touch-icon-precomposed", "manifest", "preload", "modulepreload", "prefetch"],
        StringComparer.OrdinalIgnoreCase);

    public static void Extract(ReadOnlyMemory<byte> html, string? contentType, Uri documentUrl, List<ExtractedLink> links)
    {
        using var source = new TextSource(Decode(html.Span, contentType));
        var tokenizer = new HtmlTokenizer(source, HtmlEntityProvider.Resolver)
        {
            SkipDataText = true,
            SkipComments = true,
            SkipScriptText = true,
            SkipRCDataText = true,
            SkipPlaintext = true,
            SkipCDATA = true,
            SkipProcessingInstructions = true,
            // <style> is raw text: its CSS is read.
            SkipRawText = false,
            // Only the attributes that can hold a URL (or say what a link is) are kept.
            ShouldEmitAttribute = KeepsAttribute,
        };

        var found = new Collector();
        var foreignDepth = 0;
        StringBuilder? style = null;
        // Struct tokens: no object per token; text, scripts and comments are skipped by the tokenizer.
        for (ref var token = ref tokenizer.GetStructToken(); token.Type != HtmlTokenType.EndOfFile; token = ref tokenizer.GetStructToken())
        {
            switch (token.Type)
            {
                case HtmlTokenType.StartTag:
                    var name = token.Name.ToString();
                    Visit(ref token, name, foreignDepth > 0, found);
                    if (name is "svg" or "math")
                    {
                        foreignDepth += token.IsSelfClosing ? 0 : 1;
                    }
                    else if (foreignDepth == 0)
                    {
                        // What the tree builder would tell the tokenizer after these start tags.
                        tokenizer.State = name switch
                        {
                            "script" => HtmlParseMode.Script,
                            "style" or "xmp" or "iframe" or "noembed" or "noframes" => HtmlParseMode.Rawtext,
                            "title" or "textarea" => HtmlParseMode.RCData,
                            "plaintext" => HtmlParseMode.Plaintext,
                            _ => tokenizer.State,
                        };
                        style = name == "style" ? new StringBuilder() : null;
                    }
                    tokenizer.IsAcceptingCharacterData = foreignDepth > 0;
                    break;
                case HtmlTokenType.EndTag:
                    if (token.Name == "style" && style is not null)
                    {
                        found.Css(style.ToString());
                        style = null;
                    }
                    else if ((token.Name == "svg" || token.Name == "math") && foreignDepth > 0)
                    {
                        foreignDepth--;
                    }
                    tokenizer.IsAcceptingCharacterData = foreignDepth > 0;
                    break;
                case HtmlTokenType.Character when style is not null:
                    style.Append(token.Data.Memory.Span);
                    break;
            }
        }
        if (style is not null)
        {
            found.Css(style.ToString());
        }
        found.ResolveInto(documentUrl, links);
    }

    private static readonly HashSet<string> s_keptAttributes = new(
        ["href", "src", "srcset", "imagesrcset", "poster", "data", "rel", "type", "http-equiv", "content", "style", "background", "xlink:href"],
        StringComparer.OrdinalIgnoreCase);

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> s_keptAttributeNames =
        s_keptAttributes.GetAlternateLookup<ReadOnlySpan<char>>();

    private static bool KeepsAttribute(ref StructHtmlToken token, ReadOnlyMemory<char> name) =>
        s_keptAttributeNames.Contains(name.Span);

    private static void Visit(ref StructHtmlToken token, string name, bool inForeignContent, Collector found)
    {
        var tag = new Attributes(ref token);
        switch (name)
        {
            case "base":
                found.Base(tag.GetAttribute("href"));
                break;
            case "a" or "area":
                found.Add(tag.GetAttribute("href"), HasRel(tag.GetAttribute("rel"), "nofollow") ? LinkRole.NofollowPage : LinkRole.Page);
                break;
            case "img" or "source":
                found.Add(tag.GetAttribute("src"), LinkRole.Resource);
                found.Srcset(tag.GetAttribute("srcset"));
                break;
            case "input" when string.Equals(tag.GetAttribute("type"), "image", StringComparison.OrdinalIgnoreCase):
            case "script" or "audio" or "track" or "embed" or "iframe":
                found.Add(tag.GetAttribute("src"), LinkRole.Resource);
                break;
            case "video":
                found.Add(tag.GetAttribute("src"), LinkRole.Resource);
                found.Add(tag.GetAttribute("poster"), LinkRole.Resource);
                break;
            case "object":
                found.Add(tag.GetAttribute("data"), LinkRole.Resource);
                break;
            case "link":
                if (HasResourceRel(tag.GetAttribute("rel")))
                {
                    found.Add(tag.GetAttribute("href"), LinkRole.Resource);
                }
                found.Srcset(tag.GetAttribute("imagesrcset"));
                break;
            case "image" or "use" when inForeignContent:
                found.Add(tag.GetAttribute("href"), LinkRole.Resource);
                found.Add(tag.GetAttribute("xlink:href"), LinkRole.Resource);
                break;
            case "image":
                // Outside SVG the HTML parser turns <image> into <img>.
                found.Add(tag.GetAttribute("src"), LinkRole.Resource);
                break;
            case "body" or "table" or "td" or "th":
                found.Add(tag.GetAttribute("background"), LinkRole.Resource);
                break;
            case "meta" when string.Equals(tag.GetAttribute("http-equiv"), "refresh", StringComparison.OrdinalIgnoreCase):
                found.Add(MetaRefresh.Url(tag.GetAttribute("content")), LinkRole.Refresh);
                break;
        }
        if (tag.GetAttribute("style") is { Length: > 0 } inline)
        {
            found.Css(inline);
        }
    }

    private static bool HasResourceRel(string? rel) => RelTokens(rel).Any(s_resourceRels.Contains);

    private static bool HasRel(string? rel, string token) => RelTokens(rel).Contains(token, StringComparer.OrdinalIgnoreCase);

    private static string[] RelTokens(string? rel) =>
        string.IsNullOrEmpty(rel) ? [] : rel.Split([' ', '\t', '\n', '\r', '\f'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Reads the attributes of the current struct token.</summary>
    private readonly ref struct Attributes(ref StructHtmlToken token)
    {
        private readonly ref StructHtmlToken _token = ref token;

        public string? GetAttribute(string name)
        {
            var attributes = _token.Attributes;
            for (var i = 0; i < attributes.Count; i++)
            {
                var attribute = attributes[i];
                if (attribute.Name == name)
                {
                    return attribute.Value.ToString();
                }
            }
            return null;
        }
    }

    /// <summary>The charset of the Content-Type, else a byte order mark, else UTF-8.</summary>
    private static string Decode(ReadOnlySpan<byte> bytes, string? contentType)
    {
        var encoding = Encoding.UTF8;
        if (contentType is not null
            && System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
            && media.CharSet is { Length: > 0 } charset)
        {
            try
            {
                encoding = Encoding.GetEncoding(charset.Trim('"'));
            }
            catch (ArgumentException)
            {
                // An unknown charset: read it as UTF-8, as browsers fall back.
            }
        }
        var preamble = Encoding.UTF8.Preamble;
        if (bytes.StartsWith(preamble))
        {
            return Encoding.UTF8.GetString(bytes[preamble.Length..]);
        }
        return encoding.GetString(bytes);
    }

    /// <summary>Collects references as written; resolves them once the whole document (and its base) is known.</summary>
    private sealed class Collector
    {
        private readonly List<(string Raw, LinkRole Role)> _references = [];
        private readonly List<string> _scratch = [];
        private string? _base;

        public void Base(string? href) => _base ??= string.IsNullOrWhiteSpace(href) ? null : href;

        public void Add(string? raw, LinkRole role)
        {
            if (!string.IsNullOrWhiteSpace(raw))
            {
                _references.Add((raw, role));
            }
        }

        public void Srcset(string? srcset)
        {
            _scratch.Clear();
            SrcsetParser.ParseUrls(srcset, _scratch);
            foreach (var raw in _scratch)
            {
                Add(raw, LinkRole.Resource);
            }
        }

        public void Css(string css)
        {
            _scratch.Clear();
            CssUrlScanner.Scan(css, _scratch);
            foreach (var raw in _scratch)
            {
                Add(raw, LinkRole.Resource);
            }
        }

        public void ResolveInto(Uri documentUrl, List<ExtractedLink> links)
        {
            var baseUrl = LinkResolver.Resolve(documentUrl, _base) ?? documentUrl;
            foreach (var (raw, role) in _references)
            {
                if (LinkResolver.Resolve(baseUrl, raw) is { } url)
                {
                    links.Add(new ExtractedLink(url, role));
                }
            }
        }
    }
}
