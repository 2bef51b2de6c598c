using System.IO.Compression;
using SmartRegion.Parquet.Encodings;
using SmartRegion.Parquet.Format;

namespace SmartRegion.Parquet.Compression;

/// <summary>Compresses and decompresses page bodies for the codecs this library supports.</summary>
internal static class PageCodec
{
    public static void Compress(Codec codec, ReadOnlySpan<byte> input, ByteBuffer output)
    {
        output.Clear();
        switch (codec)
        {
            case Codec.Uncompressed:
                output.Write(input);
                break;
            case Codec.Snappy:
            {
                var bound = Snappier.Snappy.GetMaxCompressedLength(input.Length);
                output.Ensure(bound);
                output.Length = Snappier.Snappy.Compress(input, output.Array.AsSpan(0, bound));
                break;
            }
            case Codec.Gzip:
            {
                using var ms = new MemoryStream();
                using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true))
                {
                    gz.Write(input);
                }
                output.Write(ms.GetBuffer().AsSpan(0, (int)ms.Length));
                break;
            }
            case Codec.Zstd:
            {
                var bound = ZstdSharp.Compressor.GetCompressBound(input.Length);
                output.Ensure(bound);
                using var zstd = new ZstdSharp.Compressor(ZstdLevel);
                output.Length = zstd.Wrap(input, output.Array.AsSpan(0, bound));
                break;
            }
            default:
                throw new NotSupportedException($"codec {codec} is not supported for writing");
        }
    }

    /// <summary>
    /// The most bytes a page of <paramref name="compressedLength"/> can honestly expand to with this codec; a header
    /// claiming more is corrupt, and this keeps a lying header from causing a huge allocation.
    /// </summary>
    public static long MaxExpansion(Codec codec, int compressedLength) => codec switch
    {
        Codec.Uncompressed => compressedLength,
        Codec.Snappy => 22L * compressedLength + 64,
        Codec.Zstd => 43_700L * compressedLength + 1024, // a 3-byte RLE block stands for up to 128 KB
        _ => 1100L * compressedLength + 1024,
    };

    public static void Decompress(Codec codec, ReadOnlySpan<byte> input, Span<byte> output)
    {
        switch (codec)
        {
            case Codec.Uncompressed:
                if (input.Length != output.Length)
                {
                    throw new CorruptDataException($"uncompressed page holds {input.Length} bytes but its header says {output.Length}");
                }
                input.CopyTo(output);
                break;
            case Codec.Snappy:
                Unsnappy(input, output);
                break;
            case Codec.Gzip:
                Inflate(input, output);
                break;
            case Codec.Zstd:
                Unzstd(input, output);
                break;
            default:
                throw new UnsupportedException($"codec {CodecName(codec)} is not supported (supported: UNCOMPRESSED, SNAPPY, GZIP, ZSTD)");
        }
    }

    public static string CodecName(Codec codec) => codec switch
    {
        Codec.Uncompressed => "UNCOMPRESSED", Codec.Snappy => "SNAPPY", Codec.Gzip => "GZIP", Codec.Lzo => "LZO",
        Codec.Brotli => "BROTLI", Codec.Lz4 => "LZ4", Codec.Zstd => "ZSTD", Codec.Lz4Raw => "LZ4_RAW",
        _ => $"CODEC_{(int)codec}",
    };

    /// <summary>Zstandard level for pages: 3, zstd's own default and the one DuckDB, Polars and Arrow use.</summary>
    private const int ZstdLevel = 3;

    // Snappier checks every length and offset and throws InvalidDataException on a bad block; the declared length is
    // compared with the page header's first, so a lying header is named as such.
    private static void Unsnappy(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int declared;
        try
        {
            declared = Snappier.Snappy.GetUncompressedLength(input);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            throw new CorruptDataException($"Snappy length header is malformed ({e.Message})");
        }
        if (declared != output.Length)
        {
            throw new CorruptDataException($"Snappy data declares {declared} bytes but the page header says {output.Length}");
        }
        int written;
        try
        {
            written = Snappier.Snappy.Decompress(input, output);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IndexOutOfRangeException)
        {
            throw new CorruptDataException($"Snappy data is corrupt ({e.Message})");
        }
        if (written != output.Length)
        {
            throw new CorruptDataException($"Snappy data holds {written} bytes, {output.Length} declared");
        }
    }

    private static void Unzstd(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int written;
        try
        {
            using var zstd = new ZstdSharp.Decompressor();
            written = zstd.Unwrap(input, output);
        }
        catch (ZstdSharp.ZstdException e)
        {
            throw new CorruptDataException($"ZSTD data is corrupt or larger than the {output.Length} bytes declared ({e.Message})");
        }
        if (written != output.Length)
        {
            throw new CorruptDataException($"ZSTD data holds {written} bytes, {output.Length} declared");
        }
    }

    private static unsafe void Inflate(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.IsEmpty)
        {
            throw new CorruptDataException(output.IsEmpty ? "GZIP page is empty (not even a header)" : $"GZIP data is empty, {output.Length} bytes declared");
        }
        fixed (byte* p = input)
        {
            using var ms = new UnmanagedMemoryStream(p, input.Length);
            using var gz = new GZipStream(ms, CompressionMode.Decompress);
            var total = 0;
            try
            {
                while (total < output.Length)
                {
                    var n = gz.Read(output[total..]);
                    if (n == 0)
                    {
                        break;
                    }
                    total += n;
                }
            }
            catch (InvalidDataException e)
            {
                throw new CorruptDataException($"GZIP data is corrupt ({e.Message})");
            }
            if (total != output.Length)
            {
                throw new CorruptDataException($"GZIP data holds {total} bytes, {output.Length} declared");
            }
        }
    }
}
