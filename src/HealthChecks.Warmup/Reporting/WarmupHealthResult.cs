using System.Globalization;
using HealthChecks.Warmup.Model;
using HealthChecks.Warmup.Rules;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HealthChecks.Warmup.Reporting;

/// <summary>Turns a warm-up snapshot into the health check result the endpoint and the dashboard show.</summary>
internal static class WarmupHealthResult
{
    /// <summary>How many failures the result names; the log has all of them.</summary>
    public const int MaxFailuresShown = 10;

    public static HealthCheckResult From(WarmupSnapshot snapshot, HealthStatus failureStatus, bool ignoreResourceServerErrors)
    {
        var data = Data(snapshot);
        switch (snapshot.State)
        {
            case WarmupState.Succeeded:
                return HealthCheckResult.Healthy(Warm(snapshot.LastReport!), data);
            case WarmupState.NotStarted:
                return new HealthCheckResult(failureStatus, "Waiting for the application to start.", data: data);
            case WarmupState.Stopped:
                return new HealthCheckResult(failureStatus, "The warm-up stopped: the application is shutting down.", data: data);
        }

        // Failed, or warming again after a failure: a probe that ignores resource server errors judges
        // the last finished attempt by its own rule.
        if (ignoreResourceServerErrors && snapshot is { LastReport: { } last, CrawlerError: null, FailedStep: null }
            && FailureRules.Failures(last, ignoreResourceServerErrors: true).Count == 0)
        {
            return HealthCheckResult.Healthy(Warm(last) + " Resource server errors ignored by this probe.", data);
        }

        var lastFailure = snapshot.CrawlerError ?? snapshot.FailedStep?.Describe() ?? (snapshot.Failures.Count > 0 ? snapshot.Failures[0].Describe() : null);
        if (snapshot.State == WarmupState.Warming)
        {
            var progress = snapshot.Progress!;
            var description = progress.Step is { } step ? $"Warming: step \"{step}\" runs."
                // Before the first URL is admitted (robots.txt is read first): no "0/0" for a dashboard to show.
                : progress.Admitted == 0 ? "Warming: starting."
                : string.Create(CultureInfo.InvariantCulture, $"Warming: {progress.Done}/{progress.Admitted} URLs.");
            if (snapshot.Attempt > 1 && lastFailure is not null)
            {
                description += string.Create(CultureInfo.InvariantCulture, $" Attempt {snapshot.Attempt}; the last one failed: {lastFailure}.");
            }
            return new HealthCheckResult(failureStatus, OneLine(description), data: data);
        }

        var failed = snapshot.CrawlerError is not null || snapshot.FailedStep is not null
            ? $"Warm-up failed: {lastFailure}."
            : string.Create(CultureInfo.InvariantCulture, $"Warm-up failed: {snapshot.Failures.Count} failure(s), first {lastFailure}.");
        if (snapshot.Hint is { } hint)
        {
            failed += " " + hint;
        }
        if (snapshot.NextAttemptAt is { } next)
        {
            failed += string.Create(CultureInfo.InvariantCulture, $" Next attempt at {next:HH:mm:ss} UTC.");
        }
        return new HealthCheckResult(failureStatus, OneLine(failed), data: data);
    }

    /// <summary>
    /// A description on one line, as every dashboard and <c>kubectl</c> shows it: an exception's message
    /// may span several (the data keeps them as they were).
    /// </summary>
    private static string OneLine(string description) =>
        description.Contains('\n') || description.Contains('\r')
            ? string.Join(' ', description.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            : description;

    private static string Warm(WarmupReport report) => string.Create(CultureInfo.InvariantCulture,
        $"Warm: {report.Counts.Done} URLs in {report.Duration.TotalSeconds:0.0} s.");

    private static Dictionary<string, object> Data(WarmupSnapshot snapshot)
    {
        var data = new Dictionary<string, object>
        {
            ["state"] = snapshot.State.ToString(),
            ["attempt"] = snapshot.Attempt,
        };
        if (snapshot.Progress is { } progress)
        {
            data["requested"] = progress.Done;
            data["queued"] = progress.Admitted - progress.Done;
            data["ok"] = progress.Succeeded;
            data["clientErrors"] = progress.ClientErrors;
            data["serverErrors"] = progress.ServerErrors;
            data["errors"] = progress.Errors;
            data["outOfScope"] = progress.OutOfScope;
            data["excluded"] = progress.Excluded;
            data["overLimit"] = progress.OverLimit;
            data["sitemaps"] = progress.Sitemaps;
            if (progress.PagesByVariant.Count > 0)
            {
                // Pages requested in each variant, by name: a culture's or a named header set's.
                data["variants"] = progress.PagesByVariant.OrderBy(v => v.Key, StringComparer.Ordinal).ToDictionary(v => v.Key, v => v.Value);
            }
            if (progress.LimitsReached != WarmupLimits.None)
            {
                data["limitsReached"] = progress.LimitsReached.ToString();
            }
        }
        if (snapshot.LastReport is { } report)
        {
            data["durationMs"] = (long)report.Duration.TotalMilliseconds;
        }
        if (snapshot.Progress?.Step is { } running)
        {
            data["step"] = running;
        }
        if (snapshot.Steps.Count > 0)
        {
            data["steps"] = snapshot.Steps.Select(step => new Dictionary<string, object>
            {
                ["name"] = step.Name,
                ["durationMs"] = (long)step.Duration.TotalMilliseconds,
                ["outcome"] = step.Status,
            }).ToArray();
        }
        if (snapshot.Slowest.Count > 0)
        {
            data["slowest"] = snapshot.Slowest.Select(Timing).ToArray();
        }
        if (snapshot.ServerWarmup is { } serverWarmup)
        {
            data["serverWarmup"] = serverWarmup;
        }
        if (snapshot.WarmedAs is { } warmedAs)
        {
            data["warmedAs"] = warmedAs.AbsoluteUri;
        }
        if (snapshot.Progress is { Guesses: > 0 } guessed)
        {
            data["guesses"] = guessed.Guesses;
            data["guessesMissed"] = guessed.GuessesMissed;
        }
        if (snapshot.Progress is { RateLimited: > 0 } limited)
        {
            data["rateLimitRetries"] = limited.RateLimited;
        }
        if (snapshot.Hint is { } hint)
        {
            data["hint"] = hint;
        }
        if (snapshot.Failures.Count > 0)
        {
            data["failures"] = snapshot.Failures.Take(MaxFailuresShown).Select(f => f.Describe()).ToArray();
        }
        if (snapshot.DiscoveredFailures.Count > 0)
        {
            data["discoveredFailures"] = snapshot.DiscoveredFailures.Take(MaxFailuresShown).Select(f => f.Describe()).ToArray();
        }
        if (snapshot.Progress is { HealthEndpoints: > 0 } reached)
        {
            data["healthEndpoints"] = reached.HealthEndpoints;
        }
        if (snapshot.CrawlerError is { } error)
        {
            data["error"] = error;
        }
        if (snapshot.NextAttemptAt is { } next)
        {
            data["nextAttemptAt"] = next.ToString("O", CultureInfo.InvariantCulture);
        }
        return data;
    }

    private static Dictionary<string, object> Timing(PageTiming timing)
    {
        var entry = new Dictionary<string, object>
        {
            ["url"] = timing.Url,
            ["coldMs"] = (long)timing.Cold.TotalMilliseconds,
            ["warmMs"] = (long)timing.Warm.TotalMilliseconds,
        };
        if (timing.Variant is { } variant)
        {
            entry["variant"] = variant;
        }
        return entry;
    }
}
