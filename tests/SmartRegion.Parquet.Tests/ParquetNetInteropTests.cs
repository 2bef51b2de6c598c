using System.Globalization;
using PN = Parquet;

namespace SmartRegion.Parquet.Tests;

// Parquet.Net is the .NET reader a developer consuming our exports will use: our files must read there with the same
// values and types; and a partner's file written with Parquet.Net must read in ours (or be refused with a clear
// "not supported" for the nested types we do not read: lists and maps).
public sealed class ParquetNetInteropTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(ParquetCodec.Snappy, false)]
    [InlineData(ParquetCodec.Zstd, true)]
    [InlineData(ParquetCodec.Gzip, false)]
    public async Task OurFile_ReadByParquetNet_SameValuesAndTypes(ParquetCodec codec, bool pageV2)
    {
        const int Rows = 500;
        var schema = new ParquetSchema(TestFiles.AllTypes);
        var columns = TestFiles.AllTypes.Select(c => TestFiles.Column(c, Rows, i => i % 9 == 4)).ToList();
        var file = await TestFiles.WriteAsync(schema, [columns], new ParquetWriterOptions { Codec = codec, DataPageV2 = pageV2, RowGroupRows = 200 });

        var result = await PN.Serialization.ParquetSerializer.DeserializeUntypedAsync(new MemoryStream(file), null, null, Ct);
        var fields = result.Schema.GetDataFields();
        Assert.Equal(TestFiles.AllTypes.Select(c => c.Name), fields.Select(f => f.Name));
        var expectedClr = new Dictionary<string, Type>
        {
            ["b"] = typeof(bool), ["i8"] = typeof(sbyte), ["i16"] = typeof(short), ["i32"] = typeof(int), ["i64"] = typeof(long),
            ["u8"] = typeof(byte), ["u16"] = typeof(ushort), ["u32"] = typeof(uint), ["u64"] = typeof(ulong), ["f"] = typeof(float),
            ["d"] = typeof(double), ["s"] = typeof(string), ["bin"] = typeof(byte[]), ["fix"] = typeof(byte[]),
            ["dec9"] = typeof(decimal), ["dec18"] = typeof(decimal),
        };
        foreach (var f in fields.Where(f => expectedClr.ContainsKey(f.Name)))
        {
            // Parquet.Net 6's untyped API hands strings and binary out as ReadOnlyMemory (PreferUntypedString, PreferUntypedByteArray).
            var clr = f.ClrType == typeof(ReadOnlyMemory<char>) ? typeof(string) : f.ClrType == typeof(ReadOnlyMemory<byte>) ? typeof(byte[]) : f.ClrType;
            Assert.True(expectedClr[f.Name] == clr, $"{f.Name}: Parquet.Net reads {f.ClrType}, expected {expectedClr[f.Name]}");
        }
        Assert.Contains(fields.Single(f => f.Name == "date").ClrType, new[] { typeof(DateTime), typeof(DateOnly) });
        // The JSON logical type is UTF-8 bytes to Parquet.Net (its text is compared below).
        Assert.Contains(fields.Single(f => f.Name == "j").ClrType, new[] { typeof(string), typeof(ReadOnlyMemory<char>), typeof(byte[]), typeof(ReadOnlyMemory<byte>) });
        Assert.Equal(typeof(DateTime), fields.Single(f => f.Name == "ts").ClrType);
        var values = TestFiles.AllTypes.ToDictionary(c => c.Name, c => result.Data.Select(row => row.TryGetValue(c.Name, out var v) ? v : null).ToList());
        foreach (var c in TestFiles.AllTypes)
        {
            Assert.Equal(Rows, values[c.Name].Count);
            for (var i = 0; i < Rows; i++)
            {
                object? expected = c.Nullable && i % 9 == 4 ? null : TestFiles.Value(c, i, repeats: false);
                var actual = values[c.Name][i];
                Assert.True(Same(expected, actual), $"{codec} column {c.Name} row {i}: ours wrote {Show(expected)}, Parquet.Net read {Show(actual)}");
            }
        }
    }

    public sealed class Place
    {
        public double X { get; set; }
        public double? Y { get; set; }
    }

    public sealed class PartnerRow
    {
        public int Id { get; set; }
        public bool Flag { get; set; }
        public sbyte I8 { get; set; }
        public short I16 { get; set; }
        public long I64 { get; set; }
        public byte U8 { get; set; }
        public ushort U16 { get; set; }
        public uint U32 { get; set; }
        public ulong U64 { get; set; }
        public float F { get; set; }
        public double D { get; set; }
        public int? MaybeInt { get; set; }
        public string? Name { get; set; }
        public string Category { get; set; } = "";
        public byte[]? Blob { get; set; }
        public decimal Amount { get; set; }

        [PN.Serialization.Attributes.ParquetDecimal(9, 2)]
        public decimal Price { get; set; }

        [PN.Serialization.Attributes.ParquetDecimal(18, 4)]
        public decimal? Rate { get; set; }

        public DateTime At { get; set; }
        public DateOnly Day { get; set; }
        public Place? Where { get; set; }
    }

    private static PartnerRow Partner(int i) => new()
    {
        Id = i,
        Flag = i % 3 == 0,
        I8 = (sbyte)(i % 256 - 128),
        I16 = (short)(i * 7 - 20_000),
        I64 = i * 1_000_000_007L - 5_000_000_000L,
        U8 = (byte)(i % 256),
        U16 = (ushort)(i * 13 % 65_536),
        U32 = uint.MaxValue - (uint)i,
        U64 = ulong.MaxValue - (ulong)i * 3,
        F = i * 0.5f - 100,
        D = Math.PI * i - 1e6,
        MaybeInt = i % 7 == 3 ? null : i * 2,
        Name = i % 11 == 5 ? null : $"partner row {i} é€",
        Category = $"cat-{i % 5}",
        Blob = i % 13 == 2 ? null : [(byte)i, (byte)(i >> 8), 0xFF],
        Amount = i * 12.345678901234m - 1000,
        Price = Math.Round(i * 1.99m, 2),
        Rate = i % 4 == 1 ? null : Math.Round(i * 0.0125m, 4),
        At = new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i * 17),
        Day = new DateOnly(2000, 1, 1).AddDays(i),
        Where = i % 9 == 8 ? null : new Place { X = 2.35 + i * 1e-4, Y = i % 10 == 0 ? null : 48.85 - i * 1e-4 },
    };

    [Theory]
    [InlineData(PN.CompressionMethod.None)]
    [InlineData(PN.CompressionMethod.Snappy)]
    [InlineData(PN.CompressionMethod.Gzip)]
    [InlineData(PN.CompressionMethod.Zstd)]
    public async Task ParquetNetFile_ReadByOurs_SameValues(PN.CompressionMethod codec)
    {
        // Two row groups, dictionary-encoded and plain columns, nulls, a struct, decimals of three widths.
        const int Rows = 1_500;
        var rows = Enumerable.Range(0, Rows).Select(Partner).ToList();
        using var file = new MemoryStream();
        await PN.Serialization.ParquetSerializer.SerializeAsync(rows, file, new PN.ParquetOptions { CompressionMethod = codec, RowGroupSize = 1_000 }, cancellationToken: Ct);
        await using var reader = await ParquetReader.OpenAsync(new MemoryStream(file.ToArray()), "partner.parquet", Ct);

        Assert.Equal(Rows, reader.RowCount);
        Assert.Equal(2, reader.RowGroups.Count);
        var types = reader.Schema.Columns.ToDictionary(c => c.Name, c => c.Type);
        Assert.Equal(ParquetType.Int8, types["I8"]);
        Assert.Equal(ParquetType.UInt64, types["U64"]);
        Assert.Equal(ParquetType.String, types["Name"]);
        Assert.Equal(ParquetType.Binary, types["Blob"]);
        Assert.Equal(ParquetType.Timestamp, types["At"]);
        Assert.Equal(ParquetType.Date, types["Day"]);
        var price = reader.Schema.Columns.Single(c => c.Name == "Price");
        Assert.Equal((ParquetType.Decimal, 9, 2), (price.Type, price.Precision, price.Scale));
        Assert.Equal("Where", reader.Schema.Columns.Single(c => c.Name == "Where.X").Group);

        var read = new Dictionary<string, List<object?>>();
        await foreach (var group in reader.ReadAsync(cancellationToken: Ct))
        {
            foreach (var column in group.Columns)
            {
                var list = read.TryGetValue(column.Column.Name, out var l) ? l : read[column.Column.Name] = [];
                for (var r = 0; r < group.RowCount; r++)
                {
                    list.Add(column.IsNull(r) ? null : column.Values.GetValue(r));
                }
            }
        }
        for (var i = 0; i < Rows; i++)
        {
            var e = rows[i];
            var expected = new Dictionary<string, object?>
            {
                ["Id"] = e.Id, ["Flag"] = e.Flag, ["I8"] = e.I8, ["I16"] = e.I16, ["I64"] = e.I64, ["U8"] = e.U8, ["U16"] = e.U16,
                ["U32"] = e.U32, ["U64"] = e.U64, ["F"] = e.F, ["D"] = e.D, ["MaybeInt"] = e.MaybeInt, ["Name"] = e.Name,
                ["Category"] = e.Category, ["Blob"] = e.Blob, ["Amount"] = e.Amount, ["Price"] = e.Price, ["Rate"] = e.Rate,
                ["At"] = e.At, ["Day"] = e.Day, ["Where.X"] = e.Where?.X, ["Where.Y"] = e.Where?.Y,
            };
            foreach (var (name, value) in expected)
            {
                Assert.True(read.ContainsKey(name), $"column {name} missing; ours read {string.Join(", ", read.Keys)}");
                var actual = read[name][i];
                Assert.True(Same(value, actual), $"{codec} column {name} row {i}: Parquet.Net wrote {Show(value)}, ours read {Show(actual)}");
            }
        }
    }

    public sealed class ListRow
    {
        public int Id { get; set; }
        public List<int> Scores { get; set; } = [];
    }

    public sealed class MapRow
    {
        public int Id { get; set; }
        public Dictionary<string, int> Tags { get; set; } = [];
    }

    [Fact]
    public async Task ParquetNetFile_WithListOrMap_RefusedAsNotSupported()
    {
        using var lists = new MemoryStream();
        await PN.Serialization.ParquetSerializer.SerializeAsync([new ListRow { Id = 1, Scores = [1, 2] }], lists, cancellationToken: Ct);
        var e = await Assert.ThrowsAsync<ParquetFormatException>(async () =>
            await ParquetReader.OpenAsync(new MemoryStream(lists.ToArray()), "lists.parquet", Ct));
        Assert.StartsWith("lists.parquet: ", e.Message);
        Assert.Contains("'Scores", e.Message);
        Assert.Contains("is repeated (a list or map); only flat columns and structs are supported", e.Message);

        using var maps = new MemoryStream();
        await PN.Serialization.ParquetSerializer.SerializeAsync([new MapRow { Id = 1, Tags = new() { ["a"] = 1 } }], maps, cancellationToken: Ct);
        e = await Assert.ThrowsAsync<ParquetFormatException>(async () =>
            await ParquetReader.OpenAsync(new MemoryStream(maps.ToArray()), "maps.parquet", Ct));
        Assert.Contains("'Tags", e.Message);
        Assert.Contains("not supported", e.Message.Replace("only flat columns and structs are supported", "not supported"));
    }

    [Fact]
    public async Task ParquetNetFile_DecimalBeyondDotNetDecimal_RefusedWithTheValue()
    {
        // DECIMAL(38,0) holding 10^30: valid Parquet, but no .NET decimal holds it.
        var field = new PN.Schema.BigDecimalDataField("big", 38, 0);
        var schema = new PN.Schema.ParquetSchema(field);
        using var file = new MemoryStream();
        await using (var writer = await PN.ParquetWriter.CreateAsync(schema, file, cancellationToken: Ct))
        {
            using var group = writer.CreateRowGroup();
            ReadOnlyMemory<PN.Data.BigDecimal> values = new PN.Data.BigDecimal[] { new(System.Numerics.BigInteger.Pow(10, 30), 38, 0) };
            await group.WriteAsync<PN.Data.BigDecimal>(field, values, null, null, Ct);
        }
        await using var reader = await ParquetReader.OpenAsync(new MemoryStream(file.ToArray()), "big.parquet", Ct);
        var e = await Assert.ThrowsAsync<ParquetFormatException>(async () => await reader.ReadRowGroupAsync(0, null, Ct));
        Assert.Contains("big.parquet: row group 0, column chunk 'big'", e.Message);
        Assert.Contains("does not fit a .NET decimal", e.Message);
    }

    /// <summary>The same value in the two libraries' representations (dates as DateTime or DateOnly, decimals by value).</summary>
    private static bool Same(object? expected, object? actual) => (expected, actual) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (DateOnly d, DateTime t) => DateOnly.FromDateTime(t) == d,
        (DateOnly d, DateOnly o) => d == o,
        (DateTime e, DateTime a) => Utc(e).Ticks == Utc(a).Ticks,
        (DateTimeOffset e, DateTime a) => e.UtcTicks == Utc(a).Ticks,
        (DateTime e, DateTimeOffset a) => Utc(e).Ticks == a.UtcTicks,
        (byte[] e, byte[] a) => e.AsSpan().SequenceEqual(a),
        (decimal e, decimal a) => e == a,
        (string e, ReadOnlyMemory<char> a) => e == a.ToString(),
        (string e, ReadOnlyMemory<byte> a) => e == System.Text.Encoding.UTF8.GetString(a.Span),
        (string e, byte[] a) => e == System.Text.Encoding.UTF8.GetString(a),
        (byte[] e, ReadOnlyMemory<byte> a) => e.AsSpan().SequenceEqual(a.Span),
        _ => Equals(expected, actual),
    };

    private static DateTime Utc(DateTime t) => t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t;

    private static string Show(object? v) => v switch
    {
        null => "null",
        byte[] b => Convert.ToHexString(b),
        DateTime t => $"{t:O} ({t.Kind})",
        IFormattable f => $"{f.ToString(null, CultureInfo.InvariantCulture)} ({v.GetType().Name})",
        _ => $"{v} ({v.GetType().Name})",
    };
}
