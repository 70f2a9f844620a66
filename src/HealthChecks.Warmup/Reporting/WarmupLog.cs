using HealthChecks.Warmup.Model;
using Microsoft.Extensions.Logging;

namespace HealthChecks.Warmup.Reporting;

/// <summary>Every log event of the warm-up, with fixed ids and names (docs/logging.md).</summary>
internal static partial class WarmupLog
{
    [LoggerMessage(1, LogLevel.Information, "Site warm-up {Registration} attempt {Attempt} started: {EntryCount} entry page(s) and endpoint(s) from {Origin}", EventName = "WarmupStarted")]
    public static partial void WarmupStarted(ILogger logger, string registration, int attempt, int entryCount, Uri origin);

    [LoggerMessage(2, LogLevel.Information, "Site warm-up {Registration} succeeded: {Requested} URLs ({Succeeded} ok, {ClientErrors} 4xx, {ServerErrors} 5xx, {Errors} errors, {OutOfScope} out of scope) in {DurationMs} ms", EventName = "WarmupSucceeded")]
    public static partial void WarmupSucceeded(ILogger logger, string registration, int requested, int succeeded, int clientErrors, int serverErrors, int errors, int outOfScope, long durationMs);

    [LoggerMessage(3, LogLevel.Warning, "Site warm-up {Registration} attempt {Attempt} failed: {FailureCount} failure(s), first {FirstFailure}; {Requested} URLs in {DurationMs} ms", EventName = "WarmupFailed")]
    public static partial void WarmupFailed(ILogger logger, string registration, int attempt, int failureCount, string firstFailure, int requested, long durationMs);

    [LoggerMessage(4, LogLevel.Information, "Site warm-up {Registration} tries again in {DelayMs} ms (attempt {Attempt})", EventName = "WarmupRetryScheduled")]
    public static partial void RetryScheduled(ILogger logger, string registration, long delayMs, int attempt);

    [LoggerMessage(5, LogLevel.Information, "Site warm-up {Registration}: {Done}/{Admitted} URLs", EventName = "WarmupProgress")]
    public static partial void Progress(ILogger logger, string registration, int done, int admitted);

    [LoggerMessage(6, LogLevel.Information, "Site warm-up {Registration} stopped: the application is shutting down", EventName = "WarmupCancelled")]
    public static partial void Cancelled(ILogger logger, string registration);

    [LoggerMessage(7, LogLevel.Error, "Site warm-up {Registration} attempt {Attempt} failed inside the crawler", EventName = "WarmupCrawlerError")]
    public static partial void CrawlerError(ILogger logger, string registration, int attempt, Exception exception);

    [LoggerMessage(8, LogLevel.Warning, "Site warm-up {Registration} reached its {Limit} limit; the rest is not requested", EventName = "WarmupLimitReached")]
    public static partial void LimitReached(ILogger logger, string registration, WarmupLimits limit);

    [LoggerMessage(EventId = 10, Message = "{Kind} {Url} answered {Status} in {DurationMs} ms (from {Referrer})", EventName = "UrlFetched")]
    public static partial void UrlFetched(ILogger logger, LogLevel level, UrlKind kind, string url, int? status, long durationMs, string? referrer);

    [LoggerMessage(11, LogLevel.Warning, "{Kind} {Url} failed: {Status} {Error} (from {Referrer})", EventName = "UrlFailed")]
    public static partial void UrlFailed(ILogger logger, UrlKind kind, string url, int? status, string? error, string? referrer);

    [LoggerMessage(EventId = 12, Message = "{Kind} {Url} answered {Status}: a broken link, recorded but not a failure (from {Referrer})", EventName = "UrlClientError")]
    public static partial void UrlClientError(ILogger logger, LogLevel level, UrlKind kind, string url, int? status, string? referrer);

    [LoggerMessage(EventId = 13, Message = "Not requested, outside the site: {Url} (from {Referrer})", EventName = "UrlOutOfScope")]
    public static partial void OutOfScope(ILogger logger, LogLevel level, string url, string? referrer);

    [LoggerMessage(EventId = 14, Message = "Not requested, excluded: {Url} (from {Referrer})", EventName = "UrlExcluded")]
    public static partial void Excluded(ILogger logger, LogLevel level, string url, string? referrer);

    [LoggerMessage(15, LogLevel.Warning, "Could not read the links of {Url}; its answer is recorded, its links are not followed", EventName = "UrlExtractionFailed")]
    public static partial void ExtractionFailed(ILogger logger, string url, Exception exception);

    [LoggerMessage(16, LogLevel.Warning, "Discovered endpoint {Url} answered {Result}; reported, not judged: mark it WithWarmup() or set JudgeDiscoveredEndpoints to make it count, or ExcludeFromWarmup() ([ExcludeFromWarmup] on a page, a controller or a component) to skip it", EventName = "DiscoveredEndpointFailed")]
    public static partial void DiscoveredEndpointFailed(ILogger logger, string url, string result);

    [LoggerMessage(EventId = 17, Message = "{Url} is a health endpoint of this app (answered {Status}); not judged (from {Referrer})", EventName = "HealthEndpointReached")]
    public static partial void HealthEndpointReached(ILogger logger, LogLevel level, string url, int? status, string? referrer);

