using System.Buffers.Binary;
using System.Text;

namespace HealthChecks.Warmup.Fetching.Http;

internal static partial class BlazorPack
{
    /// <summary>The MessagePack a message holds: arrays, maps, strings, integers, nil, and what is skipped.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _at;

        public Message ReadMessage()
        {
            var length = ReadArrayHeader();
            var type = (int)ReadInteger();
            switch (type)
            {
                case InvocationType when length >= 5:
                {
                    Skip(); // headers
                    var id = ReadStringOrNil();
                    var target = ReadStringOrNil();
                    var arguments = ReadArrayHeader();
                    long? first = arguments > 0 && IsInteger(Peek()) ? ReadInteger() : null;
                    return new(type, id, target, first, null, null);
                }
                case CompletionType when length >= 4:
                {
                    Skip(); // headers
                    var id = ReadStringOrNil();
                    var kind = ReadInteger();
                    var error = kind == 1 ? ReadStringOrNil() : null;
                    var result = kind == 3 && length >= 5 && IsString(Peek()) ? ReadStringOrNil() : null;
                    return new(type, id, null, null, result, error);
                }
                case CloseType:
                    return new(type, null, null, null, null, length >= 2 && IsString(Peek()) ? ReadStringOrNil() : null);
                default:
                    return new(type, null, null, null, null, null);
            }
        }

        private byte Peek() => _at < _data.Length ? _data[_at] : throw new FormatException("A BlazorPack message ends early.");

        private static bool IsInteger(byte code) => code <= 0x7f || code >= 0xe0 || code is >= 0xcc and <= 0xd3;

        private static bool IsString(byte code) => code is >= 0xa0 and <= 0xbf or >= 0xd9 and <= 0xdb;

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || _data.Length - _at < count)
            {
                throw new FormatException("A BlazorPack message ends early.");
            }
            var taken = _data.Slice(_at, count);
            _at += count;
            return taken;
        }

        private long ReadInteger()
        {
            var code = Take(1)[0];
            return code switch
            {
                <= 0x7f => code,
                >= 0xe0 => (sbyte)code,
                0xcc => Take(1)[0],
                0xcd => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
                0xce => BinaryPrimitives.ReadUInt32BigEndian(Take(4)),
                0xcf => (long)BinaryPrimitives.ReadUInt64BigEndian(Take(8)),
                0xd0 => (sbyte)Take(1)[0],
                0xd1 => BinaryPrimitives.ReadInt16BigEndian(Take(2)),
                0xd2 => BinaryPrimitives.ReadInt32BigEndian(Take(4)),
                0xd3 => BinaryPrimitives.ReadInt64BigEndian(Take(8)),
                _ => throw new FormatException($"A BlazorPack integer expected, 0x{code:x2} found."),
            };
        }

        private int ReadArrayHeader()
        {
            var code = Take(1)[0];
            return code switch
            {
                >= 0x90 and <= 0x9f => code & 0x0f,
                0xdc => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
                0xdd => checked((int)BinaryPrimitives.ReadUInt32BigEndian(Take(4))),
                _ => throw new FormatException($"A BlazorPack array expected, 0x{code:x2} found."),
            };
        }

        private string? ReadStringOrNil()
        {
            var code = Take(1)[0];
            var length = code switch
            {
                0xc0 => -1,
                >= 0xa0 and <= 0xbf => code & 0x1f,
                0xd9 => Take(1)[0],
                0xda => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
                0xdb => checked((int)BinaryPrimitives.ReadUInt32BigEndian(Take(4))),
                _ => throw new FormatException($"A BlazorPack string expected, 0x{code:x2} found."),
            };
            return length < 0 ? null : Encoding.UTF8.GetString(Take(length));
        }

        /// <summary>Passes over one value of any type.</summary>
        private void Skip()
        {
            var code = Peek();
            if (IsInteger(code))
            {
                ReadInteger();
                return;
            }
            if (IsString(code) || code == 0xc0)
            {
                ReadStringOrNil();
                return;
            }
            _at++;
            switch (code)
            {
                case 0xc2 or 0xc3:
                    return;
                case >= 0x80 and <= 0x8f:
                    SkipValues(2 * (code & 0x0f));
                    return;
                case >= 0x90 and <= 0x9f:
                    SkipValues(code & 0x0f);
                    return;
                case 0xdc:
                    SkipValues(BinaryPrimitives.ReadUInt16BigEndian(Take(2)));
                    return;
                case 0xdd:
                    SkipValues(checked((int)BinaryPrimitives.ReadUInt32BigEndian(Take(4))));
                    return;
                case 0xde:
                    SkipValues(2 * BinaryPrimitives.ReadUInt16BigEndian(Take(2)));
                    return;
                case 0xdf:
                    SkipValues(checked(2 * (int)BinaryPrimitives.ReadUInt32BigEndian(Take(4))));
                    return;
                case 0xc4:
                    Take(Take(1)[0]);
                    return;
                case 0xc5:
                    Take(BinaryPrimitives.ReadUInt16BigEndian(Take(2)));
                    return;
                case 0xc6:
                    Take(checked((int)BinaryPrimitives.ReadUInt32BigEndian(Take(4))));
                    return;
                case 0xca:
                    Take(4);
                    return;
                case 0xcb:
                    Take(8);
                    return;
                case >= 0xd4 and <= 0xd8:
                    Take(1 + (1 << (code - 0xd4)));
                    return;
                case 0xc7:
                    Take(1 + Take(1)[0]);
                    return;
                case 0xc8:
                    Take(1 + BinaryPrimitives.ReadUInt16BigEndian(Take(2)));
                    return;
                case 0xc9:
                    Take(checked(1 + (int)BinaryPrimitives.ReadUInt32BigEndian(Take(4))));
                    return;
                default:
                    throw new FormatException($"Not MessagePack: 0x{code:x2}.");
            }
        }

        private void SkipValues(int count)
        {
            for (var i = 0; i < count; i++)
            {
                Skip();
            }
        }
    }
}
