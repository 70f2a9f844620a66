namespace HealthChecks.Warmup;

/// <summary>
/// Supplies sites and entry pages to warm, asked at the start of every warm-up attempt: how a CMS or a
/// multi-tenant app tells the warm-up about the sites it hosts, the way the 2011 original walked its
/// object database. Register implementations in DI
/// (<c>services.AddSingleton&lt;ISiteWarmupSource, MySites&gt;()</c>); every registered source is asked.
/// </summary>
public interface ISiteWarmupSource
{
    /// <summary>Returns the sites to warm for the registration named <paramref name="registrationName"/>.</summary>
    /// <param name="registrationName">The name given to <c>AddSiteWarmup</c>.</param>
    /// <param name="cancellationToken">Cancelled when the application stops.</param>
    /// <returns>The sites; an empty list adds nothing.</returns>
    ValueTask<IReadOnlyList<SiteWarmupSite>> GetSitesAsync(string registrationName, CancellationToken cancellationToken);
}

/// <summary>A site named by an <see cref="ISiteWarmupSource"/>: a host name and its entry pages.</summary>
public sealed class SiteWarmupSite
{
    /// <summary>
    /// The host name, optionally with a port (<c>tenant.example</c>, <c>tenant.example:8443</c>);
    /// <see langword="null"/> for the warm-up's own origin. The source is the app's own code, so a host
    /// it names joins the warm-up's scope; a link elsewhere still does not.
    /// </summary>
    public string? Host { get; init; }

    /// <summary>
    /// Paths of the site's entry pages, judged like <see cref="SiteWarmupOptions.EntryPaths"/>; each
    /// starts with a single <c>/</c>, anything else is counted out of scope. Default: <c>/</c>.
    /// </summary>
    public IReadOnlyList<string> EntryPaths { get; init; } = ["/"];
}
