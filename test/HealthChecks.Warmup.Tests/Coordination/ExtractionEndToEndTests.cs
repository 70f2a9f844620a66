using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HealthChecks.Warmup.Tests.Coordination;

/// <summary>
/// Every extraction case of the design, end to end: the markup is the front page of a real site, the
/// warm-up runs in-process and over HTTP, and the app's own request log shows what was (and was not) requested.
/// </summary>
[TestFixture(WarmupTransport.InProcess)]
[TestFixture(WarmupTransport.Http)]
public sealed class ExtractionEndToEndTests(WarmupTransport transport)
{
    private async Task<FixtureSite> WarmAsync(string body, Action<FixtureSite>? extra = null, string entry = "/")
    {
        var site = new FixtureSite
        {
            Configure = o =>
            {
                o.EntryPaths = [entry];
                o.Transport = transport;
            },
        }
            .Html(entry, $"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>");
        extra?.Invoke(site);
        await site.StartAsync();
        await site.WaitForVerdictAsync();
        return site;
    }

    [TestCase("<img src=\"/img/a.png\">", "/img/a.png", TestName = "img src")]
    [TestCase("<img srcset=\"/img/b-1x.png 1x, /img/b-2x.png 2x\">", "/img/b-2x.png", TestName = "img srcset")]
    [TestCase("<img srcset=\"/img/w,320.png 320w, /img/w,640.png 640w\">", "/img/w,640.png", TestName = "img srcset with commas in URLs")]
    [TestCase("<picture><source srcset=\"/img/c.webp\" type=\"image/webp\"><img src=\"/img/c.jpg\"></picture>", "/img/c.webp", TestName = "picture source srcset")]
    [TestCase("<input type=\"image\" src=\"/img/button.png\" alt=\"go\">", "/img/button.png", TestName = "input type=image src")]
    [TestCase("<script src=\"/js/app.js\"></script>", "/js/app.js", TestName = "script src")]
    [TestCase("<link rel=\"stylesheet\" href=\"/css/plain.css\">", "/css/plain.css", TestName = "link rel=stylesheet")]
    [TestCase("<link rel=\"icon\" href=\"/favicon.ico\">", "/favicon.ico", TestName = "link rel=icon")]
    [TestCase("<link rel=\"shortcut icon\" href=\"/shortcut.ico\">", "/shortcut.ico", TestName = "link rel=shortcut icon")]
    [TestCase("<link rel=\"apple-touch-icon\" href=\"/touch.png\">", "/touch.png", TestName = "link rel=apple-touch-icon")]
    [TestCase("<link rel=\"manifest\" href=\"/site.webmanifest\">", "/site.webmanifest", TestName = "link rel=manifest")]
    [TestCase("<link rel=\"preload\" as=\"font\" href=\"/fonts/a.woff2\">", "/fonts/a.woff2", TestName = "link rel=preload")]
    [TestCase("<link rel=\"modulepreload\" href=\"/js/module.js\">", "/js/module.js", TestName = "link rel=modulepreload")]
    [TestCase("<link rel=\"prefetch\" href=\"/js/later.js\">", "/js/later.js", TestName = "link rel=prefetch")]
    [TestCase("<link rel=\"preload\" as=\"image\" imagesrcset=\"/img/d-1.png 1x, /img/d-2.png 2x\">", "/img/d-2.png", TestName = "link imagesrcset")]
    [TestCase("<video poster=\"/img/poster.jpg\" src=\"/media/v.mp4\"></video>", "/img/poster.jpg", TestName = "video poster")]
    [TestCase("<video src=\"/media/clip.mp4\"></video>", "/media/clip.mp4", TestName = "video src")]
    [TestCase("<audio src=\"/media/a.mp3\"></audio>", "/media/a.mp3", TestName = "audio src")]
    [TestCase("<video><source src=\"/media/s.webm\" type=\"video/webm\"><track src=\"/media/subs.vtt\"></video>", "/media/s.webm", TestName = "source src")]
    [TestCase("<video><track kind=\"captions\" src=\"/media/captions.vtt\"></video>", "/media/captions.vtt", TestName = "track src")]
    [TestCase("<iframe src=\"/embedded\"></iframe>", "/embedded", TestName = "iframe src")]
    [TestCase("<embed src=\"/media/e.swf\">", "/media/e.swf", TestName = "embed src")]
    [TestCase("<object data=\"/media/o.pdf\"></object>", "/media/o.pdf", TestName = "object data")]
    [TestCase("<svg><image href=\"/img/svg-image.png\"/></svg>", "/img/svg-image.png", TestName = "svg image href")]
    [TestCase("<svg xmlns:xlink=\"http://www.w3.org/1999/xlink\"><image xlink:href=\"/img/svg-xlink.png\"/></svg>", "/img/svg-xlink.png", TestName = "svg image xlink:href")]
    [TestCase("<svg><use href=\"/img/sprite.svg#icon\"/></svg>", "/img/sprite.svg", TestName = "svg use href")]
    [TestCase("<svg xmlns:xlink=\"http://www.w3.org/1999/xlink\"><use xlink:href=\"/img/sprite2.svg#i\"/></svg>", "/img/sprite2.svg", TestName = "svg use xlink:href")]
    [TestCase("<style>body { background: url(\"/img/style-block.png\") }</style>", "/img/style-block.png", TestName = "style block")]
    [TestCase("<div style=\"background-image: url('/img/style-attr.png')\"></div>", "/img/style-attr.png", TestName = "style attribute")]
    [TestCase("<table background=\"/img/table-bg.png\"><tr><td background=\"/img/td-bg.png\">x</td></tr></table>", "/img/td-bg.png", TestName = "obsolete background attribute")]
    [TestCase("<a href=\"/second-level\">next</a>", "/second-level", TestName = "a href")]
    [TestCase("<img usemap=\"#m\" src=\"/img/map.png\"><map name=\"m\"><area href=\"/area-page\" shape=\"rect\" coords=\"0,0,1,1\"></map>", "/area-page", TestName = "area href")]
    [TestCase("<meta http-equiv=\"refresh\" content=\"0; url='/refreshed'\">", "/refreshed", TestName = "meta refresh")]
    [TestCase("<img src=\"/img/bust.png?v=3\">", "/img/bust.png?v=3", TestName = "resource keeps its query string")]
    [TestCase("<link rel=\"canonical\" href=\"/canonical\">", "/canonical", TestName = "link rel=canonical")]
    [TestCase("<link rel=\"index\" title=\"Index\" href=\"genindex.html\">", "/genindex.html", TestName = "link rel=index (Sphinx)")]
    [TestCase("<link rel=\"search\" title=\"Search\" href=\"search.html\">", "/search.html", TestName = "link rel=search (Sphinx)")]
    [TestCase("<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed.xml\">", "/feed.xml", TestName = "link rel=alternate feed")]
    [TestCase("<link rel=\"alternate\" hreflang=\"de\" href=\"/de/\">", "/de/", TestName = "link rel=alternate hreflang")]
    [TestCase("<link rel=\"next\" href=\"/page/2\"><link rel=\"prev\" href=\"/page/0\">", "/page/2", TestName = "link rel=next")]
    [TestCase("<script type=\"importmap\">{\"imports\": {\"app\": \"/js/app.3f2a9c.js\"}}</script><script type=\"module\">import \"app\";</script>", "/js/app.3f2a9c.js", TestName = "import map")]
    [TestCase("<script type=\"module\">import { x } from \"/js/inline-dep.js\"; console.log(x);</script>", "/js/inline-dep.js", TestName = "inline module import")]
    [TestCase("<script type=\"module\" src=\"/js/entry-module.js\"></script>", "/js/entry-module.js", TestName = "script type=module src")]
    [TestCase("<script type=\"speculationrules\">{\"prerender\": [{\"source\": \"list\", \"urls\": [\"/next-page\"]}]}</script>", "/next-page", TestName = "speculation rules")]
    [TestCase("<script>Search.loadIndex(\"searchindex.js\")</script>", "/searchindex.js", TestName = "inline script asset (Sphinx loadIndex)")]
    [TestCase("<script>window._wpemojiSettings = {\"source\":{\"concatemoji\":\"\\/wp-includes\\/js\\/wp-emoji-release.min.js?ver=6.6.2\"}};</script>", "/wp-includes/js/wp-emoji-release.min.js?ver=6.6.2", TestName = "inline script JSON-escaped asset (WordPress emoji)")]
    [TestCase("<script>(window.jQuery||document.write(\"\\u003Cscript src=\\u0022/lib/jquery/dist/jquery.min.js\\u0022\\u003E\\u003C/script\\u003E\"));</script>", "/lib/jquery/dist/jquery.min.js", TestName = "asp-fallback-src")]
    [TestCase("<meta name=\"x-stylesheet-fallback-test\" content=\"\" class=\"sr-only\" /><script>!function(a,b,c,d){var e,f=document,g=f.getElementsByTagName(\"SCRIPT\"),h=g[g.length-1].previousElementSibling,i=f.defaultView&&f.defaultView.getComputedStyle?f.defaultView.getComputedStyle(h):h.currentStyle;if(i&&i[a]!==b)for(e=0;e<c.length;e++)f.write('<link href=\"'+c[e]+'\" '+d+'/>')}(\"position\",\"absolute\",[\"\\/lib\\/bootstrap\\/dist\\/css\\/bootstrap.min.css\"], \"rel=\\u0022stylesheet\\u0022 \");</script>", "/lib/bootstrap/dist/css/bootstrap.min.css", TestName = "asp-fallback-href")]
    [TestCase("<img src=\"  /img/spaced.png \">", "/img/spaced.png", TestName = "attribute whitespace trimmed")]
    [TestCase("<base href=\"/app/\"><!--Blazor:{\"type\":\"server\",\"prerenderId\":\"bddc\"}--><p>0</p><!--Blazor:{\"prerenderId\":\"bddc\"}--><script src=\"_framework/blazor.web.9hsif5t8mt.js\"></script>", "/app/_blazor/initializers", TestName = "Blazor's script fetches its initializers for a server component")]
    [TestCase("<!--Blazor:{\"type\":\"auto\",\"prerenderId\":\"f4c0\"}--><script src=\"_framework/blazor.web.js\"></script>", "/_blazor/initializers", TestName = "Blazor's script fetches its initializers for an auto component")]
    [TestCase("<script src=\"_framework/blazor.server.js\"></script>", "/_blazor/initializers", TestName = "Blazor Server's script fetches its initializers on every page")]
    public async Task FrontPageReference_IsRequested(string markup, string expectedPath)
    {
        await using var site = await WarmAsync(markup);

        Assert.That(site.Paths, Does.Contain(expectedPath));
    }

