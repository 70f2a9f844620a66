using HealthChecks.Warmup.Model;
using Microsoft.AspNetCore.Http.Features;

namespace HealthChecks.Warmup.Fetching.InProcess;

/// <summary>
/// Where the app writes the response body. Writing starts the response. The bytes of a successful HTML
/// or CSS response (a document) are kept up to the parsed-bytes limit; any other body is counted and
/// dropped, and <see cref="ReadingEnded"/> says when the warm-up has read enough of it
/// (<see cref="NonDocumentBody"/>). Once the crawler has taken the body, or given up on the request,
/// writes are dropped too: the app's thread and the crawler's meet at a lock, so nothing is ever
/// written into an array handed back to the pool. Synchronous writes and flushes throw unless the
/// app allowed synchronous I/O, as on Kestrel.
/// </summary>
/// <remarks>
/// When enough of a body that is not a document has been read, the request is aborted right there, on
/// the thread that noticed (the app's, or the pause timer's), as a browser that leaves aborts it: the
/// app's next write with its <c>RequestAborted</c> token throws, and a fast writer cannot run to the end
/// before the crawler's continuation gets a thread. Writing starts the response through the
/// <c>ensureStarted</c> it is given (its OnStarting callbacks, its headers): the sink knows nothing of
/// the response feature that owns it.
/// </remarks>
internal sealed class ResponseBodySink(Func<CancellationToken, Task> ensureStarted, int maxCapturedBytes, CrawlRequest request, IHttpBodyControlFeature bodyControl, IHttpRequestLifetimeFeature lifetime, TimeProvider time) : Stream
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _nonDocumentStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _readingEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CapturedBody? _captured;
    private ITimer? _pause;
    private long _dropped;
    private bool _closed;

    /// <summary>Whether the body is a document the crawler parses; known once the response started.</summary>
    public bool IsDocument { get; private set; }

    /// <summary>Completes when the app, still running, started a response that is not a document: it is warm.</summary>
    public Task NonDocumentStarted => _nonDocumentStarted.Task;

    /// <summary>Completes when enough of a body that is not a document has been read.</summary>
    public Task ReadingEnded => _readingEnded.Task;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>The response started; <paramref name="byApp"/> when the app started it while still running.</summary>
    internal void Begin(int statusCode, string? contentType, bool byApp)
    {
        var endless = false;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            if (ContentTypes.IsKept(request, statusCode, contentType))
            {
                IsDocument = true;
                _captured = new CapturedBody(maxCapturedBytes);
                return;
            }
            if (!byApp)
            {
                // The app has returned: the body, if any, is all written already.
                return;
            }
            _nonDocumentStarted.TrySetResult();
            endless = NonDocumentBody.IsEndless(contentType);
            if (!endless)
            {
                _pause = time.CreateTimer(static sink => ((ResponseBodySink)sink!).EndReading(), this, NonDocumentBody.MaxPause, Timeout.InfiniteTimeSpan);
            }
        }
        if (endless)
        {
            EndReading();
        }
    }

    private void EndReading()
    {
        if (_readingEnded.TrySetResult())
        {
            try
            {
                lifetime.Abort();
            }
            catch (ObjectDisposedException)
            {
                // The crawler is already done with the request.
            }
        }
    }

    /// <summary>The body kept so far, now the caller's; nothing more is kept.</summary>
    internal CapturedBody? TakeCaptured()
    {
        lock (_gate)
        {
            _closed = true;
            _pause?.Dispose();
            _pause = null;
            var captured = _captured;
            _captured = null;
            return captured;
        }
    }

    /// <summary>Stops keeping anything and returns what was kept: the crawler has given up on the request.</summary>
    internal void StopCapturing() => TakeCaptured()?.Dispose();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        SynchronousIO.ThrowIfDisallowed(bodyControl, reading: false);
        ensureStarted(CancellationToken.None).GetAwaiter().GetResult();
        Append(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Kestrel's response stream honours the caller's token, also once the client has gone.
        cancellationToken.ThrowIfCancellationRequested();
        await ensureStarted(cancellationToken);
        Append(buffer.Span);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
        SynchronousIO.ThrowIfDisallowed(bodyControl, reading: false);
        ensureStarted(CancellationToken.None).GetAwaiter().GetResult();
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => ensureStarted(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void Append(ReadOnlySpan<byte> bytes)
    {
        var enough = false;
        lock (_gate)
        {
            if (_captured is { } captured)
            {
                captured.Append(bytes);
            }
            else if (_pause is { } pause)
            {
                _dropped += bytes.Length;
                enough = _dropped >= NonDocumentBody.MaxReadBytes;
                pause.Change(enough ? Timeout.InfiniteTimeSpan : NonDocumentBody.MaxPause, Timeout.InfiniteTimeSpan);
            }
        }
        if (enough)
        {
            // Outside the lock: the abort runs the app's RequestAborted callbacks.
            EndReading();
        }
    }
}
