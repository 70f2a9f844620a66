using HealthChecks.Warmup.Extraction;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthChecks.Warmup.Tests.Extraction;

[TestFixture]
public sealed class ExtractionPrimerTests
{
    [Test]
    public void Links_ReachEveryKindOfReference_ButNotTextThatLooksLikeOne()
    {
        var links = ExtractionPrimer.Links();

        Assert.That(links.Select(l => (l.Url.PathAndQuery, l.Role)), Is.EquivalentTo(new[]
        {
            ("/refresh", LinkRole.Refresh),
            ("/site.css", LinkRole.Resource),
            ("/font.woff2", LinkRole.Resource),
            ("/hero.png", LinkRole.Resource),
            ("/hero@2x.png", LinkRole.Resource),
            ("/theme.css", LinkRole.Resource),
            ("/body.png", LinkRole.Resource),
            ("/app.js", LinkRole.Resource),
            ("/background.png", LinkRole.Resource),
            ("/page?a=1&b=2", LinkRole.NofollowPage),
            ("/absolute", LinkRole.Page),
            ("/image.png", LinkRole.Resource),
            ("/small.png", LinkRole.Resource),
            ("/large.png", LinkRole.Resource),
            ("/set.png", LinkRole.Resource),
            ("/sprite.svg", LinkRole.Resource),
            ("/drawing.svg", LinkRole.Resource),
            ("/poster.jpg", LinkRole.Resource),
            ("/video.mp4", LinkRole.Resource),
            ("/guess.js", LinkRole.Guess),
            ("/lib.js", LinkRole.Module),
            ("/lazy.js", LinkRole.Module),
        }));
    }

    [Test]
    public async Task Start_Twice_PrimesOnce()
    {
        var primer = new ExtractionPrimer();
        Assert.That(primer.Completion, Is.Null);

        primer.Start();
        var first = primer.Completion;
        primer.Start();

        Assert.That(primer.Completion, Is.SameAs(first));
        Assert.That(await first!, Is.EqualTo(ExtractionPrimer.Links().Count));
    }

    [Test]
    public async Task HostStart_StartsThePriming()
    {
        await using var site = await new FixtureSite().Html("/", "<p>home</p>").StartAsync();

        var priming = site.Services.GetRequiredService<ExtractionPrimer>().Completion;

        Assert.That(priming, Is.Not.Null, "the host's start did not start the priming");
        Assert.That(await priming!, Is.EqualTo(ExtractionPrimer.Links().Count));
    }
}
