using System.Buffers;

namespace HealthChecks.Warmup.Fetching.InProcess;

/// <summary>
/// Where the app writes the response body. Writing starts the response; the bytes of a successful HTML
/// or CSS response are kept up to the parsed-bytes limit, everything else is counted and dropped.
/// Writes after the crawler gave up on the request (a time-out) are dropped too.
/// </summary>
internal sealed class ResponseBodySink(InProcessResponse response, int maxCapturedBytes, Crawling.UrlKind kind) : Stream
{
    private ArrayBufferWriter<byte>? _captured;
    private volatile bool _closed;

    public bool Truncated { get; private set; }

    public ReadOnlyMemory<byte> Captured => _captured?.WrittenMemory ?? ReadOnlyMemory<byte>.Empty;

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
        if (ContentTypes.IsKept(kind, statusCode, contentType))
        {
            _captured = new ArrayBufferWriter<byte>(16 * 1024);
        }
    }

    /// <summary>Stops keeping anything: the crawler has what it needs or has given up.</summary>
    internal void StopCapturing() => _closed = true;

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
        if (_closed || _captured is null)
        {
            return;
        }
        var room = maxCapturedBytes - _captured.WrittenCount;
        if (bytes.Length > room)
        {
            Truncated = true;
            bytes = bytes[..room];
        }
        _captured.Write(bytes);
    }
}
