using HealthChecks.Warmup.Model;
using HealthChecks.Warmup.Rules;

namespace HealthChecks.Warmup.Tests.Rules;

[TestFixture]
public sealed class FailureRulesTests
{
    private static UrlOutcome Outcome(bool entry, int? status, string failure) =>
        new("http://site/x", entry ? UrlKind.Page : UrlKind.Resource, 0, null, entry, status, Enum.Parse<FetchFailure>(failure), null, TimeSpan.Zero);

    // entry, status, failure, ignore resource 5xx → fails
    [TestCase(true, 200, "None", false, false)]
    [TestCase(true, 301, "None", false, false)]
    [TestCase(true, 401, "None", false, false)]
    [TestCase(true, 403, "None", false, true)]
    [TestCase(true, 404, "None", false, true)]
    [TestCase(true, 500, "None", false, true)]
    [TestCase(true, 500, "None", true, true)]
    [TestCase(true, null, "Timeout", true, true)]
    [TestCase(true, 200, "Exception", false, true)]
    [TestCase(false, 200, "None", false, false)]
    [TestCase(false, 404, "None", false, false)]
    [TestCase(false, 401, "None", false, false)]
    [TestCase(false, 500, "None", false, true)]
    [TestCase(false, 503, "None", true, false)]
    [TestCase(false, null, "Timeout", false, true)]
    [TestCase(false, null, "Timeout", true, false)]
    [TestCase(false, null, "Exception", false, true)]
    public void IsFailure_FollowsTheDesignTable(bool entry, int? status, string failure, bool ignoreResourceServerErrors, bool fails) =>
        Assert.That(FailureRules.IsFailure(Outcome(entry, status, failure), ignoreResourceServerErrors), Is.EqualTo(fails));
}
