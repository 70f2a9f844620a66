using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace HealthChecks.Warmup.Fetching.Http;

/// <summary>
/// The few SignalR messages a Blazor circuit's start needs, in BlazorPack — SignalR's MessagePack hub
/// protocol under Blazor's name: each message a MessagePack array behind a variable-length size. Written
/// by hand, not taken from a library: the MessagePack hub protocol package brings MessagePack-CSharp,
/// which generates code at run time (not trim- or AOT-safe, which this library is), and the messages here
/// are five shapes of strings, integers and nil.
/// </summary>
internal static partial class BlazorPack
{
    private const byte InvocationType = 1;
    private const byte CompletionType = 3;
    private const byte CloseType = 7;

    /// <summary>A message from the server, as far as a circuit's start reads it.</summary>
    internal sealed record Message(int Type, string? InvocationId, string? Target, long? FirstArgument, string? Result, string? Error)
    {
        public bool IsInvocation => Type == InvocationType;

        public bool IsCompletion => Type == CompletionType;

        public bool IsClose => Type == CloseType;
    }

    /// <summary>An invocation of <paramref name="target"/> with string, integer or null arguments; <paramref name="invocationId"/> null for one that wants no answer.</summary>
    public static byte[] Invocation(string? invocationId, string target, params object?[] arguments)
    {
        var payload = new ArrayBufferWriter<byte>(256);
        WriteByte(payload, 0x96); // [type, headers, invocation id, target, arguments, stream ids]
        WriteByte(payload, InvocationType);
        WriteByte(payload, 0x80); // no headers
        WriteStringOrNil(payload, invocationId);
        WriteStringOrNil(payload, target);
        WriteArrayHeader(payload, arguments.Length);
        foreach (var argument in arguments)
        {
            switch (argument)
            {
                case null:
                    WriteByte(payload, 0xc0);
                    break;
                case string text:
                    WriteStringOrNil(payload, text);
                    break;
                case int number when number >= 0:
                    WriteByte(payload, 0xd2);
                    BinaryPrimitives.WriteInt32BigEndian(payload.GetSpan(4), number);
                    payload.Advance(4);
                    break;
                default:
                    throw new ArgumentException($"BlazorPack writes strings, non-negative integers and null, not {argument.GetType().Name}.", nameof(arguments));
            }
        }
        WriteByte(payload, 0x90); // no stream ids

        var message = new ArrayBufferWriter<byte>(payload.WrittenCount + 5);
        var size = (uint)payload.WrittenCount;
        do
        {
            var low = (byte)(size & 0x7f);
            size >>= 7;
            WriteByte(message, size > 0 ? (byte)(low | 0x80) : low);
        }
        while (size > 0);
        message.Write(payload.WrittenSpan);
        return message.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads the whole messages at the start of <paramref name="buffer"/>; <paramref name="consumed"/> is
    /// how many bytes they took (a message cut off at the end waits for more). Throws
    /// <see cref="FormatException"/> on what is not BlazorPack.
    /// </summary>
    public static List<Message> Read(ReadOnlySpan<byte> buffer, out int consumed)
    {
        var messages = new List<Message>();
        consumed = 0;
        while (TryReadSize(buffer[consumed..], out var size, out var prefix) && buffer.Length - consumed - prefix >= size)
        {
            var reader = new Reader(buffer.Slice(consumed + prefix, size));
            messages.Add(reader.ReadMessage());
            consumed += prefix + size;
        }
        return messages;
    }

    private static bool TryReadSize(ReadOnlySpan<byte> buffer, out int size, out int prefix)
    {
        size = 0;
        for (prefix = 0; prefix < Math.Min(buffer.Length, 5); prefix++)
        {
            size |= (buffer[prefix] & 0x7f) << (7 * prefix);
            if ((buffer[prefix] & 0x80) == 0)
            {
                prefix++;
                return size >= 0 ? true : throw new FormatException("A BlazorPack message size out of range.");
            }
        }
        return buffer.Length >= 5 ? throw new FormatException("A BlazorPack message size longer than five bytes.") : false;
    }

    private static void WriteByte(ArrayBufferWriter<byte> writer, byte value)
    {
        writer.GetSpan(1)[0] = value;
        writer.Advance(1);
    }

    private static void WriteArrayHeader(ArrayBufferWriter<byte> writer, int length)
    {
        if (length > 15)
        {
            throw new ArgumentException("BlazorPack writes at most 15 arguments.", nameof(length));
        }
        WriteByte(writer, (byte)(0x90 | length));
    }

    private static void WriteStringOrNil(ArrayBufferWriter<byte> writer, string? text)
    {
        if (text is null)
        {
            WriteByte(writer, 0xc0);
            return;
        }
        var length = Encoding.UTF8.GetByteCount(text);
        WriteByte(writer, 0xdb); // str 32: one form for every length
        BinaryPrimitives.WriteInt32BigEndian(writer.GetSpan(4), length);
        writer.Advance(4);
        writer.Advance(Encoding.UTF8.GetBytes(text, writer.GetSpan(length)));
    }
}
