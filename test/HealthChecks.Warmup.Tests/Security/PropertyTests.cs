using CsCheck;
using HealthChecks.Warmup.Discovery;
using HealthChecks.Warmup.Extraction;

namespace HealthChecks.Warmup.Tests.Security;

/// <summary>
/// Property-based tests (CsCheck) of what reads untrusted text: URL resolution and scope, the srcset
/// parser and the CSS scanner never throw, never loop, and never admit a URL of another origin.
/// </summary>
[TestFixture]
public sealed class PropertyTests
{
    private static readonly Uri s_origin = new("http://127.0.0.1:5000/");
    private static readonly Uri s_page = new("http://127.0.0.1:5000/docs/page?x=1");

    // Pieces attackers combine: schemes, slashes both ways, user info, hosts in many spellings, ports, escapes.
    private static readonly Gen<string> s_piece = Gen.OneOf(
        "/", "//", "\\", "\\\\", "@", ":", "?", "#", ".", "..", "%2f", "%5c", "%2e", "%40", "%00", " ", "\t", "\n",
        "http:", "https:", "HTTP:", "ftp:", "file:", "javascript:", "data:", "blob:", "mailto:",
        "127.0.0.1", "127.0.0.2", "127.1", "2130706433", "2130706434", "0x7f.0.0.1", "0177.0.0.1", "[::1]", "[::ffff:127.0.0.1]",
        "localhost", "evil.example", "ℓocalhost", "xn--80ak6aa92e.com", "ехаmple.com",
        ":5000", ":5001", ":80", ":0", ":65536", "user", "user:pass", "a", "b/c", "&amp;");

    private static readonly Gen<string> s_reference = s_piece.Array[0, 12].Select(parts => string.Concat(parts));

    [Test]
    public void Resolve_NeverThrows_DropsTheFragment_AndScopeAdmitsExactlyTheOrigin()
    {
        var scope = new SiteScope(s_origin);
        s_reference.Sample(raw =>
        {
            if (LinkResolver.Resolve(s_page, raw) is not { } url)
            {
                return;
            }
            Assert.That(url.Fragment, Is.Empty, raw);
            // Both ways: what the scope admits is the origin's, and every http URL of the origin is admitted.
            var ofTheOrigin = url.Scheme == "http" && url.IdnHost == "127.0.0.1" && url.Port == 5000 && url.UserInfo.Length == 0;
            Assert.That(scope.Contains(url), Is.EqualTo(ofTheOrigin), $"{raw} → {url}");
        }, iter: 20_000);
    }

    // Pages of the origin and of others, with user info, another scheme or port: a remembered
    // root-relative answer from one must never be given to another.
    private static readonly Gen<Uri> s_base = Gen.OneOf(
        s_page, s_origin, new Uri("http://127.0.0.1:5000/a/b/"), new Uri("http://127.0.0.2:5000/docs/"),
        new Uri("https://127.0.0.1:5000/"), new Uri("http://127.0.0.1:5001/x"), new Uri("http://user@127.0.0.1:5000/"),
        new Uri("http://LOCALHOST:5000/"), new Uri("http://localhost:5000/"));

    [Test]
    public void ResolvedLinks_AnswerAsTheResolverDoes_InAnyOrder()
    {
        Gen.Select(s_base, s_reference).Array[1, 40].Sample(offers =>
        {
            var resolved = new ResolvedLinks(s_origin);
            foreach (var (baseUrl, raw) in offers)
            {
                var remembered = resolved.Resolve(baseUrl, resolved.IsOrigin(baseUrl), raw);
                Assert.That(remembered?.AbsoluteUri, Is.EqualTo(LinkResolver.Resolve(baseUrl, raw)?.AbsoluteUri), $"{raw} on {baseUrl}");
            }
        }, iter: 5_000);
    }

    [Test]
    public void Resolve_ArbitraryText_NeverThrows() =>
        Gen.String.Sample(raw => LinkResolver.Resolve(s_page, raw), iter: 20_000);

    private static readonly Gen<string> s_srcsetText = Gen.String[Gen.Char[" ,()\t\n1x2w.a/b?\\\"'"], 0, 200];

    [Test]
    public void Srcset_NeverThrows_AndYieldsOnlyNonEmptyUrlsWithoutSpaces()
    {
        s_srcsetText.Sample(srcset =>
        {
            var urls = new List<string>();
            SrcsetParser.ParseUrls(srcset, urls);
            Assert.That(urls, Has.All.Not.Empty.And.All.Not.Contain(" ").And.All.Not.Contain("\t"), srcset);
            Assert.That(urls.Sum(u => u.Length), Is.LessThanOrEqualTo(srcset.Length));
        }, iter: 20_000);
        Gen.String.Sample(srcset => SrcsetParser.ParseUrls(srcset, []), iter: 5_000);
    }

    private static readonly Gen<string> s_cssText = Gen.OneOf(
        "url(", ")", "(", "\"", "'", "\\", "\\2f ", "\\\n", "/*", "*/", "@import", "@", "image-set(", "-webkit-image-set(",
        " ", "\n", ";", "{", "}", "a.png", "x", "-", "--", "u\\72l(", "1x", ",").Array[0, 40].Select(parts => string.Concat(parts));

    // A reference as stylesheets write them: letters, digits and the punctuation of paths and queries.
    private static readonly Gen<string> s_plainReference = Gen.String[Gen.Char["abcxyzABC0129/._-?=&"], 1, 40]
        .Where(r => !r.Contains("/*", StringComparison.Ordinal));

    [Test]
    public void CssScanner_NeverThrows_AndFindsEveryReference_WhateverSurroundsIt()
    {
        Gen.Select(s_cssText, s_plainReference, Gen.Int[0, 3]).Sample((noise, reference, form) =>
        {
            var written = form switch
            {
                0 => $"url({reference})",
                1 => $"url(\"{reference}\")",
                2 => $"url('{reference}')",
                _ => $"@import \"{reference}\";",
            };
            // Whatever the noise left open ends before the reference: a string (a second newline, as an escaped
            // first one continues it), a url( and a rule; a comment is closed; then the reference in a rule of its own.
            var css = noise + "\n\n);}/**/" + (form == 3 ? written : $"a{{background:{written}}}");
            var urls = new List<string>();
            CssUrlScanner.Scan(css, urls);
            Assert.That(urls, Does.Contain(reference), css);
        }, iter: 10_000);
        Gen.String.Sample(css => CssUrlScanner.Scan(css, []), iter: 5_000);
    }
}
