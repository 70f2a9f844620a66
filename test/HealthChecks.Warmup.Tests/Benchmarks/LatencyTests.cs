using HealthChecks.Warmup.Benchmarks.SideBySide;
using HealthChecks.Warmup.Tests.Support;

namespace HealthChecks.Warmup.Tests.Benchmarks;

[TestFixture]
public sealed class LatencyTests
{
    [Test]
    public void Of_HundredSamplesInAnyOrder_IsTheNearestRank()
    {
        var samples = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToList();

        Assert.That(Latency.Of(samples), Is.EqualTo(new Latency(50, 99, 100)));
    }

    [Test]
    public void Of_OneSample_IsThatSample() =>
        Assert.That(Latency.Of([7.5]), Is.EqualTo(new Latency(7.5, 7.5, 1)));

    [Test]
    public void Of_NoSamples_Throws() =>
        Assert.That(() => Latency.Of([]), Throws.InstanceOf<ArgumentOutOfRangeException>());

    [Test]
    public async Task OneAtATime_AgainstKestrel_TimesTheRequestsItSent()
    {
        await using var server = await RecordingServer.StartAsync("127.0.0.1");

        var latency = await Probers.OneAtATimeAsync(new Uri(server.Address, "/health/ready").ToString(), TimeSpan.FromMilliseconds(300));

        Assert.That(latency.Requests, Is.EqualTo(server.Requests.Count).And.GreaterThan(0));
        Assert.That(latency.P50, Is.GreaterThan(0).And.LessThanOrEqualTo(latency.P99));
    }
}
