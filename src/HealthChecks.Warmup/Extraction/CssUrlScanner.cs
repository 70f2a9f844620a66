
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
        var open = new Open { ImageSets = new Stack<int>() };
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
                if (value is not null && (open.ImportPending || open.InImageSet))
                {
                    urls.Add(value);
                }
                open.ImportPending = false;
            }
            else if (c == '@' && i + 1 < css.Length && StartsName(css, i + 1))
            {
                i++;
                open.ImportPending = ConsumeName(css, ref i).Equals("import", StringComparison.OrdinalIgnoreCase);
            }
            else if (StartsName(css, i))
            {
                Name(css, ref i, ref open, urls);
            }
            else
            {
                Punctuation(c, ref open);
                i++;
            }
        }
    }

    /// <summary>What the tokens read so far have opened.</summary>
    private struct Open
    {
        /// <summary>An <c>@import</c> whose string or <c>url()</c> has not come yet.</summary>
        public bool ImportPending;

        public int ParenDepth;

        /// <summary>Paren depths at which an image-set() is open: its strings are URLs.</summary>
        public Stack<int> ImageSets;

        public readonly bool InImageSet => ImageSets.Count > 0 && ImageSets.Peek() == ParenDepth;
    }

    /// <summary>An identifier, and the function it opens: <c>url(</c> is read whole, <c>image-set(</c> and the rest open a paren.</summary>
    private static void Name(ReadOnlySpan<char> css, ref int i, ref Open open, List<string> urls)
    {
        var name = ConsumeName(css, ref i);
        if (i >= css.Length || css[i] != '(')
        {
            return;
        }
        i++;
        if (name.Equals("url", StringComparison.OrdinalIgnoreCase))
        {
            var url = ConsumeUrl(css, ref i);
            if (!string.IsNullOrEmpty(url))
            {
                urls.Add(url);
            }
            open.ImportPending = false;
            return;
        }
        open.ParenDepth++;
        if (name.Equals("image-set", StringComparison.OrdinalIgnoreCase) || name.Equals("-webkit-image-set", StringComparison.OrdinalIgnoreCase))
        {
            open.ImageSets.Push(open.ParenDepth);
        }
    }

    /// <summary>Parens open and close image-sets; a statement's or block's end ends a pending <c>@import</c>.</summary>
    private static void Punctuation(char c, ref Open open)
    {
        switch (c)
        {
            case '(':
                open.ParenDepth++;
                break;
            case ')':
                if (open.InImageSet)
                {
                    open.ImageSets.Pop();
                }
                open.ParenDepth = Math.Max(0, open.ParenDepth - 1);
                break;
            case ';' or '{' or '}':
                open.ImportPending = false;
                break;
        }
    }
}
