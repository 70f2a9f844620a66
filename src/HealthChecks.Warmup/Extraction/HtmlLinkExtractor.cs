using System.Buffers;
using System.Runtime.CompilerServices;
using AngleSharp.Html.Parser.Tokens.Struct;
using AngleSharp.Html.Parser;
using AngleSharp.Html;
using AngleSharp.Text;

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
/// <para>
/// The methods that run for every token or link are compiled optimised on their first call
/// (<see cref="MethodImplOptions.AggressiveOptimization"/>): a warm-up runs once, in a fresh
/// process, and is over before tiered compilation and Dynamic PGO would have paid for their
/// unoptimised and instrumented code (docs/benchmarks.md).
/// </para>
/// </remarks>
internal static partial class HtmlLinkExtractor
{
    private static readonly HashSet<string> s_resourceRels = new(
        ["stylesheet", "icon", "apple-touch-icon", "apple-touch-icon-precomposed", "preload", "prefetch"],
        StringComparer.OrdinalIgnoreCase);

    // Links to other pages that live in <link>: how documentation generators, feeds and translations link.
    private static readonly HashSet<string> s_pageRels = new(
        ["index", "search", "alternate", "canonical", "next", "prev", "previous", "help", "contents", "glossary", "up"],
        StringComparer.OrdinalIgnoreCase);

    /// <summary>What an inline <c>&lt;script&gt;</c> holds, by its <c>type</c>.</summary>
    private enum InlineScript
    {
        None,
        Classic,
        Module,
        ImportMap,
        SpeculationRules,
    }

    public static void Extract(ReadOnlyMemory<byte> html, string? contentType, Uri documentUrl, List<ExtractedLink> links, ResolvedLinks? resolved = null)
    {
        var encoding = EncodingOf(html.Span, contentType, out var preamble);
        var bytes = html.Span[preamble..];
        // A pooled char array, not a new string a page (over 42 KB, one on the large object heap), and
        // AngleSharp's tokenizer reads a CharArrayTextSource directly, not through its source interface.
        var chars = ArrayPool<char>.Shared.Rent(Math.Max(1, encoding.GetMaxCharCount(bytes.Length)));
        try
        {
            var length = encoding.GetChars(bytes, chars);
            Extract(new TextSource(new CharArrayTextSource(chars, length)), chars.AsMemory(0, length), documentUrl, links, resolved);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Extract(TextSource source, ReadOnlyMemory<char> markup, Uri documentUrl, List<ExtractedLink> links, ResolvedLinks? resolved)
    {
        // Disposed: it returns its pooled buffer (undisposed, every page allocated a new one).
        using var tokenizer = Tokenizer(source);

        var found = new Collector(resolved);
        var text = new ElementText(found);
        // Struct tokens: no object per token; text, scripts and comments are skipped by the tokenizer.
        for (ref var token = ref tokenizer.GetStructToken(); token.Type != HtmlTokenType.EndOfFile; token = ref tokenizer.GetStructToken())
        {
            switch (token.Type)
            {
                case HtmlTokenType.StartTag:
                    // The name as a span: a start tag costs no string.
                    var name = token.Name.Memory.Span;
                    Visit(ref token, name, text.InForeignContent, found);
                    text.Open(ref token, name, tokenizer);
                    break;
                case HtmlTokenType.EndTag:
                    text.Close(ref token, tokenizer);
                    break;
                case HtmlTokenType.Character:
                    text.Append(token.Data.Memory.Span);
                    break;
            }
        }
        text.End();
        if (Blazor.StartsCircuit(found.BlazorScript, markup.Span))
        {
            // What Blazor's script fetches as its circuit starts, against the document's base URI.
            found.Add(Blazor.InitializersPath, LinkRole.Resource);
        }
        found.ResolveInto(documentUrl, links, resolved);
    }

    /// <summary>AngleSharp's tokenizer, set to emit only what holds a URL: no text, comments or positions.</summary>
    private static HtmlTokenizer Tokenizer(TextSource source) => new HtmlTokenizer(source, HtmlEntityProvider.Resolver)
    {
        // Rows and columns are for error messages, which are not read.
        DisableElementPositionTracking = true,
        SkipDataText = true,
        SkipComments = true,
        // Inline scripts are read: module imports, import maps, speculation rules, and guesses.
        SkipScriptText = false,
        SkipRCDataText = true,
        SkipPlaintext = true,
        SkipCDATA = true,
        SkipProcessingInstructions = true,
        // <style> is raw text: its CSS is read.
        SkipRawText = false,
        // Only the attributes that can hold a URL (or say what a link is) are kept.
        ShouldEmitAttribute = KeepsAttribute,
    };

    private static readonly HashSet<string> s_keptAttributes = new(
        ["href", "src", "srcset", "imagesrcset", "poster", "data", "rel", "type", "http-equiv", "content", "style", "background", "xlink:href"],
        StringComparer.OrdinalIgnoreCase);

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> s_keptAttributeNames =
        s_keptAttributes.GetAlternateLookup<ReadOnlySpan<char>>();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool KeepsAttribute(ref StructHtmlToken token, ReadOnlyMemory<char> name) =>
        s_keptAttributeNames.Contains(name.Span);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Visit(ref StructHtmlToken token, ReadOnlySpan<char> name, bool inForeignContent, Collector found)
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
            case "script":
                var src = tag.GetAttribute("src");
                found.Add(src, tag.Is("type", "module") ? LinkRole.Module : LinkRole.Resource);
                found.BlazorScript = Blazor.ScriptOf(src) ?? found.BlazorScript;
                break;
            case "input" when tag.Is("type", "image"):
            case "audio" or "track" or "embed" or "iframe":
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
                found.Add(tag.GetAttribute("href"), LinkRoleOf(tag.GetAttribute("rel")));
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
            case "meta" when tag.Is("http-equiv", "refresh"):
                found.Add(MetaRefresh.Url(tag.GetAttribute("content")), LinkRole.Refresh);
                break;
        }
        if (tag.GetAttribute("style") is { Length: > 0 } inline)
        {
            found.Css(inline);
        }
    }

