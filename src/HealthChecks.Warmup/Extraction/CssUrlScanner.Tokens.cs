using System.Buffers;
using System.Globalization;
using System.Text;

namespace HealthChecks.Warmup.Extraction;

/// <summary>The tokens of CSS Syntax Level 3 the scanner reads: strings, url(), names and escapes.</summary>
internal static partial class CssUrlScanner
{
    private static readonly SearchValues<char> s_doubleQuotedStops = SearchValues.Create("\"\\\n\r\f");
    private static readonly SearchValues<char> s_singleQuotedStops = SearchValues.Create("'\\\n\r\f");

    /// <summary>Reads a quoted string starting at its quote; <see langword="null"/> for a bad string (raw newline).</summary>
    private static string? ConsumeString(ReadOnlySpan<char> css, ref int i)
    {
        var quote = css[i++];
        // Most strings have no escape or newline: one slice, no builder.
        var rest = css[i..];
        var stop = rest.IndexOfAny(quote == '"' ? s_doubleQuotedStops : s_singleQuotedStops);
        if (stop >= 0 && rest[stop] == quote)
        {
            i += stop + 1;
            return rest[..stop].ToString();
        }
        var value = new StringBuilder();
        while (i < css.Length)
        {
            var c = css[i];
            if (c == quote)
            {
                i++;
                return value.ToString();
            }
            if (c is '\n' or '\r' or '\f')
            {
                // A bad string: the newline is left for the main loop.
                return null;
            }
            if (c == '\\')
            {
                if (i + 1 >= css.Length)
                {
                    i++;
                    continue;
                }
                if (css[i + 1] is '\n' or '\r' or '\f')
                {
                    // An escaped newline continues the string.
                    i += css[i + 1] == '\r' && i + 2 < css.Length && css[i + 2] == '\n' ? 3 : 2;
                    continue;
                }
                i++;
                AppendEscape(css, ref i, value);
                continue;
            }
            value.Append(c);
            i++;
        }
        return value.ToString();
    }

    /// <summary>Reads what follows <c>url(</c> up to and including its <c>)</c>; <see langword="null"/> for a bad URL.</summary>
    private static string? ConsumeUrl(ReadOnlySpan<char> css, ref int i)
    {
        SkipWhitespace(css, ref i);
        if (i < css.Length && css[i] is '"' or '\'')
        {
            var quoted = ConsumeString(css, ref i);
            SkipWhitespace(css, ref i);
            if (i < css.Length && css[i] == ')')
            {
                i++;
                return quoted;
            }
            SkipBadUrl(css, ref i);
            return null;
        }

        var value = new StringBuilder();
        while (i < css.Length)
        {
            var c = css[i];
            if (c == ')')
            {
                i++;
                return value.ToString();
            }
            if (IsWhitespace(c))
            {
                SkipWhitespace(css, ref i);
                if (i >= css.Length || css[i] == ')')
                {
                    i = Math.Min(i + 1, css.Length);
                    return value.ToString();
                }
                SkipBadUrl(css, ref i);
                return null;
            }
            if (c is '"' or '\'' or '(' || IsNonPrintable(c))
            {
                SkipBadUrl(css, ref i);
                return null;
            }
            if (c == '\\')
            {
                if (i + 1 < css.Length && css[i + 1] is not ('\n' or '\r' or '\f'))
                {
                    i++;
                    AppendEscape(css, ref i, value);
                    continue;
                }
                SkipBadUrl(css, ref i);
                return null;
            }
            value.Append(c);
            i++;
        }
        return value.ToString();
    }

    private static void SkipBadUrl(ReadOnlySpan<char> css, ref int i)
    {
        while (i < css.Length)
        {
            var c = css[i++];
            if (c == ')')
            {
                return;
            }
            if (c == '\\' && i < css.Length)
            {
                i++;
            }
        }
    }

    /// <summary>An identifier: a slice of the input, copied only when it has escapes to decode.</summary>
    private static ReadOnlySpan<char> ConsumeName(ReadOnlySpan<char> css, ref int i)
    {
        var start = i;
        var plain = true;
        while (i < css.Length)
        {
            var c = css[i];
            if (IsNameChar(c))
            {
                i++;
            }
            else if (c == '\\' && i + 1 < css.Length && css[i + 1] is not ('\n' or '\r' or '\f'))
            {
                plain = false;
                i += 2;
            }
            else
            {
                break;
            }
        }
        if (plain)
        {
            return css[start..i];
        }

        // Rare: decode the escapes of the name.
        var value = new StringBuilder();
        for (var j = start; j < i;)
        {
            if (css[j] == '\\')
            {
                j++;
                AppendEscape(css[..i], ref j, value);
            }
            else
            {
                value.Append(css[j++]);
            }
        }
        return value.ToString();
    }

    /// <summary>Decodes the escape whose backslash is just before <paramref name="i"/>.</summary>
    private static void AppendEscape(ReadOnlySpan<char> css, ref int i, StringBuilder value)
    {
        if (i >= css.Length)
        {
            value.Append('\uFFFD');
            return;
        }
        if (!char.IsAsciiHexDigit(css[i]))
        {
            value.Append(css[i++]);
            return;
        }
        var start = i;
        while (i < css.Length && i - start < 6 && char.IsAsciiHexDigit(css[i]))
        {
            i++;
        }
        var code = int.Parse(css[start..i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        if (i < css.Length && IsWhitespace(css[i]))
        {
            i += css[i] == '\r' && i + 1 < css.Length && css[i + 1] == '\n' ? 2 : 1;
        }
        if (code == 0 || code > 0x10FFFF || code is >= 0xD800 and <= 0xDFFF)
        {
            value.Append('\uFFFD');
        }
        else
        {
            value.Append(char.ConvertFromUtf32(code));
        }
    }

    private static bool StartsName(ReadOnlySpan<char> css, int i)
    {
        var c = css[i];
        if (IsNameStart(c))
        {
            return true;
        }
        if (c == '\\')
        {
            return i + 1 < css.Length && css[i + 1] is not ('\n' or '\r' or '\f');
        }
        if (c == '-' && i + 1 < css.Length)
        {
            var next = css[i + 1];
            return IsNameStart(next) || next == '-' || (next == '\\' && i + 2 < css.Length && css[i + 2] is not ('\n' or '\r' or '\f'));
        }
        return false;
    }

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_' || c >= 0x80;

    private static bool IsNameChar(char c) => IsNameStart(c) || char.IsAsciiDigit(c) || c == '-';

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f';

    private static bool IsNonPrintable(char c) => c is <= '\u0008' or '\u000B' or (>= '\u000E' and <= '\u001F') or '\u007F';

    private static void SkipWhitespace(ReadOnlySpan<char> css, ref int i)
    {
        while (i < css.Length && IsWhitespace(css[i]))
        {
            i++;
        }
    }
}
