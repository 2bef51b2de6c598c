using SmartRegion.Parquet.Compression;

namespace SmartRegion.Parquet.Tests;

public sealed class SnappyTests
{
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
        var compressed = new byte[Snappy.MaxCompressedLength(length)];
        var n = Snappy.Compress(input, compressed);
        var output = new byte[length];
        Snappy.Decompress(compressed.AsSpan(0, n), output);
        Assert.Equal(input, output);
        if (length >= 70_000) // tiny inputs may find no match once the skip heuristic strides past them
        {
            Assert.True(n < length * 0.75, $"{length} bytes compressed to {n}");
        }
    }

    [Fact]
    public void Compress_EveryShortLengthAndBlockEdge_RoundTripsWithinTheBound()
    {
        // The compressor moves short literals 16 bytes at a time; a canary after the bound catches a write past it.
        int[] edges = [65_535, 65_536, 65_537, 131_072 + 15, 131_072 + 16];
        var random = new Random(93);
        foreach (var length in Enumerable.Range(0, 300).Concat(edges))
        {
            var input = new byte[length];
            for (var i = 0; i < length; i++)
            {
                input[i] = random.Next(3) == 0 ? (byte)random.Next(256) : (byte)"abcabd"[i % 6];
            }
            var bound = Snappy.MaxCompressedLength(length);
            var compressed = new byte[bound + 64];
            compressed.AsSpan(bound).Fill(0xA5);
            var n = Snappy.Compress(input, compressed.AsSpan(0, bound));
            Assert.All(compressed.AsSpan(bound).ToArray(), b => Assert.Equal(0xA5, b));
            var output = new byte[length];
            Snappy.Decompress(compressed.AsSpan(0, n), output);
            Assert.Equal(input, output);
        }
    }

    [Fact]
    public void Decompress_KnownStream_FromFormatDescription()
    {
        // Varint length 9, literal "abc", then a 1-byte-offset copy of 6 bytes at offset 3: "abcabcabc".
        byte[] stream = [9, 2 << 2, (byte)'a', (byte)'b', (byte)'c', 1 | ((6 - 4) << 2), 3];
        var output = new byte[9];
        Snappy.Decompress(stream, output);
        Assert.Equal("abcabcabc"u8.ToArray(), output);
    }

    [Fact]
    public void Decompress_OffsetBeforeStart_IsCorrupt()
    {
        byte[] stream = [9, 2 << 2, (byte)'a', (byte)'b', (byte)'c', 1 | ((6 - 4) << 2), 7];
        Assert.Throws<CorruptDataException>(() => Snappy.Decompress(stream, new byte[9]));
    }
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
            var compressed = new byte[Snappy.MaxCompressedLength(bytes.Length)];
            var length = Snappy.Compress(bytes, compressed);
            var output = new byte[bytes.Length];
            Snappy.Decompress(compressed.AsSpan(0, length), output);
            Assert.True(bytes.AsSpan().SequenceEqual(output), $"buffer {n} ({bytes.Length} bytes) did not round-trip");
        }
    }
}
