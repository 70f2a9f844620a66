using HealthChecks.Warmup.Model;

namespace HealthChecks.Warmup.Discovery;

/// <summary>The variants every page is requested in: each culture, then each named set of headers.</summary>
internal static class RequestVariants
{
    /// <summary>The name of the variant without headers of its own, requested beside named ones when there are no cultures.</summary>
    public const string Default = "default";

    /// <summary>
    /// The cultures of <see cref="SiteWarmupOptions.Cultures"/> (else the app's, when two or more), one
    /// <c>Accept-Language</c> each, then <see cref="SiteWarmupOptions.Variants"/>; without cultures, named
    /// variants come after the plain request, <see cref="Default"/>. None at all: an empty list.
    /// </summary>
    public static IReadOnlyList<RequestVariant> For(SiteWarmupOptions options, IReadOnlyList<string> appCultures)
    {
        IReadOnlyList<string> cultures = options.Cultures.Count > 0 ? [.. options.Cultures] : appCultures.Count >= 2 ? appCultures : [];
        var variants = new List<RequestVariant>();
        foreach (var culture in cultures.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            variants.Add(new RequestVariant(culture, [new("Accept-Language", culture)]));
        }
        if (variants.Count == 0 && options.Variants.Count > 0)
        {
            variants.Add(new RequestVariant(Default, []));
        }
        foreach (var (name, headers) in options.Variants)
        {
            variants.Add(new RequestVariant(name, [.. headers]));
        }
        return variants;
    }
}
