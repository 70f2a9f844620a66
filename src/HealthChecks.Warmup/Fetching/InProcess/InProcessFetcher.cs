using System.Net;
using HealthChecks.Warmup.Model;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace HealthChecks.Warmup.Fetching.InProcess;

/// <summary>
/// Sends requests through the app's own pipeline, with no network: a fresh feature collection per
/// request, as Kestrel would build it, carrying the site's scheme, host and port. A document (HTML,
/// CSS, robots.txt, a sitemap) is read to its end; anything else is warm once its response started,
/// and is then read only as far as <see cref="NonDocumentBody"/> allows.
/// </summary>
/// <param name="application">The app's pipeline.</param>
/// <param name="options">The registration's options.</param>
/// <param name="server">Kestrel's request settings, which the requests observe too.</param>
/// <param name="time">The app's clock.</param>
/// <param name="user">
/// The user every request carries (<see cref="SiteWarmupOptions.User"/>), set before the pipeline runs: it
/// exists only on these requests' features, never in a header, cookie or anything a request from outside
/// could present.
/// </param>
internal sealed class InProcessFetcher(InProcessApplication application, SiteWarmupOptions options, ServerRequestDefaults server, TimeProvider time,
    System.Security.Claims.ClaimsPrincipal? user = null) : IFetcher
{
    internal const string UserAgent = "HealthChecks.Warmup/1.0 (in-process)";
    private static long s_connectionIds;

    public async Task<FetchResult> FetchAsync(CrawlRequest request, CancellationToken cancellationToken)
    {
        var pipeline = application.Pipeline
            ?? throw new InvalidOperationException("The application's request pipeline is not built yet.");

        using var timeout = new CancellationTokenSource(options.RequestTimeout, time);
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var requestFeatures = new KestrelRequestFeatures(server, aborted);
        var response = new InProcessResponse(options.MaxParsedBytes, request, requestFeatures, requestFeatures, time);
        var marker = new SiteWarmupRequestFeature();
        var features = CreateFeatures(request, options.RequestHeaders, response, requestFeatures, marker);
        if (user is not null)
        {
            // Authentication that finds no credentials leaves it; authorization sees it. A copy each: the
            // app may change its request's user.
            features.Set<Microsoft.AspNetCore.Http.Features.Authentication.IHttpAuthenticationFeature>(new Microsoft.AspNetCore.Http.Features.Authentication.HttpAuthenticationFeature { User = user.Clone() });
        }

        FetchResult? completed = null;
        Task Complete(Exception? appError) => CompleteAsync(appError);
        async Task CompleteAsync(Exception? appError)
        {
            // A throw after the response started is a broken response (Kestrel aborts the connection);
            // before, it is a plain 500.
            var brokenResponse = appError is not null && response.HasStarted;
            await response.FinishAsync(appError);
            // Read everything before the context is disposed: pooled objects may be reused after.
            completed = Answer(response, marker, ContentDecoding.Decode(response.Sink.TakeCaptured(), response.Headers.ContentEncoding, options.MaxParsedBytes),
                brokenResponse ? appError : null, time);
        }

        Task processing;
        // A request of the warm-up's own: no HttpContext, Activity or other async-local of whoever
        // started the warm-up flows into the app.
        using (ExecutionContext.SuppressFlow())
        {
            processing = Task.Run(() => pipeline.ProcessAsync(features, Complete), CancellationToken.None);
        }

        try
        {
            // Apps that ignore RequestAborted are abandoned, not waited for.
            var first = await Task.WhenAny(processing, response.Sink.NonDocumentStarted).WaitAsync(aborted.Token);
            if (first != processing)
            {
                return await WarmOnceStartedAsync(response, marker, processing, aborted, time, cancellationToken) ?? completed!;
            }
            await processing.WaitAsync(aborted.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && response.Sink.ReadingEnded.IsCompleted)
        {
            // The sink ended the request (an endless stream) before this thread saw it start: warm.
            response.Sink.StopCapturing();
            return Answer(response, marker, captured: null, brokenBy: null, time);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            response.Sink.StopCapturing();
            return FetchResult.Failed(FetchFailure.Timeout, FetchResult.NoResponseWithin(options.RequestTimeout));
        }
        catch (OperationCanceledException)
        {
            response.Sink.StopCapturing();
            throw;
        }
        catch (Exception ex)
        {
            return FetchResult.Failed(FetchFailure.Exception, FetchResult.Describe(ex));
        }
        return completed ?? FetchResult.Failed(FetchFailure.Exception, "the application produced no response");
    }

    /// <summary>
    /// A response that is not a document, started by the app: warm now. Its body is read while the app
    /// writes it (within the request's time limit); then the request ends as a departing browser's
    /// does. Returns <see langword="null"/> when the app ended the response itself before the warm-up had
    /// read enough, so that its own ending (a throw mid-body is a broken response) is what counts; once
    /// the warm-up ended it, how the app then ends (a throw on the aborted request) is not held against it.
    /// </summary>
    private static async Task<FetchResult?> WarmOnceStartedAsync(InProcessResponse response, SiteWarmupRequestFeature marker, Task processing,
        CancellationTokenSource aborted, TimeProvider time, CancellationToken cancellationToken)
    {
        var warm = Answer(response, marker, captured: null, brokenBy: null, time);
        try
        {
            await Task.WhenAny(processing, response.Sink.ReadingEnded).WaitAsync(aborted.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The time limit, reached after the response started: it is warm all the same.
        }
        if (processing.IsCompleted && !response.Sink.ReadingEnded.IsCompleted)
        {
            return null;
        }
        response.Sink.StopCapturing();
        await aborted.CancelAsync();
        // The app ends its side on its own, seeing RequestAborted; the context is disposed then.
        _ = processing.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return warm;
    }

    private static FetchResult Answer(InProcessResponse response, SiteWarmupRequestFeature marker, CapturedBody? captured, Exception? brokenBy, TimeProvider time) => new()
    {
        StatusCode = response.StatusCode,
        RetryAfter = RetryAfter.Parse(response.Headers.RetryAfter, time.GetUtcNow()),
        ContentType = response.Headers.ContentType,
        Location = response.Headers.Location,
        LinkHeader = response.Headers.Link is { Count: > 0 } link ? link.ToString() : null,
        Captured = captured,
        Failure = brokenBy is null ? FetchFailure.None : FetchFailure.Exception,
        Error = brokenBy is null ? null : FetchResult.Describe(brokenBy),
        ReachedHealthCheck = marker.ReachedHealthCheck,
        ReachedChecks = marker.ReachedChecks,
    };

    private static FeatureCollection CreateFeatures(CrawlRequest request, IDictionary<string, string> extraHeaders, InProcessResponse response,
        KestrelRequestFeatures requestFeatures, SiteWarmupRequestFeature marker)
    {
        var url = request.Url;
        var headers = new HeaderDictionary
        {
            [HeaderNames.UserAgent] = UserAgent,
            [HeaderNames.Accept] = FetchResult.AcceptFor(request.Kind),
            // As a browser asks: compressed (the variant visitors get), in a language.
            [HeaderNames.AcceptEncoding] = ContentDecoding.AcceptEncoding,
            [HeaderNames.AcceptLanguage] = FetchResult.AcceptLanguage,
        };
        foreach (var (name, value) in extraHeaders)
        {
            headers[name] = value;
        }
        foreach (var (name, value) in request.Variant?.Headers ?? [])
        {
            headers[name] = value;
        }
        // The URL's authority, whatever the headers said: it is the origin the site is warmed under.
        headers[HeaderNames.Host] = url.Authority;
        if (request.Referrer is not null)
        {
            headers[HeaderNames.Referer] = request.Referrer.AbsoluteUri;
        }
        // The request runs without the warm-up's execution context; its trace context goes in the
        // headers, as it would over HTTP, so that the app's request activity is the warm-up's child.
        if (System.Diagnostics.Activity.Current is { } warmup)
        {
            System.Diagnostics.DistributedContextPropagator.Current.Inject(warmup, headers,
                static (carrier, name, value) => ((HeaderDictionary)carrier!)[name] = value);
        }

        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Protocol = "HTTP/1.1",
            Scheme = url.Scheme,
            Method = HttpMethods.Get,
            PathBase = string.Empty,
            Path = PathString.FromUriComponent(url),
            QueryString = url.Query,
            RawTarget = url.PathAndQuery,
            Headers = headers,
            Body = requestFeatures.Body,
        });
        features.Set<IHttpResponseFeature>(response);
        features.Set<IHttpResponseBodyFeature>(response);
        requestFeatures.AddTo(features, https: url.Scheme == Uri.UriSchemeHttps);
        var connectionId = "warmup-" + Interlocked.Increment(ref s_connectionIds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
        {
            ConnectionId = connectionId,
            LocalIpAddress = IPAddress.Loopback,
            LocalPort = url.Port,
            RemoteIpAddress = IPAddress.Loopback,
            RemotePort = 0,
        });
        // Kestrel's form: the connection's id and the request's number on it.
        features.Set<IHttpRequestIdentifierFeature>(new HttpRequestIdentifierFeature { TraceIdentifier = connectionId + ":00000001" });
        features.Set(marker);
        return features;
    }
}
