using System.Text.Json.Serialization;
using System.Text.Json;
using HealthChecks.Warmup.Model;
using HealthChecks.Warmup.Rules;

namespace HealthChecks.Warmup.Cli;

/// <summary>The <c>--json</c> report; its schema is documented in docs/cli.md.</summary>
internal sealed record JsonReport(
    int SchemaVersion,
    string Origin,
    DateTimeOffset StartedAt,
    long DurationMs,
    bool Warm,
    JsonCounts Counts,
    IReadOnlyList<string> LimitsReached,
    IReadOnlyList<JsonUrl> Failures,
    IReadOnlyList<JsonUrl> Urls,
    IReadOnlyList<JsonTiming>? Slowest = null)
{
    private static readonly JsonSerializerOptions s_options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static JsonReport From(WarmupReport report, DateTimeOffset startedAt, bool ignoreResourceServerErrors, IReadOnlyList<PageTiming>? slowest = null)
    {
        var counts = report.Counts;
        var failures = FailureRules.Failures(report, ignoreResourceServerErrors);
        return new JsonReport(
            SchemaVersion: 1,
            Origin: report.Origin.AbsoluteUri,
            StartedAt: startedAt,
            DurationMs: (long)report.Duration.TotalMilliseconds,
            Warm: failures.Count == 0,
            Counts: new JsonCounts(counts.Done, counts.Succeeded, counts.ClientErrors, counts.ServerErrors, counts.Errors, counts.OutOfScope, counts.Excluded, counts.OverLimit),
            LimitsReached: counts.LimitsReached == WarmupLimits.None ? [] : counts.LimitsReached.ToString().Split(", "),
            Failures: [.. failures.Select(JsonUrl.From)],
            Urls: [.. report.Outcomes.Select(JsonUrl.From)],
            Slowest: [.. (slowest ?? []).Select(t => new JsonTiming(t.Url, (long)t.Cold.TotalMilliseconds, (long)t.Warm.TotalMilliseconds))]);
    }

    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, this, s_options, cancellationToken);
    }

    public static JsonReport? Read(string json) => JsonSerializer.Deserialize<JsonReport>(json, s_options);
}

/// <summary>What warming bought one of the slowest pages: its first and its second request's time.</summary>
internal sealed record JsonTiming(string Url, long ColdMs, long WarmMs);

internal sealed record JsonCounts(int Requested, int Ok, int ClientErrors, int ServerErrors, int Errors, int OutOfScope, int Excluded, int OverLimit);

internal sealed record JsonUrl(string Url, string Kind, int Depth, bool Entry, string? Referrer, int? Status, string? Error, long DurationMs, int Attempts)
{
    public static JsonUrl From(UrlOutcome outcome) => new(
        outcome.Url,
        outcome.Kind == UrlKind.Page ? "page" : "resource",
        outcome.Depth,
        outcome.IsEntry,
        outcome.Referrer,
        outcome.StatusCode,
        outcome.Failure == FetchFailure.None ? outcome.Error : outcome.Result,
        (long)outcome.Duration.TotalMilliseconds,
        outcome.Attempts);
}
