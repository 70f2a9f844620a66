using HealthChecks.Warmup.Model;
using HealthChecks.Warmup.Reporting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HealthChecks.Warmup.Tests.Reporting;

/// <summary>The description a dashboard shows while warming: one sentence, never a count of nothing.</summary>
[TestFixture]
public sealed class DescriptionTests
{
    [Test]
    public void BeforeTheFirstUrlIsAdmitted_ItSaysStarting()
    {
        var progress = new CrawlProgress();
        var warming = WarmupSnapshot.Initial with { State = WarmupState.Warming, Attempt = 1, Progress = progress };

        Assert.That(WarmupHealthResult.From(warming, HealthStatus.Unhealthy, ignoreResourceServerErrors: false).Description, Is.EqualTo("Warming: starting."));
        progress.CountAdmitted();
        Assert.That(WarmupHealthResult.From(warming, HealthStatus.Unhealthy, ignoreResourceServerErrors: false).Description, Is.EqualTo("Warming: 0/1 URLs."));
    }
}
