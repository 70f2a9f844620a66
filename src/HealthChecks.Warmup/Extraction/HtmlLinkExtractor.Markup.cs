using System.Runtime.CompilerServices;
using System.Text;
using AngleSharp.Html.Parser.Tokens.Struct;

namespace HealthChecks.Warmup.Extraction;

/// <summary>Reading the tokenizer's tags and the document's encoding.</summary>
internal static partial class HtmlLinkExtractor
{
    /// <summary>Reads the attributes of the current struct token.</summary>
    private readonly ref struct Attributes(ref StructHtmlToken token)
    {
        private readonly ref StructHtmlToken _token = ref token;

        /// <summary>Whether the attribute is there and says <paramref name="value"/>, ignoring case.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool Is(string name, string value)
        {
            var attributes = _token.Attributes;
            for (var i = 0; i < attributes.Count; i++)
            {
                var attribute = attributes[i];
                if (attribute.Name == name)
                {
                    return attribute.Value.Memory.Span.Equals(value, StringComparison.OrdinalIgnoreCase);
                }
            }
            return false;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public string? GetAttribute(string name)
        {
            var attributes = _token.Attributes;
            for (var i = 0; i < attributes.Count; i++)
            {
                var attribute = attributes[i];
                if (attribute.Name == name)
                {
                    return attribute.Value.ToString();
                }
            }
            return null;
        }
    }

    /// <summary>A UTF-8 byte order mark, else the charset of the Content-Type, else UTF-8 (as browsers fall back).</summary>
    private static Encoding EncodingOf(ReadOnlySpan<byte> bytes, string? contentType, out int preamble)
    {
        preamble = bytes.StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        if (preamble == 0
            && contentType is not null
            && System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
            && media.CharSet is { Length: > 0 } charset)
        {
            try
            {
                return Encoding.GetEncoding(charset.Trim('"'));
            }
            catch (ArgumentException)
            {
                // An unknown charset: read it as UTF-8.
            }
        }
        return Encoding.UTF8;
    }
}
