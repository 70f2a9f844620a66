namespace HealthChecks.Warmup.Extraction;

internal static partial class HtmlLinkExtractor
{
    /// <summary>Which of Blazor's scripts a page loads.</summary>
    internal enum BlazorScript
    {
        None,
        /// <summary><c>blazor.web.js</c>: a Blazor Web App, whose circuit starts only for a server or auto component.</summary>
        Web,
        /// <summary><c>blazor.server.js</c>: Blazor Server, whose circuit starts on every page.</summary>
        Server,
    }

    /// <summary>
    /// What Blazor's script fetches as it loads. <c>blazor.server.js</c> starts a circuit on every page;
    /// <c>blazor.web.js</c> reads its initializers from the page and starts a circuit — which fetches
    /// <c>_blazor/initializers</c> — only when the page holds a server or auto component, whose marker
    /// is a comment (<c>&lt;!--Blazor:{"type":"server",…}--&gt;</c>). A page of WebAssembly or static
    /// components fetches nothing there (and an app without server interactivity answers it 404).
    /// </summary>
    private static class Blazor
    {
        public const string InitializersPath = "_blazor/initializers";

        /// <summary>The Blazor script <paramref name="src"/> names (fingerprinted or not), or <see langword="null"/>.</summary>
        public static BlazorScript? ScriptOf(string? src)
        {
            if (string.IsNullOrEmpty(src))
            {
                return null;
            }
            var path = src.AsSpan();
            var end = path.IndexOfAny('?', '#');
            path = end >= 0 ? path[..end] : path;
            var name = path[(path.LastIndexOf('/') + 1)..];
            if (!name.EndsWith(".js", StringComparison.OrdinalIgnoreCase)
                || !path[..(path.Length - name.Length)].EndsWith("_framework/", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
            return name.StartsWith("blazor.web.", StringComparison.OrdinalIgnoreCase) ? BlazorScript.Web
                : name.StartsWith("blazor.server.", StringComparison.OrdinalIgnoreCase) ? BlazorScript.Server
                : null;
        }

        /// <summary>Whether a page loading <paramref name="script"/> with this <paramref name="markup"/> starts a circuit.</summary>
        public static bool StartsCircuit(BlazorScript script, ReadOnlySpan<char> markup) => script switch
        {
            BlazorScript.Server => true,
            BlazorScript.Web => HasInteractiveServerMarker(markup),
            _ => false,
        };

        private static bool HasInteractiveServerMarker(ReadOnlySpan<char> markup)
        {
            const string start = Fetching.Http.BlazorCircuit.MarkerStart;
            for (var at = markup.IndexOf(start, StringComparison.Ordinal); at >= 0; at = markup.IndexOf(start, StringComparison.Ordinal))
            {
                markup = markup[(at + start.Length)..];
                if (Fetching.Http.BlazorCircuit.IsServerOrAuto(markup))
                {
                    return true;
                }
            }
            return false;
        }
    }
}
