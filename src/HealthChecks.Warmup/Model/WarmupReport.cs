namespace HealthChecks.Warmup.Model;

/// <summary>The record of one finished warm-up attempt.</summary>
internal sealed class WarmupReport(int attempt, Uri origin, TimeSpan duration, CrawlProgress counts, IReadOnlyList<UrlOutcome> outcomes)
{
    public int Attempt { get; } = attempt;

    public Uri Origin { get; } = origin;

    public TimeSpan Duration { get; } = duration;

    public CrawlProgress Counts { get; } = counts;

    /// <summary>Every requested URL, in the order the answers came.</summary>
    public IReadOnlyList<UrlOutcome> Outcomes { get; } = outcomes;
}
