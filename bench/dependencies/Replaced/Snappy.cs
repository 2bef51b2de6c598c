using System.Numerics;
using System.Runtime.CompilerServices;

// The Snappy codec SmartRegion.Parquet had until Snappier replaced it (docs/dependencies.md), kept here only so that
// bench/dependencies can measure the decision again. Not used by the product.
namespace SmartRegion.Bench.Dependencies.Replaced;

/// <summary>
/// Snappy raw format (no framing), as Parquet uses it: a varint uncompressed length, then literals and
/// back-references. Written from google/snappy's format_description.txt.
/// </summary>
internal static class Snappy
{
    private const int BlockSize = 1 << 16;
    private const int HashBits = 14;
    private const int InputMargin = 15; // google/snappy's kInputMarginBytes: the match loop never reads past end - 15 + 8

    public static int MaxCompressedLength(int length) => 32 + length + length / 6;

    /// <summary>Compresses <paramref name="input"/> into <paramref name="output"/> (at least <see cref="MaxCompressedLength"/>); returns the bytes written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe int Compress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (output.Length < MaxCompressedLength(input.Length))
        {
            throw new ArgumentException("the output is shorter than MaxCompressedLength", nameof(output));
        }
        var o = WriteVarint(output, (uint)input.Length);
        var table = stackalloc ushort[1 << HashBits];
        fixed (byte* src = input)
        fixed (byte* dst = output)
        {
            var op = dst + o;
            for (var blockStart = 0; blockStart < input.Length; blockStart += BlockSize)
            {
                op = CompressBlock(src + blockStart, Math.Min(BlockSize, input.Length - blockStart), op, table);
            }
            return (int)(op - dst);
        }
    }

    /// <summary>
    /// One block of at most 64 KiB, after google/snappy's CompressFragment: 64-bit loads checked at four positions
    /// each, a skip that grows through data that does not compress, and literals of up to 16 bytes copied as one
    /// 16-byte move (the output bound leaves room for it). Pointers, not spans: every read stays below the block end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe byte* CompressBlock(byte* block, int length, byte* op, ushort* table)
    {
        if (length < InputMargin)
        {
            return EmitLiteral(op, block, length, fast: false);
        }
        new Span<ushort>(table, 1 << HashBits).Clear();
        var end = block + length;
        var limit = end - InputMargin;
        var nextEmit = block;
        var ip = block + 1;
        while (ip < limit)
        {
            byte* candidate;
            uint skip = 32;
            if (limit - ip >= 16)
            {
                var delta = (int)(ip - block);
                for (var j = 0; j < 4; j++)
                {
                    var data = Unsafe.ReadUnaligned<ulong>(ip + 4 * j);
                    for (var k = 0; k < 4; k++)
                    {
                        var current = (uint)data;
                        var h = Hash(current);
                        candidate = block + table[h];
                        table[h] = (ushort)(delta + 4 * j + k);
                        if (Unsafe.ReadUnaligned<uint>(candidate) == current)
                        {
                            ip += 4 * j + k;
                            goto found;
                        }
                        data >>= 8;
                    }
                }
                ip += 16;
                skip += 16;
            }
            while (true)
            {
                var current = Unsafe.ReadUnaligned<uint>(ip);
                var h = Hash(current);
                candidate = block + table[h];
                table[h] = (ushort)(ip - block);
                if (Unsafe.ReadUnaligned<uint>(candidate) == current)
                {
                    break;
                }
                ip += skip++ >> 5;
                if (ip >= limit)
                {
                    goto remainder;
                }
            }
        found:
            op = EmitLiteral(op, nextEmit, (int)(ip - nextEmit), fast: true);
            // Emit copies for as long as the position right after a copy starts another match.
            while (true)
            {
                var matched = 4 + MatchLength(candidate + 4, ip + 4, end);
                op = EmitCopy(op, (int)(ip - candidate), matched);
                ip += matched;
                nextEmit = ip;
                if (ip >= limit)
                {
                    goto remainder;
                }
                var data = Unsafe.ReadUnaligned<ulong>(ip - 1);
                table[Hash((uint)data)] = (ushort)(ip - block - 1);
                var current = (uint)(data >> 8);
                var h = Hash(current);
                candidate = block + table[h];
                table[h] = (ushort)(ip - block);
                if (Unsafe.ReadUnaligned<uint>(candidate) != current)
                {
                    break;
                }
            }
            ip++;
        }
    remainder:
        return nextEmit < end ? EmitLiteral(op, nextEmit, (int)(end - nextEmit), fast: false) : op;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(uint v) => (v * 0x1E35A7BDu) >> (32 - HashBits);

    /// <summary>How many bytes at <paramref name="a"/> equal those at <paramref name="b"/> (b is ahead of a), up to <paramref name="end"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe int MatchLength(byte* a, byte* b, byte* end)
    {
        var start = b;
        while (b + 8 <= end)
        {
            var x = Unsafe.ReadUnaligned<ulong>(a) ^ Unsafe.ReadUnaligned<ulong>(b);
            if (x != 0)
            {
                return (int)(b - start) + (BitOperations.TrailingZeroCount(x) >> 3);
            }
            a += 8;
            b += 8;
        }
        while (b < end && *a == *b)
        {
            a++;
            b++;
        }
        return (int)(b - start);
    }

    /// <summary>
    /// <paramref name="fast"/>: the literal lies at least 15 bytes before the end of the input, so a literal of up to
    /// 16 bytes may be moved as 16 (reading past it stays inside the input; the output bound has the slack).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe byte* EmitLiteral(byte* op, byte* literal, int length, bool fast)
    {
        if (length == 0)
        {
            return op;
        }
        var n = length - 1;
        if (n < 60)
        {
            *op++ = (byte)(n << 2);
            if (fast && length <= 16)
            {
                Unsafe.CopyBlockUnaligned(op, literal, 16);
                return op + length;
            }
        }
        else if (n < 1 << 8)
        {
            *op++ = 60 << 2;
            *op++ = (byte)n;
        }
        else if (n < 1 << 16)
        {
            *op++ = 61 << 2;
            Unsafe.WriteUnaligned(op, (ushort)n);
            op += 2;
        }
        else
        {
            *op++ = 63 << 2;
            Unsafe.WriteUnaligned(op, (uint)n);
            op += 4;
        }
        Unsafe.CopyBlockUnaligned(op, literal, (uint)length);
        return op + length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe byte* EmitCopy(byte* op, int offset, int length)
    {
        // Copies of up to 64 bytes with a 2-byte offset; the tail of 4..11 may use the 1-byte-offset form.
        while (length >= 68)
        {
            op = EmitCopyUpTo64(op, offset, 64);
            length -= 64;
        }
        if (length > 64)
        {
            op = EmitCopyUpTo64(op, offset, 60);
            length -= 60;
        }
        return EmitCopyUpTo64(op, offset, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe byte* EmitCopyUpTo64(byte* op, int offset, int length)
    {
        if (length is >= 4 and < 12 && offset < 2048)
        {
            op[0] = (byte)(1 | ((length - 4) << 2) | ((offset >> 8) << 5));
            op[1] = (byte)offset;
            return op + 2;
        }
        op[0] = (byte)(2 | ((length - 1) << 2));
        Unsafe.WriteUnaligned(op + 1, (ushort)offset);
        return op + 3;
    }

    private static int WriteVarint(Span<byte> dst, uint v)
    {
        var i = 0;
        while (v >= 0x80)
        {
            dst[i++] = (byte)(v | 0x80);
            v >>= 7;
        }
        dst[i++] = (byte)v;
        return i;
    }

    /// <summary>The uncompressed length a Snappy buffer declares.</summary>
    public static int UncompressedLength(ReadOnlySpan<byte> input, out int headerLength)
    {
        uint v = 0;
        for (var i = 0; i < 5 && i < input.Length; i++)
        {
            v |= (uint)(input[i] & 0x7F) << (7 * i);
            if ((input[i] & 0x80) == 0)
            {
                headerLength = i + 1;
                if (v > int.MaxValue)
                {
                    throw new InvalidDataException("Snappy length too large");
                }
                return (int)v;
            }
        }
        throw new InvalidDataException("Snappy length header is malformed");
    }

    /// <summary>Decompresses into <paramref name="output"/>, which must be exactly the declared length; every offset and length is checked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Decompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var expected = UncompressedLength(input, out var i);
        if (expected != output.Length)
        {
            throw new InvalidDataException($"Snappy data declares {expected} bytes but the page header says {output.Length}");
        }
        var n = input.Length;
        var m = output.Length;
        var o = 0;
        // Pointers for the copies, after the same checks as ever: short literals and copies move 16 or 8 bytes at a
        // time, but only where both buffers have that room (the extra bytes are overwritten by what comes next).
        fixed (byte* src = input)
        fixed (byte* dst = output)
        {
            while (i < n)
            {
                var tag = src[i++];
                int length, offset;
                switch (tag & 3)
                {
                    case 0:
                        length = tag >> 2;
                        if (length >= 60)
                        {
                            var extra = length - 59;
                            if (extra > n - i)
                            {
                                throw new InvalidDataException("Snappy literal length runs past the data");
                            }
                            uint l = 0;
                            for (var k = 0; k < extra; k++)
                            {
                                l |= (uint)src[i + k] << (8 * k);
                            }
                            i += extra;
                            if (l >= int.MaxValue)
                            {
                                throw new InvalidDataException("Snappy literal too long");
                            }
                            length = (int)l;
                        }
                        length++;
                        if (length > n - i || length > m - o)
                        {
                            throw new InvalidDataException("Snappy literal runs past the data");
                        }
                        if (length <= 16 && n - i >= 16 && m - o >= 16)
                        {
                            Unsafe.CopyBlockUnaligned(dst + o, src + i, 16);
                        }
                        else
                        {
                            Unsafe.CopyBlockUnaligned(dst + o, src + i, (uint)length);
                        }
                        i += length;
                        o += length;
                        continue;
                    case 1:
                        if (i >= n)
                        {
                            throw new InvalidDataException("Snappy copy runs past the data");
                        }
                        length = 4 + ((tag >> 2) & 7);
                        offset = ((tag >> 5) << 8) | src[i++];
                        break;
                    case 2:
                        if (2 > n - i)
                        {
                            throw new InvalidDataException("Snappy copy runs past the data");
                        }
                        length = (tag >> 2) + 1;
                        offset = Unsafe.ReadUnaligned<ushort>(src + i);
                        i += 2;
                        break;
                    default:
                        if (4 > n - i)
                        {
                            throw new InvalidDataException("Snappy copy runs past the data");
                        }
                        length = (tag >> 2) + 1;
                        var off = Unsafe.ReadUnaligned<uint>(src + i);
                        i += 4;
                        offset = off > int.MaxValue ? int.MaxValue : (int)off;
                        break;
                }
                if (offset == 0 || offset > o || length > m - o)
                {
                    throw new InvalidDataException("Snappy back-reference points outside the data");
                }
                var to = dst + o;
                var from = to - offset;
                if (offset >= 8 && m - o >= length + 7)
                {
                    // 8-byte steps are safe when the source is at least 8 bytes behind: each step reads bytes already written.
                    for (var k = 0; k < length; k += 8)
                    {
                        Unsafe.WriteUnaligned(to + k, Unsafe.ReadUnaligned<ulong>(from + k));
                    }
                }
                else
                {
                    for (var k = 0; k < length; k++)
                    {
                        to[k] = from[k];
                    }
                }
                o += length;
            }
        }
        if (o != m)
        {
            throw new InvalidDataException($"Snappy data holds {o} bytes, {m} declared");
        }
    }
}
