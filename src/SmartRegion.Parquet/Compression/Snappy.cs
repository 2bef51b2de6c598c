using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace SmartRegion.Parquet.Compression;

/// <summary>
/// Snappy raw format (no framing), as Parquet uses it: a varint uncompressed length, then literals and
/// back-references. Written from google/snappy's format_description.txt.
/// </summary>
internal static class Snappy
{
    private const int BlockSize = 1 << 16;
    private const int HashBits = 14;

    public static int MaxCompressedLength(int length) => 32 + length + length / 6;

    /// <summary>Compresses <paramref name="input"/> into <paramref name="output"/> (at least <see cref="MaxCompressedLength"/>); returns the bytes written.</summary>
    public static int Compress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var o = WriteVarint(output, (uint)input.Length);
        Span<ushort> table = stackalloc ushort[1 << HashBits];
        for (var blockStart = 0; blockStart < input.Length; blockStart += BlockSize)
        {
            var block = input.Slice(blockStart, Math.Min(BlockSize, input.Length - blockStart));
            o += CompressBlock(block, output[o..], table);
        }
        return o;
    }

    // Pointers rather than spans in the hot loop: every access stays below src.Length - 15 + 8 by construction.
    private static unsafe int CompressBlock(ReadOnlySpan<byte> block, Span<byte> dst, Span<ushort> table)
    {
        if (block.Length < 15)
        {
            return EmitLiteral(block, dst);
        }
        table.Clear();
        var o = 0;
        var literalStart = 0;
        var length = block.Length;
        var limit = length - 15;
        var i = 1;
        fixed (byte* src = block)
        {
            while (i < limit)
            {
                // Skip faster through data that does not compress (google/snappy's heuristic).
                var skip = 32;
                int candidate;
                uint current;
                while (true)
                {
                    current = Unsafe.ReadUnaligned<uint>(src + i);
                    var h = Hash(current);
                    candidate = table[h];
                    table[h] = (ushort)i;
                    if (candidate < i && Unsafe.ReadUnaligned<uint>(src + candidate) == current)
                    {
                        break;
                    }
                    i += skip++ >> 5;
                    if (i >= limit)
                    {
                        goto done;
                    }
                }
                o += EmitLiteral(block[literalStart..i], dst[o..]);
                // Extend the match and emit copies until no match at the next position.
                while (true)
                {
                    var matchLength = 4 + MatchLength(src + candidate + 4, src + i + 4, length - i - 4);
                    o += EmitCopy(i - candidate, matchLength, dst[o..]);
                    i += matchLength;
                    literalStart = i;
                    if (i >= limit)
                    {
                        goto done;
                    }
                    table[Hash(Unsafe.ReadUnaligned<uint>(src + i - 1))] = (ushort)(i - 1);
                    current = Unsafe.ReadUnaligned<uint>(src + i);
                    var h = Hash(current);
                    candidate = table[h];
                    table[h] = (ushort)i;
                    if (Unsafe.ReadUnaligned<uint>(src + candidate) != current)
                    {
                        i++;
                        break;
                    }
                }
            }
        }
    done:
        if (literalStart < length)
        {
            o += EmitLiteral(block[literalStart..], dst[o..]);
        }
        return o;
    }

    private static int Hash(uint v) => (int)((v * 0x1E35A7BDu) >> (32 - HashBits));

    /// <summary>How many bytes at <paramref name="a"/> equal those at <paramref name="b"/> (b is ahead of a; <paramref name="n"/> bytes remain after b).</summary>
    private static unsafe int MatchLength(byte* a, byte* b, int n)
    {
        var i = 0;
        while (i + 8 <= n)
        {
            var x = Unsafe.ReadUnaligned<ulong>(a + i) ^ Unsafe.ReadUnaligned<ulong>(b + i);
            if (x != 0)
            {
                return i + (BitOperations.TrailingZeroCount(x) >> 3);
            }
            i += 8;
        }
        while (i < n && a[i] == b[i])
        {
            i++;
        }
        return i;
    }

    private static int EmitLiteral(ReadOnlySpan<byte> literal, Span<byte> dst)
    {
        if (literal.Length == 0)
        {
            return 0;
        }
        var n = literal.Length - 1;
        int o;
        if (n < 60)
        {
            dst[0] = (byte)(n << 2);
            o = 1;
        }
        else if (n < 1 << 8)
        {
            dst[0] = 60 << 2;
            dst[1] = (byte)n;
            o = 2;
        }
        else if (n < 1 << 16)
        {
            dst[0] = 61 << 2;
            BinaryPrimitives.WriteUInt16LittleEndian(dst[1..], (ushort)n);
            o = 3;
        }
        else
        {
            dst[0] = 63 << 2;
            BinaryPrimitives.WriteUInt32LittleEndian(dst[1..], (uint)n);
            o = 5;
        }
        literal.CopyTo(dst[o..]);
        return o + literal.Length;
    }

    private static int EmitCopy(int offset, int length, Span<byte> dst)
    {
        var o = 0;
        // Copies of up to 64 bytes with a 2-byte offset; the tail of 4..11 may use the 1-byte-offset form.
        while (length >= 68)
        {
            o += EmitCopyUpTo64(offset, 64, dst[o..]);
            length -= 64;
        }
        if (length > 64)
        {
            o += EmitCopyUpTo64(offset, 60, dst[o..]);
            length -= 60;
        }
        return o + EmitCopyUpTo64(offset, length, dst[o..]);
    }

    private static int EmitCopyUpTo64(int offset, int length, Span<byte> dst)
    {
        if (length is >= 4 and < 12 && offset < 2048)
        {
            dst[0] = (byte)(1 | ((length - 4) << 2) | ((offset >> 8) << 5));
            dst[1] = (byte)offset;
            return 2;
        }
        dst[0] = (byte)(2 | ((length - 1) << 2));
        BinaryPrimitives.WriteUInt16LittleEndian(dst[1..], (ushort)offset);
        return 3;
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
                    throw new CorruptDataException("Snappy length too large");
                }
                return (int)v;
            }
        }
        throw new CorruptDataException("Snappy length header is malformed");
    }

    /// <summary>Decompresses into <paramref name="output"/>, which must be exactly the declared length; every offset and length is checked.</summary>
    public static void Decompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var expected = UncompressedLength(input, out var i);
        if (expected != output.Length)
        {
            throw new CorruptDataException($"Snappy data declares {expected} bytes but the page header says {output.Length}");
        }
        var o = 0;
        while (i < input.Length)
        {
            var tag = input[i++];
            int length, offset;
            switch (tag & 3)
            {
                case 0:
                    length = tag >> 2;
                    if (length >= 60)
                    {
                        var extra = length - 59;
                        if (i + extra > input.Length)
                        {
                            throw new CorruptDataException("Snappy literal length runs past the data");
                        }
                        uint l = 0;
                        for (var k = 0; k < extra; k++)
                        {
                            l |= (uint)input[i + k] << (8 * k);
                        }
                        i += extra;
                        if (l >= int.MaxValue)
                        {
                            throw new CorruptDataException("Snappy literal too long");
                        }
                        length = (int)l;
                    }
                    length++;
                    if (length > input.Length - i || length > output.Length - o)
                    {
                        throw new CorruptDataException("Snappy literal runs past the data");
                    }
                    input.Slice(i, length).CopyTo(output[o..]);
                    i += length;
                    o += length;
                    continue;
                case 1:
                    if (i >= input.Length)
                    {
                        throw new CorruptDataException("Snappy copy runs past the data");
                    }
                    length = 4 + ((tag >> 2) & 7);
                    offset = ((tag >> 5) << 8) | input[i++];
                    break;
                case 2:
                    if (i + 2 > input.Length)
                    {
                        throw new CorruptDataException("Snappy copy runs past the data");
                    }
                    length = (tag >> 2) + 1;
                    offset = BinaryPrimitives.ReadUInt16LittleEndian(input[i..]);
                    i += 2;
                    break;
                default:
                    if (i + 4 > input.Length)
                    {
                        throw new CorruptDataException("Snappy copy runs past the data");
                    }
                    length = (tag >> 2) + 1;
                    var off = BinaryPrimitives.ReadUInt32LittleEndian(input[i..]);
                    i += 4;
                    offset = off > int.MaxValue ? int.MaxValue : (int)off;
                    break;
            }
            if (offset == 0 || offset > o || length > output.Length - o)
            {
                throw new CorruptDataException("Snappy back-reference points outside the data");
            }
            var from = o - offset;
            if (offset >= length)
            {
                output.Slice(from, length).CopyTo(output[o..]);
            }
            else
            {
                for (var k = 0; k < length; k++)
                {
                    output[o + k] = output[from + k];
                }
            }
            o += length;
        }
        if (o != output.Length)
        {
            throw new CorruptDataException($"Snappy data holds {o} bytes, {output.Length} declared");
        }
    }
}