    [LoggerMessage(18, LogLevel.Warning, "{Url} answered {Status}: the app asks the warm-up to slow down; every request waits {PauseMs} ms, then at most {Concurrency} at once. Exempt warm-up requests from the rate limiter (HttpContext.IsSiteWarmupRequest()) to warm at full speed", EventName = "RateLimited")]
    public static partial void RateLimited(ILogger logger, string url, int? status, long pauseMs, int concurrency);

    [LoggerMessage(19, LogLevel.Warning, "Site warm-up {Registration} warms the site as {Origin}: the app caches output, keyed by host, and no public origin is set, so visitors under another host will miss what the warm-up cached. Set {Option} to the site's public origin (such as https://www.example.com)", EventName = "PublicOriginNotSet")]
    public static partial void PublicOriginNotSet(ILogger logger, string registration, Uri origin, string option);

    [LoggerMessage(23, LogLevel.Information, "Site warm-up {Registration} warmed the server too: {Summary}", EventName = "ServerWarmed")]
    public static partial void ServerWarmed(ILogger logger, string registration, string summary);

    [LoggerMessage(24, LogLevel.Information, "Site warm-up {Registration} did not warm the server: {Reason}", EventName = "ServerWarmupSkipped")]
    public static partial void ServerWarmupSkipped(ILogger logger, string registration, string reason);

    [LoggerMessage(26, LogLevel.Information, "Site warm-up {Registration} step {Step} succeeded in {DurationMs} ms", EventName = "StepSucceeded")]
    public static partial void StepSucceeded(ILogger logger, string registration, string step, long durationMs);

    [LoggerMessage(27, LogLevel.Error, "Site warm-up {Registration} attempt {Attempt} failed: {Failure} after {DurationMs} ms; the crawl does not run", EventName = "StepFailed")]
    public static partial void StepFailed(ILogger logger, string registration, int attempt, string failure, long durationMs, Exception? exception);

    [LoggerMessage(29, LogLevel.Warning, "Site warm-up {Registration} could not measure its slowest pages; the warm-up succeeded all the same", EventName = "SlowestNotMeasured")]
    public static partial void SlowestNotMeasured(ILogger logger, string registration, Exception exception);

    [LoggerMessage(30, LogLevel.Information, "Site warm-up {Registration}: the app maps nothing at /, the default entry page, so no entry page is judged and the warm-up starts from its {Count} endpoint(s); name the pages to warm and judge in EntryPaths", EventName = "NothingAtRoot")]
    public static partial void NothingAtRoot(ILogger logger, string registration, int count);

    [LoggerMessage(31, LogLevel.Warning, "Site warm-up {Registration}: the app maps nothing at /, the default entry page, and the warm-up has nothing else to start from; / is requested as a guess, not judged. Name the pages to warm in EntryPaths, or turn DiscoverEndpoints on to warm the app's endpoints", EventName = "NothingToStartFrom")]
    public static partial void NothingToStartFrom(ILogger logger, string registration);

    [LoggerMessage(32, LogLevel.Warning, "Site warm-up {Registration}: a probe of {Url} is answered {Status}{Location}, not by the health checks: {Consequence}", EventName = "ProbeBlocked")]
    public static partial void ProbeBlocked(ILogger logger, string registration, Uri url, int status, string location, string consequence);

    [LoggerMessage(33, LogLevel.Warning, "Site warm-up {Registration}: no health endpoint runs its check ({Paths} answered without it), so no probe waits for the site to be warm. Give it the tag the readiness endpoint's Predicate selects: AddSiteWarmup(tags: [\"ready\"])", EventName = "CheckNotProbed")]
    public static partial void CheckNotProbed(ILogger logger, string registration, string paths);

    [LoggerMessage(28, LogLevel.Information, "Site warm-up {Registration} bought {Page}: {ColdMs} ms cold, {WarmMs} ms warm", EventName = "PageTimed")]
    public static partial void PageTimed(ILogger logger, string registration, string page, long coldMs, long warmMs);

    [LoggerMessage(25, LogLevel.Information, "Site warm-up {Registration} requested {Count} URLs once more, through every folder the crawl reached, in {DurationMs} ms (what routing compiles on a second request)", EventName = "Repeated")]
    public static partial void Repeated(ILogger logger, string registration, int count, long durationMs);

    [LoggerMessage(EventId = 22, Message = "{Url}, a guess from a script's text, answered {Result}: not a broken link (from {Referrer})", EventName = "GuessMissed")]
    public static partial void GuessMissed(ILogger logger, LogLevel level, string url, string result, string? referrer);

    [LoggerMessage(20, LogLevel.Information, "Probe asked for the outcomes of site warm-up {Registration} attempt {Attempt}: {Count} URLs follow", EventName = "ProbeVerbose")]
    public static partial void ProbeVerbose(ILogger logger, string registration, int attempt, int count);

    [LoggerMessage(21, LogLevel.Information, "{Kind} {Url} → {Outcome} in {DurationMs} ms (depth {Depth}, from {Referrer})", EventName = "ProbeUrlOutcome")]
    public static partial void ProbeUrlOutcome(ILogger logger, UrlKind kind, string url, string outcome, long durationMs, int depth, string? referrer);
}
