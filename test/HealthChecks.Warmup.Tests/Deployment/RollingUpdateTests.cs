using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using HealthChecks.Warmup.Coordination;
using HealthChecks.Warmup.Reporting;
using HealthChecks.Warmup.Sample.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HealthChecks.Warmup.Tests.Deployment;

/// <summary>
/// A Deployment's rolling update (docs/kubernetes.md: 3 replicas, <c>maxSurge: 1</c>, <c>maxUnavailable: 0</c>,
/// <c>minReadySeconds</c>) played with real sample hosts on loopback and the kubelet's probe rules, periods
/// scaled down: a load generator sends requests only to the replicas whose readiness probe passed, as a
/// Service does. No request reaches a replica before its warm-up ended, and at no moment are fewer than
/// three replicas ready.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RollingUpdateTests
{
    private const int Replicas = 3;
    private static readonly TimeSpan s_period = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_probeTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_minReady = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan s_terminationGrace = TimeSpan.FromMilliseconds(200);

    /// <summary>One pod: a sample host on Kestrel, and what the load generator's requests found when they arrived.</summary>
    private sealed class Replica : IAsyncDisposable
    {
        private readonly WebApplicationFactory<Program> _factory;

        private Replica(string name, WebApplicationFactory<Program> factory)
        {
            Name = name;
            _factory = factory;
            Client = factory.CreateClient();
            Client.Timeout = Timeout.InfiniteTimeSpan;
        }

        public string Name { get; }

        public HttpClient Client { get; }

        /// <summary>The state of this replica's warm-up as each load request arrived.</summary>
        public ConcurrentQueue<WarmupState> LoadArrivedIn { get; } = new();

        public WarmupState State => _factory.Services.GetRequiredService<WarmupCoordinators>().Get("site-warmup").Snapshot.State;

        public static Replica Start(string name)
        {
            ConcurrentQueue<WarmupState>? arrivals = null;
            var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host => host
                .UseUrls("http://127.0.0.1:0")
                .ConfigureServices(services => services.AddSingleton<IStartupFilter>(new LoadRecorder(state => arrivals!.Enqueue(state)))));
            factory.UseKestrel();
            factory.StartServer();
            var replica = new Replica(name, factory);
            arrivals = replica.LoadArrivedIn;
            return replica;
        }

        /// <summary>One readiness probe as the kubelet sends it: success is 200–399 within the timeout.</summary>
        public async Task<bool> ProbeAsync()
        {
            using var timeout = new CancellationTokenSource(s_probeTimeout);
            try
            {
                using var response = await Client.GetAsync("/health/ready", timeout.Token);
                return response.StatusCode is >= HttpStatusCode.OK and < HttpStatusCode.BadRequest;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                return false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await _factory.DisposeAsync();
        }
    }

    /// <summary>First in the pipeline: notes the warm-up's state when a load generator's request arrives.</summary>
    private sealed class LoadRecorder(Action<WarmupState> arrived) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (context.Request.Headers.ContainsKey("X-Load"))
                {
                    arrived(context.RequestServices.GetRequiredService<WarmupCoordinators>().Get("site-warmup").Snapshot.State);
                }
                await nextMiddleware(context);
            });
            next(app);
        };
    }

    /// <summary>The Service's endpoints: the replicas whose readiness passed and that are not terminating; each change's count is kept.</summary>
    private sealed class Endpoints
    {
        private readonly Lock _lock = new();
        private readonly List<Replica> _ready = [];

        public List<int> Counts { get; } = [];

        public Replica[] Snapshot()
        {
            lock (_lock)
            {
                return [.. _ready];
            }
        }

        public void Add(Replica replica) => Change(() => _ready.Add(replica));

        public void Remove(Replica replica) => Change(() => _ready.Remove(replica));

        private void Change(Action change)
        {
            lock (_lock)
            {
                change();
                Counts.Add(_ready.Count);
            }
        }
    }

    [Test]
    [CancelAfter(240_000)]
    public async Task RollingUpdate_TrafficOnlyToWarmReplicas_NeverFewerThanDesiredReady(CancellationToken cancellationToken)
    {
        var coldDelay = SlowCatalog.ColdDelay;
        SlowCatalog.ColdDelay = TimeSpan.FromMilliseconds(200);
        var running = new List<Replica>();
        try
        {
            var endpoints = new Endpoints();
            // The old ReplicaSet, rolled out and ready before the update.
            var olds = new List<Replica>();
            for (var i = 0; i < Replicas; i++)
            {
                var old = Replica.Start($"old-{i}");
                running.Add(old);
                olds.Add(old);
                await WaitUntilReadyAsync(old, cancellationToken);
                endpoints.Add(old);
            }

            using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var answers = new ConcurrentQueue<(string Replica, HttpStatusCode? Status)>();
            var load = GenerateLoadAsync(endpoints, answers, stopLoad.Token);

            // maxSurge 1, maxUnavailable 0: one new pod at a time; an old one goes only once the new one is available.
            var fresh = new List<Replica>();
            for (var i = 0; i < Replicas; i++)
            {
                var replica = Replica.Start($"new-{i}");
                running.Add(replica);
                fresh.Add(replica);
                await WaitUntilReadyAsync(replica, cancellationToken);
                endpoints.Add(replica);
                await Task.Delay(s_minReady, cancellationToken);

                var old = olds[i];
                endpoints.Remove(old);
                // The pod's termination grace: requests already sent to it finish.
                await Task.Delay(s_terminationGrace, cancellationToken);
                running.Remove(old);
                await old.DisposeAsync();
            }
            await Eventually.UntilAsync(() => fresh.All(r => !r.LoadArrivedIn.IsEmpty), "every new replica took traffic");
            await stopLoad.CancelAsync();
            await load;

            Assert.That(endpoints.Counts.Skip(Replicas), Is.All.GreaterThanOrEqualTo(Replicas), "never fewer ready replicas than desired");
            Assert.That(answers.Where(a => a.Status != HttpStatusCode.OK), Is.Empty, "every request the Service sent was answered");
            foreach (var replica in fresh)
            {
                Assert.That(replica.LoadArrivedIn, Is.Not.Empty.And.All.EqualTo(WarmupState.Succeeded),
                    $"{replica.Name}: traffic only after its warm-up ended");
            }
        }
        finally
        {
            SlowCatalog.ColdDelay = coldDelay;
            foreach (var replica in running)
            {
                await replica.DisposeAsync();
            }
        }
    }

    /// <summary>The kubelet's readiness probe every period until it passes.</summary>
    private static async Task WaitUntilReadyAsync(Replica replica, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!await replica.ProbeAsync())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                Assert.Fail($"{replica.Name} never became ready: {replica.State}");
            }
            await Task.Delay(s_period, cancellationToken);
        }
    }

    /// <summary>Requests round-robin over the Service's endpoints until stopped, as a Service spreads traffic.</summary>
    private static async Task GenerateLoadAsync(Endpoints endpoints, ConcurrentQueue<(string, HttpStatusCode?)> answers, CancellationToken cancellationToken)
    {
        for (var n = 0; !cancellationToken.IsCancellationRequested; n++)
        {
            var ready = endpoints.Snapshot();
            var replica = ready[n % ready.Length];
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Add("X-Load", "1");
            try
            {
                using var response = await replica.Client.SendAsync(request, CancellationToken.None);
                answers.Enqueue((replica.Name, response.StatusCode));
            }
            catch (HttpRequestException)
            {
                answers.Enqueue((replica.Name, null));
            }
            try
            {
                await Task.Delay(10, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
