using System.Buffers.Binary;
using System.Text;
using SmartRegion.Parquet.Reading;

namespace SmartRegion.Parquet.Thrift;

/// <summary>Thrift compact protocol reader over a bounded buffer: every length is checked against what is left.</summary>
internal sealed class CompactReader
{
    // Nesting deeper than this is never produced by the Parquet IDL; corrupt input must not overflow the stack.
    private const int MaxDepth = 32;

    // What one decoded structure costs at most once it is an object (a column chunk's metadata with its lists and
    // statistics, and what the reader derives from it): a footer of empty structures, one byte each, is a list-length bomb.
    private const int DecodedStructBytes = 256;

    private readonly byte[] _buffer;
    private readonly MemoryBudget? _budget;
    private readonly int _end;
    private readonly Stack<short> _lastField = new();
    private short _last;
    private bool? _pendingBool;

    /// <param name="budget">counts every structure and string decoded (the footer's); null for page headers, which are
    /// bounded by their page</param>
    public CompactReader(byte[] buffer, int offset, int count, MemoryBudget? budget = null)
    {
        _buffer = buffer;
        _budget = budget;
        Position = offset;
        _end = offset + count;
    }

    public int Position { get; private set; }

    public int Remaining => _end - Position;

    public void BeginStruct()
    {
        if (_lastField.Count >= MaxDepth)
        {
            throw new CorruptDataException("Thrift structures nested too deeply");
        }
        _budget?.Take(DecodedStructBytes, "the footer's Thrift structures");
        _lastField.Push(_last);
        _last = 0;
    }

    public void EndStruct() => _last = _lastField.Pop();

    /// <summary>Reads the next field header; false at the struct's stop byte.</summary>
    public bool NextField(out short id, out byte type)
    {
        _pendingBool = null;
        var b = ReadByte();
        type = (byte)(b & 0x0F);
        if (type == CompactType.Stop)
        {
            id = 0;
            return false;
        }
        var delta = b >> 4;
        if (delta == 0)
        {
            var full = ZigZag32(ReadVarint32());
            id = full is >= short.MinValue and <= short.MaxValue ? (short)full : throw new CorruptDataException($"Thrift field id {full} is out of range");
        }
        else
        {
            id = unchecked((short)(_last + delta));
        }
        _last = id;
        if (type is CompactType.BoolTrue or CompactType.BoolFalse)
        {
            _pendingBool = type == CompactType.BoolTrue;
        }
        else if (type > CompactType.Struct)
        {
            throw new CorruptDataException($"unknown Thrift field type {type}");
        }
        return true;
    }

    public byte ReadByte()
    {
        if (Position >= _end)
        {
            throw new CorruptDataException("Thrift data ends early");
        }
        return _buffer[Position++];
    }

    public bool ReadBool()
    {
        if (_pendingBool is { } b)
        {
            _pendingBool = null;
            return b;
        }
        // Inside a list a bool is one byte.
        return ReadByte() == 1;
    }

    public int ReadI32() => ZigZag32(ReadVarint32());

    public long ReadI64() => ZigZag64(ReadVarint64());

    public double ReadDouble()
    {
        Need(8);
        var v = BinaryPrimitives.ReadDoubleLittleEndian(_buffer.AsSpan(Position, 8));
        Position += 8;
        return v;
    }

    public byte[] ReadBinary()
    {
        var length = ReadLength();
        _budget?.Take(length + MemoryBudget.ObjectBytes, "the footer's Thrift binaries");
        var bytes = _buffer.AsSpan(Position, length).ToArray();
        Position += length;
        return bytes;
    }

    public string ReadString()
    {
        var length = ReadLength();
        _budget?.Take(2L * length + MemoryBudget.ObjectBytes, "the footer's Thrift strings");
        var s = Encoding.UTF8.GetString(_buffer, Position, length);
        Position += length;
        return s;
    }

    /// <summary>Reads a list header; the element count is bounded by the bytes left (each element takes at least one).</summary>
    public int ReadListHeader(out byte elementType)
    {
        var b = ReadByte();
        elementType = (byte)(b & 0x0F);
        var size = b >> 4;
        if (size == 15)
        {
            var s = ReadVarint32();
            if (s > int.MaxValue)
            {
                throw new CorruptDataException("Thrift list too long");
            }
            size = (int)s;
        }
        if (size > Remaining)
        {
            throw new CorruptDataException($"Thrift list of {size} elements is longer than the {Remaining} bytes left");
        }
        return size;
    }

    public void Skip(byte type, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            throw new CorruptDataException("Thrift structures nested too deeply");
        }
        switch (type)
        {
            case CompactType.BoolTrue or CompactType.BoolFalse:
                ReadBool();
                break;
            case CompactType.Byte:
                ReadByte();
                break;
            case CompactType.I16 or CompactType.I32 or CompactType.I64:
                ReadVarint64();
                break;
            case CompactType.Double:
                Need(8);
                Position += 8;
                break;
            case CompactType.Binary:
            {
                // Not `Position += ReadLength()`: that adds to the position read before the length's varint.
                var length = ReadLength();
                Position += length;
                break;
            }
            case CompactType.List or CompactType.Set:
            {
                var n = ReadListHeader(out var et);
                for (var i = 0; i < n; i++)
                {
                    SkipElement(et, depth + 1);
                }
                break;
            }
            case CompactType.Map:
            {
                var n = ReadVarint32();
                if (n > (uint)Remaining)
                {
                    throw new CorruptDataException("Thrift map longer than the data left");
                }
                if (n > 0)
                {
                    var kv = ReadByte();
                    for (var i = 0; i < n; i++)
                    {
                        SkipElement((byte)(kv >> 4), depth + 1);
                        SkipElement((byte)(kv & 0x0F), depth + 1);
                    }
                }
                break;
            }
            case CompactType.Struct:
                BeginStruct();
                while (NextField(out _, out var ft))
                {
                    Skip(ft, depth + 1);
                }
                EndStruct();
                break;
            default:
                throw new CorruptDataException($"unknown Thrift type {type}");
        }
    }

    private void SkipElement(byte type, int depth)
    {
        if (type is CompactType.BoolTrue or CompactType.BoolFalse)
        {
            ReadByte();
            return;
        }
        Skip(type, depth);
    }

    private int ReadLength()
    {
        var length = ReadVarint32();
        if (length > (uint)Remaining)
        {
            throw new CorruptDataException($"Thrift string of {length} bytes is longer than the {Remaining} bytes left");
        }
        return (int)length;
    }

    private void Need(int n)
    {
        if (Remaining < n)
        {
            throw new CorruptDataException("Thrift data ends early");
        }
    }

    private uint ReadVarint32()
    {
        var v = ReadVarint64();
        if (v > uint.MaxValue)
        {
            throw new CorruptDataException("Thrift varint too large for 32 bits");
        }
        return (uint)v;
    }

    private ulong ReadVarint64()
    {
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = ReadByte();
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }
        throw new CorruptDataException("Thrift varint longer than 10 bytes");
    }

    private static int ZigZag32(uint n) => (int)(n >> 1) ^ -(int)(n & 1);

    private static long ZigZag64(ulong n) => (long)(n >> 1) ^ -(long)(n & 1);
}

internal static class CompactType
{
    public const byte Stop = 0, BoolTrue = 1, BoolFalse = 2, Byte = 3, I16 = 4, I32 = 5, I64 = 6,
        Double = 7, Binary = 8, List = 9, Set = 10, Map = 11, Struct = 12;
}
