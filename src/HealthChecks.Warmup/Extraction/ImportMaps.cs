using System.Collections.Concurrent;
using HealthChecks.Warmup.Discovery;

namespace HealthChecks.Warmup.Extraction;

/// <summary>
/// The import maps of one crawl's pages: what a module's bare specifier (<c>import "app"</c>) resolves to.
/// Entries are remembered, not warmed: a browser loads an entry only when a module imports it, and an
/// app's import map (.NET's <c>&lt;ImportMap /&gt;</c>) lists every script it has. Pages of one site share
/// their map, so one table serves the modules fetched after the page that declared it. Bounded.
/// </summary>
internal sealed class ImportMaps
{
    /// <summary>The most specifiers remembered.</summary>
    public const int Capacity = 4096;

    private readonly ConcurrentDictionary<string, Uri> _entries = new(StringComparer.Ordinal);
    // The maps read so far, by their text, with the base they were read against: every page repeats its map.
    private readonly ConcurrentDictionary<string, string> _read = new(StringComparer.Ordinal);
    // ConcurrentDictionary.Count takes every lock; counters of our own do not.
    private int _count;
    private int _readCount;

    /// <summary>
    /// Whether the map <paramref name="json"/> is still to be read against <paramref name="baseUrl"/>:
    /// <see langword="false"/> once it has been (the next page with the same map costs no parse).
    /// </summary>
    public bool IsNew(string json, Uri baseUrl)
    {
        var key = baseUrl.AbsoluteUri;
        if (_read.TryGetValue(json, out var readAgainst) && readAgainst == key)
        {
            return false;
        }
        if (Volatile.Read(ref _readCount) < Capacity && _read.TryAdd(json, key))
        {
            Interlocked.Increment(ref _readCount);
        }
        return true;
    }

    /// <summary>Remembers that <paramref name="specifier"/> maps to <paramref name="url"/>; the first mapping of a specifier wins.</summary>
    public void Add(string specifier, Uri url)
    {
        if (specifier.Length > 0 && Volatile.Read(ref _count) < Capacity && _entries.TryAdd(specifier, url))
        {
            Interlocked.Increment(ref _count);
        }
    }

    /// <summary>
    /// What a bare specifier resolves to: its exact entry, else the longest entry ending in <c>/</c> that
    /// prefixes it (<c>"lib/"</c> → <c>/js/lib/</c>), with the rest appended; <see langword="null"/> when none maps it.
    /// </summary>
    public Uri? Resolve(string specifier)
    {
        if (_entries.TryGetValue(specifier, out var exact))
        {
            return exact;
        }
        KeyValuePair<string, Uri>? best = null;
        foreach (var entry in _entries)
        {
            if (entry.Key.EndsWith('/') && specifier.StartsWith(entry.Key, StringComparison.Ordinal) && (best is null || entry.Key.Length > best.Value.Key.Length))
            {
                best = entry;
            }
        }
        return best is { } prefix ? LinkResolver.Resolve(prefix.Value, specifier[prefix.Key.Length..]) : null;
    }
}
