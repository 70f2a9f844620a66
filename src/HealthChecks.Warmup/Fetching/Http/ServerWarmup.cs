using System.Buffers;
using System.Net.Http.Headers;
using System.Net;
using HealthChecks.Warmup.Model;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;

namespace HealthChecks.Warmup.Fetching.Http;

/// <summary>
/// In-process requests never pass through the server: after an in-process warm-up, Kestrel's own path
/// (accepting a connection, parsing HTTP/1.1, TLS and HTTP/2 where the endpoint has them, writing a body,
/// sending a file, the compressed variant browsers ask for) is still cold for the first visitor. A few
/// real requests to the app's own bound addresses — loopback, or the machine's own address it is bound
/// to, never anything else — compile it: the entry page and the repeat pass's URLs (one through each
/// folder the crawl reached, chosen by the repeat pass), compressed; the first resource once more
/// uncompressed, and once with the validators it came with (<c>If-None-Match</c>, <c>If-Modified-Since</c>),
/// as a browser asks again for what it cached: the not-modified path, which the first visitor's second
/// page took cold (12 ms for each of the first two stylesheets of a fresh mvc app); and <c>/favicon.ico</c>,
/// which browsers ask for on a page that declares no icon (6–14 ms on a fresh webapp's first visit), when the
/// crawl read such a page and did not reach it — a guess, never a failure. The entry page first, then the rest four at a time
/// (<see cref="Concurrency"/>). Where the crawl reached <c>_blazor/initializers</c>, one Blazor circuit beside them
/// (<see cref="BlazorCircuit"/>, not judged; beside rather than after: ready 5 % sooner on the template). Bounded in number and time; judged like resources (a 5xx or an error fails the
/// attempt, naming the server warm-up); skipped, with the reason, when the server is not Kestrel or has
/// no address to reach over TCP.
/// </summary>
internal sealed class ServerWarmup(SiteWarmupOptions options, TimeProvider time) : IDisposable
{
    // One client for the primer and the server warm-up after it: the primer's connections are reused.
    private HttpClient? _client;

    /// <summary>The most addresses warmed.</summary>
    public const int MaxAddresses = 4;

    /// <summary>What browsers ask for on every page that declares no icon.</summary>
    public const string FaviconPath = "/favicon.ico";

    /// <summary>How many of its requests are sent at once, after the entry page.</summary>
    public const int Concurrency = 4;

    /// <summary>The whole server warm-up's time limit.</summary>
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(10);

    /// <summary>What happened: the outcomes to judge, or why nothing was sent.</summary>
    public sealed record Result(IReadOnlyList<UrlOutcome> Outcomes, string Summary, bool Skipped);

    /// <summary>Whether the server the app runs on is Kestrel (looking through the warm-up's own decorator).</summary>
    public static bool IsKestrel(IServer? server)
    {
        var inner = server is InProcess.WarmupServerDecorator decorator ? decorator.Inner : server;
        return inner?.GetType().Assembly == typeof(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions).Assembly;
    }

