using SmartRegion.Parquet.Compression;
using SmartRegion.Parquet.Encodings;
using SmartRegion.Parquet.Format;

namespace SmartRegion.Parquet.Tests;

// Snappy is Snappier's (docs/dependencies.md: as fast as ours was to compress, 1.5x faster to decompress); these hold
// what PageCodec promises on top of it: round trips at every size, and corrupt input as CorruptDataException.
public sealed class SnappyTests
{
    private static byte[] RoundTrip(byte[] input)
    {
        var compressed = new ByteBuffer();
        PageCodec.Compress(Codec.Snappy, input, compressed);
        var output = new byte[input.Length];
        PageCodec.Decompress(Codec.Snappy, compressed.Array.AsSpan(0, compressed.Length), output);
        return output;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(14)]
    [InlineData(100)]
    [InlineData(70_000)]
    [InlineData(300_000)]
    public void Compress_ThenDecompress_GivesInputBack(int length)
    {
        var random = new Random(length);
        // Half random bytes, half repeated phrases, so literals and both copy forms are exercised.
        var input = new byte[length];
        random.NextBytes(input.AsSpan(0, length / 2));
        for (var i = length / 2; i < length; i++)
        {
            input[i] = (byte)"les toits de Saint-Denis "[i % 25];
        }
        Assert.Equal(input, RoundTrip(input));
        if (length >= 70_000)
        {
            var compressed = new ByteBuffer();
            PageCodec.Compress(Codec.Snappy, input, compressed);
            Assert.True(compressed.Length < length * 0.75, $"{length} bytes compressed to {compressed.Length}");
        }
    }

    [Fact]
    public void Compress_EveryShortLengthAndBlockEdge_RoundTrips()
    {
        int[] edges = [65_535, 65_536, 65_537, 131_072 + 15, 131_072 + 16];
        var random = new Random(93);
        foreach (var length in Enumerable.Range(0, 300).Concat(edges))
        {
            var input = new byte[length];
            for (var i = 0; i < length; i++)
            {
                input[i] = random.Next(3) == 0 ? (byte)random.Next(256) : (byte)"abcabd"[i % 6];
            }
            Assert.Equal(input, RoundTrip(input));
        }
    }

    [Fact]
    public void Decompress_KnownStream_FromFormatDescription()
    {
        // Varint length 9, literal "abc", then a 1-byte-offset copy of 6 bytes at offset 3: "abcabcabc".
        byte[] stream = [9, 2 << 2, (byte)'a', (byte)'b', (byte)'c', 1 | ((6 - 4) << 2), 3];
        var output = new byte[9];
        PageCodec.Decompress(Codec.Snappy, stream, output);
        Assert.Equal("abcabcabc"u8.ToArray(), output);
    }

    [Fact]
    public void Decompress_OffsetBeforeStart_IsCorrupt()
    {
        byte[] stream = [9, 2 << 2, (byte)'a', (byte)'b', (byte)'c', 1 | ((6 - 4) << 2), 7];
        var e = Assert.Throws<CorruptDataException>(() => PageCodec.Decompress(Codec.Snappy, stream, new byte[9]));
        Assert.StartsWith("Snappy data is corrupt", e.Message);
    }

    [Fact]
    public void Decompress_LengthOtherThanThePageHeaders_IsCorrupt()
    {
        byte[] stream = [9, 2 << 2, (byte)'a', (byte)'b', (byte)'c', 1 | ((6 - 4) << 2), 3];
        var e = Assert.Throws<CorruptDataException>(() => PageCodec.Decompress(Codec.Snappy, stream, new byte[12]));
        Assert.Equal("Snappy data declares 9 bytes but the page header says 12", e.Message);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80 })]
    [InlineData(new byte[] { 9, 2 << 2, (byte)'a' })]
    public void Decompress_TruncatedOrMalformed_IsCorrupt(byte[] stream) =>
        Assert.Throws<CorruptDataException>(() => PageCodec.Decompress(Codec.Snappy, stream, new byte[9]));
}

public sealed class SnappyRandomTests
{
    [Fact]
    public void Compress_TwoHundredRandomStructuredBuffers_RoundTrip()
    {
        var random = new Random(2154);
        for (var n = 0; n < 200; n++)
        {
            // Runs of random bytes, copies of earlier pieces at random distances, and long single-byte runs.
            var input = new List<byte>();
            var target = random.Next(0, 200_000);
            while (input.Count < target)
            {
                switch (random.Next(3))
                {
                    case 0:
                        input.AddRange(Enumerable.Range(0, random.Next(1, 300)).Select(_ => (byte)random.Next(256)));
                        break;
                    case 1 when input.Count > 0:
                        var from = random.Next(input.Count);
                        var count = random.Next(1, 2000);
                        for (var k = 0; k < count; k++)
                        {
                            input.Add(input[from + k % (input.Count - from)]);
                        }
                        break;
                    default:
                        input.AddRange(Enumerable.Repeat((byte)random.Next(256), random.Next(1, 5000)));
                        break;
                }
            }
            var bytes = input.ToArray();
            var compressed = new ByteBuffer();
            PageCodec.Compress(Codec.Snappy, bytes, compressed);
            var output = new byte[bytes.Length];
            PageCodec.Decompress(Codec.Snappy, compressed.Array.AsSpan(0, compressed.Length), output);
            Assert.True(bytes.AsSpan().SequenceEqual(output), $"buffer {n} ({bytes.Length} bytes) did not round-trip");
        }
    }
}
