using System.Text;

namespace HealthChecks.Warmup.Extraction;

/// <summary>
/// Runs the link extractors on a small document of its own (twice) while the host starts, so that the
/// entry page's parse, which every warm-up waits for, does not also pay for compiling AngleSharp's
/// tokenizer and the extractors and for loading their types: about 95 ms in a fresh process, on a
/// core the host's start-up leaves idle (docs/benchmarks.md).
/// </summary>
internal sealed class ExtractionPrimer
{
    // Every kind of reference the extractors read, so that each of their paths has run once (the
    // JavaScript tokenizer's too: inline scripts, an import map, a module).
    private static readonly byte[] s_document = Encoding.UTF8.GetBytes(
        """
        <!DOCTYPE html><html><head><base href="/"><meta http-equiv="refresh" content="0; url=/refresh">
        <link rel="stylesheet" href="/site.css"><link rel="preload" href="/font.woff2" imagesrcset="/hero.png 1x, /hero@2x.png 2x">
        <style>@import "/theme.css"; body { background: url('/body.png') }</style><script src="/app.js"></script></head>
        <body background="/background.png"><!-- comment --><a href="/page?a=1&amp;b=2" rel="nofollow">&copy; a</a><a href="https://localhost/absolute">b</a>
        <img src="image.png" srcset="small.png 1x, large.png 2x" style="background-image: image-set('set.png' 1x)">
        <svg><use href="/sprite.svg#icon"/><image xlink:href="/drawing.svg"/></svg><video poster="/poster.jpg" src="/video.mp4"></video>
        <textarea>&lt;a href="/not-a-link"&gt;</textarea><script>var a = "<a href='/not-a-link'>", r = /"\/not-a-path.js/; load("/guess.js");</script>
        <script type="importmap">{"imports": {"lib": "/lib.js"}}</script><script type="module">import lib from "lib"; import("./lazy.js");</script></body></html>
        """);

    private Task<int>? _completion;

    /// <summary>The priming's run once started: the number of links found in the document, or 0 if it failed.</summary>
    public Task<int>? Completion => Volatile.Read(ref _completion);

    /// <summary>Starts priming on a thread of its own, once; returns at once.</summary>
    public void Start()
    {
        var priming = new Task<int>(Prime, TaskCreationOptions.LongRunning);
        if (Interlocked.CompareExchange(ref _completion, priming, null) is null)
        {
            priming.Start(TaskScheduler.Default);
        }
    }

    private static int Prime()
    {
        try
        {
            // Twice: the second run reaches what the first one initialised.
            Links();
            return Links().Count;
        }
        catch (Exception)
        {
            // Priming only saves time: the warm-up itself records what goes wrong with a real page.
            return 0;
        }
    }

    /// <summary>The links of the priming document, as the extractor finds them.</summary>
    public static List<ExtractedLink> Links()
    {
        var origin = new Uri("http://localhost/");
        var links = new List<ExtractedLink>();
        HtmlLinkExtractor.Extract(s_document, "text/html; charset=utf-8", origin, links, new ResolvedLinks(origin));
        return links;
    }
}
