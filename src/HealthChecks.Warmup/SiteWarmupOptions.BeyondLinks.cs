using System.ComponentModel.DataAnnotations;

namespace HealthChecks.Warmup;

/// <summary>What the warm-up reaches beyond links: steps, a user, variants (docs/warming-more.md).</summary>
public sealed partial class SiteWarmupOptions
{
    /// <summary>
    /// The user in-process requests carry, made once per attempt from the app's services, so that pages
    /// behind <c>[Authorize]</c> render and warm. It is set on the warm-up's own requests before the
    /// pipeline runs (authentication that finds no credentials leaves it, authorization sees it) and
    /// exists nowhere else: no header, cookie or request from outside can present it. In-process only;
    /// over HTTP, send credentials with <see cref="RequestHeaders"/>. Default: none (anonymous).
    /// </summary>
    public Func<IServiceProvider, System.Security.Claims.ClaimsPrincipal>? User { get; set; }

    /// <summary>
    /// Named sets of headers each page is also requested with (<c>o.Variants.Add("mobile", new Dictionary&lt;string, string&gt;
    /// { ["User-Agent"] = "…" })</c>), for caches that keep a response per variant: every page once per
    /// variant, a resource once. Sent over <see cref="RequestHeaders"/>. Default: none.
    /// </summary>
    public IDictionary<string, IDictionary<string, string>> Variants { get; set; } =
        new Dictionary<string, IDictionary<string, string>>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The cultures every page is requested in, one <c>Accept-Language</c> each. Default (empty): the
    /// supported UI cultures of the app's <c>RequestLocalizationOptions</c> when it has two or more; one
    /// culture given here sends that one alone.
    /// </summary>
    public IList<string> Cultures { get; set; } = [];

    /// <summary>
    /// Code that warms what no URL reaches, run in order before the crawl of every attempt, each in a
    /// service scope of its own (docs/warming-more.md).
    /// In-process and over HTTP; not in <c>dotnet-warmup</c>, which has no app to run them in.
    /// </summary>
    public WarmupSteps Steps { get; } = new();

    /// <summary>The longest one warm-up step may run; past it, it fails the attempt. Default: 1 minute. Range: 100 ms–1 hour.</summary>
    [DurationRange("00:00:00.1", "01:00:00")]
    public TimeSpan StepTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// What warming bought: after a crawl that succeeded, this many of its slowest pages are requested once
    /// more, and the result (data key <c>slowest</c>), the log and <c>dotnet-warmup</c> show each page's
    /// cold and warm time. The second requests are not judged. 0 turns it off. Default: 5. Range: 0–100.
    /// </summary>
    [Range(0, 100)]
    public int SlowestPages { get; set; } = 5;
}
