using HealthChecks.Warmup.Model;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;

namespace HealthChecks.Warmup.Fetching.InProcess;

/// <summary>
/// The response side of an in-process request, behaving as Kestrel's does where apps can tell:
/// OnStarting callbacks run (last registered first) before the first byte, headers are frozen once
/// started, OnCompleted callbacks run after the response ended. The body goes to a
/// <see cref="ResponseBodySink"/>, which keeps only what the crawler parses.
/// </summary>
internal sealed class InProcessResponse : IHttpResponseFeature, IHttpResponseBodyFeature
{
    private readonly Stack<(Func<object, Task> Callback, object State)> _onStarting = new();
    private readonly Stack<(Func<object, Task> Callback, object State)> _onCompleted = new();
    private readonly ResponseBodySink _sink;
    private PipeWriter? _writer;
    private Stream _body;
    private bool _finishing;

    public InProcessResponse(int maxCapturedBytes, CrawlRequest request, IHttpBodyControlFeature bodyControl, IHttpRequestLifetimeFeature lifetime, TimeProvider time)
    {
        _sink = new ResponseBodySink(EnsureStartedAsync, maxCapturedBytes, request, bodyControl, lifetime, time);
        _body = _sink;
    }


    private Task EnsureStartedAsync(CancellationToken cancellationToken) => HasStarted ? Task.CompletedTask : StartAsync(cancellationToken);

    public int StatusCode { get; set; } = StatusCodes.Status200OK;

    public string? ReasonPhrase { get; set; }

    public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();

    [Obsolete("Use IHttpResponseBodyFeature.Stream instead.", error: false)]
    public Stream Body
    {
        get => _body;
        set => _body = value;
    }

    public bool HasStarted { get; private set; }

    public Stream Stream => _sink;

    public PipeWriter Writer => _writer ??= PipeWriter.Create(_sink, new StreamPipeWriterOptions(leaveOpen: true));

    public ResponseBodySink Sink => _sink;

    public void OnStarting(Func<object, Task> callback, object state)
    {
        if (HasStarted)
        {
            throw new InvalidOperationException("The response has already started.");
        }
        _onStarting.Push((callback, state));
    }

    public void OnCompleted(Func<object, Task> callback, object state) => _onCompleted.Push((callback, state));

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (HasStarted)
        {
            return;
        }
        while (_onStarting.TryPop(out var entry))
        {
            await entry.Callback(entry.State);
        }
        HasStarted = true;
        if (Headers is HeaderDictionary headers)
        {
            // Frozen as Kestrel's are: a late header write fails in the app, as it would in production.
            headers.IsReadOnly = true;
        }
        _sink.Begin(StatusCode, Headers.ContentType, byApp: !_finishing);
    }

    public void DisableBuffering()
    {
    }

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        await StartAsync(cancellationToken);
        await SendFileFallback.SendFileAsync(_sink, path, offset, count, cancellationToken);
    }

    public async Task CompleteAsync()
    {
        await StartAsync();
        if (_writer is not null)
        {
            await _writer.FlushAsync();
        }
    }

    /// <summary>Ends the response as Kestrel does after the app returned, then runs OnCompleted.</summary>
    public async Task FinishAsync(Exception? appError)
    {
        _finishing = true;
        if (appError is not null && !HasStarted)
        {
            // Kestrel answers 500 with no body when the app throws before starting the response.
            StatusCode = StatusCodes.Status500InternalServerError;
            ReasonPhrase = null;
            Headers.Clear();
        }
        await CompleteAsync();
        while (_onCompleted.TryPop(out var entry))
        {
            try
            {
                await entry.Callback(entry.State);
            }
            catch (Exception)
            {
                // Kestrel logs and swallows OnCompleted failures: the response is already sent.
            }
        }
    }
}
