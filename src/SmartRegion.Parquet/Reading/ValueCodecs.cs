using System.Buffers.Binary;
using System.Runtime.InteropServices;
using SmartRegion.Parquet.Encodings;
using SmartRegion.Parquet.Format;

namespace SmartRegion.Parquet.Reading;

/// <summary>Decodes one physical type's values from page bytes; every read is bounds-checked, every allocation counted in <see cref="Budget"/>.</summary>
internal abstract class ValueCodec<T>(MemoryBudget budget)
{
    protected MemoryBudget Budget { get; } = budget;

    /// <summary>Decodes <c>dst.Length</c> PLAIN values; returns the bytes consumed.</summary>
    public abstract int DecodePlain(ReadOnlySpan<byte> src, Span<T> dst);

    /// <summary>Smallest PLAIN size of one value, to bound a dictionary's declared size before allocating it.</summary>
    public abstract double MinPlainBytes { get; }

    public virtual void Decode(int encoding, ReadOnlySpan<byte> src, Span<T> dst)
    {
        if (encoding == Enc.Plain)
        {
            DecodePlain(src, dst);
            return;
        }
        throw new UnsupportedException($"encoding {Enc.Name(encoding)} is not supported for this column type");
    }

    protected static CorruptDataException Short(string what) => new($"{what} runs past the end of the page");
}

internal sealed class BoolCodec(MemoryBudget budget) : ValueCodec<bool>(budget)
{
    public override double MinPlainBytes => 0.125;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override int DecodePlain(ReadOnlySpan<byte> src, Span<bool> dst)
    {
        var bytes = (dst.Length + 7) / 8;
        if (bytes > src.Length)
        {
            throw Short("BOOLEAN values");
        }
        for (var i = 0; i < dst.Length; i++)
        {
            dst[i] = (src[i >> 3] & (1 << (i & 7))) != 0;
        }
        return bytes;
    }

    public override void Decode(int encoding, ReadOnlySpan<byte> src, Span<bool> dst)
    {
        if (encoding == Enc.Rle)
        {
            var length = RleHybrid.ReadInt32LittleEndian(src, 0);
            if (length < 0 || length > src.Length - 4)
            {
                throw Short("RLE boolean data");
            }
            Budget.TakeArray(dst.Length, sizeof(int), "a page's RLE booleans");
            var ints = new int[dst.Length];
            RleHybrid.Decode(src.Slice(4, length), 1, ints);
            for (var i = 0; i < ints.Length; i++)
            {
                dst[i] = ints[i] != 0;
            }
            Budget.GiveArray(ints.Length, sizeof(int));
            return;
        }
        base.Decode(encoding, src, dst);
    }
}

/// <summary>Fixed-width little-endian numbers: INT32, INT64, FLOAT, DOUBLE.</summary>
internal sealed class FixedCodec<T>(MemoryBudget budget) : ValueCodec<T>(budget) where T : unmanaged
{
    private static readonly int Size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    public override double MinPlainBytes => Size;

    public override int DecodePlain(ReadOnlySpan<byte> src, Span<T> dst)
    {
        var bytes = (long)dst.Length * Size;
        if (bytes > src.Length)
        {
            throw Short($"{typeof(T).Name} values");
        }
        src[..(int)bytes].CopyTo(MemoryMarshal.AsBytes(dst));
        return (int)bytes;
    }

    public override void Decode(int encoding, ReadOnlySpan<byte> src, Span<T> dst)
    {
        if (encoding == Enc.ByteStreamSplit)
        {
            ByteStreamSplit(src, MemoryMarshal.AsBytes(dst), dst.Length, Size);
            return;
        }
        if (encoding == Enc.DeltaBinaryPacked && (typeof(T) == typeof(int) || typeof(T) == typeof(long)))
        {
            Budget.TakeArray(dst.Length, sizeof(long), "a page's DELTA_BINARY_PACKED values");
            var longs = new long[dst.Length];
            DeltaBinaryPacked.Decode(src, longs, typeof(T) == typeof(int));
            if (typeof(T) == typeof(int))
            {
                var ints = MemoryMarshal.Cast<T, int>(dst);
                for (var i = 0; i < longs.Length; i++)
                {
                    ints[i] = (int)longs[i];
                }
            }
            else
            {
                longs.CopyTo(MemoryMarshal.Cast<T, long>(dst));
            }
            Budget.GiveArray(longs.Length, sizeof(long));
            return;
        }
        base.Decode(encoding, src, dst);
    }

    public static void ByteStreamSplit(ReadOnlySpan<byte> src, Span<byte> dst, int n, int width)
    {
        if ((long)n * width > src.Length)
        {
            throw Short("BYTE_STREAM_SPLIT values");
        }
        for (var k = 0; k < width; k++)
        {
            var stream = src.Slice(k * n, n);
            for (var i = 0; i < n; i++)
            {
                dst[i * width + k] = stream[i];
            }
        }
    }
}

