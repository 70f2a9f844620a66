using System.Runtime.CompilerServices;
using System.Text;
using AngleSharp.Html.Parser;
using AngleSharp.Html.Parser.Tokens.Struct;

namespace HealthChecks.Warmup.Extraction;

/// <summary>The elements whose text holds URLs, and the tokenizer state the tree builder would set.</summary>
internal static partial class HtmlLinkExtractor
{
    /// <summary>
    /// Follows the elements that change how the tokenizer reads what comes next — <c>&lt;svg&gt;</c> and
    /// <c>&lt;math&gt;</c> (foreign content), <c>&lt;script&gt;</c>, <c>&lt;style&gt;</c>, raw text and
    /// RCDATA — and collects the text of a <c>&lt;style&gt;</c> or a script this extractor reads, handing
    /// it to the collector when the element ends.
    /// </summary>
    private sealed class ElementText(Collector found)
    {
        private int _foreignDepth;
        private StringBuilder? _style;
        private StringBuilder? _script;
        private InlineScript _scriptKind;

        /// <summary>Inside <c>&lt;svg&gt;</c> or <c>&lt;math&gt;</c>.</summary>
        public bool InForeignContent => _foreignDepth > 0;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Open(ref StructHtmlToken token, ReadOnlySpan<char> name, HtmlTokenizer tokenizer)
        {
            if (name is "svg" or "math")
            {
                _foreignDepth += token.IsSelfClosing ? 0 : 1;
            }
            else if (_foreignDepth == 0)
            {
                // What the tree builder would tell the tokenizer after these start tags.
                tokenizer.State = name switch
                {
                    "script" => HtmlParseMode.Script,
                    "style" or "xmp" or "iframe" or "noembed" or "noframes" => HtmlParseMode.Rawtext,
                    "title" or "textarea" => HtmlParseMode.RCData,
                    "plaintext" => HtmlParseMode.Plaintext,
                    _ => tokenizer.State,
                };
                _style = name is "style" ? new StringBuilder() : null;
                _scriptKind = name is "script" ? KindOf(new Attributes(ref token)) : InlineScript.None;
                _script = _scriptKind == InlineScript.None ? null : new StringBuilder();
            }
            tokenizer.IsAcceptingCharacterData = _foreignDepth > 0;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Close(ref StructHtmlToken token, HtmlTokenizer tokenizer)
        {
            if (token.Name == "style" && _style is not null)
            {
                found.Css(_style.ToString());
                _style = null;
            }
            else if (token.Name == "script" && _script is not null)
            {
                found.Script(_script.ToString(), _scriptKind);
                _script = null;
            }
            else if ((token.Name == "svg" || token.Name == "math") && _foreignDepth > 0)
            {
                _foreignDepth--;
            }
            tokenizer.IsAcceptingCharacterData = _foreignDepth > 0;
        }

        /// <summary>Text of the <c>&lt;style&gt;</c> or script being read; other text is not asked for.</summary>
        public void Append(ReadOnlySpan<char> text) => (_style ?? _script)?.Append(text);

        /// <summary>The document ended: a <c>&lt;style&gt;</c> left open is read as it is.</summary>
        public void End()
        {
            if (_style is not null)
            {
                found.Css(_style.ToString());
            }
        }
    }
}
