namespace HealthChecks.Warmup.Fetching.InProcess;

/// <summary>
/// Where the app writes the response body. Writing starts the response; the bytes of a successful HTML
/// or CSS response are kept up to the parsed-bytes limit, everything else is dropped. Once the crawler
/// has taken the body, or given up on the request (a time-out), writes are dropped too: the app's
/// thread and the crawler's meet at a lock, so nothing is ever written into an array handed back to
/// the pool.
/// </summary>
internal sealed class ResponseBodySink(InProcessResponse response, int maxCapturedBytes, Crawling.UrlKind kind) : Stream
{
    private readonly Lock _gate = new();
    private CapturedBody? _captured;
    private bool _closed;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    internal void Begin(int statusCode, string? contentType)
    {
        if (!ContentTypes.IsKept(kind, statusCode, contentType))
        {
            return;
        }
        lock (_gate)
        {
            if (!_closed)
            {
                _captured = new CapturedBody(maxCapturedBytes);
            }
        }
    }

    /// <summary>The body kept so far, now the caller's; nothing more is kept.</summary>
    internal CapturedBody? TakeCaptured()
    {
        lock (_gate)
        {
            _closed = true;
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
        if (!response.HasStarted)
        {
            response.StartAsync().GetAwaiter().GetResult();
        }
        Append(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!response.HasStarted)
        {
            await response.StartAsync(cancellationToken);
        }
        Append(buffer.Span);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        response.HasStarted ? Task.CompletedTask : response.StartAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void Append(ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            _captured?.Append(bytes);
        }
    }
}
