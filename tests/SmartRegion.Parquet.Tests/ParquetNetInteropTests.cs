using System.Globalization;
using PN = Parquet;

namespace SmartRegion.Parquet.Tests;

// Parquet.Net is the .NET reader a developer consuming our exports will use: our files must read there with the same
// values and types. (Files Parquet.Net 6.1 writes do not read in ours yet: docs/dependencies.md.)
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
