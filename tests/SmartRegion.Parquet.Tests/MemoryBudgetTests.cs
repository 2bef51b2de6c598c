using SmartRegion.Parquet.Format;

namespace SmartRegion.Parquet.Tests;

/// <summary>
/// Issue 18, property 9: what a file declares or expands to never makes the reader allocate past its memory budget
/// (<see cref="ParquetReaderOptions.MemoryBudgetBytes"/>). Each hostile file is refused with a message naming the place and
/// the budget, before the allocation that would pass it; the honest version of each reads under the default budget.
/// </summary>
public sealed class MemoryBudgetTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<ParquetFormatException> OverBudgetAsync(byte[] file, long budgetBytes)
    {
        var e = await Assert.ThrowsAsync<ParquetFormatException>(async () =>
        {
            await using var reader = await TestFiles.OpenAsync(file, "bomb.parquet", new ParquetReaderOptions { MemoryBudgetBytes = budgetBytes });
            await TestFiles.ReadAllAsync(reader);
        });
        Assert.True(e.OverBudget, e.Message);
        Assert.StartsWith("bomb.parquet: ", e.Message);
        Assert.Contains("beyond the reader's memory budget", e.Message);
        return e;
    }

    private static async Task<byte[]> OneValueAsync(byte[] value, ParquetCodec codec)
    {
        var column = new ParquetColumn("blob", ParquetType.Binary, nullable: false);
        return await TestFiles.WriteAsync(new ParquetSchema(column), [[new ColumnData(column, new[] { value })]],
            new ParquetWriterOptions { Codec = codec, Dictionary = false });
    }

    [Theory]
    [InlineData(ParquetCodec.Snappy)]
    [InlineData(ParquetCodec.Gzip)]
    [InlineData(ParquetCodec.Zstd)]
    public async Task DecompressionBomb_EachCodec_RefusedAtThePageBeforeDecompressing(ParquetCodec codec)
    {
        // 8 MB of zeros: a page of a few kB (snappy: 380 kB) that expands to 8 MB.
        var file = await OneValueAsync(new byte[8 << 20], codec);
        Assert.True(file.Length < 400_000, $"{file.Length} bytes");
        var e = await OverBudgetAsync(file, 4 << 20);
        Assert.Contains("row group 0, column chunk 'blob' (offset 4), page 0 at offset 4: the page decompressed would take 8.0 MB", e.Message);
        Assert.Contains("memory budget of 4.0 MB", e.Message);

        // The same file is honest: under the default budget it reads.
        await using var reader = await TestFiles.OpenAsync(file);
        Assert.Equal(8 << 20, ((byte[])(await TestFiles.ReadAllAsync(reader))[0][0]!).Length);
    }

    [Fact]
    public async Task PageDeclaringGigabytes_RefusedBeforeAllocating()
    {
        // 64 kB that zstd cannot shrink: 43,700 times that (zstd's most) is beyond 2 GB, so only the budget stops a header
        // that declares 2,000,000,000 bytes from being allocated before decompression finds the lie.
        var value = new byte[64 << 10];
        new Random(18).NextBytes(value);
        var file = TestFiles.Rebuild(await OneValueAsync(value, ParquetCodec.Zstd), page: h => h.UncompressedPageSize = 2_000_000_000);
        var e = await OverBudgetAsync(file, new ParquetReaderOptions().MemoryBudgetBytes);
        Assert.Contains("page 0 at offset 4: the page decompressed would take 1,907 MB", e.Message);
        Assert.Contains("memory budget of 1,024 MB", e.Message);
    }

    [Fact]
    public async Task RowCountRepeatedOverManyColumns_CountedColumnAfterColumn()
    {
        // One column of 2^20 nulls is a few bytes of pages; forty columns pointing at that one chunk declare 40 × 9 MB.
        var column = new ParquetColumn("n0", ParquetType.Int64);
        var rows = 1 << 20;
        var file = await TestFiles.WriteAsync(new ParquetSchema(column), [[new ColumnData(column, new long[rows], Enumerable.Repeat(true, rows).ToArray())]],
            new ParquetWriterOptions { RowGroupRows = rows });
        Assert.True(file.Length < 10_000, $"{file.Length} bytes");
        file = TestFiles.Rebuild(file, footer: m =>
        {
            for (var c = 1; c < 40; c++)
            {
                var leaf = m.Schema[1];
                m.Schema.Add(new SchemaElement { Name = $"n{c}", Type = leaf.Type, RepetitionType = leaf.RepetitionType, ConvertedType = leaf.ConvertedType, Logical = leaf.Logical });
                m.RowGroups[0].Columns.Add(m.RowGroups[0].Columns[0]);
            }
            m.Schema[0].NumChildren = 40;
        });
        var e = await OverBudgetAsync(file, 64 << 20);
        // Each column holds 9 MB of values and null flags (and 4 MB of levels while it decodes): the seventh or so is refused.
        Assert.Matches(@"column chunk 'n[5-7]' \(offset 4\)(, page \d+ at offset \d+)?: (the column's values \(one per row of the row group\)|the column's null flags|a page's definition levels) would take [1-8]\.0 MB with 6\d MB already in use", e.Message);
    }

    [Fact]
    public async Task DeltaByteArrayPrefixes_RepeatingAMegabyteValue_RefusedAtTheBudget()
    {
        // DELTA_BYTE_ARRAY: value 0 is 1 MB of suffix, each of the next 99 repeats it whole as its prefix: a 1 MB page
        // that makes 100 MB of values.
        const int rows = 100, length = 1 << 20;
        var column = new ParquetColumn("b", ParquetType.Binary, nullable: false);
        var file = await TestFiles.WriteAsync(new ParquetSchema(column), [[new ColumnData(column, Enumerable.Range(0, rows).Select(_ => new byte[] { 1 }).ToArray())]],
            new ParquetWriterOptions { Codec = ParquetCodec.Uncompressed, Dictionary = false });
        var prefixes = Enumerable.Range(0, rows).Select(i => i == 0 ? 0L : length).ToArray();
        var suffixes = Enumerable.Range(0, rows).Select(i => i == 0 ? (long)length : 0L).ToArray();
        byte[] body = [.. DeltaBinaryPacked(prefixes), .. DeltaBinaryPacked(suffixes), .. Enumerable.Repeat((byte)'x', length)];
        var bomb = TestFiles.Rebuild(file, page: h => h.Encoding = Enc.DeltaByteArray, body: body);

        var e = await OverBudgetAsync(bomb, 64 << 20);
        Assert.Contains("page 0 at offset 4: the column's DELTA_BYTE_ARRAY values would take 2.0 MB", e.Message);

        // The page itself is well formed: with the budget for it, every value is the megabyte.
        await using var reader = await TestFiles.OpenAsync(bomb, options: new ParquetReaderOptions { MemoryBudgetBytes = 1L << 30 });
        var values = (await TestFiles.ReadAllAsync(reader))[0];
        Assert.All(values, v => Assert.Equal(length, ((byte[])v!).Length));
    }

    [Fact]
    public async Task FooterOfEmptyStructures_RefusedAtTheBudget()
    {
        // 300,000 row groups of nothing: a footer of about 1 MB that decodes to 300,000 objects and their lists.
        var column = new ParquetColumn("n", ParquetType.Int32);
        var file = await TestFiles.WriteAsync(new ParquetSchema(column), [[new ColumnData(column, new[] { 1, 2, 3 }, null)]]);
        file = TestFiles.Rebuild(file, footer: m => m.RowGroups.AddRange(Enumerable.Range(0, 300_000).Select(_ => new RowGroup())));
        var e = await Assert.ThrowsAsync<ParquetFormatException>(async () =>
            await TestFiles.OpenAsync(file, "bomb.parquet", new ParquetReaderOptions { MemoryBudgetBytes = 16 << 20 }));
        Assert.True(e.OverBudget, e.Message);
        Assert.StartsWith("bomb.parquet: footer: the footer's Thrift structures would take 256 bytes", e.Message);
        Assert.Contains("memory budget of 16 MB", e.Message);
    }

    /// <summary>DELTA_BINARY_PACKED as parquet-format's Encodings.md writes it: blocks of 128, four miniblocks of 32.</summary>
    private static byte[] DeltaBinaryPacked(long[] values)
    {
        const int block = 128, miniblocks = 4, perMini = block / miniblocks;
        var output = new List<byte>();
        void Varint(ulong v)
        {
            for (; v >= 0x80; v >>= 7)
            {
                output.Add((byte)(v | 0x80));
            }
            output.Add((byte)v);
        }
        static ulong ZigZag(long v) => (ulong)((v << 1) ^ (v >> 63));
        Varint(block);
        Varint(miniblocks);
        Varint((ulong)values.Length);
        Varint(ZigZag(values[0]));
        for (var start = 1; start < values.Length; start += block)
        {
            var n = Math.Min(block, values.Length - start);
            var deltas = Enumerable.Range(0, n).Select(i => values[start + i] - values[start + i - 1]).ToArray();
            var min = deltas.Min();
            Varint(ZigZag(min));
            var widths = new byte[miniblocks];
            for (var m = 0; m * perMini < n; m++)
            {
                var most = deltas.Skip(m * perMini).Take(perMini).Max(d => (ulong)(d - min));
                widths[m] = (byte)(64 - ulong.LeadingZeroCount(most));
            }
            output.AddRange(widths);
            for (var m = 0; m * perMini < n; m++)
            {
                var packed = new byte[perMini * widths[m] / 8];
                var bit = 0;
                for (var i = 0; i < perMini; i++)
                {
                    var v = m * perMini + i < n ? (ulong)(deltas[m * perMini + i] - min) : 0;
                    for (var b = 0; b < widths[m]; b++, bit++)
                    {
                        if (((v >> b) & 1) != 0)
                        {
                            packed[bit >> 3] |= (byte)(1 << (bit & 7));
                        }
                    }
                }
                output.AddRange(packed);
            }
        }
        return [.. output];
    }
}
