
namespace HealthChecks.Warmup.Extraction;

/// <summary>
/// Finds the URLs a stylesheet loads: <c>url(…)</c> unquoted, single- or double-quoted (in any
/// property, <c>@font-face src</c> included), <c>@import "…"</c> and <c>@import url(…)</c>, and the
/// strings of <c>image-set()</c> and <c>-webkit-image-set()</c>. Comments, strings and escapes are read
/// as CSS Syntax Level 3 tokenizes them, in one linear pass.
/// </summary>
/// <remarks>
/// Hand-written rather than AngleSharp.Css: that parser drops <c>-webkit-image-set</c>, keeps
/// <c>@font-face src</c> as raw text and builds a whole object model we would throw away. Link checkers
/// such as lychee and linkchecker scan the same way.
/// </remarks>
internal static partial class CssUrlScanner
{
    public static void Scan(ReadOnlySpan<char> css, List<string> urls)
    {
        var i = 0;
        var importPending = false;
        var parenDepth = 0;
        // Paren depths at which an image-set() is open: its strings are URLs.
        var imageSets = new Stack<int>();

        while (i < css.Length)
        {
            var c = css[i];
            if (c == '/' && i + 1 < css.Length && css[i + 1] == '*')
            {
                var end = css[(i + 2)..].IndexOf("*/");
                i = end < 0 ? css.Length : i + 2 + end + 2;
            }
            else if (c is '"' or '\'')
            {
                var value = ConsumeString(css, ref i);
                if (value is not null && (importPending || (imageSets.Count > 0 && imageSets.Peek() == parenDepth)))
                {
                    urls.Add(value);
                }
                importPending = false;
            }
            else if (c == '@' && i + 1 < css.Length && StartsName(css, i + 1))
            {
                i++;
                var keyword = ConsumeName(css, ref i);
                importPending = keyword.Equals("import", StringComparison.OrdinalIgnoreCase);
            }
            else if (StartsName(css, i))
            {
                var name = ConsumeName(css, ref i);
                if (i < css.Length && css[i] == '(')
                {
                    i++;
                    if (name.Equals("url", StringComparison.OrdinalIgnoreCase))
                    {
                        var url = ConsumeUrl(css, ref i);
                        if (!string.IsNullOrEmpty(url))
                        {
                            urls.Add(url);
                        }
                        importPending = false;
                    }
                    else
                    {
                        parenDepth++;
                        if (name.Equals("image-set", StringComparison.OrdinalIgnoreCase)
                            || name.Equals("-webkit-image-set", StringComparison.OrdinalIgnoreCase))
                        {
                            imageSets.Push(parenDepth);
                        }
                    }
                }
            }
            else
            {
                switch (c)
                {
                    case '(':
                        parenDepth++;
                        break;
                    case ')':
                        if (imageSets.Count > 0 && imageSets.Peek() == parenDepth)
                        {
                            imageSets.Pop();
                        }
                        parenDepth = Math.Max(0, parenDepth - 1);
                        break;
                    case ';' or '{' or '}':
                        importPending = false;
                        break;
                }
                i++;
            }
        }
    }
}