    public async Task<Result> RunAsync(IServer? server, Uri origin, WarmupReport report, IReadOnlyList<UrlOutcome> repeat, CancellationToken cancellationToken)
    {
        if (!IsKestrel(server))
        {
            var name = (server is InProcess.WarmupServerDecorator decorator ? decorator.Inner : server)?.GetType().Name ?? "none";
            return new([], $"skipped: the server is not Kestrel ({name}), so there is no server path to warm", Skipped: true);
        }
        var addresses = server!.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var targets = Targets(addresses);
        if (targets.Count == 0)
        {
            return new([], addresses.Count == 0
                ? "skipped: the server reports no address"
                : $"skipped: no TCP address to reach ({string.Join(", ", addresses)}; a Unix socket or named pipe is not requested)", Skipped: true);
        }

        // The entry page first (the page path), then the repeat pass's resources and pages; the first
        // resource is also sent uncompressed (the file-sending path).
        var entry = report.Outcomes.FirstOrDefault(o => o is { IsEntry: true, Kind: UrlKind.Page, StatusCode: 200 });
        List<(string Path, UrlKind Kind)> paths = [.. new[] { entry }.OfType<UrlOutcome>()
            .Concat(repeat.OrderBy(o => o.Kind == UrlKind.Page))
            .Select(o => (new Uri(o.Url).PathAndQuery, o.Kind))
            .DistinctBy(p => p.PathAndQuery)];
        if (paths.Count == 0)
        {
            return new([], "skipped: no page or resource answered 200 to request again", Skipped: true);
        }
        var uncompressed = paths.FindIndex(p => p.Kind == UrlKind.Resource);
        // What a browser asks for on a page that declares no icon, when the crawl read such a page and
        // did not reach it: a guess, never a failure (a site may have none).
        var crawledIcon = new Uri(origin, FaviconPath).AbsoluteUri;
        var favicon = report.Counts.PagesWithoutIcon > 0 && !report.Outcomes.Any(o => o.Url == crawledIcon);

        var started = time.GetTimestamp();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeLimit);
        var client = Client;
        var outcomes = new List<UrlOutcome>();
        var circuitTask = CircuitPage(report) is { } circuitPage
            ? BlazorCircuit.StartAsync(client, targets[0], circuitPage.Pages, circuitPage.DocumentBase, cancellationToken)
            : null;
        foreach (var target in targets)
        {
            foreach (var version in Versions(target))
            {
                // The entry page alone (the page path compiles once), then the rest side by side: what
                // routing compiles for each folder is compiled on the thread that asks, so the folders'
                // compilations overlap rather than queue (measured on a fresh webapp: Bootstrap's script
                // folder 66-73 ms, jQuery's 10 ms, one after the other).
                var chains = new List<UrlOutcome>[paths.Count + (favicon ? 1 : 0)];
                chains[0] = await ChainAsync(0);
                await Parallel.ForEachAsync(Enumerable.Range(1, chains.Length - 1),
                    new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
                    async (i, _) => chains[i] = await ChainAsync(i));
                outcomes.AddRange(chains.SelectMany(c => c));

                // One path's requests, in order: compressed; for the first resource also uncompressed and
                // revalidated. The last chain is the icon's guess.
                async Task<List<UrlOutcome>> ChainAsync(int i)
                {
                    if (i == paths.Count)
                    {
                        var (guess, _) = await SendAsync(client, new Uri(target, FaviconPath), origin, version, UrlKind.Resource, Variant.Compressed, null, limit.Token, cancellationToken);
                        return [guess with { IsSpeculative = true }];
                    }
                    var (path, kind) = paths[i];
                    var (outcome, validators) = await SendAsync(client, new Uri(target, path), origin, version, kind, Variant.Compressed, null, limit.Token, cancellationToken);
                    List<UrlOutcome> chain = [outcome];
                    if (i == uncompressed)
                    {
                        chain.Add((await SendAsync(client, new Uri(target, path), origin, version, kind, Variant.Uncompressed, null, limit.Token, cancellationToken)).Outcome);
                        if (validators is not null)
                        {
                            // As a browser asks again for what it has cached: the not-modified path.
                            chain.Add((await SendAsync(client, new Uri(target, path), origin, version, kind, Variant.Revalidated, validators, limit.Token, cancellationToken)).Outcome);
                        }
                    }
                    return chain;
                }
            }
        }
        var circuit = circuitTask is null ? "" : "; " + await circuitTask;
        return new(outcomes, $"{outcomes.Count} requests to {string.Join(", ", targets.Select(t => t.GetLeftPart(UriPartial.Authority)))} in {(long)time.GetElapsedTime(started).TotalMilliseconds} ms{circuit}", Skipped: false);
    }

    /// <summary>
    /// Where a Blazor circuit starts: when the crawl reached <c>_blazor/initializers</c> (answered 200), the
    /// entry page, where visitors arrive, if it holds a server component, else the page that URL came
    /// from; and the document base it was resolved against.
    /// </summary>
    private static (IReadOnlyList<Uri> Pages, Uri DocumentBase)? CircuitPage(WarmupReport report)
    {
        const string initializers = "_blazor/initializers";
        var outcome = report.Outcomes.FirstOrDefault(o => o is { Kind: UrlKind.Resource, StatusCode: 200, Referrer: not null }
            && o.Url.EndsWith(initializers, StringComparison.Ordinal) && Uri.IsWellFormedUriString(o.Referrer, UriKind.Absolute));
        if (outcome is null)
        {
            return null;
        }
        var entry = report.Outcomes.FirstOrDefault(o => o is { IsEntry: true, Kind: UrlKind.Page, StatusCode: 200 });
        List<Uri> pages = [.. new[] { entry?.Url, outcome.Referrer }.OfType<string>().Distinct(StringComparer.Ordinal).Select(u => new Uri(u))];
        return (pages, new Uri(outcome.Url[..^initializers.Length]));
    }

    /// <summary>
    /// While the crawl runs: one request for <see cref="FaviconPath"/> to each address (and protocol) the
    /// server warm-up will ask after it, so that Kestrel's connection, parsing and body-writing path
    /// compiles beside the crawl instead of after it. Not judged: the server warm-up asks again, judged.
    /// </summary>
    public async Task PrimeAsync(IServer? server, Uri origin, CancellationToken cancellationToken)
    {
        if (!IsKestrel(server))
        {
            return;
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeLimit);
        var client = Client;
        try
        {
            foreach (var target in Targets(server!.Features.Get<IServerAddressesFeature>()?.Addresses ?? []))
            {
                foreach (var version in Versions(target))
                {
                    await SendAsync(client, new Uri(target, FaviconPath), origin, version, UrlKind.Resource, Variant.Compressed, null, limit.Token, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The app is stopping: the crawl says so.
        }
    }

    private static List<Uri> Targets(ICollection<string> addresses) => [.. addresses.Select(Reachable).OfType<Uri>().Distinct().Take(MaxAddresses)];

    private static Version[] Versions(Uri target) => target.Scheme == Uri.UriSchemeHttps ? [HttpVersion.Version11, HttpVersion.Version20] : [HttpVersion.Version11];

    public void Dispose() => _client?.Dispose();

    private HttpClient Client => _client ??= new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = options.RequestTimeout,
        // The app's own certificate on its own address: what is warmed is the server, not trust.
        SslOptions = { RemoteCertificateValidationCallback = static (_, _, _, _) => true },
    }, disposeHandler: true) { Timeout = options.RequestTimeout };

    /// <summary>How a URL is asked for: as browsers first do, without compression, or again with what they cached.</summary>
    private enum Variant
    {
        Compressed,
        Uncompressed,
        Revalidated,
    }

    /// <summary>What a cached response is asked again with.</summary>
    private sealed record Validators(EntityTagHeaderValue? ETag, DateTimeOffset? LastModified);

    private async Task<(UrlOutcome Outcome, Validators? Validators)> SendAsync(HttpClient client, Uri url, Uri origin, Version version, UrlKind kind,
        Variant variant, Validators? validators, CancellationToken limit, CancellationToken stopping)
    {
        var started = time.GetTimestamp();
        int? status = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url) { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
            // Under the site's host, as a visitor's request arrives (host filtering, host-keyed caches).
            request.Headers.Host = origin.Authority;
            request.Headers.TryAddWithoutValidation("User-Agent", HttpFetcher.UserAgent);
            request.Headers.TryAddWithoutValidation("Accept", FetchResult.AcceptFor(kind));
            request.Headers.TryAddWithoutValidation("Accept-Language", FetchResult.AcceptLanguage);
            if (variant != Variant.Uncompressed)
            {
                request.Headers.TryAddWithoutValidation("Accept-Encoding", ContentDecoding.AcceptEncoding);
            }
            if (validators?.ETag is { } etag)
            {
                request.Headers.IfNoneMatch.Add(etag);
            }
            request.Headers.IfModifiedSince = validators?.LastModified;
            request.Headers.TryAddWithoutValidation(OwnRequestMarker.Header, OwnRequestMarker.Secret);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit);
            status = (int)response.StatusCode;
            await using var body = await response.Content.ReadAsStreamAsync(limit);
            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                long read = 0;
                int n;
                while (read < NonDocumentBody.MaxReadBytes && (n = await body.ReadAsync(buffer, limit)) > 0)
                {
                    read += n;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            var cached = response.Headers.ETag is not null || response.Content.Headers.LastModified is not null
                ? new Validators(response.Headers.ETag, response.Content.Headers.LastModified)
                : null;
            return (Outcome(status, FetchFailure.None, null), cached);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return (Outcome(status, FetchFailure.Timeout, $"no answer within the server warm-up's {TimeLimit.TotalSeconds:0} s"), null);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return (Outcome(status, FetchFailure.Exception, FetchResult.Describe(ex)), null);
        }

        UrlOutcome Outcome(int? code, FetchFailure failure, string? error) => new(url.AbsoluteUri, kind, 0,
            ServerWarmupReferrer(version, variant), IsEntry: false, code, failure, error, time.GetElapsedTime(started));
    }

    /// <summary>What a server warm-up outcome names as where it came from.</summary>
    private static string ServerWarmupReferrer(Version version, Variant variant) =>
        $"the server warm-up, HTTP/{version.ToString(2)}{variant switch { Variant.Compressed => ", compressed", Variant.Revalidated => ", revalidated", _ => "" }}";

    /// <summary>
    /// Where a bound address is reached from this process: as the server reports it (read as the site's
    /// origin is), with <c>localhost</c> and the wildcards (<c>0.0.0.0</c>, <c>[::]</c>, <c>+</c>, <c>*</c>:
    /// Kestrel binds them dual-stack) on <c>127.0.0.1</c>; an address of the machine's as it is;
    /// <see langword="null"/> for a Unix socket, a named pipe or what does not parse.
    /// </summary>
    internal static Uri? Reachable(string address) =>
        address.Contains("pipe:", StringComparison.OrdinalIgnoreCase) || address.Contains("unix:", StringComparison.OrdinalIgnoreCase)
            ? null
            : Discovery.BoundAddresses.ParseAddress(address) is { } parsed
                ? parsed.IsLoopback && parsed.Host == "localhost" ? new UriBuilder(parsed) { Host = "127.0.0.1" }.Uri : parsed
                : null;
}
