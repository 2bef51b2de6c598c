using SmartRegion.Parquet.Format;
using SmartRegion.Parquet.Thrift;

namespace SmartRegion.Parquet.Tests;

/// <summary>Builds columns of every type with chosen null patterns, writes them and reads them back.</summary>
internal static class TestFiles
{
    public static readonly ParquetColumn[] AllTypes =
    [
        new("b", ParquetType.Boolean), new("i8", ParquetType.Int8), new("i16", ParquetType.Int16), new("i32", ParquetType.Int32),
        new("i64", ParquetType.Int64), new("u8", ParquetType.UInt8), new("u16", ParquetType.UInt16), new("u32", ParquetType.UInt32),
        new("u64", ParquetType.UInt64), new("f", ParquetType.Float), new("d", ParquetType.Double), new("s", ParquetType.String),
        new("j", ParquetType.Json), new("bin", ParquetType.Binary), ParquetColumn.FixedBinary("fix", 3), new("date", ParquetType.Date),
        new("ts", ParquetType.Timestamp), ParquetColumn.Decimal("dec9", 9, 2), ParquetColumn.Decimal("dec18", 18, 4),
    ];

    /// <summary>Value for row <paramref name="i"/>; <paramref name="repeats"/> makes values repeat (dictionary-friendly).</summary>
    public static object Value(ParquetColumn c, int i, bool repeats)
    {
        var k = repeats ? i % 7 : i;
        return c.Type switch
        {
            ParquetType.Boolean => k % 3 == 0,
            ParquetType.Int8 => (sbyte)(k % 256 - 128),
            ParquetType.Int16 => (short)(k * 31 % 65536 - 32768),
            ParquetType.Int32 => k * 7919 - 1_000_000,
            ParquetType.Int64 => (long)k * 1_000_000_007L - 5_000_000_000L,
            ParquetType.UInt8 => (byte)(k % 256),
            ParquetType.UInt16 => (ushort)(k * 13 % 65536),
            ParquetType.UInt32 => uint.MaxValue - (uint)k,
            ParquetType.UInt64 => ulong.MaxValue - (ulong)k,
            ParquetType.Float => k * 0.5f - 3f,
            ParquetType.Double => k * 1.25 - 100.0,
            ParquetType.String => k % 5 == 0 ? "" : $"héllo wörld 東京 {k} 🚀",
            ParquetType.Json => $"{{\"k\":{k}}}",
            ParquetType.Binary => new byte[] { (byte)k, (byte)(k >> 8), 0, 255 }.AsSpan(0, 1 + k % 4).ToArray(),
            ParquetType.FixedBinary => new byte[] { (byte)k, (byte)(k >> 8), (byte)(k >> 16) },
            ParquetType.Date => new DateOnly(1969, 12, 1).AddDays(k),
            ParquetType.Timestamp => new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(k * 36_000_000_010L),
            ParquetType.Decimal => c.Precision <= 9 ? (k - 500) * 1.25m : (k - 500) * 12345.6789m,
            _ => throw new ArgumentOutOfRangeException(nameof(c)),
        };
    }

    public static ColumnData Column(ParquetColumn c, int rows, Func<int, bool> isNull, bool repeats = false)
    {
        var values = Array.CreateInstance(c.ClrType, rows);
        var nulls = new bool[rows];
        for (var i = 0; i < rows; i++)
        {
            if (c.Nullable && isNull(i))
            {
                nulls[i] = true;
                continue;
            }
            values.SetValue(Value(c, i, repeats), i);
        }
        return new ColumnData(c, values, nulls);
    }

    public static async Task<byte[]> WriteAsync(ParquetSchema schema, IEnumerable<IReadOnlyList<ColumnData>> batches, ParquetWriterOptions? options = null)
    {
        var ms = new MemoryStream();
        await using var writer = new ParquetWriter(ms, schema, options, leaveOpen: true);
        foreach (var b in batches)
        {
            await writer.WriteAsync(b, TestContext.Current.CancellationToken);
        }
        await writer.CompleteAsync(TestContext.Current.CancellationToken);
        return ms.ToArray();
    }

    public static FileMetaData Footer(byte[] file)
    {
        var length = BitConverter.ToInt32(file, file.Length - 8);
        return FileMetaData.Read(new CompactReader(file, file.Length - 8 - length, length));
    }

    /// <summary>
    /// Rebuilds a one-column, one-row-group file with its first page header changed (and its body replaced by
    /// <paramref name="body"/>, stored uncompressed, when given) and its footer changed.
    /// </summary>
    public static byte[] Rebuild(byte[] file, Action<PageHeader>? page = null, Action<FileMetaData>? footer = null, byte[]? body = null)
    {
        var meta = Footer(file);
        var chunk = meta.RowGroups[0].Columns[0].MetaData!;
        var reader = new CompactReader(file, 4, file.Length - 4);
        var header = PageHeader.Read(reader);
        var oldHeaderLength = reader.Position - 4;
        var oldBodyLength = header.CompressedPageSize;
        var oldRest = file.AsSpan(reader.Position, (int)chunk.TotalCompressedSize - oldHeaderLength);
        page?.Invoke(header);
        byte[] rest = body is null ? oldRest.ToArray() : [.. body, .. oldRest[oldBodyLength..]];
        if (body is not null)
        {
            header.CompressedPageSize = header.UncompressedPageSize = body.Length;
        }
        var w = new CompactWriter();
        header.Write(w);
        var headerDelta = w.Length - oldHeaderLength;
        chunk.TotalCompressedSize += headerDelta + rest.Length - oldRest.Length;
        if (chunk.DictionaryPageOffset is not null)
        {
            chunk.DataPageOffset += headerDelta + rest.Length - oldRest.Length;
        }
        footer?.Invoke(meta);
        var f = new CompactWriter();
        meta.Write(f);
        return [.. "PAR1"u8, .. w.Written, .. rest, .. f.Written, .. BitConverter.GetBytes(f.Length), .. "PAR1"u8];
    }

    public static async Task<ParquetReader> OpenAsync(byte[] file, string name = "test.parquet", ParquetReaderOptions? options = null) =>
        await ParquetReader.OpenAsync(new MemoryStream(file), name, TestContext.Current.CancellationToken, options);

    /// <summary>Every row group's columns concatenated, boxed per row: [column][row].</summary>
    public static async Task<List<object?>[]> ReadAllAsync(ParquetReader reader, IReadOnlyList<string>? columns = null)
    {
        var count = columns?.Count ?? reader.Schema.Columns.Count;
        var result = Enumerable.Range(0, count).Select(_ => new List<object?>()).ToArray();
        await foreach (var group in reader.ReadAsync(columns, null, TestContext.Current.CancellationToken))
        {
            for (var c = 0; c < count; c++)
            {
                for (var r = 0; r < group.RowCount; r++)
                {
                    result[c].Add(group.Columns[c].GetValue(r));
                }
            }
        }
        return result;
    }

    public static void AssertSameValue(object? expected, object? actual, string where)
    {
        if (expected is byte[] eb)
        {
            Assert.True(actual is byte[] ab && eb.AsSpan().SequenceEqual(ab), $"{where}: bytes differ");
            return;
        }
        Assert.True(Equals(expected, actual), $"{where}: expected {expected ?? "null"}, got {actual ?? "null"}");
    }
}
