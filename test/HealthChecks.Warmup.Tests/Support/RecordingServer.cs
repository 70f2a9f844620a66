using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HealthChecks.Warmup.Tests.Support;

/// <summary>
/// A canary: a real Kestrel on another loopback address that answers 200 to anything and records
/// every request. Fixture pages point at it; a warm-up must never reach it.
/// </summary>
internal sealed class RecordingServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RecordingServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public ConcurrentQueue<string> Requests { get; } = new();

    public static async Task<RecordingServer> StartAsync(string ip = "127.0.0.2")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{ip}:0");
        var app = builder.Build();
        RecordingServer? server = null;
        app.Run(async context =>
        {
            server!.Requests.Enqueue(context.Request.Host + context.Request.Path + context.Request.QueryString);
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<a href=\"/more\">more</a>");
        });
        await app.StartAsync();
        server = new RecordingServer(app, new Uri(app.Urls.First()));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