    [Test]
    public async Task BodyBackground_IsRequested()
    {
        var site = new FixtureSite { Configure = o => o.Transport = transport }.Html("/", "<html><body background=\"/img/body-bg.png\">hi</body></html>");
        await using var _ = await site.StartAsync();
        await site.WaitForVerdictAsync();

        Assert.That(site.Paths, Does.Contain("/img/body-bg.png"));
    }

    [Test]
    public async Task BaseHref_ResolvesRelativeReferences()
    {
        await using var site = await WarmAsync("<img src=\"g.png\"><a href=\"page\">p</a>",
            s => s.Html("/", "<html><head><base href=\"/sub/\"></head><body><img src=\"g.png\"><a href=\"page\">p</a></body></html>"));

        Assert.That(site.Paths, Does.Contain("/sub/g.png").And.Contain("/sub/page"));
    }

    [Test]
    public async Task RelativeReference_ResolvesAgainstTheDocument()
    {
        await using var site = await WarmAsync("<img src=\"rel.png\"><img src=\"../up.png\">", entry: "/dir/page");

        Assert.That(site.Paths, Does.Contain("/dir/rel.png").And.Contain("/up.png"));
    }

    [TestCase("@import \"imported.css\";", "/css/imported.css", TestName = "@import string")]
    [TestCase("@import url(imported-url.css) screen;", "/css/imported-url.css", TestName = "@import url()")]
    [TestCase("a { background: url(unquoted.png) }", "/css/unquoted.png", TestName = "url() unquoted")]
    [TestCase("a { background: url('single.png') }", "/css/single.png", TestName = "url() single-quoted")]
    [TestCase("a { background: url(\"double.png\") }", "/css/double.png", TestName = "url() double-quoted")]
    [TestCase("a { background: url(/img/rooted.png) }", "/img/rooted.png", TestName = "url() site-rooted")]
    [TestCase("a { background-image: image-set(\"set-1x.png\" 1x, \"set-2x.png\" 2x) }", "/css/set-2x.png", TestName = "image-set strings")]
    [TestCase("a { background-image: -webkit-image-set(url(wk-1x.png) 1x, \"wk-2x.png\" 2x) }", "/css/wk-2x.png", TestName = "-webkit-image-set")]
    [TestCase("@font-face { font-family: F; src: local(\"F\"), url(../fonts/f.woff2) format(\"woff2\"), url('../fonts/f.woff') format(\"woff\"); }", "/fonts/f.woff", TestName = "@font-face src")]
    [TestCase("/* url(commented.png) */ a { background: url(\"\\2f img\\2f escaped.png\") }", "/img/escaped.png", TestName = "CSS escapes")]
    public async Task StylesheetReference_IsRequestedRelativeToTheStylesheet(string css, string expectedPath)
    {
        await using var site = await WarmAsync("<link rel=\"stylesheet\" href=\"/css/site.css\">", s => s.Css("/css/site.css", css));

        Assert.That(site.Paths, Does.Contain(expectedPath));
        Assert.That(site.Paths, Does.Not.Contain("/css/commented.png"));
    }

