using HealthChecks.Warmup.Model;

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

    public static bool IsJavaScript(string? contentType) =>
        MediaType(contentType) is var type
        && (type.Equals("text/javascript", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/javascript", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/x-javascript", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/ecmascript", StringComparison.OrdinalIgnoreCase)
            || type.Equals("text/ecmascript", StringComparison.OrdinalIgnoreCase));

    public static bool IsJson(string? contentType) =>
        MediaType(contentType) is var type
        && (type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase)));

    /// <summary>
    /// Whether the body is kept for the crawler: successful HTML and CSS, any successful robots.txt or
    /// sitemap, a JavaScript module and a web app manifest.
    /// </summary>
    public static bool IsKept(CrawlRequest request, int statusCode, string? contentType) =>
        statusCode is >= 200 and < 300
        && (request.Kind is UrlKind.Sitemap or UrlKind.RobotsTxt || IsHtml(contentType) || IsCss(contentType)
            || (request.ReadAs == ReadAs.Module && IsJavaScript(contentType))
            || (request.ReadAs == ReadAs.Manifest && (IsJson(contentType) || MediaType(contentType).IsEmpty)));

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
