using HealthChecks.Warmup.Extraction;


namespace HealthChecks.Warmup.Tests.Extraction;

[TestFixture]
public sealed class ResolvedLinksTests
{
    private static readonly Uri s_origin = new("http://127.0.0.1:5000/");

    [Test]
    public void RemembersAtMostItsCapacity_AndStillAnswersBeyondIt()
    {
        var resolved = new ResolvedLinks(s_origin);
        var page = new Uri(s_origin, "/docs/a/page.html");
        for (var i = 0; i < ResolvedLinks.Capacity + 1000; i++)
        {
            var url = resolved.Resolve(page, baseIsOrigin: true, $"/docs/{i}/page.html#top");
            Assert.That(url?.AbsoluteUri, Is.EqualTo($"http://127.0.0.1:5000/docs/{i}/page.html"));
        }
        Assert.That(resolved.Count, Is.EqualTo(ResolvedLinks.Capacity));
    }

    [Test]
    public void RelativeReferences_DependOnThePage_AndAreNotRemembered()
    {
        var resolved = new ResolvedLinks(s_origin);
        Assert.Multiple(() =>
        {
            Assert.That(resolved.Resolve(new Uri(s_origin, "/a/x.html"), true, "img.png")?.AbsolutePath, Is.EqualTo("/a/img.png"));
            Assert.That(resolved.Resolve(new Uri(s_origin, "/b/x.html"), true, "img.png")?.AbsolutePath, Is.EqualTo("/b/img.png"));
            Assert.That(resolved.Count, Is.Zero);
        });
    }

    [Test]
    public void RootRelativeReferences_OnAnotherOrigin_ResolveThere()
    {
        var resolved = new ResolvedLinks(s_origin);
        var other = new Uri("http://127.0.0.2:5000/x.html");
        Assert.Multiple(() =>
        {
            Assert.That(resolved.Resolve(new Uri(s_origin, "/x.html"), true, "/y.html")?.Host, Is.EqualTo("127.0.0.1"));
            Assert.That(resolved.Resolve(other, resolved.IsOrigin(other), "/y.html")?.Host, Is.EqualTo("127.0.0.2"));
            Assert.That(resolved.IsOrigin(other), Is.False);
        });
    }
}
