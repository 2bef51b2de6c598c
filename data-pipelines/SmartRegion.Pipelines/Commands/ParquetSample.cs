using System.Buffers.Binary;
using SmartRegion.Parquet;

namespace SmartRegion.Pipelines.Commands;

/// <summary>
/// A deterministic GeoParquet file with every column type and null pattern: a demo for users and the input of the
/// interoperability tests (tests/web/parquet-interop.test.mjs recomputes the same formulas).
/// </summary>
internal static class ParquetSample
{
    public static readonly ParquetSchema Schema = new(
        new ParquetColumn("id", ParquetType.Int64, nullable: false),
        new ParquetColumn("name", ParquetType.String),
        new ParquetColumn("flag", ParquetType.Boolean),
        new ParquetColumn("i8", ParquetType.Int8),
        new ParquetColumn("i16", ParquetType.Int16),
        new ParquetColumn("i32", ParquetType.Int32),
        new ParquetColumn("u8", ParquetType.UInt8),
        new ParquetColumn("u16", ParquetType.UInt16),
        new ParquetColumn("u32", ParquetType.UInt32),
        new ParquetColumn("u64", ParquetType.UInt64),
        new ParquetColumn("f32", ParquetType.Float),
        new ParquetColumn("value", ParquetType.Double),
        ParquetColumn.Decimal("price", 9, 2),
        ParquetColumn.Decimal("amount", 18, 4),
        new ParquetColumn("day", ParquetType.Date),
        new ParquetColumn("observed_at", ParquetType.Timestamp),
        new ParquetColumn("attrs", ParquetType.Json),
        new ParquetColumn("raw", ParquetType.Binary),
        ParquetColumn.FixedBinary("uuid", 16),
        new ParquetColumn("nothing", ParquetType.String),
        new ParquetColumn("geometry", ParquetType.Binary));

    private static readonly string[] Names = ["Saint-Denis", "Montreuil", "Créteil", "Nanterre", "Évry-Courcouronnes", "東京", "Paris 11e"];

    public static async Task WriteAsync(string path, int rows, ParquetWriterOptions options, CancellationToken cancellationToken)
    {
        await using var writer = ParquetWriter.Create(path, Schema, options);
        const int batch = 8192;
        for (var start = 0; start < rows; start += batch)
        {
            var n = Math.Min(batch, rows - start);
            await writer.WriteAsync(Batch(start, n), cancellationToken);
        }
        await writer.CompleteAsync(cancellationToken);
    }

    public static ColumnData[] Batch(int start, int n)
    {
        var cols = Schema.Columns;
        T[] Fill<T>(Func<int, T> f)
        {
            var a = new T[n];
            for (var k = 0; k < n; k++)
            {
                a[k] = f(start + k);
            }
            return a;
        }
        bool[] Nulls(int every, int offset) => Fill(i => i % every == offset);
        return
        [
            new(cols[0], Fill(i => (long)i)),
            new(cols[1], Fill(i => $"{Names[i % Names.Length]} {i % 50}"), Nulls(7, 3)),
            new(cols[2], Fill(i => i % 3 == 0), Nulls(11, 5)),
            new(cols[3], Fill(i => (sbyte)(i % 256 - 128))),
            new(cols[4], Fill(i => (short)(i * 7 % 65536 - 32768))),
            new(cols[5], Fill(i => i * 7919 - 4_000_000), Nulls(13, 0)),
            new(cols[6], Fill(i => (byte)(i % 256))),
            new(cols[7], Fill(i => (ushort)(i * 3 % 65536))),
            new(cols[8], Fill(i => 4_000_000_000u - (uint)i)),
            new(cols[9], Fill(i => 18_000_000_000_000_000_000ul + (ulong)i)),
            new(cols[10], Fill(i => i * 0.25f - 10f)),
            new(cols[11], Fill(i => Math.Round(Math.Sin(i) * 1000, 6)), Nulls(5, 1)),
            new(cols[12], Fill(i => (i % 1000 - 500) * 0.25m)),
            new(cols[13], Fill(i => (i - 100) * 1.0625m)),
            new(cols[14], Fill(i => new DateOnly(2020, 1, 1).AddDays(i % 2000 - 1000))),
            new(cols[15], Fill(i => new DateTime(2024, 6, 21, 0, 0, 0, DateTimeKind.Utc).AddTicks(i * 36_000_000_010L)), Nulls(9, 8)),
            new(cols[16], Fill(i => $"{{\"rank\":{i % 10},\"tag\":\"t{i % 3}\"}}")),
            new(cols[17], Fill(i => new[] { (byte)i, (byte)(i >> 8), (byte)0xFF }.AsSpan(0, 1 + i % 3).ToArray())),
            new(cols[18], Fill(i => Uuid(i))),
            new(cols[19], new string[n], Fill(_ => true)),
            new(cols[20], Fill(Square), Nulls(17, 16)),
        ];
    }

    private static byte[] Uuid(int i)
    {
        var b = new byte[16];
        BinaryPrimitives.WriteInt64BigEndian(b, 0x0123456789ABCDEF);
        BinaryPrimitives.WriteInt64BigEndian(b.AsSpan(8), i);
        return b;
    }

    /// <summary>A 10 m square building footprint in Lambert-93 around Saint-Denis, as little-endian WKB.</summary>
    public static byte[] Square(int i)
    {
        var x = 651_000 + i % 1000 * 20.0;
        var y = 6_865_000 + i / 1000 * 20.0;
        var wkb = new byte[1 + 4 + 4 + 4 + 5 * 16];
        wkb[0] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(wkb.AsSpan(1), 3);
        BinaryPrimitives.WriteUInt32LittleEndian(wkb.AsSpan(5), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(wkb.AsSpan(9), 5);
        double[] ring = [x, y, x + 10, y, x + 10, y + 10, x, y + 10, x, y];
        for (var k = 0; k < ring.Length; k++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(wkb.AsSpan(13 + k * 8), ring[k]);
        }
        return wkb;
    }
}
