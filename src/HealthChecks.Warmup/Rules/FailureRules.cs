using HealthChecks.Warmup.Model;

namespace HealthChecks.Warmup.Rules;

/// <summary>
/// The failure policy, applied to recorded outcomes: an entry page fails on any 4xx or 5xx except 401
/// (a restricted site is a valid site), on an exception or a time-out; any other page or resource
/// fails on 5xx, exception or time-out unless resource server errors are ignored; 4xx elsewhere is a
/// broken link, recorded and logged but not a failure. An endpoint that only endpoint discovery found
/// is the library's guess: its failure is reported, not judged, unless discovered endpoints are judged.
/// A URL the app's rate limiting refused to the end was not warmed: a failure, whatever its kind.
/// </summary>
internal static class FailureRules
{
    public static bool IsFailure(UrlOutcome outcome, bool ignoreResourceServerErrors, bool judgeDiscovered = false)
    {
        if (outcome.Kind == UrlKind.HealthEndpoint)
        {
            // A health endpoint answers for the app's health, which includes this warm-up.
            return false;
        }
        if (outcome.IsSpeculative)
        {
            // A guess from a script's text: the script may never load it.
            return false;
        }
        if (outcome.Failure == FetchFailure.RateLimited)
        {
            // Not a verdict on the URL: the warm-up was not let through, so the site is not warm.
            return true;
        }
        if (outcome.Kind is UrlKind.Sitemap or UrlKind.RobotsTxt)
        {
            // robots.txt and sitemaps are optional: a broken one is logged, not a reason to stay cold.
            return false;
        }
        var broken = IsBroken(outcome);
        if (outcome.IsDiscovered && !judgeDiscovered)
        {
            return false;
        }
        if (outcome.IsEntry)
        {
            return broken || (outcome.StatusCode >= 400 && outcome.StatusCode != 401);
        }
        return broken && !ignoreResourceServerErrors;
    }

    /// <summary>A 5xx, an exception, a time-out or no status at all.</summary>
    public static bool IsBroken(UrlOutcome outcome) => outcome.IsBroken;

    /// <summary>Whether the outcome is a discovered endpoint's failure that is reported instead of judged.</summary>
    public static bool IsReportedOnly(UrlOutcome outcome, bool judgeDiscovered) =>
        outcome.IsDiscovered && !judgeDiscovered && outcome.Kind == UrlKind.Page && IsBroken(outcome)
        && outcome.Failure != FetchFailure.RateLimited;

    public static List<UrlOutcome> Failures(WarmupReport report, bool ignoreResourceServerErrors, bool judgeDiscovered = false)
    {
        var failures = new List<UrlOutcome>();
        foreach (var outcome in report.Outcomes)
        {
            if (IsFailure(outcome, ignoreResourceServerErrors, judgeDiscovered))
            {
                failures.Add(outcome);
            }
        }
        return failures;
    }
}
