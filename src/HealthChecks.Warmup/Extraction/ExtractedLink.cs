namespace HealthChecks.Warmup.Extraction;

/// <summary>How a URL was referenced, which decides how the crawler treats it.</summary>
internal enum LinkRole
{
    /// <summary>A link to another page (<c>a</c>, <c>area</c>): followed up to the depth limit.</summary>
    Page,
    /// <summary>A link marked <c>rel="nofollow"</c>: followed only when the options say so.</summary>
    NofollowPage,
    /// <summary>A meta refresh: the same page moved, so it keeps the page's depth.</summary>
    Refresh,
    /// <summary>Something the page or stylesheet loads (image, stylesheet, script, font, ...): always fetched.</summary>
    Resource,
}

/// <summary>One absolute URL found in a page or stylesheet.</summary>
internal readonly record struct ExtractedLink(Uri Url, LinkRole Role);
