using HealthChecks.Warmup.Benchmarks.SideBySide;
using HealthChecks.Warmup.Benchmarks.Site;

namespace HealthChecks.Warmup.Tests.Benchmarks;

/// <summary>
/// The side-by-side benchmark at 200 pages, on the generated site and on the rendered one: correctness,
/// not timing. Every system — this library in-process and over HTTP, under the runtime settings the
/// benchmark compares, its crawl in an already-optimised process, the floor, wget (which .ci/run
/// installs) and linkinator where it is installed (.ci/run installs it where npm is there) — finds
/// exactly the site's URL set.
/// </summary>
[TestFixture]
public sealed class SideBySideSmokeTests
{
    [Test]
    public async Task SideBySide_200Pages_EverySystemFindsTheSameUrlSet()
    {
        Assert.That(SideBySideRunner.Installed("wget"), Is.True, "wget is needed: apt-get install -y wget");
        var expected = new DocsSite(200).AllPaths().ToHashSet(StringComparer.Ordinal);

        using var runner = new SideBySideRunner(TestContext.Out);
        var results = await runner.CompareAsync(200, runtimeSettings: true, rounds: 2);

        Assert.That(results.Select(r => r.System), Is.SupersetOf(new[]
        {
            Rows.InProcess, Rows.Http, Rows.Floor, Rows.ThirdCrawl, Rows.ThirdReplay,
            Rows.TieredPgoOff, Rows.TieredCompilationOff, Rows.Cli, Rows.Wget,
        }));
        foreach (var result in results)
        {
            Assert.That(result.Found, Is.EquivalentTo(expected), result.System);
        }
    }

    [Test]
    public async Task SideBySide_Rendered200Pages_EverySystemFindsTheSameUrlSet_AsTheLayoutRendersIt()
    {
        Assert.That(SideBySideRunner.Installed("wget"), Is.True, "wget is needed: apt-get install -y wget");

        // Publishes the Razor Pages site (MapStaticAssets' fingerprinted, precompressed files), then every system.
        using var runner = new SideBySideRunner(TestContext.Out, SiteKind.Rendered);
        var results = await runner.CompareAsync(200);

        Assert.That(results.Select(r => r.System), Is.SupersetOf(new[] { Rows.InProcess, Rows.Http, Rows.Floor, Rows.ThirdCrawl, Rows.Cli, Rows.Wget }));
        var floor = results.Single(r => r.System == Rows.Floor).Found;
        // The site's own list, which the floor replays: 200 pages, the layout's three fingerprinted assets
        // (asp-append-version, ~/ on the icon) and the 32 files the pages and stylesheets name as they are.
        Assert.That(floor, Has.Count.EqualTo(200 + 3 + 32));
        Assert.That(floor, Has.Some.Matches<string>(p => System.Text.RegularExpressions.Regex.IsMatch(p, @"^/css/site\.[a-z0-9]+\.css$")));
        foreach (var result in results)
        {
            Assert.That(result.Found, Is.EquivalentTo(floor), result.System);
        }
    }

    [Test]
    public void Median_OfRounds_IsTheMiddleRun_WithTheRange_AndADifferentUrlSetWins()
    {
        var site = new HashSet<string>(StringComparer.Ordinal) { "/", "/a" };
        var short1 = new HashSet<string>(StringComparer.Ordinal) { "/" };
        SystemResult Run(double work, double ready, IReadOnlySet<string> found) =>
            new("wget", TimeSpan.FromSeconds(ready), TimeSpan.FromSeconds(work), found);

        var median = SystemResult.Median([Run(3, 3.5, site), Run(1, 4.5, site), Run(2, 2.5, short1)]);

        Assert.That(median.Work, Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(median.TimeToReady, Is.EqualTo(TimeSpan.FromSeconds(3.5)));
        Assert.That((median.Fastest, median.Slowest), Is.EqualTo((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3))));
        Assert.That(median.Found, Is.SameAs(short1));
    }
}
