using HealthChecks.Warmup.Fetching;
using HealthChecks.Warmup.Model;
using HealthChecks.Warmup.Reporting;

namespace HealthChecks.Warmup.Crawling;

/// <summary>Fetching within the app's back-pressure.</summary>
internal sealed partial class Crawler
{
    /// <summary>
    /// Fetches within the app's back-pressure: while the app asks to slow down, waits as it asks and
    /// tries again, for at most <see cref="SiteWarmupOptions.MaxRateLimitWait"/> in all and never past
    /// the deadline; a URL refused to the end is recorded as rate limited, not lost.
    /// </summary>
    private async Task<FetchResult> FetchAsync(CrawlRequest request, BackPressure pressure, CancellationToken cancellationToken)
    {
        var waited = TimeSpan.Zero;
        var attempts = 0;
        for (var refusals = 1; ; refusals++)
        {
            await pressure.EnterAsync(cancellationToken);
            FetchResult response;
            try
            {
                response = await fetcher.FetchAsync(request, cancellationToken);
            }
            finally
            {
                pressure.Exit();
            }
            attempts += response.Attempts;
            if (!BackPressure.IsRefusal(response))
            {
                response.Attempts = attempts;
                return response;
            }
            var (status, retryAfter) = (response.StatusCode, response.RetryAfter);
            response.Dispose();
            Progress.CountRateLimited();
            if (pressure.GaveUp)
            {
                return RateLimited(status, attempts, waited);
            }
            var limit = pressure.Limit;
            var pause = pressure.Refused(retryAfter, refusals);
            if (pressure.Limit != limit || refusals == 1 && Progress.RateLimited == 1)
            {
                WarmupLog.RateLimited(logger, request.Url.AbsoluteUri, status, (long)pause.TotalMilliseconds, pressure.Limit);
            }
            if (waited + pause > options.MaxRateLimitWait)
            {
                pressure.GiveUp();
                return RateLimited(status, attempts, waited);
            }
            try
            {
                await Task.Delay(pause, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The deadline (or the app stopping) during the wait: the URL was not warmed, and says so.
                pressure.GiveUp();
                return RateLimited(status, attempts, waited);
            }
            waited += pause;
        }

        FetchResult RateLimited(int? status, int attempts, TimeSpan waited) => new()
        {
            StatusCode = status,
            Failure = FetchFailure.RateLimited,
            Error = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"still refused after {attempts} tries and {waited.TotalSeconds:0.#} s of waiting"),
            Attempts = attempts,
        };
    }
}