    [Test]
    public async Task WebAppManifest_ItsIconsScreenshotsAndStartPage_AreRequested()
    {
        // Chromium fetches a manifest only to install the app, so no browser test judges this one.
        await using var site = await WarmAsync("<link rel=\"manifest\" href=\"/app/site.webmanifest\">", s => s
            .Route("/app/site.webmanifest", async c =>
            {
                c.Response.ContentType = "application/manifest+json";
                await c.Response.WriteAsync("{\"start_url\":\"/start\",\"icons\":[{\"src\":\"icons/192.png\"},{\"src\":\"/icons/512.png\"}]," +
                    "\"screenshots\":[{\"src\":\"shot.png\"}],\"shortcuts\":[{\"url\":\"/orders\",\"icons\":[{\"src\":\"orders.png\"}]}]}");
            }));

        Assert.That(site.Paths, Is.SupersetOf(new[] { "/app/icons/192.png", "/icons/512.png", "/app/shot.png", "/start", "/orders", "/app/orders.png" }),
            "resolved against the manifest's own URL");
    }

    [Test]
    public async Task ModuleGraph_IsFollowedThroughEveryImport_AndClassicScriptsAreNotParsed()
    {
        await using var site = await WarmAsync("<script type=\"module\" src=\"/js/main.js\"></script><script src=\"/js/classic.js\"></script>", s => s
            .Route("/js/main.js", Js("import { a } from './a.js'; export { b } from \"/js/b.js\"; const u = new URL('./img.svg', import.meta.url); import('./lazy.js');"))
            .Route("/js/a.js", Js("import '../lib/deep.js'; export const a = 1;"))
            .Route("/js/classic.js", Js("import('./never.js'); var x = '/never-guessed.png';")));

        Assert.That(site.Paths, Is.SupersetOf(new[] { "/js/a.js", "/js/b.js", "/js/img.svg", "/js/lazy.js", "/lib/deep.js" }));
        Assert.That(site.Paths, Does.Not.Contain("/js/never.js").And.Not.Contain("/never-guessed.png"), "a classic script file is served, not read");
    }

