using System.ComponentModel.DataAnnotations;

namespace HealthChecks.Warmup;

/// <summary>
/// Settings of one site warm-up registration. Bound from the configuration section
/// <c>HealthChecks:SiteWarmup</c> (<c>HealthChecks:SiteWarmup:{name}</c> for a registration with
/// another name than the default), then changed by the delegate given to
/// <c>AddSiteWarmup</c>, and validated when the application starts.
/// </summary>
public sealed partial class SiteWarmupOptions
{
    /// <summary>
    /// The configuration section the options of the default registration (<c>site-warmup</c>) are bound
    /// from; a registration with another name binds its own section below it,
    /// <c>HealthChecks:SiteWarmup:{name}</c>.
    /// </summary>
    public const string ConfigurationSection = "HealthChecks:SiteWarmup";

    /// <summary>The configuration section of the registration named <paramref name="name"/>.</summary>
    internal static string SectionFor(string? name) =>
        name is null or Microsoft.Extensions.DependencyInjection.SiteWarmupHealthChecksBuilderExtensions.DefaultName
            ? ConfigurationSection
            : $"{ConfigurationSection}:{name}";

    /// <summary>
    /// Paths of the entry pages, fetched first (depth 0). Each is an absolute path on the site,
    /// such as <c>/</c> or <c>/shop?lang=en</c>. Default: <c>/</c> alone, when none is given
    /// (configured paths replace it rather than add to it). At most 1,000.
    /// </summary>
    public IList<string> EntryPaths { get; set; } = [];

    /// <summary>
    /// <see cref="EntryPaths"/> named no path and holds the default <c>/</c>: the library's choice, not the
    /// user's, so that an app that maps nothing at <c>/</c> is not judged by it.
    /// </summary>
    internal bool EntryPathsDefaulted { get; set; }

    /// <summary>
    /// How the site is requested: <see cref="WarmupTransport.InProcess"/> through the app's own
    /// pipeline with no network, or <see cref="WarmupTransport.Http"/> over the network, through
    /// reverse proxies and CDNs in front of it. Default: <see cref="WarmupTransport.InProcess"/>.
    /// </summary>
    public WarmupTransport Transport { get; set; } = WarmupTransport.InProcess;

