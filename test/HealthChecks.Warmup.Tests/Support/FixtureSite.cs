using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using HealthChecks.UI.Client;
using HealthChecks.Warmup.Coordination;
using HealthChecks.Warmup.Reporting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HealthChecks.Warmup.Tests.Support;

/// <summary>One request the fixture app saw.</summary>
internal sealed record SeenRequest(string Method, string PathAndQuery, string Host, string? UserAgent, string? Referer);

/// <summary>
/// A fixture site on a real Kestrel at 127.0.0.1:0 with the warm-up registered and
/// <c>/health/ready</c> mapped as a user would. Routes are a table of path (and query) to handler;
/// anything else is 404. Every request that reaches the app is recorded.
/// </summary>
internal sealed class FixtureSite : IAsyncDisposable
{
    private readonly Dictionary<string, RequestDelegate> _routes = new(StringComparer.Ordinal);
    private readonly List<Action<IServiceCollection>> _services = [];
    private readonly List<Action<WebApplication>> _middleware = [];
    private WebApplication? _app;

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    public LogCollector Logs { get; } = new();

    public Uri Address { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    public WarmupCoordinator Coordinator => Services.GetRequiredService<WarmupCoordinators>().Get("site-warmup");

    public Action<SiteWarmupOptions>? Configure { get; set; }

    /// <summary>The warm-up's tags (<c>AddSiteWarmup(tags: …)</c>); none by default.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Which checks <c>/health/ready</c> runs; all of them by default.</summary>
    public Func<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration, bool>? ReadinessPredicate { get; init; }

    public FixtureSite Html(string path, string html, int status = 200) =>
        Route(path, context => Write(context, status, "text/html; charset=utf-8", html));

    public FixtureSite Css(string path, string css) =>
        Route(path, context => Write(context, 200, "text/css", css));

    public FixtureSite File(string path, string contentType = "application/octet-stream") =>
        Route(path, context => Write(context, 200, contentType, "resource " + path));

    public FixtureSite Status(string path, int status) =>
        Route(path, context => Write(context, status, "text/plain", "status " + status));

    public FixtureSite Redirect(string path, string location, int status = 302) => Route(path, context =>
    {
        context.Response.StatusCode = status;
        context.Response.Headers.Location = location;
        return Task.CompletedTask;
    });

    public FixtureSite Route(string pathAndQuery, RequestDelegate handler)
    {
        _routes[pathAndQuery] = handler;
        return this;
    }

    public FixtureSite WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    public FixtureSite WithMiddleware(Action<WebApplication> configure)
    {
        _middleware.Add(configure);
        return this;
    }

    /// <summary>The requests the warm-up made (not the test's probes, nor its check that probes reach the health checks).</summary>
    public IEnumerable<SeenRequest> WarmupRequests => Requests.Where(r => r.UserAgent?.StartsWith("HealthChecks.Warmup/", StringComparison.Ordinal) == true
        && r.UserAgent != HealthChecks.Warmup.Coordination.ProbeReach.UserAgent);

    /// <summary>The warm-up's check that probes reach the health checks (not the crawl's requests).</summary>
    public IEnumerable<SeenRequest> ProbeChecks => Requests.Where(r => r.UserAgent == HealthChecks.Warmup.Coordination.ProbeReach.UserAgent);

    /// <summary>How many times the warm-up requested <paramref name="pathAndQuery"/>.</summary>
    public int CountOf(string pathAndQuery) => WarmupRequests.Count(r => r.PathAndQuery == pathAndQuery);

    /// <summary>What the warm-up requested, path and query, in order.</summary>
    public IReadOnlyList<string> Paths => [.. WarmupRequests.Select(r => r.PathAndQuery)];

    public async Task<FixtureSite> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(Logs);
        // More specific than the Logging section of the appsettings.json copied in from the sample.
        builder.Logging.AddFilter<LogCollector>(category: null, LogLevel.Debug);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddHealthChecks().AddSiteWarmup(options =>
        {
            options.ProgressInterval = TimeSpan.FromMilliseconds(100);
            // Most tests are about what pages link to; the sitemap tests turn discovery back on, and
            // the repeat pass's, the server warm-up's and the slowest pages' tests those (their requests
            // would count as the crawl's).
            options.DiscoverSitemaps = false;
            options.RepeatRequests = false;
            options.WarmServer = false;
            options.SlowestPages = 0;
            Configure?.Invoke(options);
        }, tags: Tags);
        foreach (var configure in _services)
        {
            configure(builder.Services);
        }

        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            Requests.Enqueue(new SeenRequest(request.Method, request.Path + request.QueryString, request.Host.Value ?? "",
                request.Headers.UserAgent, request.Headers.Referer));
            await next(context);
        });
        foreach (var configure in _middleware)
        {
            configure(app);
        }
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { ResponseWriter = UIResponseWriter.WriteHealthCheckUIResponse, Predicate = ReadinessPredicate });
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint() is not null)
            {
                await next(context);
                return;
            }
            var key = context.Request.Path + context.Request.QueryString;
            if (_routes.TryGetValue(key, out var handler) || _routes.TryGetValue(context.Request.Path, out handler))
            {
                await handler(context);
                return;
            }
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        });

        await app.StartAsync();
        _app = app;
        Address = new Uri(app.Urls.First());
        Client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        return this;
    }

    /// <summary>One probe of <c>/health/ready</c>, as a load balancer sends it.</summary>
    public async Task<Probe> ProbeAsync(string query = "")
    {
        using var response = await Client.GetAsync("/health/ready" + query);
        var json = await response.Content.ReadAsStringAsync();
        return new Probe(response.StatusCode, json);
    }

    /// <summary>Probes until the warm-up has an answer (succeeded or failed), as a readiness probe would.</summary>
    public async Task<Probe> WaitForVerdictAsync(TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (Coordinator.Snapshot.State is WarmupState.Succeeded or WarmupState.Failed)
            {
                return await ProbeAsync();
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"No verdict within the wait; state {Coordinator.Snapshot.State}, last probe: {(await ProbeAsync()).Json}; requested: {string.Join(", ", Paths)}");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Probes once the warm-up has nothing left to do: its verdict, and after a success what warming bought
    /// the slowest pages (measured after the verdict).
    /// </summary>
    public async Task<Probe> WaitUntilFinishedAsync(TimeSpan? within = null)
    {
        var finished = Coordinator.Finished;
        if (await Task.WhenAny(finished, Task.Delay(within ?? TimeSpan.FromSeconds(30))) != finished)
        {
            Assert.Fail($"Not finished within the wait; state {Coordinator.Snapshot.State}, last probe: {(await ProbeAsync()).Json}; requested: {string.Join(", ", Paths)}");
        }
        return await ProbeAsync();
    }

    public Task StopAsync(CancellationToken cancellationToken = default) => _app!.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private static async Task Write(HttpContext context, int status, string contentType, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body);
    }
}

/// <summary>What a probe of the readiness endpoint answered.</summary>
internal sealed record Probe(HttpStatusCode Status, string Json)
{
    private JsonElement Entry => JsonDocument.Parse(Json).RootElement.GetProperty("entries").GetProperty("site-warmup");

    public string Description => Entry.GetProperty("description").GetString() ?? "";

    public JsonElement Data => Entry.GetProperty("data");

    public int Count(string key) => Data.TryGetProperty(key, out var value) ? value.GetInt32() : 0;
}
