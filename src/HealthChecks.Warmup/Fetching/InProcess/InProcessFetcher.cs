using System.Net;
using HealthChecks.Warmup.Crawling;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace HealthChecks.Warmup.Fetching.InProcess;

/// <summary>
/// Sends requests through the app's own pipeline, with no network: a fresh feature collection per
/// request, as Kestrel would build it, carrying the site's scheme, host and port.
/// </summary>
internal sealed class InProcessFetcher(InProcessApplication application, SiteWarmupOptions options, TimeProvider time) : IFetcher
{
    internal const string UserAgent = "HealthChecks.Warmup/1.0 (in-process)";
    private static long s_connectionIds;

    public async Task<FetchResult> FetchAsync(CrawlRequest request, CancellationToken cancellationToken)
    {
        var pipeline = application.Pipeline
            ?? throw new InvalidOperationException("The application's request pipeline is not built yet.");

        using var timeout = new CancellationTokenSource(options.RequestTimeout, time);
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var response = new InProcessResponse(options.MaxParsedBytes, request.Kind);
        var features = CreateFeatures(request, response, aborted);

        FetchResult? result = null;
        Task Complete(Exception? appError) => CompleteAsync(appError);
        async Task CompleteAsync(Exception? appError)
        {
            // A throw after the response started is a broken response (Kestrel aborts the connection);
            // before, it is a plain 500.
            var brokenResponse = appError is not null && response.HasStarted;
            await response.FinishAsync(appError);
            // Read everything before the context is disposed: pooled objects may be reused after.
            result = new FetchResult
            {
                StatusCode = response.StatusCode,
                ContentType = response.Headers.ContentType,
                Location = response.Headers.Location,
                Captured = response.Sink.TakeCaptured(),
                Failure = brokenResponse ? FetchFailure.Exception : FetchFailure.None,
                Error = appError is null ? null : Describe(appError),
            };
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
            await processing.WaitAsync(aborted.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            response.Sink.StopCapturing();
            return FetchResult.Failed(FetchFailure.Timeout, $"no response within {options.RequestTimeout.TotalSeconds:0.###} s");
        }
        catch (OperationCanceledException)
        {
            response.Sink.StopCapturing();
            throw;
        }
        catch (Exception ex)
        {
            return FetchResult.Failed(FetchFailure.Exception, Describe(ex));
        }
        return result ?? FetchResult.Failed(FetchFailure.Exception, "the application produced no response");
    }

    private static FeatureCollection CreateFeatures(CrawlRequest request, InProcessResponse response, CancellationTokenSource aborted)
    {
        var url = request.Url;
        var headers = new HeaderDictionary
        {
            [HeaderNames.Host] = url.Authority,
            [HeaderNames.UserAgent] = UserAgent,
            [HeaderNames.Accept] = request.Kind == UrlKind.Page ? "text/html,application/xhtml+xml,*/*;q=0.8" : "*/*",
        };
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
            Body = Stream.Null,
        });
        features.Set<IHttpResponseFeature>(response);
        features.Set<IHttpResponseBodyFeature>(response);
        features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature
        {
            RequestAborted = aborted.Token,
        });
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
        {
            ConnectionId = "warmup-" + Interlocked.Increment(ref s_connectionIds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            LocalIpAddress = IPAddress.Loopback,
            LocalPort = url.Port,
            RemoteIpAddress = IPAddress.Loopback,
            RemotePort = 0,
        });
        features.Set<IHttpRequestIdentifierFeature>(new HttpRequestIdentifierFeature());
        return features;
    }

    private static string Describe(Exception exception) => $"{exception.GetType().Name}: {exception.Message}";
}
