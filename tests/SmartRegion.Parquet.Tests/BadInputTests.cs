using SmartRegion.Parquet.Format;

namespace SmartRegion.Parquet.Tests;

public sealed class BadInputTests
{
    private static async Task<byte[]> ValidFileAsync(bool repeats = false, ParquetCodec codec = ParquetCodec.Uncompressed)
    {
        var column = new ParquetColumn("n", ParquetType.Int32);
        var data = TestFiles.Column(column, 200, i => i % 10 == 4, repeats);
        return await TestFiles.WriteAsync(new ParquetSchema(column), [[data]], new ParquetWriterOptions { Codec = codec });
    }

    private static async Task<ParquetFormatException> ReadFailsAsync(byte[] file, string name = "bad.parquet")
    {
        return await Assert.ThrowsAsync<ParquetFormatException>(async () =>
        {
            await using var reader = await TestFiles.OpenAsync(file, name);
            await TestFiles.ReadAllAsync(reader);
        });
    }

    [Fact]
    public async Task Rebuild_Unchanged_StillReads()
    {
        var file = await ValidFileAsync();
        await using var reader = await TestFiles.OpenAsync(TestFiles.Rebuild(file));
        Assert.Equal(200, (await TestFiles.ReadAllAsync(reader))[0].Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(11)]
    [InlineData(100)]
    [InlineData(-1)]
    [InlineData(-9)]
    public async Task TruncatedFile_AnyLength_NamesFileAndSaysWhy(int cut)
    {
        var file = await ValidFileAsync();
        var length = cut >= 0 ? cut : file.Length + cut;
        var e = await ReadFailsAsync(file[..length], "cut.parquet");
        Assert.StartsWith("cut.parquet: ", e.Message);
        Assert.Matches("too short|magic number|footer", e.Message);
    }

    [Fact]
    public async Task WrongMagic_CsvRenamed_SaysNotParquet()
    {
        var e = await ReadFailsAsync("id,name\n1,a\n2,b\n3,c\n"u8.ToArray(), "data.parquet");
        Assert.Equal("data.parquet: not a Parquet file: the magic number PAR1 is missing at the start or end (truncated or another format?)", e.Message);
    }

    [Fact]
    public async Task FooterLength_BeyondFile_SaysTruncatedOrCorrupt()
    {
        var file = await ValidFileAsync();
        BitConverter.GetBytes(file.Length * 2).CopyTo(file, file.Length - 8);
        var e = await ReadFailsAsync(file);
        Assert.Contains($"footer length {file.Length * 2} is beyond the file ({file.Length} bytes)", e.Message);
    }

    [Fact]
    public async Task CorruptThrift_GarbageFooter_IsOneFooterError()
    {
        var file = await ValidFileAsync();
        var length = BitConverter.ToInt32(file, file.Length - 8);
        new Random(7).NextBytes(file.AsSpan(file.Length - 8 - length, length));
        var e = await ReadFailsAsync(file);
        Assert.StartsWith("bad.parquet: footer: ", e.Message);
        Assert.IsType<CorruptDataException>(e.InnerException, exactMatch: false);
    }

    [Fact]
    public async Task PageCompressedSize_Lies_NamesColumnChunkAndPage()
    {
        var file = TestFiles.Rebuild(await ValidFileAsync(), page: h => h.CompressedPageSize += 5000);
        var e = await ReadFailsAsync(file);
        Assert.Contains("row group 0, column chunk 'n'", e.Message);
        Assert.Contains("compressed bytes but the column chunk has", e.Message);
    }

    [Fact]
    public async Task PageUncompressedSize_Lies_NoHugeAllocation()
    {
        var file = TestFiles.Rebuild(await ValidFileAsync(codec: ParquetCodec.Snappy), page: h => h.UncompressedPageSize = int.MaxValue);
        var e = await ReadFailsAsync(file);
        Assert.Contains("page 0", e.Message);
        Assert.Contains("impossible with SNAPPY", e.Message);
    }

    [Fact]
    public async Task DictionaryIndex_OutOfRange_SaysWhichIndex()
    {
        // Shrink the dictionary page to one entry: the data page still refers to seven.
        var file = TestFiles.Rebuild(await ValidFileAsync(repeats: true), page: h =>
        {
            Assert.Equal(PageType.DictionaryPage, h.Type);
            h.NumValues = 1;
        });
        var e = await ReadFailsAsync(file);
        Assert.Contains("column chunk 'n'", e.Message);
        Assert.Matches(@"page 1 at offset \d+: dictionary index \d is out of range \(the dictionary has 1 entries\)", e.Message);
    }

    [Fact]
    public async Task RowCount_Lies_RefusedBeforeAllocating()
    {
        var file = TestFiles.Rebuild(await ValidFileAsync(), footer: m => m.RowGroups[0].NumRows = 1_000_000_000);
        var e = await ReadFailsAsync(file);
        Assert.Contains("row group 0 declares 1000000000 rows (limit 16777216)", e.Message);
        var e2 = await ReadFailsAsync(TestFiles.Rebuild(await ValidFileAsync(), footer: m => m.RowGroups[0].NumRows = 5000));
        Assert.Contains("the column chunk's pages hold 200 values but the row group has 5000 rows", e2.Message);
    }

    [Fact]
    public async Task ChunkOffset_OutsideData_IsFooterError()
    {
        var file = TestFiles.Rebuild(await ValidFileAsync(), footer: m => m.RowGroups[0].Columns[0].MetaData!.DataPageOffset = 1L << 40);
        var e = await ReadFailsAsync(file);
        Assert.Contains("column chunk 'n' spans bytes", e.Message);
    }

    [Fact]
    public async Task RepeatedField_List_SaysNotSupported()
    {
        var file = TestFiles.Rebuild(await ValidFileAsync(), footer: m => m.Schema[1].RepetitionType = Repetition.Repeated);
        var e = await ReadFailsAsync(file);
        Assert.Equal("bad.parquet: footer: column 'n' is repeated (a list or map); only flat columns and structs are supported", e.Message);
    }

    [Fact]
    public async Task DeeplyNestedSchema_TwentyLevels_SaysTooDeep()
    {
        var file = TestFiles.Rebuild(await ValidFileAsync(), footer: m =>
        {
            var leaf = m.Schema[1];
            m.Schema.RemoveAt(1);
            for (var i = 0; i < 20; i++)
            {
                m.Schema.Add(new SchemaElement { Name = $"g{i}", NumChildren = 1, RepetitionType = Repetition.Required });
            }
            m.Schema.Add(leaf);
        });
        var e = await ReadFailsAsync(file);
        Assert.Contains("nested more than 16 levels deep", e.Message);
    }

    [Fact]
    public async Task QuickFuzz_ThreeThousandByteFlips_EveryCaseReadsOrFailsCleanly()
    {
        var sample = new ParquetSchema(TestFiles.AllTypes);
        List<byte[]> files =
        [
            await ValidFileAsync(repeats: true, codec: ParquetCodec.Snappy),
            await TestFiles.WriteAsync(sample, [TestFiles.AllTypes.Select(c => TestFiles.Column(c, 50, i => i % 3 == 1, repeats: true)).ToList()],
                new ParquetWriterOptions { Codec = ParquetCodec.Snappy, RowGroupRows = 20 }),
            await TestFiles.WriteAsync(sample, [TestFiles.AllTypes.Select(c => TestFiles.Column(c, 40, i => i % 5 == 0)).ToList()],
                new ParquetWriterOptions { Codec = ParquetCodec.Gzip, Dictionary = false }),
            await TestFiles.WriteAsync(sample, [TestFiles.AllTypes.Select(c => TestFiles.Column(c, 40, i => i % 4 == 0, repeats: true)).ToList()],
                new ParquetWriterOptions { Codec = ParquetCodec.Zstd, DataPageV2 = true }),
        ];
        var report = await ByteFlipFuzzer.RunAsync(files, 3000, seed: 20261122, TestContext.Current.CancellationToken);
        Assert.True(report.Failures.Count == 0, string.Join("\n\n", report.Failures.Take(3)));
        Assert.True(report.Rejected > 1000, $"only {report.Rejected} of {report.Cases} cases were rejected");
        // CPU time of the case's thread (see FuzzReport): a machine busy with other work does not count against the reader.
        Assert.True(report.SlowestCase < TimeSpan.FromSeconds(2), $"slowest case took {report.SlowestCase} of CPU");
    }
}
