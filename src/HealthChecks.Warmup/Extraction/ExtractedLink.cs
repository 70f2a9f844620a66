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
    /// <summary>
    /// A page's icon (<c>rel=icon</c>, <c>rel="shortcut icon"</c>): fetched like a resource; a page that
    /// declares one is a page on which browsers do not ask for <c>/favicon.ico</c>.
    /// </summary>
    Icon,
    /// <summary>A JavaScript module (<c>type=module</c>, <c>modulepreload</c>, an import, an import map's URL): fetched, and its imports read.</summary>
    Module,
    /// <summary>A web app manifest (<c>rel=manifest</c>): fetched, and its icons and pages read.</summary>
    Manifest,
    /// <summary>
    /// A guess from a script's text (a string that looks like an asset path): fetched like a resource, but
    /// a guess that misses is no broken link and never a failure.
    /// </summary>
    Guess,
    /// <summary>
    /// A module's bare specifier (<c>import "app"</c>): a module once an import map resolves it, else
    /// nothing. Never leaves extraction as a link of its own.
    /// </summary>
    BareImport,
}

/// <summary>One absolute URL found in a page or stylesheet.</summary>
internal readonly record struct ExtractedLink(Uri Url, LinkRole Role);
