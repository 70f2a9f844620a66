using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HealthChecks.Warmup.Tests.Fetching;

/// <summary>
/// Responses that are not documents and do not end soon, each at a parameterless GET route: a live
/// feed (server-sent events), an endless body, a 1 GiB download and a long poll that starts its response
/// at once. Each is warm once it has started; the request then ends as a departing browser's does:
/// the handler sees <c>RequestAborted</c>, and nothing is left running or recorded as a failure.
/// </summary>
[TestFixture(WarmupTransport.InProcess)]
[TestFixture(WarmupTransport.Http)]
public sealed class NonDocumentResponseTests(WarmupTransport transport)
{
    private static readonly string[] s_routes = ["/events", "/endless", "/download", "/poll"];

    [Test]
    [CancelAfter(60_000)]
    public async Task NeverEndingResponses_AreWarmOnceStarted_AndEndAsABrowserLeaving(CancellationToken cancellationToken)
    {
        var ended = new ConcurrentDictionary<string, TaskCompletionSource<bool>>();
        foreach (var route in s_routes)
        {
            ended[route] = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        // In-process, endpoint discovery finds the routes with the default options; over HTTP, where
        // discovery is off, the entry page links them.
        var links = transport == WarmupTransport.Http ? string.Concat(s_routes.Select(r => $"<a href=\"{r}\">{r}</a>")) : "";
        await using var site = await new FixtureSite
        {
            // Far beyond the test's own limit: an answer within it was not a time-out.
            Configure = o => { o.Transport = transport; o.RequestTimeout = TimeSpan.FromMinutes(10); },
        }
            .Html("/", $"<p>home</p>{links}")
            .WithMiddleware(app =>
            {
                app.MapGet("/events", (CancellationToken ct) => TypedResults.ServerSentEvents(Events(ended["/events"], ct)));
                app.MapGet("/endless", async (HttpContext context) =>
                {
                    context.Response.ContentType = "application/octet-stream";
                    var chunk = new byte[16 * 1024];
                    try
                    {
                        while (true)
                        {
                            await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                        }
                    }
                    catch (OperationCanceledException)
                    {
                    }
                    finally
                    {
                        ended["/endless"].TrySetResult(context.RequestAborted.IsCancellationRequested);
                    }
                });
                app.MapGet("/download", (HttpContext context) =>
                {
                    context.RequestAborted.Register(() => ended["/download"].TrySetResult(true));
                    return TypedResults.Stream(new ZeroStream(1L << 30), "application/zip", "big.zip");
                });
                app.MapGet("/poll", async (HttpContext context) =>
                {
                    context.Response.ContentType = "application/json";
                    // Started on the wire: Kestrel sends the headers at the flush.
                    await context.Response.StartAsync();
                    await context.Response.Body.FlushAsync();
                    try
                    {
                        await Task.Delay(Timeout.Infinite, context.RequestAborted);
                    }
                    catch (OperationCanceledException)
                    {
                        ended["/poll"].TrySetResult(context.RequestAborted.IsCancellationRequested);
                    }
                });
            })
            .StartAsync();

        var probe = await site.WaitForVerdictAsync(TimeSpan.FromSeconds(50));
        var sawDisconnect = await Task.WhenAll(s_routes.Select(r => ended[r].Task.WaitAsync(cancellationToken)));

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(s_routes.Select(site.CountOf), Is.All.EqualTo(1), string.Join(", ", site.Paths));
        Assert.That(probe.Count("errors"), Is.Zero, "nothing timed out");
        Assert.That(probe.Count("ok"), Is.EqualTo(1 + s_routes.Length));
        Assert.That(sawDisconnect, Is.All.True, "each handler saw the client go: " + string.Join(", ", s_routes));
    }

    private static async IAsyncEnumerable<string> Events(TaskCompletionSource<bool> ended, [EnumeratorCancellation] CancellationToken ct)
    {
        try
        {
            for (var i = 0; ; i++)
            {
                yield return $"event {i}";
                await Task.Delay(100, ct);
            }
        }
        finally
        {
            ended.TrySetResult(ct.IsCancellationRequested);
        }
    }

    /// <summary>A readable stream of zeros of a given length, so that a 1 GiB download needs no file.</summary>
    private sealed class ZeroStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