    [Test]
    public async Task CompressedPages_AreAskedForAsABrowserDoes_AndParsedDecoded()
    {
        var encodings = new System.Collections.Concurrent.ConcurrentQueue<(string Asked, string Sent)>();
        var site = new FixtureSite { Configure = o => o.Transport = transport }
            .Html("/", "<!DOCTYPE html><html><head><link rel=\"stylesheet\" href=\"/css/c.css\"></head><body>" + new string(' ', 4096) + "<a href=\"/next\">n</a></body></html>")
            .Css("/css/c.css", "body { background: url(/img/from-compressed-css.png) }" + new string(' ', 4096))
            .Html("/next", "next")
            .WithServices(services => services.AddResponseCompression())
            .WithMiddleware(app =>
            {
                app.Use(async (context, next) =>
                {
                    await next(context);
                    if (context.Request.Headers.UserAgent.ToString().StartsWith("HealthChecks.Warmup/", StringComparison.Ordinal))
                    {
                        encodings.Enqueue((context.Request.Headers.AcceptEncoding.ToString(), context.Response.Headers.ContentEncoding.ToString()));
                    }
                });
                app.UseResponseCompression();
            });
        await using var _ = await site.StartAsync();
        await site.WaitForVerdictAsync();

        Assert.That(encodings.Where(e => e.Sent == "br"), Is.Not.Empty, "the app sent brotli, as to a browser");
        Assert.That(encodings.Select(e => e.Asked), Has.All.Contain("br"));
        Assert.That(site.Paths, Does.Contain("/next").And.Contain("/img/from-compressed-css.png"), "the decoded page and stylesheet were parsed");
    }

