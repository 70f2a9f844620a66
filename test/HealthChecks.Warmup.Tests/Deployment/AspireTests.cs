using System.Collections.Concurrent;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HealthChecks.Warmup.Tests.Deployment;

/// <summary>
/// The sample's AppHost under Aspire's own orchestrator (DCP; project and executable resources need no
/// container runtime): the site's resource is Unhealthy while it warms and Healthy after, and the resource
/// that waits for it starts only then.
/// </summary>
[TestFixture]
[Category("Aspire")]
public sealed class AspireTests
{
    [Test]
    [CancelAfter(300_000)]
    public async Task SiteIsUnhealthyWhileWarming_AndWhatWaitsForItStartsAfter(CancellationToken cancellationToken)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.HealthChecks_Warmup_Sample_AppHost>(
            ["ASPIRE_ALLOW_UNSECURED_TRANSPORT=true"], (options, _) => options.DisableDashboard = true, cancellationToken);
        await using var app = await builder.BuildAsync(cancellationToken);
        var notifications = app.Services.GetRequiredService<ResourceNotificationService>();
        var events = new ConcurrentQueue<(string Resource, string? State, HealthStatus? Health)>();
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in notifications.WatchAsync(watching.Token))
                {
                    events.Enqueue((e.Resource.Name, e.Snapshot.State?.Text, e.Snapshot.HealthStatus));
                }
            }
            catch (OperationCanceledException)
            {
                // The test is done watching.
            }
        }, CancellationToken.None);

        await app.StartAsync(cancellationToken);
        await notifications.WaitForResourceHealthyAsync("site", cancellationToken);
        await notifications.WaitForResourceAsync("after-warm-up", [KnownResourceStates.Running, KnownResourceStates.Finished, KnownResourceStates.Exited], cancellationToken);
        await watching.CancelAsync();
        await watch;

        var seen = events.ToList();
        var explain = string.Join('\n', seen.Select(e => $"{e.Resource} {e.State} {e.Health}"));
        var site = seen.Where(e => e.Resource == "site").ToList();
        var running = site.FindIndex(e => e.State == KnownResourceStates.Running);
        Assert.That(running, Is.GreaterThanOrEqualTo(0), explain);
        Assert.That(site.Skip(running).TakeWhile(e => e.Health != HealthStatus.Healthy).Select(e => e.Health), Has.Some.EqualTo(HealthStatus.Unhealthy),
            "running, and Unhealthy while it warms\n" + explain);
        var healthy = seen.FindIndex(e => e is { Resource: "site", Health: HealthStatus.Healthy });
        var started = seen.FindIndex(e => e.Resource == "after-warm-up" && e.State is "Running" or "Finished" or "Exited");
        Assert.That(healthy, Is.GreaterThanOrEqualTo(0).And.LessThan(started), "the waiting resource started after the site was warm\n" + explain);
        var before = seen.Take(healthy).Where(e => e.Resource == "after-warm-up").Select(e => e.State).ToList();
        Assert.That(before, Has.Some.EqualTo(KnownResourceStates.Waiting), "it waited…\n" + explain);
        Assert.That(before, Has.None.AnyOf(KnownResourceStates.Running, KnownResourceStates.Finished, KnownResourceStates.Exited), "…and did not run\n" + explain);
    }
}
