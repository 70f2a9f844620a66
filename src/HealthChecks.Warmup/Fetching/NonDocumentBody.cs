namespace HealthChecks.Warmup.Fetching;

/// <summary>
/// How much of a response that is not parsed (anything but HTML, CSS, robots.txt and sitemaps) the
/// warm-up reads. Such a response is warm once its status and headers arrived; its body is then read
/// while the app keeps writing it, so that a static file, a compressed or a generated body runs the
/// app's and the server's code to the end, but never for long: reading stops at the end of the body,
/// after <see cref="MaxReadBytes"/>, after a pause of <see cref="MaxPause"/>, or at once for a stream
/// that never ends by design (server-sent events, <c>multipart/x-mixed-replace</c>). Then the request
/// ends as a departing browser's does: the app sees <c>RequestAborted</c>, nothing is a failure.
/// </summary>
internal static class NonDocumentBody
{
    /// <summary>The most bytes of one such body read: a large download is warm long before its end.</summary>
    public const int MaxReadBytes = 8 * 1024 * 1024;

    /// <summary>The longest wait for the next bytes: a long poll or a live feed waits for events, not for the warm-up.</summary>
    public static readonly TimeSpan MaxPause = TimeSpan.FromMilliseconds(250);

    /// <summary>Whether the media type is a stream that does not end while the client listens.</summary>
    public static bool IsEndless(string? contentType) =>
        ContentTypes.MediaType(contentType) is var type
        && (type.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase)
            || type.StartsWith("multipart/x-mixed-replace", StringComparison.OrdinalIgnoreCase));
}
