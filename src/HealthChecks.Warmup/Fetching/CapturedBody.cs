using System.Buffers;

namespace HealthChecks.Warmup.Fetching;

/// <summary>
/// The start of a response body kept for parsing, up to a limit, in an array rented from
/// <see cref="ArrayPool{T}.Shared"/>: every page is parsed once and dropped, so a warm-up reuses a
/// few arrays instead of allocating (and growing) one per page. Not thread-safe; <see cref="Dispose"/>
/// returns the array, after which the body is empty.
/// </summary>
internal sealed class CapturedBody(int limit) : IDisposable
{
    private const int InitialSize = 16 * 1024;
    private byte[]? _buffer;
    private int _length;

    /// <summary>More bytes arrived than the limit allows; only the first ones are kept.</summary>
    public bool Truncated { get; private set; }

    public ReadOnlyMemory<byte> Memory => _buffer is { } buffer ? buffer.AsMemory(0, _length) : ReadOnlyMemory<byte>.Empty;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        var room = limit - _length;
        if (bytes.Length > room)
        {
            Truncated = true;
            bytes = bytes[..room];
        }
        if (bytes.IsEmpty)
        {
            return;
        }
        var buffer = Room(_length + bytes.Length);
        bytes.CopyTo(buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            _length = 0;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private byte[] Room(int needed)
    {
        if (_buffer is { } current && current.Length >= needed)
        {
            return current;
        }
        var doubled = Math.Max(InitialSize, (_buffer?.Length ?? 0) * 2);
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Min(limit, doubled)));
        if (_buffer is { } old)
        {
            old.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(old);
        }
        _buffer = bigger;
        return bigger;
    }
}
