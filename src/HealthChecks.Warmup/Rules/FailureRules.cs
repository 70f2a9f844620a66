using HealthChecks.Warmup.Fetching;
using HealthChecks.Warmup.Reporting;

namespace HealthChecks.Warmup.Rules;

/// <summary>
/// The failure policy, applied to recorded outcomes: an entry page fails on any 4xx or 5xx except 401
/// (a restricted site is a valid site), on an exception or a time-out; any other page or resource
/// fails on 5xx, exception or time-out unless resource server errors are ignored; 4xx elsewhere is a
/// broken link, recorded and logged but not a failure.
/// </summary>
internal static class FailureRules
{
    public static bool IsFailure(UrlOutcome outcome, bool ignoreResourceServerErrors)
    {
        if (outcome.Kind == Crawling.UrlKind.Sitemap)
        {
            // robots.txt and sitemaps are optional: a broken one is logged, not a reason to stay cold.
            return false;
        }
        var broken = outcome.Failure != FetchFailure.None || outcome.StatusCode is null or >= 500;
        if (outcome.IsEntry)
        {
            return broken || (outcome.StatusCode >= 400 && outcome.StatusCode != 401);
        }
        return broken && !ignoreResourceServerErrors;
    }

    public static List<UrlOutcome> Failures(WarmupReport report, bool ignoreResourceServerErrors)
    {
        var failures = new List<UrlOutcome>();
        foreach (var outcome in report.Outcomes)
        {
            if (IsFailure(outcome, ignoreResourceServerErrors))
            {
                failures.Add(outcome);
            }
        }
        return failures;
    }
}
