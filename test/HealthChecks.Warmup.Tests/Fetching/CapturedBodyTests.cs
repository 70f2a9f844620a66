using System.Text;
using HealthChecks.Warmup.Fetching.InProcess;
using HealthChecks.Warmup.Fetching;
using HealthChecks.Warmup.Model;

namespace HealthChecks.Warmup.Tests.Fetching;

/// <summary>
/// The kept start of a response body lives in a pooled array: it must hold exactly the bytes written,
/// up to the limit, however they arrive, and once handed over or given up it must never be written again.
/// </summary>
[TestFixture]
public sealed class CapturedBodyTests
{
    [Test]
    public void Append_KeepsEveryByteInOrder_AcrossTheArraysItGrowsInto()
    {
        var random = new Random(20261124);
        var expected = new byte[300_000];
        random.NextBytes(expected);
        using var body = new CapturedBody(limit: 1 << 20);

        for (var at = 0; at < expected.Length;)
        {
            var chunk = Math.Min(random.Next(1, 40_000), expected.Length - at);
            body.Append(expected.AsSpan(at, chunk));
            at += chunk;
        }

        Assert.That(body.Memory.ToArray(), Is.EqualTo(expected));
        Assert.That(body.Truncated, Is.False);
    }

    [TestCase(10, new[] { 7, 7 })]
    [TestCase(10, new[] { 10, 1 })]
    [TestCase(20_000, new[] { 16_384, 16_384 })]
    public void Append_PastTheLimit_KeepsTheStartAndSaysSo(int limit, int[] chunks)
    {
        var written = new List<byte>();
        using var body = new CapturedBody(limit);
        foreach (var length in chunks)
        {
            var chunk = Enumerable.Range(written.Count, length).Select(i => (byte)i).ToArray();
            written.AddRange(chunk);
            body.Append(chunk);
        }

        Assert.That(body.Memory.ToArray(), Is.EqualTo(written.Take(limit).ToArray()));
        Assert.That(body.Truncated, Is.True);
    }

    [Test]
    public void Append_UpToTheLimitExactly_IsNotTruncated()
    {
        using var body = new CapturedBody(limit: 5);

        body.Append("abcde"u8);
        body.Append(ReadOnlySpan<byte>.Empty);

        Assert.That(Encoding.ASCII.GetString(body.Memory.Span), Is.EqualTo("abcde"));
        Assert.That(body.Truncated, Is.False);
    }

    [Test]
    public void Dispose_EmptiesTheBody_AndTwiceIsHarmless()
    {
        var body = new CapturedBody(limit: 100);
        body.Append("<a href=/>"u8);

        body.Dispose();
        body.Dispose();

        Assert.That(body.Memory.IsEmpty, Is.True);
    }

    [Test]
    public void FetchResult_Disposed_HasNoBodyLeft()
    {
        var captured = new CapturedBody(limit: 100);
        captured.Append("body { }"u8);
        var result = new FetchResult { StatusCode = 200, ContentType = "text/css", Captured = captured };
        Assert.That(result.Body.Length, Is.EqualTo(8));

        result.Dispose();

        Assert.That(result.Body.IsEmpty, Is.True);
    }

    [Test]
    public async Task InProcessSink_AfterTheBodyIsTaken_DropsWhatTheAppStillWrites()
    {
        var response = Response(1024);
        response.Headers.ContentType = "text/html";
        await response.Stream.WriteAsync("<p>first</p>"u8.ToArray());

        using var taken = response.Sink.TakeCaptured();
        await response.Stream.WriteAsync("<p>late</p>"u8.ToArray());
        response.Stream.Write("<p>later</p>"u8);

        Assert.That(taken, Is.Not.Null);
        Assert.That(Encoding.UTF8.GetString(taken!.Memory.Span), Is.EqualTo("<p>first</p>"));
        Assert.That(response.Sink.TakeCaptured(), Is.Null, "the body is handed over once");
    }

    [Test]
    public async Task InProcessSink_GivenUpOn_KeepsNothingAndTheAppCanStillWrite()
    {
        var response = Response(1024);
        response.Headers.ContentType = "text/html";
        await response.Stream.WriteAsync("<p>before the time-out</p>"u8.ToArray());

        response.Sink.StopCapturing();
        await response.Stream.WriteAsync("<p>after</p>"u8.ToArray());

        Assert.That(response.Sink.TakeCaptured(), Is.Null);
    }

    [Test]
    public async Task InProcessSink_WritesRacingTheHandOver_NeverChangeTheBodyTaken()
    {
        const int limit = 8 << 20;
        var racing = 0;
        for (var round = 0; round < 20; round++)
        {
            var response = Response(limit);
            response.Headers.ContentType = "text/html";
            await response.StartAsync();
            var writes = 0;
            using var stop = new CancellationTokenSource();
            var app = Task.Run(() =>
            {
                var chunk = "<p>0123456789</p>"u8.ToArray();
                while (!stop.IsCancellationRequested)
                {
                    response.Stream.Write(chunk);
                    Interlocked.Increment(ref writes);
                    Thread.SpinWait(200);
                }
            });
            SpinWait.SpinUntil(() => Volatile.Read(ref writes) >= 100);

            using var taken = response.Sink.TakeCaptured();
            var atHandOver = taken!.Memory.ToArray();
            var handedOverAt = Volatile.Read(ref writes);
            SpinWait.SpinUntil(() => Volatile.Read(ref writes) >= handedOverAt + 100);
            var afterwards = taken.Memory.ToArray();
            await stop.CancelAsync();
            await app;

            Assert.That(afterwards, Is.EqualTo(atHandOver), $"round {round}");
            // Taken while the app's writes were still being kept, not after the limit stopped them.
            racing += atHandOver.Length < limit ? 1 : 0;
        }
        Assert.That(racing, Is.GreaterThanOrEqualTo(10), "rounds in which the hand-over raced the app's writes");
    }

    /// <summary>A page's response whose app allowed synchronous writes (the race test writes synchronously).</summary>
    private static InProcessResponse Response(int maxCapturedBytes) =>
        new(maxCapturedBytes, new CrawlRequest(new Uri("http://localhost/"), UrlKind.Page, 0, null, IsEntry: true, RedirectHops: 0), new SynchronousIOAllowed(), new Microsoft.AspNetCore.Http.Features.HttpRequestLifetimeFeature(), TimeProvider.System);

    private sealed class SynchronousIOAllowed : Microsoft.AspNetCore.Http.Features.IHttpBodyControlFeature
    {
        public bool AllowSynchronousIO { get; set; } = true;
    }
}
