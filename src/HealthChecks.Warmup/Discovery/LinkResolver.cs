namespace HealthChecks.Warmup.Discovery;

/// <summary>Turns a URL as written in markup into an absolute, normalised URL.</summary>
internal static class LinkResolver
{
    // Schemes that name no document to fetch: skipped silently rather than counted as out of scope.
    private static readonly HashSet<string> s_inertSchemes =
        new(["javascript", "mailto", "tel", "sms", "data", "about", "blob"], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Resolves <paramref name="raw"/> against <paramref name="baseUrl"/> the way a browser does
    /// (tabs and newlines removed, surrounding spaces trimmed, backslashes read as slashes), then drops
    /// the fragment. Returns <see langword="null"/> for empty, fragment-only, inert-scheme or
    /// unparsable references. The result may be outside the site: scope is the frontier's to judge.
    /// </summary>
    public static Uri? Resolve(Uri baseUrl, string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }
        var text = BackslashesAsSlashes(Clean(raw));
        if (text.Length == 0 || text[0] == '#' || HasInertScheme(text))
        {
            return null;
        }
        if (!Uri.TryCreate(baseUrl, text, out var url) || !url.IsAbsoluteUri)
        {
            return null;
        }
        return WithoutFragment(url);
    }

    /// <summary>
    /// The URL without its fragment, the key the frontier deduplicates on; <see langword="null"/> when the
    /// URL does not parse again without it (seen: an internationalised host after user info).
    /// </summary>
    private static Uri? WithoutFragment(Uri url) =>
        url.Fragment.Length == 0
            ? url
            : Uri.TryCreate(url.GetComponents(UriComponents.HttpRequestUrl | UriComponents.UserInfo, UriFormat.UriEscaped), UriKind.Absolute, out var bare)
                ? bare
                : null;

    private static string Clean(string raw)
    {
        var text = raw.AsSpan().Trim(" \f\r\n\t\0");
        if (text.IndexOfAny('\t', '\n', '\r') < 0)
        {
            return text.ToString();
        }
        var builder = new System.Text.StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is not ('\t' or '\n' or '\r'))
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    /// <summary>
    /// Browsers read <c>\</c> as <c>/</c> before the query of an http(s) URL (<c>/\evil.example</c> is
    /// protocol-relative to them); <see cref="Uri"/> does not, so do it first to resolve as they do.
    /// </summary>
    private static string BackslashesAsSlashes(string text)
    {
        var end = text.AsSpan().IndexOfAny('?', '#');
        var head = end < 0 ? text.AsSpan() : text.AsSpan(0, end);
        if (!head.Contains('\\'))
        {
            return text;
        }
        return string.Concat(head.ToString().Replace('\\', '/'), end < 0 ? "" : text[end..]);
    }

    private static bool HasInertScheme(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && s_inertSchemes.Contains(text[..colon].Trim());
    }
}
