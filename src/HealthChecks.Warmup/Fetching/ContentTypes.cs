namespace HealthChecks.Warmup.Fetching;

/// <summary>Which responses the crawler parses for more URLs.</summary>
internal static class ContentTypes
{
    public static bool IsHtml(string? contentType) =>
        MediaType(contentType) is var type
        && (type.Equals("text/html", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/xhtml+xml", StringComparison.OrdinalIgnoreCase));

    public static bool IsCss(string? contentType) =>
        MediaType(contentType).Equals("text/css", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the body is kept for the crawler: successful HTML and CSS, and any successful robots.txt or sitemap.</summary>
    public static bool IsKept(Crawling.UrlKind kind, int statusCode, string? contentType) =>
        statusCode is >= 200 and < 300 && (kind == Crawling.UrlKind.Sitemap || IsHtml(contentType) || IsCss(contentType));

    internal static ReadOnlySpan<char> MediaType(string? contentType)
    {
        if (contentType is null)
        {
            return [];
        }
        var span = contentType.AsSpan();
        var semicolon = span.IndexOf(';');
        return (semicolon < 0 ? span : span[..semicolon]).Trim();
    }
}
