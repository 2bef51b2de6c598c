using System.Buffers.Binary;
using System.Text.Json;

namespace SmartRegion.Parquet.Tests;

public sealed class GeoParquetTests
{
    private static byte[] Point(double x, double y, double? z = null)
    {
        var wkb = new byte[z is null ? 21 : 29];
        wkb[0] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(wkb.AsSpan(1), z is null ? 1u : 1001u);
        BinaryPrimitives.WriteDoubleLittleEndian(wkb.AsSpan(5), x);
        BinaryPrimitives.WriteDoubleLittleEndian(wkb.AsSpan(13), y);
        if (z is { } zz)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(wkb.AsSpan(21), zz);
        }
        return wkb;
    }

    private static byte[] BigEndianLine(params double[] xy)
    {
        var wkb = new byte[9 + xy.Length * 8];
        wkb[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(wkb.AsSpan(1), 2);
        BinaryPrimitives.WriteUInt32BigEndian(wkb.AsSpan(5), (uint)(xy.Length / 2));
        for (var i = 0; i < xy.Length; i++)
        {
            BinaryPrimitives.WriteDoubleBigEndian(wkb.AsSpan(9 + i * 8), xy[i]);
        }
        return wkb;
    }

    private static async Task<(ParquetReader Reader, JsonElement Geo)> WriteAsync(byte[]?[] geometries, GeoParquetOptions geo)
    {
        var schema = new ParquetSchema(new ParquetColumn("id", ParquetType.Int32, nullable: false), new ParquetColumn("geom", ParquetType.Binary));
        var batch = new ColumnData[]
        {
            new(schema.Columns[0], Enumerable.Range(0, geometries.Length).ToArray()),
            new(schema.Columns[1], geometries),
        };
        var file = await TestFiles.WriteAsync(schema, [batch], new ParquetWriterOptions { Geo = geo, RowGroupRows = 2 });
        var reader = await TestFiles.OpenAsync(file);
        return (reader, JsonDocument.Parse(reader.Metadata["geo"]!).RootElement);
    }

    [Fact]
    public async Task Lambert93_WithCovering_DeclaresEpsg2154BboxTypesAndCoveringColumn()
    {
        var (reader, geo) = await WriteAsync(
            [Point(652_000, 6_862_000), null, BigEndianLine(651_500, 6_861_000, 653_250.5, 6_863_000), Point(652_100, 6_862_100, 35)],
            new GeoParquetOptions { GeometryColumn = "geom", Crs = GeoCrs.Lambert93, BboxCovering = true });
        await using var owned = reader;

        Assert.Equal("1.1.0", geo.GetProperty("version").GetString());
        Assert.Equal("geom", geo.GetProperty("primary_column").GetString());
        var column = geo.GetProperty("columns").GetProperty("geom");
        Assert.Equal("WKB", column.GetProperty("encoding").GetString());
        Assert.Equal(["LineString", "Point", "Point Z"], column.GetProperty("geometry_types").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([651_500, 6_861_000, 653_250.5, 6_863_000], column.GetProperty("bbox").EnumerateArray().Select(e => e.GetDouble()));
        var crs = column.GetProperty("crs");
        Assert.Equal("ProjectedCRS", crs.GetProperty("type").GetString());
        Assert.Equal(2154, crs.GetProperty("id").GetProperty("code").GetInt32());
        Assert.Equal(4171, crs.GetProperty("base_crs").GetProperty("id").GetProperty("code").GetInt32());
        var parameters = crs.GetProperty("conversion").GetProperty("parameters").EnumerateArray()
            .ToDictionary(p => p.GetProperty("id").GetProperty("code").GetInt32(), p => p.GetProperty("value").GetDouble());
        Assert.Equal(new Dictionary<int, double> { [8821] = 46.5, [8822] = 3, [8823] = 49, [8824] = 44, [8826] = 700_000, [8827] = 6_600_000 }, parameters);
        Assert.Equal("bbox", column.GetProperty("covering").GetProperty("bbox").GetProperty("xmin")[0].GetString());

        Assert.Equal(["id", "geom", "bbox.xmin", "bbox.ymin", "bbox.xmax", "bbox.ymax"], reader.Schema.Columns.Select(c => c.Name));
        Assert.Equal("bbox", reader.Schema.Columns[2].Group);
        var read = await TestFiles.ReadAllAsync(reader);
        Assert.Equal([652_000.0, null, 651_500.0, 652_100.0], read[2]);
        Assert.Equal([6_862_000.0, null, 6_863_000.0, 6_862_100.0], read[5]);
        Assert.Null(reader.RowGroups[0].Columns[1].Min); // no min/max for WKB
        Assert.Equal(1L, reader.RowGroups[0].Columns[1].NullCount);
    }

    [Fact]
    public async Task Crs84_Default_OmitsCrs()
    {
        var (reader, geo) = await WriteAsync([Point(2.35, 48.85)], new GeoParquetOptions { GeometryColumn = "geom" });
        await using var owned = reader;
        var column = geo.GetProperty("columns").GetProperty("geom");
        Assert.False(column.TryGetProperty("crs", out _));
        Assert.False(column.TryGetProperty("covering", out _));
        Assert.Equal([2.35, 48.85, 2.35, 48.85], column.GetProperty("bbox").EnumerateArray().Select(e => e.GetDouble()));
    }

    [Fact]
    public async Task InvalidWkb_InGeometryColumn_NamesRowAndColumn()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => WriteAsync([Point(1, 2), [1, 3, 0, 0, 0, 9]], new GeoParquetOptions { GeometryColumn = "geom" }));
        Assert.StartsWith("row 1, column 'geom': not valid WKB", e.Message);
    }

    [Fact]
    public void GeometryColumn_NotInSchema_IsRejected()
    {
        var schema = new ParquetSchema(new ParquetColumn("id", ParquetType.Int32));
        var e = Assert.Throws<ArgumentException>(() => new ParquetWriter(new MemoryStream(), schema, new ParquetWriterOptions { Geo = new GeoParquetOptions() }));
        Assert.Contains("'geometry' must be a Binary (WKB) column", e.Message);
    }
}
