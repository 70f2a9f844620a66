using System.Runtime.CompilerServices;
using HealthChecks.Warmup.Discovery;

namespace HealthChecks.Warmup.Extraction;

/// <summary>The references of one document, collected as written and resolved once its base is known.</summary>
internal static partial class HtmlLinkExtractor
{
    /// <summary>Collects references as written; resolves them once the whole document (and its base) is known.</summary>
    private sealed class Collector(ResolvedLinks? resolved)
    {
        private readonly List<(string Raw, LinkRole Role)> _references = [];
        private readonly List<string> _scratch = [];
        private string? _base;

        /// <summary>Which Blazor script the page loads, if any.</summary>
        public BlazorScript BlazorScript { get; set; }

        public void Base(string? href) => _base ??= string.IsNullOrWhiteSpace(href) ? null : href;

        public void Add(string? raw, LinkRole? role)
        {
            if (!string.IsNullOrWhiteSpace(raw) && role is { } known)
            {
                _references.Add((raw, known));
            }
        }

        private int _guesses;
        private List<string>? _importMaps;

        public void Script(string code, InlineScript kind)
        {
            if (string.IsNullOrWhiteSpace(code))
            {
                return;
            }
            switch (kind)
            {
                case InlineScript.ImportMap:
                    // Read once the document's base is known.
                    (_importMaps ??= []).Add(code);
                    break;
                case InlineScript.Module or InlineScript.SpeculationRules:
                    _references.AddRange(References(code, kind));
                    break;
                case InlineScript.Classic when _guesses < ScriptScanner.MaxGuesses:
                    foreach (var guess in References(code, kind).Take(ScriptScanner.MaxGuesses - _guesses))
                    {
                        _references.Add(guess);
                        _guesses++;
                    }
                    break;
            }
        }

        /// <summary>What an inline script references; once per text for the crawl when it has one.</summary>
        private (string Raw, LinkRole Role)[] References(string code, InlineScript kind) =>
            resolved is null ? Read(code, kind) : resolved.ReferencesOfScript(code, text => Read(text, kind));

        private static (string Raw, LinkRole Role)[] Read(string code, InlineScript kind)
        {
            var found = new List<(string Raw, LinkRole Role)>();
            switch (kind)
            {
                case InlineScript.Module:
                    ScriptScanner.ScanModule(code, found);
                    break;
                case InlineScript.SpeculationRules:
                    JsonReferences.SpeculationRules(code, found);
                    break;
                default:
                    var guesses = new List<string>();
                    ScriptScanner.ScanGuesses(code, guesses, ScriptScanner.MaxGuesses);
                    found.AddRange(guesses.Select(g => (g, LinkRole.Guess)));
                    break;
            }
            return [.. found];
        }

        public void Srcset(string? srcset)
        {
            _scratch.Clear();
            SrcsetParser.ParseUrls(srcset, _scratch);
            foreach (var raw in _scratch)
            {
                Add(raw, LinkRole.Resource);
            }
        }

        public void Css(string css)
        {
            _scratch.Clear();
            CssUrlScanner.Scan(css, _scratch);
            foreach (var raw in _scratch)
            {
                Add(raw, LinkRole.Resource);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void ResolveInto(Uri documentUrl, List<ExtractedLink> links, ResolvedLinks? resolved)
        {
            var baseUrl = LinkResolver.Resolve(documentUrl, _base) ?? documentUrl;
            var baseIsOrigin = resolved?.IsOrigin(baseUrl) == true;
            var maps = resolved?.ImportMaps ?? (_importMaps is null ? null : new ImportMaps());
            foreach (var json in _importMaps ?? [])
            {
                if (maps!.IsNew(json, baseUrl))
                {
                    JsonReferences.ImportMap(json, baseUrl, maps);
                }
            }
            foreach (var (raw, role) in _references)
            {
                if (role == LinkRole.BareImport)
                {
                    if (maps?.Resolve(raw) is { } mapped)
                    {
                        links.Add(new ExtractedLink(mapped, LinkRole.Module));
                    }
                }
                else if ((resolved is null ? LinkResolver.Resolve(baseUrl, raw) : resolved.Resolve(baseUrl, baseIsOrigin, raw)) is { } url)
                {
                    links.Add(new ExtractedLink(url, role));
                }
            }
        }
    }
}
