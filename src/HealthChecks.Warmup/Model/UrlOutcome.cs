
namespace HealthChecks.Warmup.Model;

/// <summary>What a request came to: a status class, or no answer.</summary>
internal enum OutcomeClass
{
    /// <summary>2xx (and 1xx).</summary>
    Ok,
    /// <summary>3xx.</summary>
    Redirect,
    /// <summary>4xx.</summary>
    ClientError,
    /// <summary>5xx.</summary>
    ServerError,
    /// <summary>No status: a time-out, an exception, or the app's rate limiting to the end.</summary>
    Error,
}

/// <summary>
/// What happened to one requested URL. URLs are kept as their absolute strings (the very instances the
/// frontier's visited set holds), not as <see cref="Uri"/>s: a warm-up keeps one outcome per URL until
/// it is judged, and a parsed <see cref="Uri"/> with its cached parts is about four times the string.
/// </summary>
internal sealed record UrlOutcome(
    string Url,
    UrlKind Kind,
    int Depth,
    string? Referrer,
    bool IsEntry,
    int? StatusCode,
    FetchFailure Failure,
    string? Error,
    TimeSpan Duration,
    int Attempts = 1,
    bool IsDiscovered = false,
    bool IsSpeculative = false,
    string? Variant = null)
{
    /// <summary>What the outcome was, in the one reading the rules, the counts, telemetry and the logs share.</summary>
    public OutcomeClass Class => Failure != FetchFailure.None || StatusCode is not { } status ? OutcomeClass.Error
        : status >= 500 ? OutcomeClass.ServerError
        : status >= 400 ? OutcomeClass.ClientError
        : status >= 300 ? OutcomeClass.Redirect
        : OutcomeClass.Ok;

    /// <summary>A 5xx, an exception, a time-out or no status at all.</summary>
    public bool IsBroken => Class is OutcomeClass.Error or OutcomeClass.ServerError;

    /// <summary>Anything but an answer: a 4xx, a 5xx, an exception, a time-out.</summary>
    public bool IsMiss => Class is not (OutcomeClass.Ok or OutcomeClass.Redirect);

    /// <summary>
    /// Where the URL came from, for the logs: the page, stylesheet or redirect that led here, or for a URL
    /// the warm-up starts from, the source (<c>EntryPaths</c>, endpoint discovery, sitemap discovery).
    /// </summary>
    public string From => Referrer ?? (IsEntry ? "EntryPaths"
        : IsDiscovered ? "endpoint discovery"
        : Kind is UrlKind.RobotsTxt or UrlKind.Sitemap ? "sitemap discovery"
        : "the warm-up");

    /// <summary>A short line for descriptions and logs: <c>http://h/x → 500 (from http://h/)</c>.</summary>
    public string Describe()
    {
        var from = Referrer is null ? (IsEntry ? " (entry page)" : "") : $" (from {Referrer})";
        return $"{Url} → {Result}{from}";
    }

    /// <summary>The status code, or what went wrong instead.</summary>
    public string Result => Failure switch
    {
        FetchFailure.Timeout => "timed out",
        FetchFailure.Exception => "failed: " + Error,
        FetchFailure.RateLimited => $"{StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture)}, rate limited: {Error}",
        _ => StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no response",
    };
}
