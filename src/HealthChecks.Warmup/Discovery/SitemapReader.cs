using System.IO.Compression;
using System.Xml;

namespace HealthChecks.Warmup.Discovery;

/// <summary>
/// Reads a sitemap or sitemap index (sitemaps.org), gzipped or not: the <c>loc</c> of every
/// <c>url</c> is a page, of every <c>sitemap</c> another sitemap. DTDs and external entities are never
/// processed; the decompressed size is bounded; a malformed document yields what preceded the error.
/// </summary>
internal static class SitemapReader
{
    public static void Read(ReadOnlyMemory<byte> body, int maxBytes, List<string> pages, List<string> sitemaps)
    {
        using var raw = new MemoryStream(body.ToArray(), writable: false);
        using var decompressed = IsGzip(body.Span) ? new GZipStream(raw, CompressionMode.Decompress) : (Stream)raw;
        using var bounded = new BoundedStream(decompressed, maxBytes);
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Ignore,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreWhitespace = true,
            MaxCharactersFromEntities = 0,
        };
        try
        {
            using var reader = XmlReader.Create(bounded, settings);
            string? parent = null;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }
                if (reader.LocalName is "url" or "sitemap")
                {
                    parent = reader.LocalName;
                }
                else if (reader.LocalName == "loc" && parent is not null)
                {
                    var loc = reader.ReadElementContentAsString().Trim();
                    (parent == "sitemap" ? sitemaps : pages).Add(loc);
                }
            }
        }
        catch (Exception ex) when (ex is XmlException or InvalidDataException or IOException)
        {
            // Keep what was read before the document broke off.
        }
    }

    private static bool IsGzip(ReadOnlySpan<byte> body) => body.Length >= 2 && body[0] == 0x1f && body[1] == 0x8b;

    /// <summary>Ends the stream after a number of bytes: a gzip bomb stops there.</summary>
    private sealed class BoundedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var allowed = (int)Math.Min(count, limit - _read);
            if (allowed <= 0)
            {
                return 0;
            }
            var read = inner.Read(buffer, offset, allowed);
            _read += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
