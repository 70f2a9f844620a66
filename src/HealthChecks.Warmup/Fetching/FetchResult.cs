using HealthChecks.Warmup.Model;

namespace HealthChecks.Warmup.Fetching;

/// <summary>
/// What one request answered: status, the headers the crawler reads, and the parsable body, which it
/// holds in a pooled array until disposed.
/// </summary>
internal sealed class FetchResult : IDisposable
{
    public int? StatusCode { get; init; }

    public string? ContentType { get; init; }

    /// <summary>The response's Link header (preloads a middleware or a CDN announces), as written.</summary>
    public string? LinkHeader { get; init; }

    /// <summary>The wait a Retry-After header asked for, when there was one.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The Location header of a redirect, as the app wrote it.</summary>
    public string? Location { get; init; }

    /// <summary>
    /// The body of a successful HTML or CSS response, up to <see cref="SiteWarmupOptions.MaxParsedBytes"/>;
    /// <see langword="null"/> for everything else, which is read to the end and discarded.
    /// </summary>
    public CapturedBody? Captured { get; init; }

    /// <summary>The captured body; empty when there is none or once this result is disposed.</summary>
    public ReadOnlyMemory<byte> Body => Captured?.Memory ?? ReadOnlyMemory<byte>.Empty;

    /// <summary>The body was longer than the parsed-bytes limit; only its start is in <see cref="Body"/>.</summary>
    public bool BodyTruncated => Captured?.Truncated ?? false;

    public FetchFailure Failure { get; init; }

    /// <summary>The exception or time-out, in words, when the request failed.</summary>
    public string? Error { get; init; }

    /// <summary>How many times the request was sent: retries over HTTP, and after the app asked to slow down.</summary>
    public int Attempts { get; set; } = 1;

    /// <summary>
    /// The request reached one of the app's own site warm-up health checks (a health endpoint): its
    /// answer says nothing about the site being warm and is not judged. Known in-process, and over HTTP
    /// when the site is the app itself.
    /// </summary>
    public bool ReachedHealthCheck { get; init; }

    /// <summary>Which registrations' checks answered, when <see cref="ReachedHealthCheck"/> and known (in-process only).</summary>
    public IReadOnlyList<string> ReachedChecks { get; init; } = [];

    /// <summary>Returns the body's array to the pool.</summary>
    public void Dispose() => Captured?.Dispose();

    public static FetchResult Failed(FetchFailure failure, string error, int attempts = 1) =>
        new() { Failure = failure, Error = error, Attempts = Math.Max(1, attempts) };

    /// <summary>The words of a time-out before the response.</summary>
    public static string NoResponseWithin(TimeSpan timeout) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"no response within {timeout.TotalSeconds:0.###} s");

    /// <summary>The words of an exception.</summary>
    public static string Describe(Exception exception) => $"{exception.GetType().Name}: {exception.Message}";

    /// <summary>The Accept-Language a browser set to English sends.</summary>
    public const string AcceptLanguage = "en-US,en;q=0.9";

    /// <summary>The Accept header a browser sends for a page, and for anything else.</summary>
    public static string AcceptFor(UrlKind kind) => kind == UrlKind.Page ? "text/html,application/xhtml+xml,*/*;q=0.8" : "*/*";
}
