using System.Text;
using BenchmarkDotNet.Attributes;
using HealthChecks.Warmup.Benchmarks.Site;
using HealthChecks.Warmup.Discovery;
using HealthChecks.Warmup.Extraction;

namespace HealthChecks.Warmup.Benchmarks.Micro;

/// <summary>HTML extraction on realistic pages of 10 KB, 100 KB and 1 MB (divide the size by the mean for MB/s).</summary>
[MemoryDiagnoser]
public class HtmlExtractionBenchmarks
{
    private static readonly Uri s_page = new("http://127.0.0.1:5000/docs/3/page-151.html");
    private readonly List<ExtractedLink> _links = [];
    // As in a crawl, where the navigation every page repeats is resolved once.
    private readonly ResolvedLinks _resolved = new(new Uri("http://127.0.0.1:5000/"));
    private ReadOnlyMemory<byte> _html;

    [Params(10, 100, 1000)]
    public int KiloBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // Generated pages are ~20 KB; a 10 KB page is the start of one, longer ones are several in a row.
        var site = new DocsSite(2000);
        var html = new StringBuilder();
        for (var i = 1; html.Length < KiloBytes * 1024; i++)
        {
            html.Append(site.Html(i));
        }
        _html = Encoding.UTF8.GetBytes(html.ToString(0, KiloBytes * 1024));
    }

    [Benchmark]
    public int Extract()
    {
        _links.Clear();
        HtmlLinkExtractor.Extract(_html, "text/html; charset=utf-8", s_page, _links, _resolved);
        return _links.Count;
    }
}

/// <summary>The CSS scanner on a 100 KB stylesheet, and URL resolution with normalisation.</summary>
[MemoryDiagnoser]
public class CssAndUrlBenchmarks
{
    private static readonly Uri s_base = new("http://127.0.0.1:5000/docs/3/page-151.html");
    private readonly List<string> _urls = [];
    private string _css = "";
    private string[] _references = [];

    [GlobalSetup]
    public void Setup()
    {
        var css = new StringBuilder();
        while (css.Length < 100 * 1024)
        {
            css.Append(DocsSite.Css("/css/site.css")).Append(DocsSite.Css("/css/base.css"));
        }
        _css = css.ToString();
        _references = [.. Enumerable.Range(0, 1000).Select(i => (i % 4) switch
        {
            0 => $"/docs/{i}/page-{i}.html",
            1 => $"../img/fig-{i}.png?v=3",
            2 => $"page-{i}.html#section",
            _ => $"http://127.0.0.1:5000/a/./b/../c-{i}",
        })];
    }

    [Benchmark]
    public int ScanCss100KB()
    {
        _urls.Clear();
        CssUrlScanner.Scan(_css, _urls);
        return _urls.Count;
    }

    [Benchmark(OperationsPerInvoke = 1000)]
    public int ResolveUrl()
    {
        var resolved = 0;
        foreach (var reference in _references)
        {
            resolved += LinkResolver.Resolve(s_base, reference) is null ? 0 : 1;
        }
        return resolved;
    }
}
