namespace SmartRegion.Parquet.Tests;

public sealed class RoundTripTests
{
    public static TheoryData<string, ParquetCodec, bool, bool> Cases()
    {
        var data = new TheoryData<string, ParquetCodec, bool, bool>();
        foreach (var pattern in new[] { "none", "all", "alternate", "sparse", "leading" })
        {
            foreach (var codec in new[] { ParquetCodec.Uncompressed, ParquetCodec.Snappy, ParquetCodec.Gzip, ParquetCodec.Zstd })
            {
                foreach (var dictionary in new[] { true, false })
                {
                    foreach (var v2 in new[] { false, true })
                    {
                        data.Add(pattern, codec, dictionary, v2);
                    }
                }
            }
        }
        return data;
    }

    private static Func<int, bool> Pattern(string name) => name switch
    {
        "none" => _ => false,
        "all" => _ => true,
        "alternate" => i => i % 2 == 1,
        "sparse" => i => i % 97 == 3,
        _ => i => i < 40,
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EveryType_NullPatternCodecEncodingAndPageVersion_ReadsBackSameValues(string pattern, ParquetCodec codec, bool repeats, bool v2)
    {
        const int rows = 1000;
        var schema = new ParquetSchema(TestFiles.AllTypes);
        var columns = TestFiles.AllTypes.Select(c => TestFiles.Column(c, rows, Pattern(pattern), repeats)).ToList();
        var file = await TestFiles.WriteAsync(schema, [columns], new ParquetWriterOptions { Codec = codec, RowGroupRows = 300, PageBytes = 512, DataPageV2 = v2 });

        await using var reader = await TestFiles.OpenAsync(file);
        Assert.Equal(rows, reader.RowCount);
        Assert.Equal(4, reader.RowGroups.Count);
        Assert.Equal(TestFiles.AllTypes.Select(c => (c.Name, c.Type)), reader.Schema.Columns.Select(c => (c.Name, c.Type)));
        var read = await TestFiles.ReadAllAsync(reader);
        for (var c = 0; c < columns.Count; c++)
        {
            for (var r = 0; r < rows; r++)
            {
                TestFiles.AssertSameValue(columns[c].GetValue(r), read[c][r], $"{columns[c].Column.Name} row {r}");
            }
        }
    }

    [Fact]
    public async Task RepeatedStrings_DictionaryOn_UsesRleDictionaryAndIsSmallerThanPlain()
    {
        var column = new ParquetColumn("s", ParquetType.String);
        var data = TestFiles.Column(column, 10_000, _ => false, repeats: true);
        var withDictionary = await TestFiles.WriteAsync(new ParquetSchema(column), [[data]]);
        var plain = await TestFiles.WriteAsync(new ParquetSchema(column), [[data]], new ParquetWriterOptions { Dictionary = false });

        await using var reader = await TestFiles.OpenAsync(withDictionary);
        Assert.Contains("RLE_DICTIONARY", reader.RowGroups[0].Columns[0].Encodings);
        Assert.True(withDictionary.Length * 5 < plain.Length, $"dictionary {withDictionary.Length} B, plain {plain.Length} B");
    }

    [Fact]
    public async Task UniqueValues_DictionaryWouldNotPay_FallsBackToPlain()
    {
        var column = new ParquetColumn("id", ParquetType.Int64, nullable: false);
        var data = new ColumnData(column, Enumerable.Range(0, 50_000).Select(i => (long)i * 7).ToArray());
        var file = await TestFiles.WriteAsync(new ParquetSchema(column), [[data]]);

        await using var reader = await TestFiles.OpenAsync(file);
        Assert.DoesNotContain("RLE_DICTIONARY", reader.RowGroups[0].Columns[0].Encodings);
        var values = (await reader.ReadRowGroupAsync(0, null, TestContext.Current.CancellationToken)).Columns[0].As<long>();
        Assert.Equal(data.As<long>(), values);
    }

    [Fact]
    public async Task Statistics_MixedValuesAndNulls_AreMinMaxAndNullCount()
    {
        var schema = new ParquetSchema(new ParquetColumn("x", ParquetType.Double), new ParquetColumn("s", ParquetType.String),
            new ParquetColumn("t", ParquetType.Timestamp), new ParquetColumn("u", ParquetType.UInt32));
        var x = new ColumnData(schema.Columns[0], new[] { 3.5, 0, -2.25, double.NaN, 10 }, [false, true, false, false, false]);
        var s = new ColumnData(schema.Columns[1], new[] { "pomme", null, "Zèbre", "abricot", "\uFFFDz" });
        var t0 = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var t = new ColumnData(schema.Columns[2], new[] { t0, t0.AddDays(3), t0.AddDays(-1), t0, t0 });
        var u = new ColumnData(schema.Columns[3], new[] { 1u, 3_000_000_000u, 7u, 0u, 5u });
        var file = await TestFiles.WriteAsync(schema, [[x, s, t, u]]);

        await using var reader = await TestFiles.OpenAsync(file);
        var stats = reader.RowGroups[0].Columns;
        Assert.Equal((-2.25, 10.0, 1L), ((double)stats[0].Min!, (double)stats[0].Max!, stats[0].NullCount!.Value));
        Assert.Equal(("Zèbre", "\uFFFDz", 1L), ((string)stats[1].Min!, (string)stats[1].Max!, stats[1].NullCount!.Value));
        Assert.Equal((t0.AddDays(-1), t0.AddDays(3)), ((DateTime)stats[2].Min!, (DateTime)stats[2].Max!));
        Assert.Equal((0u, 3_000_000_000u), ((uint)stats[3].Min!, (uint)stats[3].Max!));
    }

    [Fact]
    public async Task EmptyFile_NoRows_OpensWithSchemaAndNoRowGroups()
    {
        var schema = new ParquetSchema(new ParquetColumn("a", ParquetType.Int32), new ParquetColumn("s", ParquetType.String));
        var file = await TestFiles.WriteAsync(schema, []);

        await using var reader = await TestFiles.OpenAsync(file);
        Assert.Equal(0, reader.RowCount);
        Assert.Empty(reader.RowGroups);
        Assert.Equal(["a", "s"], reader.Schema.Columns.Select(c => c.Name));
    }

    [Fact]
    public async Task OneRow_RequiredAndOptional_ReadsBack()
    {
        var schema = new ParquetSchema(new ParquetColumn("id", ParquetType.Int64, nullable: false), new ParquetColumn("s", ParquetType.String));
        var ms = new MemoryStream();
        await using (var writer = new ParquetWriter(ms, schema, leaveOpen: true))
        {
            await writer.WriteRowAsync([42L, "seul"], TestContext.Current.CancellationToken);
            await writer.CompleteAsync(TestContext.Current.CancellationToken);
        }
        await using var reader = await TestFiles.OpenAsync(ms.ToArray());
        var read = await TestFiles.ReadAllAsync(reader);
        Assert.Equal([42L], read[0]);
        Assert.Equal(["seul"], read[1]);
        Assert.False(reader.Schema.Columns[0].Nullable);
    }

    [Fact]
    public async Task LongNonAsciiStrings_TenThousandChars_ReadBackExactly()
    {
        var column = new ParquetColumn("s", ParquetType.String);
        var strings = Enumerable.Range(0, 20).Select(i => string.Concat(Enumerable.Repeat($"é東{i}🚀", 2500))[..10_000]).ToArray();
        strings[3] = null!;
        var file = await TestFiles.WriteAsync(new ParquetSchema(column), [[new ColumnData(column, strings)]], new ParquetWriterOptions { PageBytes = 30_000 });

        await using var reader = await TestFiles.OpenAsync(file);
        var read = (await reader.ReadRowGroupAsync(0, null, TestContext.Current.CancellationToken)).Columns[0];
        Assert.Equal(strings, read.As<string>().Select((s, i) => read.IsNull(i) ? null : s));
        Assert.Null(reader.RowGroups[0].Columns[0].Min); // 10,000-character bounds are left out of the statistics
    }

    [Fact]
    public async Task ManyBatches_RowGroupTarget_SplitsIntoRowGroupsAndKeepsOrder()
    {
        var column = new ParquetColumn("n", ParquetType.Int32, nullable: false);
        var batches = Enumerable.Range(0, 10).Select(b => (IReadOnlyList<ColumnData>)[new ColumnData(column, Enumerable.Range(b * 777, 777).ToArray())]);
        var file = await TestFiles.WriteAsync(new ParquetSchema(column), batches, new ParquetWriterOptions { RowGroupRows = 2000 });

        await using var reader = await TestFiles.OpenAsync(file);
        Assert.Equal([2000L, 2000, 2000, 1770], reader.RowGroups.Select(g => g.RowCount));
        var read = await TestFiles.ReadAllAsync(reader);
        Assert.Equal(Enumerable.Range(0, 7770).Cast<object?>(), read[0]);
    }

    [Fact]
    public async Task Projection_AndStatisticsFilter_ReadOnlyChosenColumnsAndGroups()
    {
        var schema = new ParquetSchema(new ParquetColumn("n", ParquetType.Int32, nullable: false), new ParquetColumn("s", ParquetType.String));
        var n = new ColumnData(schema.Columns[0], Enumerable.Range(0, 1000).ToArray());
        var s = new ColumnData(schema.Columns[1], Enumerable.Range(0, 1000).Select(i => $"v{i}").ToArray());
        var file = await TestFiles.WriteAsync(schema, [[n, s]], new ParquetWriterOptions { RowGroupRows = 100 });

        await using var reader = await TestFiles.OpenAsync(file);
        var groups = new List<RowGroupData>();
        await foreach (var g in reader.ReadAsync(["s"], [new ColumnRange("n", 250, 420)], TestContext.Current.CancellationToken))
        {
            groups.Add(g);
        }
        Assert.Equal([2, 3, 4], groups.Select(g => g.Index));
        Assert.Equal("s", Assert.Single(groups[0].Columns).Column.Name);
        Assert.Equal("v200", groups[0]["s"].As<string>()[0]);
    }
}

public sealed class WriterValidationTests
{
    [Fact]
    public async Task NullInRequiredColumn_Rejected_AndWriterRefusesMore()
    {
        var schema = new ParquetSchema(new ParquetColumn("s", ParquetType.String), new ParquetColumn("id", ParquetType.String, nullable: false));
        await using var writer = new ParquetWriter(new MemoryStream(), schema);
        var batch = new ColumnData[] { new(schema.Columns[0], new[] { "a", "b" }), new(schema.Columns[1], new[] { "x", null }) };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteAsync(batch, TestContext.Current.CancellationToken));
        Assert.Equal("column 'id' is not nullable but row 1 of the batch is null", e.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CompleteAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task DecimalTooWide_Rejected_NamesColumnAndValue()
    {
        var column = ParquetColumn.Decimal("price", 5, 2);
        await using var writer = new ParquetWriter(new MemoryStream(), new ParquetSchema(column));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteAsync([new ColumnData(column, new[] { 1.5m, 1234.5m })], TestContext.Current.CancellationToken));
        Assert.Equal("column 'price', row 1: 1234.5 does not fit DECIMAL(5,2)", e.Message);
    }

    [Fact]
    public void ColumnData_WrongArrayType_SaysWhatIsNeeded()
    {
        var e = Assert.Throws<ArgumentException>(() => new ColumnData(new ParquetColumn("t", ParquetType.Timestamp), new long[3]));
        Assert.StartsWith("column 't' of type Timestamp needs a DateTime[], not Int64[]", e.Message);
    }
}
