using System.IO.Compression;
using System.Runtime.InteropServices;

namespace HealthChecks.Warmup.Fetching;

/// <summary>
/// In-process requests ask for compressed bodies as browsers do (<c>Accept-Encoding: gzip, deflate, br</c>), so
/// that response compression and precompressed static assets serve what visitors get; what is parsed is
/// the decoded body, up to the parsed-bytes limit, as <see cref="HttpClient"/>'s automatic decompression
/// hands it over the network.
/// </summary>
internal static class ContentDecoding
{
    /// <summary>The Accept-Encoding a browser sends (Chromium adds zstd, which .NET cannot decode).</summary>
    public const string AcceptEncoding = "gzip, deflate, br";

    /// <summary>
    /// The decoded body of <paramref name="captured"/> for a Content-Encoding of gzip, deflate or br (the
    /// captured body is then disposed); <paramref name="captured"/> itself for no or an unknown encoding.
    /// A body cut short (the limit) or broken decodes as far as it goes.
    /// </summary>
    public static CapturedBody? Decode(CapturedBody? captured, string? contentEncoding, int limit)
    {
        if (captured is null || string.IsNullOrWhiteSpace(contentEncoding) || contentEncoding.Trim().Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return captured;
        }
        var encoding = contentEncoding.Trim().ToLowerInvariant();
        if (encoding is not ("gzip" or "x-gzip" or "deflate" or "br"))
        {
            return captured;
        }
        var decoded = new CapturedBody(limit);
        try
        {
            var bytes = MemoryMarshal.TryGetArray(captured.Memory, out var segment)
                ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
                : new MemoryStream(captured.Memory.ToArray(), writable: false);
            using Stream decoder = encoding switch
            {
                "br" => new BrotliStream(bytes, CompressionMode.Decompress),
                "deflate" => new ZLibStream(bytes, CompressionMode.Decompress),
                _ => new GZipStream(bytes, CompressionMode.Decompress),
            };
            Span<byte> buffer = stackalloc byte[8192];
            int read;
            while (!decoded.Truncated && (read = decoder.Read(buffer)) > 0)
            {
                decoded.Append(buffer[..read]);
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            // Cut short or broken: what decoded so far is parsed.
        }
        finally
        {
            captured.Dispose();
        }
        return decoded;
    }
}
