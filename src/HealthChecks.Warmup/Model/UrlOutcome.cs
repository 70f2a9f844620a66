
namespace HealthChecks.Warmup.Model;

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
    bool IsSpeculative = false)
{
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
