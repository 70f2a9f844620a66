using HealthChecks.Warmup.Discovery;
using HealthChecks.Warmup.Fetching;
using HealthChecks.Warmup.Fetching.InProcess;
using HealthChecks.Warmup.Model;
using HealthChecks.Warmup.Reporting;
using Microsoft.Extensions.Logging;

namespace HealthChecks.Warmup.Coordination;

/// <summary>
/// Whether a probe reaches the app's health checks: each health endpoint is asked for once in-process once
/// the first attempt is judged (nothing runs beside the crawl), as a probe asks — at the bound address,
/// with no user and no cookie. An answer that stands in front of
/// the checks is a warning, since the verdict the warm-up keeps is then never what the probe sees: a
/// redirect to a sign-in page (a fallback authorization policy covers the endpoint) counts as ready to
/// Kubernetes, which treats any 2xx or 3xx as success, so cold instances take traffic — as does a redirect to
/// another host, which it does not follow; a redirect to a scheme and port the app does not listen on (HTTPS
/// redirection where TLS ends before the app), a 401 or 403, or host filtering's 400 keeps them unready for good.
/// And when every endpoint answers 200 without this registration's check (a predicate selecting a tag it
/// lacks), no probe waits for the warm-up at all. Any other answer, a 404 among them (the probe's address
/// may not be the one the endpoint's host names), is not held against the app.
/// </summary>
internal static class ProbeReach
{
    /// <summary>How the request names itself in the app's logs: not the crawl's.</summary>
    internal const string UserAgent = "HealthChecks.Warmup/1.0 (probe check)";

    private static readonly RequestVariant s_probe = new("probe", [new("User-Agent", UserAgent), new("Accept", "*/*")]);

    /// <summary>Asks each of the app's health endpoints in-process (nothing without its pipeline); never throws but for <paramref name="cancellationToken"/>.</summary>
    public static async Task CheckAsync(string registration, WarmupApp app, SiteWarmupOptions options, SiteAddress address, ILogger logger, CancellationToken cancellationToken)
    {
        if (app.Application.Pipeline is null)
        {
            return;
        }
        var fetcher = new InProcessFetcher(app.Application, options, app.RequestDefaults, app.Time);
        var without = new List<string>();
        var reachedOrUnknown = false;
        foreach (var endpoint in app.HealthEndpoints())
        {
            if (HealthEndpoints.ProbeUrl(endpoint, address.BoundOrigins, address.Origin) is not { } url)
            {
                reachedOrUnknown = true;
                continue;
            }
            var answer = await fetcher.FetchAsync(new CrawlRequest(url, UrlKind.Page, Depth: 0, Referrer: null, IsEntry: false, RedirectHops: 0, Variant: s_probe), cancellationToken);
            if (Blocked(answer, url, address) is { } consequence)
            {
                WarmupLog.ProbeBlocked(logger, registration, url, answer.StatusCode ?? 0, answer.Location is { } location ? $" (Location: {location})" : "", consequence);
                reachedOrUnknown = true;
            }
            else if (AnsweredWithout(answer, registration))
            {
                without.Add(endpoint.Path);
            }
            else
            {
                reachedOrUnknown = true;
            }
        }
        if (!reachedOrUnknown && without.Count > 0)
        {
            WarmupLog.CheckNotProbed(logger, registration, string.Join(", ", without));
        }
    }

    /// <summary>
    /// The health checks answered 200 and the check of <paramref name="registration"/> was not among them:
    /// the endpoint's predicate leaves it out. A 503 may be a rate limiter's, so it tells nothing.
    /// </summary>
    private static bool AnsweredWithout(FetchResult answer, string registration) =>
        answer is { Failure: FetchFailure.None, StatusCode: 200 } && !answer.ReachedChecks.Contains(registration, StringComparer.Ordinal);

    /// <summary>What a probe's <paramref name="answer"/> costs when it is not the health checks' own; <see langword="null"/> when it is, or may be.</summary>
    internal static string? Blocked(FetchResult answer, Uri url, SiteAddress address)
    {
        if (answer.ReachedHealthCheck || answer.Failure != FetchFailure.None || answer.StatusCode is not { } status)
        {
            return null;
        }
        if (status is >= 300 and < 400 && answer.Location is { } location && Uri.TryCreate(url, location, out var target))
        {
            return Redirected(url, target, address.Listening);
        }
        if (status is 401 or 403)
        {
            return "probes fail, so instances are never ready. Let probes through: MapHealthChecks(...).AllowAnonymous()";
        }
        if (status == 400 && address.HostFiltering)
        {
            return "host filtering refuses a probe that sends the instance's address as its Host, so instances are never ready. Name that address in AllowedHosts, or send the site's host with the probe (Kubernetes: httpGet.httpHeaders)";
        }
        return null;
    }

    /// <summary>
    /// What a redirect costs, judged as the kubelet follows one: a redirect to another host name is not
    /// followed and counts as success; one to the same host name is followed, whatever its scheme and port.
    /// </summary>
    private static string? Redirected(Uri url, Uri target, IReadOnlyList<Uri> listening)
    {
        if (!string.Equals(target.IdnHost, url.IdnHost, StringComparison.OrdinalIgnoreCase))
        {
            return "Kubernetes counts a redirect to another host as ready without following it, so instances take traffic while cold. Keep health endpoints out of the redirect (a canonical-host rule: skip their paths), or send that host with the probe (Kubernetes: httpGet.httpHeaders)";
        }
        if (listening.Count > 0 && !listening.Any(origin => SameSchemeAndPort(origin, target)))
        {
            return $"probes follow it to {target.Scheme} on port {target.Port}, where the app does not listen, so instances are never ready. Where TLS ends before the app, drop UseHttpsRedirection (or its HTTPS port setting); or keep health endpoints out of it (app.UseWhen)";
        }
        if (!string.Equals(target.AbsolutePath, url.AbsolutePath, StringComparison.OrdinalIgnoreCase))
        {
            return "Kubernetes counts a redirect as ready, so instances take traffic while cold. Let probes through: MapHealthChecks(...).AllowAnonymous() (a fallback authorization policy covers every endpoint without it)";
        }
        return null;
    }

    private static bool SameSchemeAndPort(Uri origin, Uri target) =>
        string.Equals(origin.Scheme, target.Scheme, StringComparison.OrdinalIgnoreCase) && origin.Port == target.Port;
}
