using HealthChecks.Warmup.Discovery;

namespace HealthChecks.Warmup.Tests.Discovery;

[TestFixture]
public sealed class ScopeTests
{
    private static readonly Uri s_page = new("http://127.0.0.1:5000/docs/page");
    private static readonly SiteScope s_scope = new(new Uri("http://127.0.0.1:5000/"));

    [TestCase("/a", "http://127.0.0.1:5000/a")]
    [TestCase("b", "http://127.0.0.1:5000/docs/b")]
    [TestCase("../c?x=1#frag", "http://127.0.0.1:5000/c?x=1")]
    [TestCase("HTTP://127.0.0.1:5000/D", "http://127.0.0.1:5000/D")]
    [TestCase(" /trimmed\t", "http://127.0.0.1:5000/trimmed")]
    [TestCase("/new\nline", "http://127.0.0.1:5000/newline")]
    [TestCase("/%7Euser", "http://127.0.0.1:5000/~user")]
    public void Resolve_InScope(string raw, string expected)
    {
        var url = LinkResolver.Resolve(s_page, raw);

        Assert.That(url?.AbsoluteUri, Is.EqualTo(expected));
        Assert.That(s_scope.Contains(url!), Is.True);
    }

    [TestCase("//evil.example/x")]
    [TestCase("http://evil.example/")]
    [TestCase("http://localhost@evil.example/")]
    [TestCase("http://127.0.0.1:5000@evil.example/")]
    [TestCase("http://user:pass@127.0.0.1:5000/")]
    [TestCase("\\\\evil.example\\x")]
    [TestCase("http:\\\\evil.example")]
    [TestCase("/\\evil.example")]
    [TestCase("http://127.0.0.1:5001/")]
    [TestCase("https://127.0.0.1:5000/")]
    [TestCase("http://127.0.0.2:5000/")]
    [TestCase("http://[::1]:5000/")]
    [TestCase("http://2130706434:5000/")]
    [TestCase("http://0x7f.0.0.2:5000/")]
    [TestCase("http://0177.0.0.2:5000/")]
    [TestCase("http://%65vil.example/")]
    [TestCase("http://еxample.com/")]
    [TestCase("ftp://127.0.0.1:5000/")]
    [TestCase("file:///etc/passwd")]
    // Found by PropertyTests (seed 4b5RrrKcUUf1): a file URL with a fragment did not parse again without it, and threw.
    [TestCase("file:///\n%2f&amp;#\\127.1/mailto:")]
    [TestCase("ws://127.0.0.1:5000/")]
    public void Resolve_OutOfScope_IsNeverInScope(string raw)
    {
        var url = LinkResolver.Resolve(s_page, raw);

        Assert.That(url is null || !s_scope.Contains(url), Is.True, $"{raw} resolved to {url}");
    }

    [TestCase("javascript:alert(1)")]
    [TestCase(" JAVASCRIPT:alert(1)")]
    [TestCase("mailto:a@b.c")]
    [TestCase("tel:+44")]
    [TestCase("data:text/html,hi")]
    [TestCase("blob:http://127.0.0.1:5000/x")]
    [TestCase("about:blank")]
    [TestCase("#top")]
    [TestCase("")]
    [TestCase("   ")]
    [TestCase(null)]
    public void Resolve_Inert_IsNull(string? raw) => Assert.That(LinkResolver.Resolve(s_page, raw), Is.Null);

    [Test]
    public void HttpsRedirectOfTheSameHost_JoinsTheScope()
    {
        var scope = new SiteScope(new Uri("http://site.example/"));
        var https = new Uri("https://site.example/secure");

        Assert.That(scope.Contains(https), Is.False);
        Assert.That(scope.TryAdmitHttpsRedirect(new Uri("http://site.example/"), https), Is.True);
        Assert.That(scope.Contains(https), Is.True);
        Assert.That(scope.Contains(new Uri("https://other.example/")), Is.False);
    }

    [TestCase("http://site.example/", "https://other.example/")]
    [TestCase("http://other.example/", "https://other.example/")]
    [TestCase("http://site.example/", "http://site.example:8080/")]
    [TestCase("http://site.example/", "https://user@site.example/")]
    public void OtherRedirects_DoNotWidenTheScope(string from, string to)
    {
        var scope = new SiteScope(new Uri("http://site.example/"));

        Assert.That(scope.TryAdmitHttpsRedirect(new Uri(from), new Uri(to)), Is.False);
        Assert.That(scope.Contains(new Uri(to)), Is.False);
    }
}
