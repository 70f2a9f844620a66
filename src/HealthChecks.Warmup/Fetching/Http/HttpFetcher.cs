using System.Buffers;
using System.Runtime.CompilerServices;
using HealthChecks.Warmup.Model;
using Polly.Timeout;

namespace HealthChecks.Warmup.Fetching.Http;

/// <summary>
/// Requests the site over HTTP. Only the body of a successful HTML or CSS response is kept, up to the
/// parsed-bytes limit after decompression, and read to its end; every other body is read into a pooled
/// buffer and dropped, as far as <see cref="NonDocumentBody"/> allows, so the server does the work a
/// visitor would cause without the warm-up waiting on a stream that does not end.
/// </summary>
/// <param name="client">The registration's named client.</param>
/// <param name="options">The registration's options.</param>
/// <param name="time">The clock of time limits.</param>
/// <param name="ownApp">Whether the site is this process's own app: its health checks then recognise the requests (<see cref="OwnRequestMarker"/>).</param>
internal sealed class HttpFetcher(HttpClient client, SiteWarmupOptions options, TimeProvider time, bool ownApp = false) : IFetcher
{
    internal const string UserAgent = "HealthChecks.Warmup/1.0 (+http)";

    public async Task<FetchResult> FetchAsync(CrawlRequest request, CancellationToken cancellationToken)
    {
        using var message = Message(request);
        var attempts = new StrongBox<int>();
        message.Options.Set(AttemptCountingHandler.Attempts, attempts);
        var (response, failure) = await SendAsync(message, attempts, cancellationToken);
        if (response is null)
        {
            return failure!;
        }
        using (response)
        {
            return await ReadAsync(request, response, Math.Max(1, attempts.Value), cancellationToken);
        }
    }

    /// <summary>Sends <paramref name="message"/> through the retrying client: the response once its headers are in, or the failure.</summary>
    private async Task<(HttpResponseMessage? Response, FetchResult? Failure)> SendAsync(HttpRequestMessage message, StrongBox<int> attempts, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken), null);
        }
        catch (Exception ex) when (ex is TimeoutRejectedException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (null, FetchResult.Failed(FetchFailure.Timeout, FetchResult.NoResponseWithin(options.RequestTimeout), attempts.Value));
        }
        catch (HttpRequestException ex)
        {
            return (null, FetchResult.Failed(FetchFailure.Exception, FetchResult.Describe(ex), attempts.Value));
        }
    }

    /// <summary>Reads the body of <paramref name="response"/> within its own time-out: kept when it is a document, else read to the end and dropped.</summary>
    private async Task<FetchResult> ReadAsync(CrawlRequest request, HttpResponseMessage response, int attempts, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var contentType = response.Content.Headers.ContentType?.ToString();
        using var bodyTimeout = new CancellationTokenSource(options.RequestTimeout, time);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(bodyTimeout.Token, cancellationToken);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(reading.Token);
            CapturedBody? body = null;
            if (ContentTypes.IsKept(request, status, contentType))
            {
                body = await ReadDocumentAsync(stream, reading.Token);
            }
            else
            {
                await ReadNonDocumentAsync(stream, contentType, reading.Token, cancellationToken);
            }
            return new FetchResult
            {
                StatusCode = status,
                ContentType = contentType,
                Location = response.Headers.Location?.OriginalString,
                LinkHeader = response.Headers.TryGetValues("Link", out var link) ? string.Join(", ", link) : null,
                RetryAfter = RetryAfter.Parse(response.Headers.RetryAfter?.ToString(), time.GetUtcNow()),
                Captured = body,
                Attempts = attempts,
                ReachedHealthCheck = ownApp && response.Headers.Contains(OwnRequestMarker.ReachedHeader),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return FetchResult.Failed(FetchFailure.Timeout, $"answered {status} but the body took longer than {options.RequestTimeout.TotalSeconds:0.###} s", attempts);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or System.IO.InvalidDataException)
        {
            return FetchResult.Failed(FetchFailure.Exception, $"answered {status} but the body broke off: {ex.Message}", attempts);
        }
    }

    /// <summary>The GET a browser would send for <paramref name="request"/>, with the registration's headers.</summary>
    private HttpRequestMessage Message(CrawlRequest request)
    {
        var message = new HttpRequestMessage(HttpMethod.Get, request.Url);
        message.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        message.Headers.Accept.ParseAdd(FetchResult.AcceptFor(request.Kind));
        message.Headers.TryAddWithoutValidation("Accept-Language", FetchResult.AcceptLanguage);
        if (request.Referrer is not null)
        {
            message.Headers.Referrer = request.Referrer;
        }
        foreach (var (name, value) in options.RequestHeaders)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        foreach (var (name, value) in request.Variant?.Headers ?? [])
        {
            // The variant's value, not one more beside the warm-up's own.
            message.Headers.Remove(name);
            message.Headers.TryAddWithoutValidation(name, value);
        }
        if (ownApp)
        {
            message.Headers.TryAddWithoutValidation(OwnRequestMarker.Header, OwnRequestMarker.Secret);
        }
        return message;
    }

    /// <summary>Reads a document to the end and keeps its start.</summary>
    private async Task<CapturedBody> ReadDocumentAsync(Stream stream, CancellationToken cancellationToken)
    {
        var kept = new CapturedBody(options.MaxParsedBytes);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                kept.Append(buffer.AsSpan(0, read));
            }
            return kept;
        }
        catch
        {
            kept.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads and drops a body that is not parsed, while the server keeps sending it: to its end, to
    /// <see cref="NonDocumentBody.MaxReadBytes"/>, to a pause or to the time limit, and not at all for
    /// an endless stream. The response is warm either way; disposing it then ends the connection.
    /// </summary>
    private async Task ReadNonDocumentAsync(Stream stream, string? contentType, CancellationToken reading, CancellationToken cancellationToken)
    {
        if (NonDocumentBody.IsEndless(contentType))
        {
            return;
        }
        using var pause = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var read = CancellationTokenSource.CreateLinkedTokenSource(reading, pause.Token);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            long total = 0;
            int count;
            do
            {
                pause.CancelAfter(NonDocumentBody.MaxPause);
                count = await stream.ReadAsync(buffer, read.Token);
                total += count;
            }
            while (count > 0 && total < NonDocumentBody.MaxReadBytes);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // A pause or the time limit after the response started: warm all the same.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
