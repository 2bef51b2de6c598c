using System.Text;

namespace SmartRegion.Parquet.Thrift;

/// <summary>Thrift compact protocol writer into a growable buffer.</summary>
internal sealed class CompactWriter
{
    private readonly Stack<short> _lastField = new();
    private short _last;
    private byte[] _buffer = new byte[256];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public void Reset()
    {
        Length = 0;
        _last = 0;
        _lastField.Clear();
    }

    public void BeginStruct()
    {
        _lastField.Push(_last);
        _last = 0;
    }

    public void EndStruct()
    {
        WriteByte(CompactType.Stop);
        _last = _lastField.Pop();
    }

    public void FieldHeader(short id, byte type)
    {
        var delta = id - _last;
        if (delta is > 0 and <= 15)
        {
            WriteByte((byte)((delta << 4) | type));
        }
        else
        {
            WriteByte(type);
            WriteVarint((ulong)((id << 1) ^ (id >> 31)));
        }
        _last = id;
    }

    public void FieldI32(short id, int value)
    {
        FieldHeader(id, CompactType.I32);
        WriteI32(value);
    }

    public void FieldI64(short id, long value)
    {
        FieldHeader(id, CompactType.I64);
        WriteVarint((ulong)((value << 1) ^ (value >> 63)));
    }

    public void FieldBool(short id, bool value) => FieldHeader(id, value ? CompactType.BoolTrue : CompactType.BoolFalse);

    public void FieldByte(short id, byte value)
    {
        FieldHeader(id, CompactType.Byte);
        WriteByte(value);
    }

    public void FieldBinary(short id, ReadOnlySpan<byte> value)
    {
        FieldHeader(id, CompactType.Binary);
        WriteBinary(value);
    }

    public void FieldString(short id, string value)
    {
        FieldHeader(id, CompactType.Binary);
        WriteString(value);
    }

    public void FieldStructBegin(short id)
    {
        FieldHeader(id, CompactType.Struct);
        BeginStruct();
    }

    public void FieldListBegin(short id, byte elementType, int count)
    {
        FieldHeader(id, CompactType.List);
        ListHeader(elementType, count);
    }

    public void ListHeader(byte elementType, int count)
    {
        if (count < 15)
        {
            WriteByte((byte)((count << 4) | elementType));
        }
        else
        {
            WriteByte((byte)(0xF0 | elementType));
            WriteVarint((ulong)count);
        }
    }

    public void WriteI32(int value) => WriteVarint((uint)((value << 1) ^ (value >> 31)));

    public void WriteString(string value)
    {
        var n = Encoding.UTF8.GetByteCount(value);
        WriteVarint((ulong)n);
        Ensure(n);
        Encoding.UTF8.GetBytes(value, _buffer.AsSpan(Length));
        Length += n;
    }

    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        WriteVarint((ulong)value.Length);
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(Length));
        Length += value.Length;
    }

    private void WriteVarint(ulong v)
    {
        Ensure(10);
        while (v >= 0x80)
        {
            _buffer[Length++] = (byte)(v | 0x80);
            v >>= 7;
        }
        _buffer[Length++] = (byte)v;
    }

    private void WriteByte(byte b)
    {
        Ensure(1);
        _buffer[Length++] = b;
    }

    private void Ensure(int n)
    {
        if (Length + n > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + n));
        }
    }
}
