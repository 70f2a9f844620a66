using System.Buffers;
using System.Runtime.CompilerServices;
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
/// <para>
/// The methods that run for every token or link are compiled optimised on their first call
/// (<see cref="MethodImplOptions.AggressiveOptimization"/>): a warm-up runs once, in a fresh
/// process, and is over before tiered compilation and Dynamic PGO would have paid for their
/// unoptimised and instrumented code (docs/benchmarks.md).
/// </para>
/// </remarks>
internal static class HtmlLinkExtractor
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
            Extract(new TextSource(new CharArrayTextSource(chars, length)), documentUrl, links, resolved);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Extract(TextSource source, Uri documentUrl, List<ExtractedLink> links, ResolvedLinks? resolved)
    {
        // Disposed: it returns its pooled buffer (undisposed, every page allocated a new one).
        using var tokenizer = new HtmlTokenizer(source, HtmlEntityProvider.Resolver)
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

        var found = new Collector(resolved);
        var foreignDepth = 0;
        StringBuilder? style = null;
        StringBuilder? script = null;
        var scriptKind = InlineScript.None;
        // Struct tokens: no object per token; text, scripts and comments are skipped by the tokenizer.
        for (ref var token = ref tokenizer.GetStructToken(); token.Type != HtmlTokenType.EndOfFile; token = ref tokenizer.GetStructToken())
        {
            switch (token.Type)
            {
                case HtmlTokenType.StartTag:
                    // The name as a span: a start tag costs no string.
                    var name = token.Name.Memory.Span;
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
                        style = name is "style" ? new StringBuilder() : null;
                        scriptKind = name is "script" ? KindOf(new Attributes(ref token)) : InlineScript.None;
                        script = scriptKind == InlineScript.None ? null : new StringBuilder();
                    }
                    tokenizer.IsAcceptingCharacterData = foreignDepth > 0;
                    break;
                case HtmlTokenType.EndTag:
                    if (token.Name == "style" && style is not null)
                    {
                        found.Css(style.ToString());
                        style = null;
                    }
                    else if (token.Name == "script" && script is not null)
                    {
                        found.Script(script.ToString(), scriptKind);
                        script = null;
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
                case HtmlTokenType.Character when script is not null:
                    script.Append(token.Data.Memory.Span);
                    break;
            }
        }
        if (style is not null)
        {
            found.Css(style.ToString());
        }
        found.ResolveInto(documentUrl, links, resolved);
    }

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
                if (IsBlazorScript(src))
                {
                    // What Blazor's script fetches on every page load, against the document's base URI.
                    found.Add("_blazor/initializers", LinkRole.Resource);
                }
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

    /// <summary>
    /// Blazor's own script (<c>_framework/blazor.web.js</c> or <c>blazor.server.js</c>, fingerprinted or not),
    /// which fetches the app's JavaScript initializers from <c>_blazor/initializers</c> as the page loads.
    /// </summary>
    private static bool IsBlazorScript(string? src)
    {
        if (string.IsNullOrEmpty(src))
        {
            return false;
        }
        var path = src.AsSpan();
        var end = path.IndexOfAny('?', '#');
        path = end >= 0 ? path[..end] : path;
        var name = path[(path.LastIndexOf('/') + 1)..];
        return (name.StartsWith("blazor.web.", StringComparison.OrdinalIgnoreCase) || name.StartsWith("blazor.server.", StringComparison.OrdinalIgnoreCase))
            && name.EndsWith(".js", StringComparison.OrdinalIgnoreCase)
            && path[..(path.Length - name.Length)].EndsWith("_framework/", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>What a <c>&lt;link&gt;</c> is, by its <c>rel</c>; <see langword="null"/> for one that loads nothing and links nowhere (preconnect...).</summary>
    internal static LinkRole? LinkRoleOf(string? rel)
    {
        var tokens = RelTokens(rel);
        return tokens.Contains("modulepreload", StringComparer.OrdinalIgnoreCase) ? LinkRole.Module
            : tokens.Contains("manifest", StringComparer.OrdinalIgnoreCase) ? LinkRole.Manifest
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

    /// <summary>Reads the attributes of the current struct token.</summary>
    private readonly ref struct Attributes(ref StructHtmlToken token)
    {
        private readonly ref StructHtmlToken _token = ref token;

        /// <summary>Whether the attribute is there and says <paramref name="value"/>, ignoring case.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool Is(string name, string value)
        {
            var attributes = _token.Attributes;
            for (var i = 0; i < attributes.Count; i++)
            {
                var attribute = attributes[i];
                if (attribute.Name == name)
                {
                    return attribute.Value.Memory.Span.Equals(value, StringComparison.OrdinalIgnoreCase);
                }
            }
            return false;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    /// <summary>A UTF-8 byte order mark, else the charset of the Content-Type, else UTF-8 (as browsers fall back).</summary>
    private static Encoding EncodingOf(ReadOnlySpan<byte> bytes, string? contentType, out int preamble)
    {
        preamble = bytes.StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        if (preamble == 0
            && contentType is not null
            && System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
            && media.CharSet is { Length: > 0 } charset)
        {
            try
            {
                return Encoding.GetEncoding(charset.Trim('"'));
            }
            catch (ArgumentException)
            {
                // An unknown charset: read it as UTF-8.
            }
        }
        return Encoding.UTF8;
    }

    /// <summary>Collects references as written; resolves them once the whole document (and its base) is known.</summary>
    private sealed class Collector(ResolvedLinks? resolved)
    {
        private readonly List<(string Raw, LinkRole Role)> _references = [];
        private readonly List<string> _scratch = [];
        private string? _base;

        public void Base(string? href) => _base ??= string.IsNullOrWhiteSpace(href) ? null : href;

        public void Add(string? raw, LinkRole? role)
        {
            if (!string.IsNullOrWhiteSpace(raw) && role is { } known)
            {
                _references.Add((raw, known));
            }
        }

        private int _guesses;
        private List<string>? _importMaps;

        public void Script(string code, InlineScript kind)
        {
            if (string.IsNullOrWhiteSpace(code))
            {
                return;
            }
            switch (kind)
            {
                case InlineScript.ImportMap:
                    // Read once the document's base is known.
                    (_importMaps ??= []).Add(code);
                    break;
                case InlineScript.Module or InlineScript.SpeculationRules:
                    _references.AddRange(References(code, kind));
                    break;
                case InlineScript.Classic when _guesses < ScriptScanner.MaxGuesses:
                    foreach (var guess in References(code, kind).Take(ScriptScanner.MaxGuesses - _guesses))
                    {
                        _references.Add(guess);
                        _guesses++;
                    }
                    break;
            }
        }

        /// <summary>What an inline script references; once per text for the crawl when it has one.</summary>
        private (string Raw, LinkRole Role)[] References(string code, InlineScript kind) =>
            resolved is null ? Read(code, kind) : resolved.ReferencesOfScript(code, text => Read(text, kind));

        private static (string Raw, LinkRole Role)[] Read(string code, InlineScript kind)
        {
            var found = new List<(string Raw, LinkRole Role)>();
            switch (kind)
            {
                case InlineScript.Module:
                    ScriptScanner.ScanModule(code, found);
                    break;
                case InlineScript.SpeculationRules:
                    JsonReferences.SpeculationRules(code, found);
                    break;
                default:
                    var guesses = new List<string>();
                    ScriptScanner.ScanGuesses(code, guesses, ScriptScanner.MaxGuesses);
                    found.AddRange(guesses.Select(g => (g, LinkRole.Guess)));
                    break;
            }
            return [.. found];
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

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void ResolveInto(Uri documentUrl, List<ExtractedLink> links, ResolvedLinks? resolved)
        {
            var baseUrl = LinkResolver.Resolve(documentUrl, _base) ?? documentUrl;
            var baseIsOrigin = resolved?.IsOrigin(baseUrl) == true;
            var maps = resolved?.ImportMaps ?? (_importMaps is null ? null : new ImportMaps());
            foreach (var json in _importMaps ?? [])
            {
                if (maps!.IsNew(json, baseUrl))
                {
                    JsonReferences.ImportMap(json, baseUrl, maps);
                }
            }
            foreach (var (raw, role) in _references)
            {
                if (role == LinkRole.BareImport)
                {
                    if (maps?.Resolve(raw) is { } mapped)
                    {
                        links.Add(new ExtractedLink(mapped, LinkRole.Module));
                    }
                }
                else if ((resolved is null ? LinkResolver.Resolve(baseUrl, raw) : resolved.Resolve(baseUrl, baseIsOrigin, raw)) is { } url)
                {
                    links.Add(new ExtractedLink(url, role));
                }
            }
        }
    }
}
