using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace HealthChecks.Warmup.Fetching.Http;

/// <summary>
/// Starts one Blazor circuit as <c>blazor.web.js</c> does once a page with a server or auto component has
/// loaded, so that the first visitor's circuit is not the process's first: negotiate, a WebSocket to the
/// hub, <c>StartCircuit</c>, then <c>UpdateRootComponents</c> with the page's own prerendered markers,
/// acknowledging each render batch, until the server says the update is done; then the circuit is
/// disconnected as a leaving browser does. Measured on a fresh <c>dotnet new blazor --all-interactive</c>
/// app: the process's first circuit took 173–373 ms from the WebSocket to its opening, later ones
/// 21–101 ms. Never judged: a circuit that does not start is said in the server warm-up's summary.
/// </summary>
internal static partial class BlazorCircuit
{
    /// <summary>How a prerendered component's marker starts: an HTML comment holding its JSON.</summary>
    internal const string MarkerStart = "<!--Blazor:";

    // A marker's type comes first in its JSON: only the start of each marker is read, never its (long) state.
    private const int MarkerTypeWithin = 64;
    private const string StateStart = "<!--Blazor-Server-Component-State:";
    private const string Handshake = "{\"protocol\":\"blazorpack\",\"version\":1}\u001e";

    /// <summary>How long one circuit may take, from the page's request to its disconnection.</summary>
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Starts a circuit for the first of <paramref name="pages"/> (public URLs the crawl read) that holds a
    /// server component, whose document base is <paramref name="documentBase"/>, over
    /// <paramref name="client"/> to <paramref name="target"/> (a bound address) under the page's host.
    /// Returns what happened, in words; never throws but for <paramref name="stopping"/>.
    /// </summary>
    public static async Task<string> StartAsync(HttpClient client, Uri target, IReadOnlyList<Uri> pages, Uri documentBase, CancellationToken stopping)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        limit.CancelAfter(TimeLimit);
        try
        {
            Uri? page = null;
            string markup = "";
            List<string> markers = [];
            // Asked for again rather than kept from the crawl: a marker's descriptor is protected with a time
            // limit, and the crawl keeps no bodies.
            foreach (var candidate in pages)
            {
                (page, markup) = (candidate, await SendAsync(client, HttpMethod.Get, Over(target, candidate), candidate, content: null, limit.Token));
                if ((markers = ServerMarkers(markup)).Count > 0)
                {
                    break;
                }
            }
            if (page is null || markers.Count == 0)
            {
                return $"no Blazor circuit: {string.Join(", ", pages.Select(p => p.AbsolutePath))} hold no server component now";
            }
            var state = PersistedState(markup);
            var hub = new Uri(documentBase, "_blazor");
            using var negotiation = JsonDocument.Parse(await SendAsync(client, HttpMethod.Post, Over(target, new Uri(documentBase, "_blazor/negotiate?negotiateVersion=1")), page, new StringContent(""), limit.Token));
            var token = negotiation.RootElement.TryGetProperty("connectionToken", out var t) ? t.GetString() : null;
            if (token is null)
            {
                return "no Blazor circuit: the hub's negotiation named no connection";
            }

            using var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("Host", page.Authority);
            socket.Options.SetRequestHeader("User-Agent", HttpFetcher.UserAgent);
            socket.Options.SetRequestHeader(OwnRequestMarker.Header, OwnRequestMarker.Secret);
            var socketUri = new UriBuilder(Over(target, hub)) { Scheme = target.Scheme == Uri.UriSchemeHttps ? "wss" : "ws", Query = "id=" + Uri.EscapeDataString(token) }.Uri;
            await socket.ConnectAsync(socketUri, client, limit.Token);
            var session = new Session(socket);
            await socket.SendAsync(Encoding.UTF8.GetBytes(Handshake), WebSocketMessageType.Text, endOfMessage: true, limit.Token);
            if (await session.ReadHandshakeAsync(limit.Token) is { } refused)
            {
                return $"no Blazor circuit: the hub refused the handshake ({refused})";
            }
            await session.SendAsync(BlazorPack.Invocation("0", "StartCircuit", documentBase.AbsoluteUri, page.AbsoluteUri, "[]", state), limit.Token);
            var circuitId = await session.WaitForCompletionAsync("0", limit.Token);
            if (circuitId is null)
            {
                return "no Blazor circuit: the hub did not start one";
            }
            try
            {
                await session.SendAsync(BlazorPack.Invocation(null, "UpdateRootComponents", Operations(markers), state), limit.Token);
                var batches = await session.RenderAsync(limit.Token);
                return $"a Blazor circuit for {page.AbsolutePath} ({markers.Count} component(s), {batches} render batch(es))";
            }
            finally
            {
                // However the render ended: a circuit left open is the server's for minutes.
                await DisconnectAsync(client, target, new Uri(documentBase, "_blazor/disconnect"), page, circuitId, stopping);
            }
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return $"no Blazor circuit: not started within {TimeLimit.TotalSeconds:0} s";
        }
        catch (HttpRequestException ex)
        {
            return $"no Blazor circuit: {ex.Message}";
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or JsonException or FormatException or InvalidOperationException)
        {
            return $"no Blazor circuit: {FetchResult.Describe(ex)}";
        }
    }

    /// <summary>Ends the circuit as a leaving browser does; within a second of its own, and silent when it cannot.</summary>
    private static async Task DisconnectAsync(HttpClient client, Uri target, Uri disconnect, Uri page, string circuitId, CancellationToken stopping)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        limit.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await SendAsync(client, HttpMethod.Post, Over(target, disconnect), page, new FormUrlEncodedContent([new("circuitId", circuitId)]), limit.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !stopping.IsCancellationRequested))
        {
            // The server drops a disconnected circuit in time.
        }
    }

    /// <summary>The markers of the page's server and auto components, as their JSON was written.</summary>
    internal static List<string> ServerMarkers(string markup)
    {
        var markers = new List<string>();
        for (var at = markup.IndexOf(MarkerStart, StringComparison.Ordinal); at >= 0; at = markup.IndexOf(MarkerStart, at, StringComparison.Ordinal))
        {
            at += MarkerStart.Length;
            var end = markup.IndexOf("-->", at, StringComparison.Ordinal);
            if (end < 0)
            {
                break;
            }
            if (IsServerOrAuto(markup.AsSpan(at, end - at)))
            {
                markers.Add(markup[at..end]);
            }
        }
        return markers;
    }

    /// <summary>Whether a marker's JSON (what follows <see cref="MarkerStart"/>) is a server or auto component's: one a circuit renders.</summary>
    internal static bool IsServerOrAuto(ReadOnlySpan<char> marker)
    {
        var head = marker[..Math.Min(marker.Length, MarkerTypeWithin)];
        return head.Contains("\"type\":\"server\"", StringComparison.Ordinal) || head.Contains("\"type\":\"auto\"", StringComparison.Ordinal);
    }

    /// <summary>The state the server persisted for its components (<c>Blazor-Server-Component-State</c>), or empty.</summary>
    internal static string PersistedState(string markup)
    {
        var at = markup.IndexOf(StateStart, StringComparison.Ordinal);
        if (at < 0)
        {
            return "";
        }
        at += StateStart.Length;
        var end = markup.IndexOf("-->", at, StringComparison.Ordinal);
        return end < 0 ? "" : markup[at..end].Trim();
    }

    /// <summary>What <c>blazor.web.js</c> sends to attach the page's components: one batch adding each marker.</summary>
    internal static string Operations(IReadOnlyList<string> markers)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("batchId", 1);
            json.WriteStartArray("operations");
            for (var i = 0; i < markers.Count; i++)
            {
                json.WriteStartObject();
                json.WriteString("type", "add");
                json.WriteNumber("ssrComponentId", i + 1);
                json.WritePropertyName("marker");
                using var marker = JsonDocument.Parse(markers[i]);
                marker.RootElement.WriteTo(json);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary><paramref name="url"/>'s path and query on <paramref name="target"/>, the bound address.</summary>
    private static Uri Over(Uri target, Uri url) => new(target, url.PathAndQuery);

    private static async Task<string> SendAsync(HttpClient client, HttpMethod method, Uri url, Uri page, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Host = page.Authority;
        request.Headers.TryAddWithoutValidation("User-Agent", HttpFetcher.UserAgent);
        request.Headers.TryAddWithoutValidation(OwnRequestMarker.Header, OwnRequestMarker.Secret);
        using var response = await client.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode ? body : throw new HttpRequestException($"{method} {url.AbsolutePath} answered {(int)response.StatusCode}");
    }
}
