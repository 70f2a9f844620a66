using System.Text.RegularExpressions;
using Acornima;

namespace HealthChecks.Warmup.Extraction;

/// <summary>
/// What JavaScript references, read with Acornima's tokenizer (which tells a regular expression from a
/// division, and unescapes strings as the engine does: <c>"http:\/\/h\/x.js"</c>, <c>"\u003Cscript"</c>):
/// a module's static imports and exports, its <c>import("…")</c> and <c>new URL("…", import.meta.url)</c>;
/// and, in a classic inline script, string literals that look like the site's assets — guesses, since a
/// script may never use them. Never executes anything; a script the tokenizer cannot read yields what was
/// read before the error.
/// </summary>
internal static partial class ScriptScanner
{
    /// <summary>The most guesses one document makes from its scripts.</summary>
    public const int MaxGuesses = 100;

    private static readonly HashSet<string> s_assetExtensions = new(
        ["js", "mjs", "css", "json", "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico", "bmp",
         "woff", "woff2", "ttf", "otf", "eot", "mp4", "webm", "mp3", "ogg", "wav", "wasm", "pdf", "xml", "txt", "webmanifest"],
        StringComparer.OrdinalIgnoreCase);

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> s_assetExtension = s_assetExtensions.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// The module specifiers and module-relative URLs of a JavaScript module: <c>import … from "s"</c>,
    /// <c>import "s"</c>, <c>export … from "s"</c> and <c>import("s")</c> as modules; <c>new URL("s", …)</c> as a resource.
    /// Bare specifiers (<c>"lit"</c>) come back as <see cref="LinkRole.BareImport"/>, for the import map to resolve.
    /// </summary>
    public static void ScanModule(string code, List<(string Raw, LinkRole Role)> found)
    {
        // The last three significant tokens before a string: enough to tell `from "s"`, `import "s"`,
        // `import("s"` and `URL("s"` apart.
        Token previous = default, before = default, third = default;
        foreach (var token in Tokens(code, SourceType.Module))
        {
            if (token.Kind == TokenKind.StringLiteral && token.StringValue is { Length: > 0 } value)
            {
                if (IsWord(previous, "from") || IsWord(previous, "import") || (IsPunctuator(previous, "(") && IsWord(before, "import") && !IsPunctuator(third, ".")))
                {
                    found.Add((value, IsBare(value) ? LinkRole.BareImport : LinkRole.Module));
                }
                else if (!IsBare(value) && IsPunctuator(previous, "(") && IsWord(before, "URL") && IsWord(third, "new"))
                {
                    found.Add((value, LinkRole.Resource));
                }
            }
            (third, before, previous) = (before, previous, token);
        }
    }

    /// <summary>
    /// Guesses from a classic script: string literals that are a path to an asset of the site (an asset
    /// file extension, no spaces: <c>"/lib/jquery.min.js"</c>, <c>"searchindex.js"</c>,
    /// <c>"https://host/wp-includes/js/wp-emoji.js?ver=6"</c>), and the <c>src</c> and <c>href</c> of markup a
    /// string holds (<c>document.write("&lt;script src=…&gt;")</c>); not the <c>href</c> of markup, which
    /// links rather than loads. At most <paramref name="max"/>.
    /// </summary>
    public static void ScanGuesses(string code, List<string> guesses, int max)
    {
        foreach (var token in Tokens(code, SourceType.Script))
        {
            if (guesses.Count >= max)
            {
                return;
            }
            var text = token.Kind switch
            {
                TokenKind.StringLiteral => token.StringValue,
                TokenKind.Template => token.TemplateValue?.Cooked,
                _ => null,
            };
            if (string.IsNullOrEmpty(text) || text.Length > 2048)
            {
                continue;
            }
            if (text.Contains('<', StringComparison.Ordinal))
            {
                try
                {
                    foreach (Match match in MarkupUrl().Matches(text))
                    {
                        if (guesses.Count < max)
                        {
                            guesses.Add(match.Groups["url"].Value);
                        }
                    }
                }
                catch (RegexMatchTimeoutException)
                {
                    // Pathological text: no guess from it.
                }
            }
            else if (LooksLikeAsset(text))
            {
                guesses.Add(text);
            }
        }
    }

    /// <summary>A path or URL with no spaces or markup whose last segment has an asset's extension.</summary>
    internal static bool LooksLikeAsset(string text)
    {
        if (text.Length is < 4 or > 512 || text.AsSpan().IndexOfAny(" \t\r\n<>\"'`{}()\\|^,;*") >= 0)
        {
            return false;
        }
        var path = text.AsSpan();
        var end = path.IndexOfAny('?', '#');
        if (end >= 0)
        {
            path = path[..end];
        }
        var colon = path.IndexOf(':');
        if (colon >= 0 && !(path.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
        {
            // mailto:, data:, javascript:, a time "10:30.5"...
            return false;
        }
        var dot = path.LastIndexOf('.');
        var slash = path.LastIndexOf('/');
        return dot > slash + 1 && dot < path.Length - 1
            && s_assetExtension.Contains(path[(dot + 1)..]);
    }

    private static IEnumerable<Token> Tokens(string code, SourceType type)
    {
        var tokenizer = new Tokenizer(code, type, sourceFile: null, new TokenizerOptions { Tolerant = true });
        var context = new TokenizerContext();
        while (true)
        {
            Token token;
            try
            {
                token = tokenizer.GetToken(in context);
            }
            catch (ParseErrorException)
            {
                // A script the tokenizer cannot read further: what came before counts.
                yield break;
            }
            if (token.Kind == TokenKind.EOF)
            {
                yield break;
            }
            yield return token;
        }
    }

    private static bool IsBare(string specifier) =>
        !(specifier.StartsWith('/') || specifier.StartsWith("./", StringComparison.Ordinal) || specifier.StartsWith("../", StringComparison.Ordinal)
          || specifier.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || specifier.StartsWith("https://", StringComparison.OrdinalIgnoreCase));

    private static bool IsWord(Token token, string word) =>
        token.Kind is TokenKind.Keyword or TokenKind.Identifier && token.Value is string value && value == word;

    private static bool IsPunctuator(Token token, string punctuator) =>
        token.Kind == TokenKind.Punctuator && token.Value is string value && value == punctuator;

    // What markup in a string loads: a src (script, img, iframe...). An href there is a link, not a load.
    [GeneratedRegex("""\bsrc\s*=\s*["']?(?<url>[^"'\s>]+)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex MarkupUrl();
}