/// <summary>INT96 timestamps (legacy Impala/Spark): nanoseconds of the day + Julian day, read as microseconds since 1970.</summary>
internal sealed class Int96Codec(MemoryBudget budget) : ValueCodec<long>(budget)
{
    public override double MinPlainBytes => 12;

    public override int DecodePlain(ReadOnlySpan<byte> src, Span<long> dst)
    {
        if ((long)dst.Length * 12 > src.Length)
        {
            throw Short("INT96 values");
        }
        for (var i = 0; i < dst.Length; i++)
        {
            var nanos = BinaryPrimitives.ReadInt64LittleEndian(src[(i * 12)..]);
            var julian = BinaryPrimitives.ReadInt32LittleEndian(src[(i * 12 + 8)..]);
            dst[i] = (julian - 2440588L) * 86_400_000_000L + nanos / 1000;
        }
        return dst.Length * 12;
    }
}

/// <summary>
/// BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY values, turned into T (string or byte[]) by <paramref name="make"/>, each counted in
/// the budget at <paramref name="bytesPerByte"/> bytes a byte of its value (2 for a string's UTF-16) plus an object's header.
/// </summary>
internal sealed class BytesCodec<T>(int fixedLength, BytesCodec<T>.Maker make, int bytesPerByte, MemoryBudget budget) : ValueCodec<T>(budget)
{
    public delegate T Maker(ReadOnlySpan<byte> bytes);

    private T Make(ReadOnlySpan<byte> bytes)
    {
        Budget.Take((long)bytes.Length * bytesPerByte + MemoryBudget.ObjectBytes, "the column's BYTE_ARRAY values");
        return make(bytes);
    }

    public override double MinPlainBytes => fixedLength > 0 ? fixedLength : 4;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override int DecodePlain(ReadOnlySpan<byte> src, Span<T> dst)
    {
        var p = 0;
        for (var i = 0; i < dst.Length; i++)
        {
            int length;
            if (fixedLength > 0)
            {
                length = fixedLength;
            }
            else
            {
                if (p + 4 > src.Length)
                {
                    throw Short("BYTE_ARRAY length");
                }
                length = BinaryPrimitives.ReadInt32LittleEndian(src[p..]);
                p += 4;
            }
            if (length < 0 || length > src.Length - p)
            {
                throw Short($"BYTE_ARRAY value {i} ({length} bytes)");
            }
            dst[i] = Make(src.Slice(p, length));
            p += length;
        }
        return p;
    }

    public override void Decode(int encoding, ReadOnlySpan<byte> src, Span<T> dst)
    {
        switch (encoding)
        {
            case Enc.DeltaLengthByteArray when fixedLength == 0:
            {
                Budget.TakeArray(dst.Length, sizeof(long), "a page's DELTA_LENGTH_BYTE_ARRAY lengths");
                var lengths = new long[dst.Length];
                var p = DeltaBinaryPacked.Decode(src, lengths, true);
                for (var i = 0; i < dst.Length; i++)
                {
                    var length = lengths[i];
                    if (length < 0 || length > src.Length - p)
                    {
                        throw Short($"DELTA_LENGTH_BYTE_ARRAY value {i}");
                    }
                    dst[i] = Make(src.Slice(p, (int)length));
                    p += (int)length;
                }
                Budget.GiveArray(lengths.Length, sizeof(long));
                return;
            }
            case Enc.DeltaByteArray:
            {
                Budget.TakeArray(2L * dst.Length, sizeof(long), "a page's DELTA_BYTE_ARRAY lengths");
                var prefixes = new long[dst.Length];
                var p = DeltaBinaryPacked.Decode(src, prefixes, true);
                var suffixLengths = new long[dst.Length];
                p += DeltaBinaryPacked.Decode(src[p..], suffixLengths, true);
                var previous = Array.Empty<byte>();
                var scratch = new byte[64];
                for (var i = 0; i < dst.Length; i++)
                {
                    var prefix = prefixes[i];
                    var suffix = suffixLengths[i];
                    if (prefix < 0 || prefix > previous.Length || suffix < 0 || suffix > src.Length - p)
                    {
                        throw Short($"DELTA_BYTE_ARRAY value {i}");
                    }
                    // A prefix repeats what came before: a few bytes of page can make a value of any length, so the
                    // value is counted before it is built (the whole value, and the previous one it is built from).
                    var length = (int)(prefix + suffix);
                    Budget.Take((long)length * (bytesPerByte + 1) + 2 * MemoryBudget.ObjectBytes, "the column's DELTA_BYTE_ARRAY values");
                    if (scratch.Length < length)
                    {
                        scratch = new byte[Math.Max(length, scratch.Length * 2)];
                    }
                    previous.AsSpan(0, (int)prefix).CopyTo(scratch);
                    src.Slice(p, (int)suffix).CopyTo(scratch.AsSpan((int)prefix));
                    p += (int)suffix;
                    previous = scratch.AsSpan(0, length).ToArray();
                    dst[i] = make(previous);
                }
                Budget.GiveArray(2L * dst.Length, sizeof(long));
                return;
            }
            case Enc.ByteStreamSplit when fixedLength > 0:
            {
                Budget.TakeArray((long)dst.Length * fixedLength, 1, "a page's BYTE_STREAM_SPLIT bytes");
                var bytes = new byte[(long)dst.Length * fixedLength];
                FixedCodec<byte>.ByteStreamSplit(src, bytes, dst.Length, fixedLength);
                for (var i = 0; i < dst.Length; i++)
                {
                    dst[i] = Make(bytes.AsSpan(i * fixedLength, fixedLength));
                }
                Budget.GiveArray(bytes.Length, 1);
                return;
            }
        }
        base.Decode(encoding, src, dst);
    }
}

