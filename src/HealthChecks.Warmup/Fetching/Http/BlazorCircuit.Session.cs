using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace HealthChecks.Warmup.Fetching.Http;

internal static partial class BlazorCircuit
{
    /// <summary>The hub connection's messages: what arrives, read as BlazorPack, and what is sent back.</summary>
    private sealed class Session(ClientWebSocket socket)
    {
        private readonly byte[] _receive = new byte[16 * 1024];
        private readonly ArrayBufferWriter<byte> _pending = new();

        public Task SendAsync(byte[] message, CancellationToken cancellationToken) =>
            socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);

        /// <summary>The handshake's answer: <see langword="null"/> when accepted, else the hub's error.</summary>
        public async Task<string?> ReadHandshakeAsync(CancellationToken cancellationToken)
        {
            var text = new StringBuilder();
            while (!text.ToString().Contains('\u001e', StringComparison.Ordinal))
            {
                var received = await ReceiveAsync(cancellationToken);
                text.Append(Encoding.UTF8.GetString(received.Span));
            }
            var answer = text.ToString();
            var end = answer.IndexOf('\u001e', StringComparison.Ordinal);
            using var json = JsonDocument.Parse(answer[..end]);
            // What follows the handshake in the same frame is the first message.
            _pending.Write(Encoding.UTF8.GetBytes(answer[(end + 1)..]));
            return json.RootElement.TryGetProperty("error", out var error) ? error.GetString() ?? "error" : null;
        }

        /// <summary>The result of invocation <paramref name="id"/>, acknowledging render batches meanwhile.</summary>
        public async Task<string?> WaitForCompletionAsync(string id, CancellationToken cancellationToken)
        {
            while (true)
            {
                foreach (var message in await NextAsync(cancellationToken))
                {
                    if (message.IsCompletion && message.InvocationId == id)
                    {
                        return message.Error is null ? message.Result : throw new InvalidOperationException($"StartCircuit failed: {message.Error}");
                    }
                    await AnswerAsync(message, cancellationToken);
                }
            }
        }

        /// <summary>Acknowledges render batches until the server ends the root components' update; how many there were.</summary>
        public async Task<int> RenderAsync(CancellationToken cancellationToken)
        {
            var batches = 0;
            while (true)
            {
                foreach (var message in await NextAsync(cancellationToken))
                {
                    if (await AnswerAsync(message, cancellationToken))
                    {
                        batches++;
                    }
                    if (message is { IsInvocation: true, Target: "JS.EndUpdateRootComponents" })
                    {
                        return batches;
                    }
                }
            }
        }

        /// <summary>What the browser answers; whether the message was a render batch.</summary>
        private async Task<bool> AnswerAsync(BlazorPack.Message message, CancellationToken cancellationToken)
        {
            if (message.IsClose)
            {
                throw new InvalidOperationException($"the hub closed the connection{(message.Error is { } error ? $": {error}" : "")}");
            }
            if (message is { IsInvocation: true, Target: "JS.RenderBatch", FirstArgument: { } batchId })
            {
                await SendAsync(BlazorPack.Invocation(null, "OnRenderCompleted", checked((int)batchId), null), cancellationToken);
                return true;
            }
            return false;
        }

        private async Task<List<BlazorPack.Message>> NextAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var messages = BlazorPack.Read(_pending.WrittenSpan, out var consumed);
                if (messages.Count > 0)
                {
                    var rest = _pending.WrittenSpan[consumed..].ToArray();
                    _pending.ResetWrittenCount();
                    _pending.Write(rest);
                    return messages;
                }
                _pending.Write((await ReceiveAsync(cancellationToken)).Span);
            }
        }

        private async Task<ReadOnlyMemory<byte>> ReceiveAsync(CancellationToken cancellationToken)
        {
            var result = await socket.ReceiveAsync(_receive, cancellationToken);
            return result.MessageType == WebSocketMessageType.Close
                ? throw new InvalidOperationException($"the hub closed the WebSocket ({result.CloseStatusDescription ?? result.CloseStatus?.ToString()})")
                : _receive.AsMemory(0, result.Count);
        }
    }
}
