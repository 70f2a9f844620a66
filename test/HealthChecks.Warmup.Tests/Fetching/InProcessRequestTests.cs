using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using HealthChecks.Warmup.Fetching.InProcess;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace HealthChecks.Warmup.Tests.Fetching;

/// <summary>
/// In-process requests behave like Kestrel's where an app can tell: response callbacks, re-executed
/// pipelines, body writers, the request's own HttpContext.
/// </summary>
[TestFixture]
public sealed class InProcessRequestTests
{
    [Test]
    public async Task OnKestrel_RequestsGoThroughTheHostingApplication()
    {
        // Hosting starts a request activity (and sets IHttpActivityFeature) only when someone listens.
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
        };
        ActivitySource.AddActivityListener(listener);
        var withActivity = new ConcurrentQueue<string>();
        await using var site = await new FixtureSite()
            .Html("/", "<img src=\"/img/a.png\">")
            .Route("/img/a.png", context =>
            {
                if (context.Features.Get<IHttpActivityFeature>()?.Activity is { OperationName: "Microsoft.AspNetCore.Hosting.HttpRequestIn" })
                {
                    withActivity.Enqueue(context.Request.Path.Value!);
                }
                return Task.CompletedTask;
            })
            .StartAsync();

        await site.WaitForVerdictAsync();
        var pipeline = site.Services.GetRequiredService<InProcessApplication>().Pipeline!.GetType();

        Assert.That(pipeline.GetGenericTypeDefinition(), Is.EqualTo(typeof(HostedApplicationPipeline<>)));
        Assert.That(withActivity, Is.EqualTo(new[] { "/img/a.png" }), "hosting traced the in-process request as it traces Kestrel's");
    }

    [Test]
    public async Task ResponseCallbacks_RunLikeKestrels()
    {
        var order = new List<string>();
        await using var site = await new FixtureSite()
            .Route("/", async context =>
            {
                context.Response.OnStarting(() =>
                {
                    order.Add("starting: registered first");
                    return Task.CompletedTask;
                });
                context.Response.OnStarting(() =>
                {
                    order.Add("starting: registered last");
                    // Only a callback that runs before the first byte can still set headers.
                    context.Response.ContentType = "text/html";
                    return Task.CompletedTask;
                });
                context.Response.OnCompleted(() =>
                {
                    order.Add("completed");
                    return Task.CompletedTask;
                });
                await context.Response.WriteAsync("<img src=\"/img/set-in-on-starting.png\">");
                order.Add("body written");
            })
            .StartAsync();

        await site.WaitForVerdictAsync();

        Assert.That(order, Is.EqualTo(new[] { "starting: registered last", "starting: registered first", "body written", "completed" }));
        Assert.That(site.Paths, Does.Contain("/img/set-in-on-starting.png"), "the Content-Type set in OnStarting was seen");
    }

    [Test]
    public async Task ExceptionHandlerAndStatusCodePages_ReExecuteThePipeline()
    {
        var reExecuted = new List<string>();
        await using var site = await new FixtureSite { Configure = o => o.IgnoreResourceServerErrors = true }
            .WithMiddleware(app =>
            {
                app.UseExceptionHandler("/error");
                app.UseStatusCodePagesWithReExecute("/status/{0}");
            })
            .Html("/", "<a href=\"/throws\">t</a><a href=\"/missing\">m</a>")
            .Route("/throws", _ => throw new InvalidOperationException("boom"))
            .Route("/error", context =>
            {
                reExecuted.Add(context.Request.Path.Value!);
                return context.Response.WriteAsync("error page");
            })
            .Route("/status/404", context =>
            {
                reExecuted.Add(context.Request.Path.Value!);
                return context.Response.WriteAsync("not found page");
            })
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Count("serverErrors"), Is.EqualTo(1));
        Assert.That(probe.Count("clientErrors"), Is.EqualTo(1));
        Assert.That(reExecuted, Is.EquivalentTo(new[] { "/error", "/status/404" }), "the re-executed requests went through the app");
        Assert.That(site.Logs.Named("UrlFailed").Single().Properties["Status"], Is.EqualTo(500));
    }

    [Test]
    public async Task BodyWriterAndSendFile_AreReadLikeStreamWrites()
    {
        var file = Path.Combine(Path.GetTempPath(), $"warmup-{Guid.NewGuid():N}.html");
        await System.IO.File.WriteAllTextAsync(file, "<img src=\"/img/from-send-file.png\">");
        try
        {
            await using var site = await new FixtureSite()
                .Html("/", "<a href=\"/writer\">w</a><a href=\"/file\">f</a>")
                .Route("/writer", async context =>
                {
                    context.Response.ContentType = "text/html";
                    await context.Response.BodyWriter.WriteAsync("<img src=\"/img/from-body-writer.png\">"u8.ToArray());
                })
                .Route("/file", async context =>
                {
                    context.Response.ContentType = "text/html";
                    await context.Response.SendFileAsync(file);
                })
                .StartAsync();

            await site.WaitForVerdictAsync();

            Assert.That(site.Paths, Does.Contain("/img/from-body-writer.png").And.Contain("/img/from-send-file.png"));
        }
        finally
        {
            System.IO.File.Delete(file);
        }
    }

    [Test]
    public async Task HttpContextAccessor_SeesTheSubRequestsOwnContext()
    {
        var seen = new List<string?>();
        await using var site = await new FixtureSite()
            .Html("/", "<a href=\"/a\">a</a><a href=\"/b\">b</a>")
            .Route("/a", async context => await Seen(context, seen))
            .Route("/b", async context => await Seen(context, seen))
            .StartAsync();

        await site.WaitForVerdictAsync();

        Assert.That(seen, Is.EquivalentTo(new[] { "/a", "/b" }));
    }

    private static async Task Seen(HttpContext context, List<string?> seen)
    {
        await Task.Yield();
        var accessor = context.RequestServices.GetRequiredService<IHttpContextAccessor>();
        lock (seen)
        {
            seen.Add(ReferenceEquals(accessor.HttpContext, context) ? context.Request.Path.Value : "another context");
        }
    }

    [Test]
    public async Task RequestFeatures_LookLikeARealVisitor()
    {
        HttpContext? captured = null;
        string? connection = null;
        await using var site = await new FixtureSite()
            .Route("/", context =>
            {
                captured = context;
                connection = $"{context.Connection.RemoteIpAddress} {context.Request.Scheme} {context.Request.Host} {context.Request.Protocol} {context.Request.Method}";
                context.Response.Cookies.Append("session", "abc");
                return Task.CompletedTask;
            })
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(connection, Is.EqualTo($"127.0.0.1 http {site.Address.Authority} HTTP/1.1 GET"));
        Assert.That(captured, Is.Not.Null);
    }

    [Test]
    public async Task CompressedResponse_IsDrainedAndWarmed()
    {
        await using var site = await new FixtureSite()
            .Html("/", "<img src=\"/img/gz.png\">")
            .Route("/img/gz.png", async context =>
            {
                context.Response.ContentType = "image/png";
                context.Response.Headers.ContentEncoding = "gzip";
                await using var gzip = new GZipStream(context.Response.Body, CompressionLevel.Fastest, leaveOpen: true);
                await gzip.WriteAsync(new byte[64 * 1024]);
            })
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(site.CountOf("/img/gz.png"), Is.EqualTo(1));
    }
}
