using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using HealthChecks.Warmup.Discovery;

namespace HealthChecks.Warmup.Extraction;

/// <summary>
/// What references resolved to, remembered for one crawl: the navigation every page repeats becomes a
/// <see cref="Uri"/> once, not once per page. Only references whose meaning does not depend on the
/// page's path are remembered — absolute http(s) URLs, and references starting with <c>/</c> on pages
/// of the site's own origin — and only the first <see cref="Capacity"/> of them, so the memory stays bounded.
/// </summary>
internal sealed class ResolvedLinks(Uri origin)
{
    /// <summary>The most references remembered.</summary>
    public const int Capacity = 4096;

    private readonly ConcurrentDictionary<string, Uri?> _resolved = new(StringComparer.Ordinal);
    // ConcurrentDictionary.Count takes every lock; a counter of our own does not.
    private int _count;

    /// <summary>What the crawl's import maps say bare module specifiers resolve to.</summary>
    public ImportMaps ImportMaps { get; } = new();

    /// <summary>The most inline scripts whose references are remembered, and the longest one.</summary>
    public const int ScriptCapacity = 256;
    public const int MaxRememberedScriptLength = 64 * 1024;

    // What an inline script's text references, by the text: pages repeat their inline scripts (analytics,
    // settings, fallbacks), and tokenizing them again on every page is the same work for the same answer.
    private readonly ConcurrentDictionary<string, (string Raw, Extraction.LinkRole Role)[]> _scripts = new(StringComparer.Ordinal);
    private int _scriptCount;

    /// <summary>
    /// The references of an inline script, read by <paramref name="read"/> once per text for the crawl
    /// (texts up to <see cref="MaxRememberedScriptLength"/>, the first <see cref="ScriptCapacity"/> of them).
    /// </summary>
    public (string Raw, Extraction.LinkRole Role)[] ReferencesOfScript(string code, Func<string, (string Raw, Extraction.LinkRole Role)[]> read)
    {
        if (code.Length > MaxRememberedScriptLength)
        {
            return read(code);
        }
        if (_scripts.TryGetValue(code, out var known))
        {
            return known;
        }
        known = read(code);
        if (Volatile.Read(ref _scriptCount) < ScriptCapacity && _scripts.TryAdd(code, known))
        {
            Interlocked.Increment(ref _scriptCount);
        }
        return known;
    }

    /// <summary>How many references are remembered.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Whether root-relative references on a page with this base resolve as on the origin's.</summary>
    public bool IsOrigin(Uri baseUrl) =>
        Uri.Compare(baseUrl, origin, UriComponents.SchemeAndServer | UriComponents.UserInfo, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>
    /// <see cref="LinkResolver.Resolve"/>, remembered when the answer cannot depend on the page:
    /// <paramref name="baseIsOrigin"/> is <see cref="IsOrigin"/> of <paramref name="baseUrl"/>.
    /// </summary>
    // Runs for every link of every page: optimised from the first call (see HtmlLinkExtractor).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Uri? Resolve(Uri baseUrl, bool baseIsOrigin, string raw)
    {
        if (!IsAbsolute(raw) && !(baseIsOrigin && IsRootRelative(raw)))
        {
            return LinkResolver.Resolve(baseUrl, raw);
        }
        if (_resolved.TryGetValue(raw, out var url))
        {
            return url;
        }
        url = LinkResolver.Resolve(baseUrl, raw);
        if (Volatile.Read(ref _count) < Capacity && _resolved.TryAdd(raw, url))
        {
            Interlocked.Increment(ref _count);
        }
        return url;
    }

    private static bool IsAbsolute(string raw) =>
        raw.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || raw.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    // "/x", and "//host" or "/\host" too: protocol-relative ones depend only on the scheme, which
    // IsOrigin has compared.
    private static bool IsRootRelative(string raw) => raw.StartsWith('/');
}