    /// <summary>
    /// The site's origin: scheme, host and port (a path is ignored). Only URLs of this origin are
    /// requested, and in-process requests carry its host. Default: <see langword="null"/>, the app's own
    /// first bound address (its first https one if it listens on https).
    /// </summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>
    /// Headers sent with every request, such as an access token or a marker the app can recognise.
    /// Default: none.
    /// </summary>
    public IDictionary<string, string> RequestHeaders { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Over HTTP, how many times a request is retried after a transient failure (5xx, 408, a time-out or
    /// a connection error), with exponential backoff and jitter from <see cref="RequestRetryDelay"/>.
    /// Other 4xx are never retried. The failure rules judge the final answer. The app asking the
    /// warm-up to slow down (429, or 503 with Retry-After) is not retried here but by
    /// <see cref="MaxRateLimitWait"/>, in both transports. Not used in-process. Default: 2. Range: 0–10.
    /// </summary>
    [Range(0, 10)]
    public int MaxRequestRetries { get; set; } = 2;

    /// <summary>
    /// Whether a successful crawl is followed by a repeat pass: one URL through each folder the crawl
    /// reached (the fewest that pass through all of them, at most 32; a resource rather than a page) is
    /// requested once more, because ASP.NET Core's routing compiles the jump table of a route node with
    /// many literal children (a folder of static assets, a controller's actions) on a request after the
    /// first — tens of milliseconds a node that the first visitor would pay. Judged like resources, not
    /// counted. At most 10 s. Default: <see langword="true"/>.
    /// </summary>
    public bool RepeatRequests { get; set; } = true;

    /// <summary>
    /// In-process, whether a successful crawl is followed by a few real requests to the app's own bound
    /// addresses (loopback; HTTP/1.1, and HTTP/2 over TLS where the endpoint has it): the entry page and
    /// the repeat pass's URLs (see <see cref="RepeatRequests"/>), compressed, the first resource also uncompressed and revalidated (its ETag), so that the server's own path (Kestrel's connection
    /// handling, parsing, TLS, writing bodies and files) is compiled before the first visitor. Judged
    /// like resources; skipped, with the reason logged, when the server is not Kestrel (TestServer) or
    /// listens on no TCP address. At most 10 s. Default: <see langword="true"/>.
    /// </summary>
    public bool WarmServer { get; set; } = true;

    /// <summary>
    /// How long one URL may wait in all for the app's rate limiting: when the app answers 429, or 503
    /// with Retry-After, every request pauses for its Retry-After (or, without one, for
    /// <see cref="RequestRetryDelay"/> doubled with each refusal, up to 30 s), the requests in flight are
    /// halved for the rest of the attempt, and the URL is requested again. A URL still refused after
    /// this long, or at the <see cref="Deadline"/>, was not warmed: it fails the attempt, whatever its
    /// kind, and the attempt's later refusals are not waited for (the next attempt tries again). No
    /// pause is longer than this. Default: 2 minutes. Range: 0 (never wait) – 1 hour.
    /// </summary>
    [DurationRange("00:00:00", "01:00:00")]
    public TimeSpan MaxRateLimitWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Over HTTP, the median wait before the first retry of a request; it doubles with each retry.
    /// Default: 500 ms. Range: 10 ms–1 minute.
    /// </summary>
    [DurationRange("00:00:00.01", "00:01:00")]
    public TimeSpan RequestRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Host names the app answers (multi-tenant apps, several sites in one app), each warmed as a site
    /// of its own: its entry pages are requested with that host (in-process, the Host header; over
    /// HTTP, the authority), on the origin's scheme, and on its port unless the host names one
    /// (<c>tenant.example:8443</c>). Default: none, the origin's own host alone.
    /// </summary>
    public IList<string> Hosts { get; set; } = [];

    /// <summary>
    /// Whether the app's own endpoints are warmed: every endpoint of the app's own code that answers GET
    /// and needs no route value (Razor Pages, MVC actions, routable Razor components, minimal APIs)
    /// becomes a page to warm at depth 0, except those marked <c>ExcludeFromWarmup</c>; static assets
    /// and the framework's own endpoints (health checks, SignalR, Blazor's circuit) are left to the
    /// pages that use them. <c>WithWarmup("/products/42")</c> adds sample paths of an endpoint that
    /// needs values. Default: <see langword="null"/>, meaning on in-process and off over HTTP (where
    /// the site may not be this app).
    /// </summary>
    public bool? DiscoverEndpoints { get; set; }

    /// <summary>
    /// Whether an endpoint that only endpoint discovery found is judged like a linked page. When
    /// <see langword="false"/>, such an endpoint that answers 5xx, throws or times out is logged as a
    /// warning and listed in the result's data (<c>discoveredFailures</c>), but does not keep the site
    /// cold: it is the library's guess, not the site's link or the user's word. An endpoint a page
    /// links to, or one marked <c>WithWarmup</c>, is always judged. Default: <see langword="false"/>.
    /// </summary>
    public bool JudgeDiscoveredEndpoints { get; set; }

    /// <summary>
    /// Whether each site's <c>/sitemap.xml</c>, the sitemaps that <c>/robots.txt</c> names, sitemap
    /// indexes and gzipped sitemaps are read; their URLs on the site are warmed as pages at depth 0 (so
    /// pages no link reaches get warm too), bounded by <see cref="MaxUrls"/> and 50 sitemaps.
    /// Default: <see langword="true"/>.
    /// </summary>
    public bool DiscoverSitemaps { get; set; } = true;

    /// <summary>
    /// Whether the <c>Disallow</c> rules for all user agents (<c>User-agent: *</c>) of each site's
    /// <c>/robots.txt</c> keep URLs out of the crawl. Default: <see langword="false"/>: a warm-up is the
    /// site's own, not a stranger's crawler.
    /// </summary>
    public bool RespectRobotsTxt { get; set; }

    /// <summary>
    /// How many link hops are followed from an entry page: 0 fetches only the entry pages and their
    /// resources, 1 also the pages they link to (the site's second level). Default: 1. Range: 0–100.
    /// </summary>
    [Range(0, 100)]
    public int MaxDepth { get; set; } = 1;

    /// <summary>
    /// When <see langword="true"/>, a server error (5xx), exception or time-out of a page or resource
    /// that is not an entry page does not make the site Unhealthy; it is still recorded and logged.
    /// Default: <see langword="false"/>.
    /// </summary>
    public bool IgnoreResourceServerErrors { get; set; }

    /// <summary>
    /// When <see langword="true"/>, every request and its outcome is logged at Information instead of
    /// Debug. Default: <see langword="false"/>.
    /// </summary>
    public bool Verbose { get; set; }

    /// <summary>
    /// Whether links marked <c>rel="nofollow"</c> are followed. Default: <see langword="false"/>.
    /// </summary>
    public bool FollowNofollowLinks { get; set; }

    /// <summary>
    /// Whether links to pages that carry a query string (<c>/list?page=2</c>,
    /// <c>?workflow_action=retract</c>) are followed. CMSs expose actions that way, so they are not
    /// followed by default. Resources keep their query string (<c>site.css?v=3</c>) either way.
    /// Default: <see langword="false"/>.
    /// </summary>
    public bool FollowPageLinksWithQuery { get; set; }

    /// <summary>
    /// Path patterns that are never requested, matched case-insensitively against the whole path;
    /// <c>*</c> stands for any run of characters and <c>?</c> for one.
    /// Default: sign-out and log-off paths (<c>*/logout*</c>, <c>*/logoff*</c>, <c>*/signout*</c>,
    /// <c>*/sign-out*</c>, <c>*/log-out*</c>); patterns from configuration are added to them, and the
    /// delegate given to <c>AddSiteWarmup</c> can clear them.
    /// </summary>
    public IList<string> ExcludedPaths { get; set; } =
        ["*/logout*", "*/logoff*", "*/signout*", "*/sign-out*", "*/log-out*"];

    /// <summary>Whether one of the <see cref="ExcludedPaths"/> matches <paramref name="path"/>.</summary>
    internal bool Excludes(string path) =>
        ExcludedPaths.Any(pattern => System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(pattern, path, ignoreCase: true));

    /// <summary>
    /// How many requests run at once. Default (<see langword="null"/>): four times
    /// <see cref="Environment.ProcessorCount"/> and at least 8, on either transport: over HTTP requests
    /// wait on the network, in-process on what the app's pages wait for (a database, a cache, an API).
    /// Parsing is bounded apart from this, to all cores but one. Range: 1–256.
    /// </summary>
    [Range(1, 256)]
    public int? MaxConcurrency { get; set; }

    /// <summary><see cref="MaxConcurrency"/>, or its default.</summary>
    internal int EffectiveMaxConcurrency => MaxConcurrency ?? Math.Max(8, Environment.ProcessorCount * 4);

    /// <summary>
    /// The most URLs one warm-up requests; what is found beyond it is counted, not requested.
    /// Default: 10,000. Range: 1–10,000,000.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxUrls { get; set; } = 10_000;

    /// <summary>
    /// The most bytes of one HTML page or stylesheet that are parsed for links; the rest of the body
    /// is still read (and so warmed) but not parsed. Default: 4 MiB. Range: 1 KiB–1 GiB.
    /// </summary>
    [Range(1024, 1024 * 1024 * 1024)]
    public int MaxParsedBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// The most redirects followed from one URL. Default: 10. Range: 0–50.
    /// </summary>
    [Range(0, 50)]
    public int MaxRedirects { get; set; } = 10;

    /// <summary>
    /// How long one request may take before it is abandoned and recorded as timed out; over HTTP, the
    /// limit of each attempt and, separately, of reading the body. Default: 30 seconds.
    /// Range: 100 ms–1 hour.
    /// </summary>
    [DurationRange("00:00:00.1", "01:00:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one warm-up may take. When it is reached, no further URL is requested and the warm-up
    /// is judged on what it fetched (reaching it is not a failure by itself). Default: 5 minutes.
    /// Range: 1 second–1 day.
    /// </summary>
    [DurationRange("00:00:01", "1.00:00:00")]
    public TimeSpan Deadline { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The wait before the first new attempt after a failed warm-up; each further failure doubles it,
    /// plus up to 25 % jitter, up to <see cref="MaxRetryDelay"/>. Probes never start an attempt.
    /// Default: 10 seconds. Range: 100 ms–1 day.
    /// </summary>
    [DurationRange("00:00:00.1", "1.00:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest wait between two attempts. Default: 5 minutes. Range: at least
    /// <see cref="RetryDelay"/>, at most 1 day.
    /// </summary>
    [DurationRange("00:00:00.1", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How often progress is logged while a warm-up runs. Default: 2 seconds. Range: 100 ms–1 hour.
    /// </summary>
    [DurationRange("00:00:00.1", "01:00:00")]
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(2);
}
