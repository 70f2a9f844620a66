using System.Collections.Concurrent;
using System.IO.Enumeration;
using System.Threading.Channels;
using HealthChecks.Warmup.Discovery;
using HealthChecks.Warmup.Model;

namespace HealthChecks.Warmup.Crawling;

/// <summary>What the frontier did with an offered URL.</summary>
internal enum Admission
{
    Admitted,
    Duplicate,
    OutOfScope,
    Excluded,
    TooDeep,
    QueryNotFollowed,
    OverLimit,
}

/// <summary>
/// Decides which URLs are requested — once each, inside the site, within depth and count limits —
/// and queues them for the workers. The queue completes when every admitted URL is done.
/// </summary>
internal sealed class Frontier
{
    private readonly SiteWarmupOptions _options;
    private readonly CrawlProgress _progress;
    // What named an admitted URL: the site or the user (an entry, a link, a sitemap), or only a guess of
    // the library's (endpoint discovery, a string in a script).
    private const byte Referenced = 0;
    private const byte DiscoveredOnly = 1;
    private const byte GuessedOnly = 2;

    // Most offers are links seen before (navigation repeats on every page): they are answered without a lock.
    // The value is the mark above: what named the URL so far.
    private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);
    private readonly Lock _admitting = new();
    private readonly Channel<CrawlRequest> _queue = Channel.CreateUnbounded<CrawlRequest>();
    // Admitted and not yet done, plus one held while the entry pages are being offered.
    private int _pending = 1;

    private string[] _disallowed = [];

    public Frontier(SiteScope scope, SiteWarmupOptions options, CrawlProgress progress)
    {
        Scope = scope;
        _options = options;
        _progress = progress;
    }

    public SiteScope Scope { get; }

    public ChannelReader<CrawlRequest> Queue => _queue.Reader;

    public Admission Offer(CrawlRequest request)
    {
        var url = request.Url;
        if (request.Kind == UrlKind.Page && !request.IsEntry && request.Referrer is not null)
        {
            if (request.Depth > _options.MaxDepth)
            {
                return Admission.TooDeep;
            }
            if (url.Query.Length > 0 && !_options.FollowPageLinksWithQuery)
            {
                return Admission.QueryNotFollowed;
            }
        }
        var key = KeyOf(url, request.Kind);
        if (_seen.TryGetValue(key, out var mark))
        {
            if (mark != Referenced && !request.IsDiscovered && !request.IsSpeculative)
            {
                _seen.TryUpdate(key, Referenced, mark);
            }
            return Admission.Duplicate;
        }
        if (!Scope.Contains(url))
        {
            if (Scope.MoveOntoSite(url) is { } moved)
            {
                return Offer(request with { Url = moved });
            }
            _progress.CountOutOfScope();
            return Admission.OutOfScope;
        }
        if (IsExcluded(url))
        {
            _progress.CountExcluded();
            return Admission.Excluded;
        }
        var admission = Claim(key, queued: true, request.IsDiscovered ? DiscoveredOnly : request.IsSpeculative ? GuessedOnly : Referenced);
        if (admission == Admission.Admitted)
        {
            _queue.Writer.TryWrite(request);
        }
        return admission;
    }

    /// <summary>
    /// Admits a URL the caller fetches itself, before the workers start (robots.txt): counted and
    /// deduplicated like any other, but not queued.
    /// </summary>
    public bool TryClaim(Uri url) => Scope.Contains(url) && !IsExcluded(url) && Claim(url.AbsoluteUri, queued: false, Referenced) == Admission.Admitted;

    /// <summary>
    /// Whether only a guess of the library's named <paramref name="url"/> — endpoint discovery, or a
    /// string in a script — and no entry, page, stylesheet or sitemap referenced it.
    /// </summary>
    public bool IsOnlyGuessed(Uri url, UrlKind kind) => _seen.TryGetValue(KeyOf(url, kind), out var mark) && mark != Referenced;

    /// <summary>A URL's key in the visited set: resources shared by every site of the scope are one per path and query (the first site's).</summary>
    private string KeyOf(Uri url, UrlKind kind) =>
        kind == UrlKind.Resource && Scope.SharesResources && Scope.Contains(url) ? url.PathAndQuery : url.AbsoluteUri;

    /// <summary>Path prefixes robots.txt disallows; set before the workers start.</summary>
    public void Disallow(IEnumerable<string> prefixes) => _disallowed = [.. _disallowed, .. prefixes];

    private Admission Claim(string key, bool queued, byte mark)
    {
        lock (_admitting)
        {
            if (!_seen.TryAdd(key, mark))
            {
                return Admission.Duplicate;
            }
            if (_progress.Admitted >= _options.MaxUrls)
            {
                _progress.CountOverLimit();
                return Admission.OverLimit;
            }
            _progress.CountAdmitted();
            if (queued)
            {
                Interlocked.Increment(ref _pending);
            }
        }
        return Admission.Admitted;
    }

    /// <summary>The entry pages are all offered: the crawl may end once the queue drains.</summary>
    public void SeedingDone() => Release();

    /// <summary>A worker finished an admitted URL (and offered what it found).</summary>
    public void Done() => Release();

    private void Release()
    {
        if (Interlocked.Decrement(ref _pending) == 0)
        {
            _queue.Writer.TryComplete();
        }
    }

    private bool IsExcluded(Uri url)
    {
        var path = url.AbsolutePath;
        foreach (var prefix in _disallowed)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }
        foreach (var pattern in _options.ExcludedPaths)
        {
            if (FileSystemName.MatchesSimpleExpression(pattern, path, ignoreCase: true))
            {
                return true;
            }
        }
        return false;
    }
}