    [Test]
    public async Task ImportMap_EntriesAreWarmedOnlyWhenImported_AsABrowserLoadsThem()
    {
        // .NET's <ImportMap /> lists every script of the app; a browser loads what modules import.
        await using var site = await WarmAsync(
            "<script type=\"importmap\">{\"imports\": {\"app\": \"/js/app.1.js\", \"unused\": \"/js/unused.1.js\", \"lib/\": \"/js/lib/\"}}</script>" +
            "<script type=\"module\">import \"app\";</script>", s => s
            .Route("/js/app.1.js", Js("import { x } from \"lib/x.js\"; import \"no-map-knows-me\";")));

        Assert.That(site.Paths, Does.Contain("/js/app.1.js").And.Contain("/js/lib/x.js"), "imported, through the map (a prefix entry too)");
        Assert.That(site.Paths, Does.Not.Contain("/js/unused.1.js"));
    }

    [Test]
    public async Task Guesses_ThatMiss_AreNoBrokenLinks_AndAreCounted()
    {
        await using var site = await WarmAsync("<script>var icons = ['/img/missing.png', '/img/there.png'];</script>", s => s
            .File("/img/there.png", "image/png"));
        var probe = await site.ProbeAsync();

        Assert.That(probe.Status, Is.EqualTo(System.Net.HttpStatusCode.OK), probe.Json);
        Assert.That(site.Paths, Does.Contain("/img/missing.png").And.Contain("/img/there.png"));
        Assert.That(probe.Count("guesses"), Is.EqualTo(2));
        Assert.That(probe.Count("guessesMissed"), Is.EqualTo(1));
        Assert.That(probe.Count("clientErrors"), Is.Zero, "a guess that misses is no broken link");
        Assert.That(site.Logs.Named("UrlClientError"), Is.Empty);
        Assert.That(site.Logs.Named("GuessMissed").Single().Message, Does.Contain("/img/missing.png"));
    }

    [Test]
    public async Task Guesses_AreBoundedPerPage()
    {
        var many = string.Join(",", Enumerable.Range(0, 300).Select(i => $"'/img/g{i}.png'"));
        await using var site = await WarmAsync($"<script>var a = [{many}];</script>");
        var probe = await site.ProbeAsync();

        Assert.That(probe.Count("guesses"), Is.EqualTo(HealthChecks.Warmup.Extraction.ScriptScanner.MaxGuesses));
    }

    private static RequestDelegate Js(string code) => async c =>
    {
        c.Response.ContentType = "text/javascript";
        await c.Response.WriteAsync(code);
    };

