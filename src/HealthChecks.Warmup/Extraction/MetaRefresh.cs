namespace HealthChecks.Warmup.Extraction;

/// <summary>Reads the URL of <c>&lt;meta http-equiv="refresh" content="5; url=/next"&gt;</c>, as the HTML standard does.</summary>
internal static class MetaRefresh
{
    public static string? Url(string? content)
    {
        if (string.IsNullOrEmpty(content))
        {
            return null;
        }
        var text = content.AsSpan().TrimStart(" \t\n\r\f");
        // The delay: digits and dots.
        var i = 0;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
        {
            i++;
        }
        if (i == 0)
        {
            return null;
        }
        text = text[i..].TrimStart(" \t\n\r\f");
        if (text.IsEmpty || text[0] is not (';' or ','))
        {
            return null;
        }
        text = text[1..].TrimStart(" \t\n\r\f");
        if (text.StartsWith("url", StringComparison.OrdinalIgnoreCase))
        {
            var rest = text[3..].TrimStart(" \t\n\r\f");
            if (!rest.IsEmpty && rest[0] == '=')
            {
                text = rest[1..].TrimStart(" \t\n\r\f");
            }
        }
        if (!text.IsEmpty && text[0] is '"' or '\'')
        {
            var quote = text[0];
            text = text[1..];
            var end = text.IndexOf(quote);
            if (end >= 0)
            {
                text = text[..end];
            }
        }
        return text.IsEmpty ? null : text.ToString();
    }
}
