using System.Collections.Concurrent;
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
    // Queued and not yet done, plus one held while seeding: until the entry pages and every sitemap's pages are offered.
    private int _pending = 1;

    // Path prefixes robots.txt disallows: read before the frontier exists, so they hold for every URL.
    private readonly string[] _disallowed;

    public Frontier(SiteScope scope, SiteWarmupOptions options, CrawlProgress progress, IEnumerable<string>? disallowed = null)
    {
        Scope = scope;
        _options = options;
        _progress = progress;
        _disallowed = [.. disallowed ?? []];
    }

    public SiteScope Scope { get; }

    public ChannelReader<CrawlRequest> Queue => _queue.Reader;

    /// <summary>Admits <paramref name="request"/> (see <see cref="Claim"/>) and queues it for the workers.</summary>
    public Admission Offer(CrawlRequest request)
    {
        var admission = Claim(request, out var admitted);
        if (admission == Admission.Admitted)
        {
            // Every caller holds a count of its own (the seeding, or the visit that found the link), so the
            // queue cannot complete before this one is counted.
            Interlocked.Increment(ref _pending);
            _queue.Writer.TryWrite(admitted);
        }
        return admission;
    }

    /// <summary>
    /// Admits <paramref name="request"/> for a caller that fetches it itself (a sitemap): once each, inside
    /// the site (moved onto it when it names the site under another scheme or host), not excluded, within
    /// depth and count limits; counted like any other. <paramref name="admitted"/> is the request to make.
    /// </summary>
    public Admission Claim(CrawlRequest request, out CrawlRequest admitted)
    {
        admitted = request;
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
        var key = KeyOf(url, request.Kind, request.Variant?.Name);
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
                return Claim(request with { Url = moved }, out admitted);
            }
            _progress.CountOutOfScope();
            return Admission.OutOfScope;
        }
        if (IsExcluded(url))
        {
            _progress.CountExcluded();
            return Admission.Excluded;
        }
        return Admit(key, request.IsDiscovered ? DiscoveredOnly : request.IsSpeculative ? GuessedOnly : Referenced);
    }

    /// <summary>
    /// A URL requested before the frontier existed (robots.txt): counted and deduplicated like any other,
    /// so that no link requests it again.
    /// </summary>
    public void Requested(Uri url) => Admit(url.AbsoluteUri, Referenced);

    /// <summary>
    /// Whether only a guess of the library's named <paramref name="url"/> — endpoint discovery, or a
    /// string in a script — and no entry, page, stylesheet or sitemap referenced it.
    /// </summary>
    public bool IsOnlyGuessed(Uri url, UrlKind kind, string? variant) => _seen.TryGetValue(KeyOf(url, kind, variant), out var mark) && mark != Referenced;

    /// <summary>
    /// A URL's key in the visited set: a page's is its URL and its variant (each page once per variant);
    /// resources shared by every site of the scope are one per path and query (the first site's).
    /// </summary>
    private string KeyOf(Uri url, UrlKind kind, string? variant) => kind switch
    {
        // A space is never part of an absolute URI: the two parts cannot run together.
        UrlKind.Page when variant is not null => url.AbsoluteUri + " " + variant,
        UrlKind.Resource when Scope.SharesResources && Scope.Contains(url) => url.PathAndQuery,
        _ => url.AbsoluteUri,
    };

    private Admission Admit(string key, byte mark)
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
        }
        return Admission.Admitted;
    }

    /// <summary>The entry pages and the sitemaps' pages are all offered: the crawl may end once the queue drains.</summary>
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
        return _options.Excludes(path);
    }
}
