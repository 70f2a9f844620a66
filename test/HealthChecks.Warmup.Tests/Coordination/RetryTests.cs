using System.Net;
using HealthChecks.Warmup.Coordination;
using HealthChecks.Warmup.Reporting;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HealthChecks.Warmup.Tests.Coordination;

/// <summary>A failed warm-up is retried after a backoff delay, never on demand, and success then latches.</summary>
[TestFixture]
public sealed class RetryTests
{
    [Test]
    public async Task FailedWarmup_IsRetriedOnlyAfterTheBackoff_ThenLatches()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var broken = true;
        await using var site = new FixtureSite { Configure = o => o.RetryDelay = TimeSpan.FromSeconds(10) }
            .Route("/", context =>
            {
                context.Response.StatusCode = broken ? 500 : 200;
                return Task.CompletedTask;
            })
            .WithServices(services => services.AddSingleton<TimeProvider>(time));
        await site.StartAsync();

        var failed = await site.WaitForVerdictAsync();
        await HealthSemanticsTests.WaitUntilAsync(() => site.Coordinator.Snapshot.NextAttemptAt is not null);
        var next = site.Coordinator.Snapshot.NextAttemptAt!.Value;
        broken = false;

        // Probes of every kind, and time short of the backoff: no second attempt.
        for (var i = 0; i < 20; i++)
        {
            await site.ProbeAsync(i % 2 == 0 ? "?force=yes" : "");
        }
        // The backoff runs on the fake clock: short of it, no second attempt can start, however long it waits.
        time.Advance(TimeSpan.FromSeconds(9.9));
        var waiting = await site.ProbeAsync();
        var requestsBeforeBackoff = site.CountOf("/");

        await Eventually.UntilAsync(() =>
        {
            if (site.Coordinator.Snapshot.State != WarmupState.Failed)
            {
                return true;
            }
            time.Advance(TimeSpan.FromMilliseconds(500));
            return false;
        }, "the second attempt started once the backoff passed");
        var warm = await site.WaitForVerdictAsync();

        Assert.That(failed.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(next - time.Start, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(10)).And.LessThanOrEqualTo(TimeSpan.FromSeconds(12.5)));
        Assert.That(waiting.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(waiting.Description, Does.Contain("Next attempt at 00:00:1"));
        Assert.That(requestsBeforeBackoff, Is.EqualTo(1));
        Assert.That(warm.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(warm.Data.GetProperty("attempt").GetInt32(), Is.EqualTo(2));
        Assert.That(time.GetUtcNow() - time.Start, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(site.CountOf("/"), Is.EqualTo(2));
    }

    [Test]
    public async Task SecondFailure_WaitsTwiceAsLong_AndTheAttemptsCountOn()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var failuresLeft = 2;
        await using var site = new FixtureSite { Configure = o => o.RetryDelay = TimeSpan.FromSeconds(10) }
            .Route("/", context =>
            {
                context.Response.StatusCode = Interlocked.Decrement(ref failuresLeft) >= 0 ? 500 : 200;
                return Task.CompletedTask;
            })
            .WithServices(services => services.AddSingleton<TimeProvider>(time));
        await site.StartAsync();

        var delays = new List<TimeSpan>();
        await Eventually.UntilAsync(() =>
        {
            var snapshot = site.Coordinator.Snapshot;
            if (snapshot.State == WarmupState.Succeeded)
            {
                return true;
            }
            // The clock moves only while an attempt waits for its backoff, never under a running attempt's
            // requests (their time-outs run on the same clock).
            if (snapshot is { State: WarmupState.Failed, NextAttemptAt: { } next })
            {
                if (delays.Count < snapshot.Attempt)
                {
                    delays.Add(next - time.GetUtcNow());
                }
                time.Advance(TimeSpan.FromMilliseconds(500));
            }
            return false;
        }, "the third attempt succeeded");

        Assert.That(delays, Has.Count.EqualTo(2));
        Assert.That(delays[0], Is.InRange(TimeSpan.FromSeconds(9.5), TimeSpan.FromSeconds(12.5)));
        Assert.That(delays[1], Is.InRange(TimeSpan.FromSeconds(19.5), TimeSpan.FromSeconds(25)));
        Assert.That(site.Coordinator.Snapshot.Attempt, Is.EqualTo(3));
        Assert.That(site.CountOf("/"), Is.EqualTo(3));
        Assert.That(site.Logs.Named("WarmupRetryScheduled").Select(e => e.Properties["Attempt"]), Is.EqualTo(new object[] { 2, 3 }));
    }

    [TestCase(0, 10, 12.5)]
    [TestCase(1, 20, 25)]
    [TestCase(2, 40, 50)]
    [TestCase(10, 300, 300)]
    public void RetryDelay_DoublesWithBoundedJitter(int failuresBefore, double atLeastSeconds, double atMostSeconds)
    {
        var options = new SiteWarmupOptions { RetryDelay = TimeSpan.FromSeconds(10) };

        // The jitter's two ends, and what lies outside them (clamped).
        Assert.That(WarmupCoordinator.RetryDelay(options, failuresBefore, jitter: 0).TotalSeconds, Is.EqualTo(atLeastSeconds).Within(1e-9));
        Assert.That(WarmupCoordinator.RetryDelay(options, failuresBefore, jitter: 1).TotalSeconds, Is.EqualTo(atMostSeconds).Within(1e-9));
        Assert.That(WarmupCoordinator.RetryDelay(options, failuresBefore, jitter: 0.5).TotalSeconds, Is.InRange(atLeastSeconds, atMostSeconds));
        Assert.That(WarmupCoordinator.RetryDelay(options, failuresBefore, jitter: 7).TotalSeconds, Is.EqualTo(atMostSeconds).Within(1e-9));
    }
}
