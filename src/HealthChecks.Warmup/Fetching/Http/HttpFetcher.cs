using System.Buffers;
using System.Runtime.CompilerServices;
using HealthChecks.Warmup.Crawling;
using Polly.Timeout;

namespace HealthChecks.Warmup.Fetching.Http;

/// <summary>
/// Requests the site over HTTP. Only the body of a successful HTML or CSS response is kept, up to the
/// parsed-bytes limit after decompression; every other body is read to the end into a pooled buffer and
/// dropped, so the server does all the work a visitor would cause.
/// </summary>
internal sealed class HttpFetcher(HttpClient client, SiteWarmupOptions options, TimeProvider time) : IFetcher
{
    internal const string UserAgent = "HealthChecks.Warmup/1.0 (+http)";

    public async Task<FetchResult> FetchAsync(CrawlRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, request.Url);
        message.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        message.Headers.Accept.ParseAdd(request.Kind == UrlKind.Page ? "text/html,application/xhtml+xml,*/*;q=0.8" : "*/*");
        if (request.Referrer is not null)
        {
            message.Headers.Referrer = request.Referrer;
        }
        foreach (var (name, value) in options.RequestHeaders)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        var attempts = new StrongBox<int>();
        message.Options.Set(AttemptCountingHandler.Attempts, attempts);

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (TimeoutRejectedException)
        {
            return Failed(FetchFailure.Timeout, $"no response within {options.RequestTimeout.TotalSeconds:0.###} s", attempts.Value);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(FetchFailure.Timeout, $"no response within {options.RequestTimeout.TotalSeconds:0.###} s", attempts.Value);
        }
        catch (HttpRequestException ex)
        {
            return Failed(FetchFailure.Exception, $"{ex.GetType().Name}: {ex.Message}", attempts.Value);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var contentType = response.Content.Headers.ContentType?.ToString();
            using var bodyTimeout = new CancellationTokenSource(options.RequestTimeout, time);
            using var reading = CancellationTokenSource.CreateLinkedTokenSource(bodyTimeout.Token, cancellationToken);
            try
            {
                await using var stream = await response.Content.ReadAsStreamAsync(reading.Token);
                var body = await ReadBodyAsync(stream, ContentTypes.IsKept(request.Kind, status, contentType), reading.Token);
                return new FetchResult
                {
                    StatusCode = status,
                    ContentType = contentType,
                    Location = response.Headers.Location?.OriginalString,
                    Captured = body,
                    Attempts = Math.Max(1, attempts.Value),
                };
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return Failed(FetchFailure.Timeout, $"answered {status} but the body took longer than {options.RequestTimeout.TotalSeconds:0.###} s", attempts.Value);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or System.IO.InvalidDataException)
            {
                return Failed(FetchFailure.Exception, $"answered {status} but the body broke off: {ex.Message}", attempts.Value);
            }
        }
    }

    /// <summary>Reads the body to the end; keeps its start when <paramref name="capture"/>.</summary>
    private async Task<CapturedBody?> ReadBodyAsync(Stream stream, bool capture, CancellationToken cancellationToken)
    {
        var kept = capture ? new CapturedBody(options.MaxParsedBytes) : null;
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                kept?.Append(buffer.AsSpan(0, read));
            }
            return kept;
        }
        catch
        {
            kept?.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static FetchResult Failed(FetchFailure failure, string error, int attempts) =>
        new() { Failure = failure, Error = error, Attempts = Math.Max(1, attempts) };
}
