using HealthChecks.Warmup.Model;

namespace HealthChecks.Warmup.Fetching;

/// <summary>Requests one URL. The one part of the pipeline that differs between transports.</summary>
internal interface IFetcher
{
    /// <summary>
    /// Fetches <paramref name="request"/>. Time-outs and app errors come back as a failed
    /// <see cref="FetchResult"/>; only <paramref name="cancellationToken"/> ending throws.
    /// </summary>
    Task<FetchResult> FetchAsync(CrawlRequest request, CancellationToken cancellationToken);
}
