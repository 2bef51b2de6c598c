using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace SmartRegion.Parquet.Encodings;

/// <summary>The RLE / bit-packing hybrid of the Parquet spec (levels, dictionary indices, v2 booleans).</summary>
internal static class RleHybrid
{
    public static int BitWidth(int maxValue) => maxValue == 0 ? 0 : 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)maxValue);

    /// <summary>Appends the encoding of <paramref name="values"/> (no length prefix).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Encode(ReadOnlySpan<int> values, int bitWidth, ByteBuffer output)
    {
        var n = values.Length;
        var pendingStart = 0;
        var i = 0;
        while (i < n)
        {
            var v = values[i];
            var run = 1;
            while (i + run < n && values[i + run] == v)
            {
                run++;
            }
            if (run >= 8)
            {
                // Fill the pending bit-packed group up to a multiple of 8 from the run, then RLE the rest.
                var need = (8 - (i - pendingStart) % 8) % 8;
                if (run - need >= 8)
                {
                    i += need;
                    run -= need;
                    WriteBitPacked(values[pendingStart..i], bitWidth, output);
                    WriteRun(v, run, bitWidth, output);
                    i += run;
                    pendingStart = i;
                    continue;
                }
            }
            i += run;
        }
        WriteBitPacked(values[pendingStart..n], bitWidth, output);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteRun(int value, int count, int bitWidth, ByteBuffer output)
    {
        output.WriteVarint((uint)count << 1);
        var bytes = (bitWidth + 7) / 8;
        for (var b = 0; b < bytes; b++)
        {
            output.WriteByte((byte)(value >> (8 * b)));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteBitPacked(ReadOnlySpan<int> values, int bitWidth, ByteBuffer output)
    {
        if (values.Length == 0)
        {
            return;
        }
        var groups = (values.Length + 7) / 8;
        output.WriteVarint(((uint)groups << 1) | 1);
        var span = output.Reserve(groups * bitWidth);
        BitPack(values, bitWidth, span);
    }

    /// <summary>Packs values LSB first into <paramref name="dst"/>, which is zeroed and holds groups of 8 (the tail is padded with zeros).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BitPack(ReadOnlySpan<int> values, int bitWidth, Span<byte> dst)
    {
        dst.Clear();
        if (bitWidth == 0)
        {
            return;
        }
        ulong acc = 0;
        var bits = 0;
        var o = 0;
        foreach (var v in values)
        {
            acc |= (ulong)(uint)v << bits;
            bits += bitWidth;
            while (bits >= 8)
            {
                dst[o++] = (byte)acc;
                acc >>= 8;
                bits -= 8;
            }
        }
        if (bits > 0)
        {
            dst[o] = (byte)acc;
        }
    }

    /// <summary>Decodes exactly <c>output.Length</c> values; throws on data that ends early or values wider than the bit width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Decode(ReadOnlySpan<byte> data, int bitWidth, Span<int> output)
    {
        if (bitWidth is < 0 or > 32)
        {
            throw new CorruptDataException($"bit width {bitWidth} is out of range");
        }
        var p = 0;
        var o = 0;
        var byteWidth = (bitWidth + 7) / 8;
        while (o < output.Length)
        {
            var header = ReadVarint(data, ref p);
            if ((header & 1) == 0)
            {
                var count = header >> 1;
                if (count == 0)
                {
                    throw new CorruptDataException("RLE run of zero values");
                }
                if (p + byteWidth > data.Length)
                {
                    throw new CorruptDataException("RLE run value runs past the data");
                }
                var v = 0u;
                for (var b = 0; b < byteWidth; b++)
                {
                    v |= (uint)data[p + b] << (8 * b);
                }
                p += byteWidth;
                var take = (int)Math.Min(count, (ulong)(output.Length - o));
                output.Slice(o, take).Fill((int)v);
                o += take;
            }
            else
            {
                var groups = header >> 1;
                var bytes = groups * (ulong)bitWidth;
                if (bytes > (ulong)(data.Length - p))
                {
                    // Some writers end the last bit-packed run early; take what is there.
                    bytes = (ulong)(data.Length - p);
                }
                var count = (int)Math.Min(groups * 8, (ulong)(output.Length - o));
                if (bitWidth == 0)
                {
                    output.Slice(o, count).Clear();
                    o += count;
                    continue;
                }
                var available = (int)(bytes * 8 / (ulong)bitWidth);
                if (available < count)
                {
                    if (available == 0)
                    {
                        throw new CorruptDataException("bit-packed run runs past the data");
                    }
                    count = available;
                }
                Unpack(data.Slice(p, (int)bytes), bitWidth, output.Slice(o, count));
                p += (int)bytes;
                o += count;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Unpack(ReadOnlySpan<byte> data, int bitWidth, Span<int> output)
    {
        var mask = bitWidth == 32 ? ulong.MaxValue >> 32 : (1UL << bitWidth) - 1;
        ulong acc = 0;
        var bits = 0;
        var p = 0;
        for (var i = 0; i < output.Length; i++)
        {
            while (bits < bitWidth)
            {
                acc |= (ulong)data[p++] << bits;
                bits += 8;
            }
            output[i] = (int)(acc & mask);
            acc >>= bitWidth;
            bits -= bitWidth;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ReadVarint(ReadOnlySpan<byte> data, ref int p)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (p >= data.Length)
            {
                throw new CorruptDataException("varint runs past the data");
            }
            var b = data[p++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }
        throw new CorruptDataException("varint longer than 10 bytes");
    }

    public static int ReadInt32LittleEndian(ReadOnlySpan<byte> data, int p) =>
        p + 4 <= data.Length ? BinaryPrimitives.ReadInt32LittleEndian(data[p..]) : throw new CorruptDataException("length prefix runs past the data");
}

/// <summary>A growable byte buffer reused between pages and column chunks, so writing allocates little.</summary>
internal sealed class ByteBuffer
{
    private byte[] _data;

    public ByteBuffer(int capacity = 1 << 16) => _data = new byte[capacity];

    public int Length { get; set; }

    public Span<byte> Span => _data.AsSpan(0, Length);

    public byte[] Array => _data;

    public void Clear() => Length = 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Ensure(int more)
    {
        if (Length + more > _data.Length)
        {
            System.Array.Resize(ref _data, Math.Max(_data.Length * 2, Length + more));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Reserve(int n)
    {
        Ensure(n);
        var span = _data.AsSpan(Length, n);
        Length += n;
        return span;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteByte(byte b)
    {
        Ensure(1);
        _data[Length++] = b;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_data.AsSpan(Length));
        Length += bytes.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt32(int v) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteVarint(ulong v)
    {
        Ensure(10);
        while (v >= 0x80)
        {
            _data[Length++] = (byte)(v | 0x80);
            v >>= 7;
        }
        _data[Length++] = (byte)v;
    }
}