    [Test]
    public async Task ImportedStylesheet_IsParsedToo()
    {
        await using var site = await WarmAsync("<link rel=\"stylesheet\" href=\"/css/a.css\">", s => s
            .Css("/css/a.css", "@import \"b.css\";")
            .Css("/css/b.css", "body { background: url(deep.png) }"));

        Assert.That(site.Paths, Does.Contain("/css/b.css").And.Contain("/css/deep.png"));
    }

    [TestCase("<link rel=\"preconnect\" href=\"/preconnect\">", "/preconnect", TestName = "rel=preconnect")]
    [TestCase("<link rel=\"dns-prefetch\" href=\"/dns-prefetch\">", "/dns-prefetch", TestName = "rel=dns-prefetch")]
    [TestCase("<a href=\"/ok\" ping=\"/ping\">x</a>", "/ping", TestName = "ping")]
    [TestCase("<blockquote cite=\"/cite\">q</blockquote>", "/cite", TestName = "cite")]
    [TestCase("<form action=\"/form-action\" method=\"post\"><button formaction=\"/formaction\">go</button></form>", "/form-action", TestName = "form action")]
    [TestCase("<form action=\"/form-action\"><button formaction=\"/formaction\">go</button></form>", "/formaction", TestName = "button formaction")]
    [TestCase("<a href=\"/logout\">sign out</a>", "/logout", TestName = "excluded sign-out path")]
    [TestCase("<a href=\"/Account/LogOff\">sign out</a>", "/Account/LogOff", TestName = "excluded log-off path")]
    [TestCase("<a href=\"/doc?workflow_action=retract\">retract</a>", "/doc?workflow_action=retract", TestName = "page link with query string")]
    [TestCase("<!--Blazor-Server-Component-State:CfDJ8Ev--><script src=\"_framework/blazor.web.9hsif5t8mt.js\"></script>", "/_blazor/initializers", TestName = "Blazor's initializers on a page of static components")]
    [TestCase("<!--Blazor:{\"type\":\"webassembly\",\"prerenderId\":\"ea5a\"}--><p>0</p><script src=\"_framework/blazor.web.js\"></script><p>{\"type\":\"server\"}</p>", "/_blazor/initializers", TestName = "Blazor's initializers on a page of WebAssembly components")]
    public async Task NeverRequested(string markup, string forbiddenPath)
    {
        await using var site = await WarmAsync(markup);

        Assert.That(site.Paths, Does.Not.Contain(forbiddenPath));
        Assert.That(site.Paths, Does.Contain("/"), "the front page itself was warmed");
    }

    [Test]
    public async Task LinkToTheAppsOwnHealthEndpoint_IsRequestedAndNotJudged()
    {
        // The endpoint answers 503 to everyone else until the warm-up is done; it must never wait for itself.
        await using var site = await WarmAsync("<a href=\"/health/ready\">health</a>");
        var probe = await site.ProbeAsync();

        Assert.That(probe.Status, Is.EqualTo(System.Net.HttpStatusCode.OK), probe.Json);
        Assert.That(site.CountOf("/health/ready"), Is.EqualTo(1));
        Assert.That(probe.Count("healthEndpoints"), Is.EqualTo(1));
        Assert.That(probe.Count("serverErrors"), Is.Zero);
    }

    [TestCase("<a href=\"javascript:fetch('/js-href')\">x</a>", TestName = "javascript: link")]
    [TestCase("<a href=\" JavaScript:void(0)\">x</a>", TestName = "javascript: link, mixed case")]
    [TestCase("<a href=\"mailto:someone@example.com\">x</a>", TestName = "mailto: link")]
    [TestCase("<a href=\"tel:+441234\">x</a>", TestName = "tel: link")]
    [TestCase("<img src=\"data:image/png;base64,AAAA\">", TestName = "data: URL")]
    [TestCase("<a href=\"#section\">x</a>", TestName = "fragment-only link")]
    public async Task InertReference_RequestsNothingButThePage(string markup)
    {
        await using var site = await WarmAsync(markup);
        var probe = await site.ProbeAsync();

        Assert.That(site.Paths, Is.EqualTo(new[] { "/" }));
        Assert.That(probe.Count("outOfScope"), Is.Zero);
    }
}