    /// <summary>What a <c>&lt;link&gt;</c> is, by its <c>rel</c>; <see langword="null"/> for one that loads nothing and links nowhere (preconnect...).</summary>
    internal static LinkRole? LinkRoleOf(string? rel)
    {
        var tokens = RelTokens(rel);
        return tokens.Contains("modulepreload", StringComparer.OrdinalIgnoreCase) ? LinkRole.Module
            : tokens.Contains("manifest", StringComparer.OrdinalIgnoreCase) ? LinkRole.Manifest
            : tokens.Contains("icon", StringComparer.OrdinalIgnoreCase) ? LinkRole.Icon
            : tokens.Any(s_resourceRels.Contains) ? LinkRole.Resource
            : tokens.Any(s_pageRels.Contains) ? LinkRole.Page
            : null;
    }

    /// <summary>An inline script's kind: none when it has a <c>src</c> (its text is ignored) or a type that is data or a template.</summary>
    private static InlineScript KindOf(Attributes tag)
    {
        if (tag.GetAttribute("src") is not null)
        {
            return InlineScript.None;
        }
        var type = tag.GetAttribute("type")?.Trim();
        return type switch
        {
            null or "" => InlineScript.Classic,
            _ when type.Equals("module", StringComparison.OrdinalIgnoreCase) => InlineScript.Module,
            _ when type.Equals("importmap", StringComparison.OrdinalIgnoreCase) => InlineScript.ImportMap,
            _ when type.Equals("speculationrules", StringComparison.OrdinalIgnoreCase) => InlineScript.SpeculationRules,
            _ when Fetching.ContentTypes.IsJavaScript(type) => InlineScript.Classic,
            _ => InlineScript.None,
        };
    }

    private static bool HasRel(string? rel, string token) => RelTokens(rel).Contains(token, StringComparer.OrdinalIgnoreCase);

    private static string[] RelTokens(string? rel) =>
        string.IsNullOrEmpty(rel) ? [] : rel.Split([' ', '\t', '\n', '\r', '\f'], StringSplitOptions.RemoveEmptyEntries);
}
