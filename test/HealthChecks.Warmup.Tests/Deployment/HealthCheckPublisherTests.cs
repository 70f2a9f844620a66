using System.Collections.Concurrent;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HealthChecks.Warmup.Tests.Deployment;

/// <summary>The check under <see cref="IHealthCheckPublisher"/>: no HTTP context, the same result, pushed to a monitor.</summary>
[TestFixture]
public sealed class HealthCheckPublisherTests
{
    /// <summary>What a monitor got from the built-in publisher service, each report's warm-up entry.</summary>
    private sealed class RecordingPublisher : IHealthCheckPublisher
    {
        public ConcurrentQueue<HealthReportEntry> Entries { get; } = new();

        public TaskCompletionSource Healthy { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Warming { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
        {
            var entry = report.Entries["site-warmup"];
            Entries.Enqueue(entry);
            if (entry.Status == HealthStatus.Healthy)
            {
                Healthy.TrySetResult();
            }
            else if (entry.Data.TryGetValue("state", out var state) && (string)state == "Warming")
            {
                Warming.TrySetResult();
            }
            return Task.CompletedTask;
        }
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Publisher_GetsUnhealthyWithProgress_ThenHealthy(CancellationToken cancellationToken)
    {
        var publisher = new RecordingPublisher();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var site = await new FixtureSite()
            .WithServices(services => services
                .AddSingleton<IHealthCheckPublisher>(publisher)
                .Configure<HealthCheckPublisherOptions>(o =>
                {
                    o.Delay = TimeSpan.Zero;
                    o.Period = TimeSpan.FromSeconds(1);
                }))
            .Route("/", async context =>
            {
                await gate.Task;
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<p>home</p>");
            })
            .StartAsync();

        await publisher.Warming.Task.WaitAsync(cancellationToken);
        gate.SetResult();
        await publisher.Healthy.Task.WaitAsync(cancellationToken);

        var entries = publisher.Entries.ToList();
        var warming = entries.First(e => e.Data.TryGetValue("state", out var state) && (string)state == "Warming");
        Assert.That(warming.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(warming.Description, Is.EqualTo("Warming: 0/1 URLs."), "the front page is held back");
        Assert.That((warming.Data["requested"], warming.Data["queued"]), Is.EqualTo((0, 1)), "progress, in numbers");
        var healthy = entries.First(e => e.Status == HealthStatus.Healthy);
        Assert.That(healthy.Description, Does.Match(@"^Warm: \d+ URLs in \d+\.\d s\.$"));
        Assert.That(healthy.Data["requested"], Is.EqualTo(1));
        Assert.That(entries.SkipWhile(e => e.Status != HealthStatus.Healthy), Is.All.Matches<HealthReportEntry>(e => e.Status == HealthStatus.Healthy), "latched");
        Assert.That(site.CountOf("/"), Is.EqualTo(1), "publishing starts no warm-up of its own");
    }
}