/// <summary>DELTA_BINARY_PACKED (parquet-format Encodings.md), decoded as 64-bit with wrap-around arithmetic.</summary>
internal static class DeltaBinaryPacked
{
    /// <summary>Decodes exactly <c>dst.Length</c> values; returns the bytes consumed.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static int Decode(ReadOnlySpan<byte> src, Span<long> dst, bool int32)
    {
        var p = 0;
        var blockSize = RleHybrid.ReadVarint(src, ref p);
        var miniblocks = RleHybrid.ReadVarint(src, ref p);
        var total = RleHybrid.ReadVarint(src, ref p);
        var first = ZigZag(RleHybrid.ReadVarint(src, ref p));
        if (blockSize == 0 || blockSize % 128 != 0 || blockSize > 1 << 20 || miniblocks == 0 || blockSize % miniblocks != 0 || (blockSize / miniblocks) % 32 != 0)
        {
            throw new CorruptDataException($"DELTA_BINARY_PACKED header is invalid (block {blockSize}, miniblocks {miniblocks})");
        }
        // Exactly the page's values: a larger count of zero-width blocks would be a loop of billions over a few bytes.
        if (total != (ulong)dst.Length)
        {
            throw new CorruptDataException($"DELTA_BINARY_PACKED holds {total} values, the page needs {dst.Length}");
        }
        if (dst.Length == 0)
        {
            return p;
        }
        var perMini = (int)(blockSize / miniblocks);
        var widths = new byte[(int)miniblocks];
        var value = first;
        dst[0] = value;
        var o = 1;
        // When total exceeds what we need, the remaining blocks are still consumed so the returned length is right.
        var remaining = (long)Math.Min(total, (ulong)int.MaxValue) - 1;
        while (remaining > 0)
        {
            var minDelta = ZigZag(RleHybrid.ReadVarint(src, ref p));
            if (p + widths.Length > src.Length)
            {
                throw new CorruptDataException("DELTA_BINARY_PACKED block header runs past the page");
            }
            src.Slice(p, widths.Length).CopyTo(widths);
            p += widths.Length;
            for (var m = 0; m < widths.Length && remaining > 0; m++)
            {
                var w = widths[m];
                if (w > 64)
                {
                    throw new CorruptDataException($"DELTA_BINARY_PACKED bit width {w}");
                }
                var bytes = perMini * w / 8;
                if (p + bytes > src.Length)
                {
                    throw new CorruptDataException("DELTA_BINARY_PACKED miniblock runs past the page");
                }
                var data = src.Slice(p, bytes);
                p += bytes;
                var n = (int)Math.Min(perMini, remaining);
                ulong acc = 0;
                var bits = 0;
                var q = 0;
                for (var i = 0; i < n; i++)
                {
                    ulong packed = 0;
                    var got = 0;
                    while (got < w)
                    {
                        if (bits == 0)
                        {
                            acc = data[q++];
                            bits = 8;
                        }
                        var take = Math.Min(bits, w - got);
                        packed |= (acc & ((1UL << take) - 1)) << got;
                        acc >>= take;
                        bits -= take;
                        got += take;
                    }
                    value = unchecked(value + minDelta + (long)packed);
                    if (int32)
                    {
                        value = unchecked((int)value);
                    }
                    if (o < dst.Length)
                    {
                        dst[o++] = value;
                    }
                }
                remaining -= n;
            }
        }
        return p;
    }

    private static long ZigZag(ulong n) => (long)(n >> 1) ^ -(long)(n & 1);
}
