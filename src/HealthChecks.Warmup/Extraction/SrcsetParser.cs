using System.Runtime.CompilerServices;

namespace HealthChecks.Warmup.Extraction;

/// <summary>
/// Reads the URLs of a <c>srcset</c> or <c>imagesrcset</c> attribute, following the WHATWG
/// "parse a srcset attribute" algorithm: URLs may contain commas, candidates are separated by commas
/// after a URL and its descriptors, and descriptors may contain parenthesised commas.
/// Hand-written because AngleSharp's SourceSet splits on a regular expression and evaluates media
/// conditions we do not need; this one is a single linear pass.
/// </summary>
internal static class SrcsetParser
{
    // Runs for every srcset of every page: optimised from the first call (see HtmlLinkExtractor).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ParseUrls(string? srcset, List<string> urls)
    {
        if (string.IsNullOrEmpty(srcset))
        {
            return;
        }
        var text = srcset.AsSpan();
        var position = 0;
        while (position < text.Length)
        {
            // Skip whitespace and separating commas.
            while (position < text.Length && (IsSpace(text[position]) || text[position] == ','))
            {
                position++;
            }
            if (position >= text.Length)
            {
                break;
            }

            var start = position;
            while (position < text.Length && !IsSpace(text[position]))
            {
                position++;
            }
            var url = text[start..position];
            var endsCandidate = false;
            if (url.EndsWith(","))
            {
                url = url.TrimEnd(',');
                endsCandidate = true;
            }
            if (!url.IsEmpty)
            {
                urls.Add(url.ToString());
            }
            if (endsCandidate)
            {
                continue;
            }

            // Skip the descriptors up to the comma that ends this candidate (commas inside parentheses don't).
            var depth = 0;
            while (position < text.Length)
            {
                var c = text[position++];
                if (c == '(')
                {
                    depth++;
                }
                else if (c == ')' && depth > 0)
                {
                    depth--;
                }
                else if (c == ',' && depth == 0)
                {
                    break;
                }
            }
        }
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f';
}
