namespace HealthChecks.Warmup.Extraction;

/// <summary>
/// The <c>Link</c> response header (RFC 8288): <c>&lt;/app.css&gt;; rel=preload; as=style, &lt;/m.js&gt;; rel=modulepreload</c>,
/// which middleware and CDNs use to announce what a page loads (and what 103 Early Hints repeat).
/// Hand-written: neither the BCL nor ASP.NET Core parses it, and the grammar a browser follows for
/// preloads is this small: a target in angle brackets, then <c>;</c>-separated parameters, links separated
/// by commas outside the brackets and quotes.
/// </summary>
internal static class LinkHeader
{
    /// <summary>The links whose <c>rel</c> loads something (<see cref="HtmlLinkExtractor.LinkRoleOf"/>), with their roles.</summary>
    public static void Read(string? header, List<(string Raw, LinkRole Role)> found)
    {
        if (string.IsNullOrEmpty(header) || header.Length > 64 * 1024)
        {
            return;
        }
        var span = header.AsSpan();
        while (!span.IsEmpty)
        {
            var open = span.IndexOf('<');
            if (open < 0)
            {
                return;
            }
            var close = span[(open + 1)..].IndexOf('>');
            if (close < 0)
            {
                return;
            }
            var target = span.Slice(open + 1, close).Trim().ToString();
            span = span[(open + close + 2)..];
            var end = EndOfParameters(span);
            var rel = Parameter(span[..end], "rel");
            if (target.Length > 0 && HtmlLinkExtractor.LinkRoleOf(rel) is { } role && role != LinkRole.Page)
            {
                found.Add((target, role));
            }
            span = span[end..];
        }
    }

    /// <summary>Where this link's parameters end: the first comma outside quotes.</summary>
    private static int EndOfParameters(ReadOnlySpan<char> span)
    {
        var quoted = false;
        for (var i = 0; i < span.Length; i++)
        {
            switch (span[i])
            {
                case '"':
                    quoted = !quoted;
                    break;
                case '\\' when quoted:
                    i++;
                    break;
                case ',' when !quoted:
                    return i;
            }
        }
        return span.Length;
    }

    private static string? Parameter(ReadOnlySpan<char> parameters, string name)
    {
        foreach (var range in parameters.Split(';'))
        {
            var part = parameters[range].Trim();
            var equals = part.IndexOf('=');
            if (equals > 0 && part[..equals].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return part[(equals + 1)..].Trim().Trim('"').ToString();
            }
        }
        return null;
    }
}
