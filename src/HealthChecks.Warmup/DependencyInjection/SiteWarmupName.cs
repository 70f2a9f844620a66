namespace HealthChecks.Warmup.DependencyInjection;

/// <summary>A site warm-up's name, registered once per <c>AddSiteWarmup</c> so that a second one of the same name fails where it is made.</summary>
internal sealed record SiteWarmupName(string Name);
