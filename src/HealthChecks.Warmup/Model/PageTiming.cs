namespace HealthChecks.Warmup.Model;

/// <summary>What warming bought one page: its first (cold) and its second (warm) request's time.</summary>
/// <param name="Url">The page's absolute URL.</param>
/// <param name="Variant">The variant it was requested in, if the warm-up has variants.</param>
/// <param name="Cold">The crawl's request.</param>
/// <param name="Warm">The request after the crawl.</param>
internal sealed record PageTiming(string Url, string? Variant, TimeSpan Cold, TimeSpan Warm);
