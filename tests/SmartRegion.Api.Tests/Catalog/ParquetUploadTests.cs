using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Text.Json;
using SmartRegion.Data.Catalog;
using SmartRegion.Parquet;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Catalog;

/// <summary>Parquet / GeoParquet uploads (types from the file, geometry from the 'geo' metadata) and the GeoParquet export.</summary>
public sealed class ParquetUploadTests(TestDatabase db) : CatalogTest(db)
{
    private async Task<(HttpClient Client, string Dataset, Organisation Org)> DatasetAsync(string visibility = "private")
    {
        var org = await Kit.OrgAsync("org");
        var (_, key) = await Kit.UserWithKeyAsync(org, "editor");
        var client = Kit.Client(key);
        var id = (await Kit.CreateDatasetAsync(client, org.Slug, visibility)).GetProperty("id").GetString()!;
        return (client, id, org);
    }

    /// <summary>A little-endian WKB point.</summary>
    private static byte[] Point(double x, double y)
    {
        var wkb = new byte[21];
        wkb[0] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(wkb.AsSpan(1), 1);
        BinaryPrimitives.WriteDoubleLittleEndian(wkb.AsSpan(5), x);
        BinaryPrimitives.WriteDoubleLittleEndian(wkb.AsSpan(13), y);
        return wkb;
    }

    /// <summary>Three typed rows; the geometry in Lambert-93 (Paris, Lyon) or CRS84, 2 rows per row group.</summary>
    private static async Task<byte[]> TypedFileAsync(GeoCrs crs)
    {
        var schema = new ParquetSchema(
            new ParquetColumn("id", ParquetType.Int64, nullable: false),
            new ParquetColumn("nom", ParquetType.String),
            new ParquetColumn("surface_m2", ParquetType.Double),
            new ParquetColumn("code_insee", ParquetType.String),
            new ParquetColumn("actif", ParquetType.Boolean),
            new ParquetColumn("mise_en_service", ParquetType.Date),
            new ParquetColumn("mesure", ParquetType.Timestamp),
            new ParquetColumn("geometry", ParquetType.Binary));
        var paris = crs == GeoCrs.Lambert93 ? Point(652_469, 6_862_035) : Point(2.3522, 48.8566);
        var lyon = crs == GeoCrs.Lambert93 ? Point(842_667, 6_519_924) : Point(4.8357, 45.7640);
        using var stream = new MemoryStream();
        await using (var writer = new ParquetWriter(stream, schema, new ParquetWriterOptions
        {
            RowGroupRows = 2,
            Geo = new GeoParquetOptions { Crs = crs, BboxCovering = true },
        }, leaveOpen: true))
        {
            await writer.WriteRowAsync([1L, "Mairie", 1250.5, "75056", true, new DateOnly(2021, 6, 1), new DateTime(2024, 3, 1, 10, 30, 0, DateTimeKind.Utc), paris], Ct);
            await writer.WriteRowAsync([2L, "École", null, "69123", false, null, null, lyon], Ct);
            await writer.WriteRowAsync([3L, null, 12.25, "2A004", null, new DateOnly(1999, 12, 31), null, null], Ct);
            await writer.CompleteAsync(Ct);
        }
        return stream.ToArray();
    }

    [Theory]
    [InlineData(GeoCrs.Lambert93)]
    [InlineData(GeoCrs.Crs84)]
    public async Task GeoParquet_OurWriter_TypesFromFileAndGeometryInWgs84(GeoCrs crs)
    {
        var (client, id, _) = await DatasetAsync();
        var job = await Uploads.UploadBytesAndWaitAsync(client, id, await TypedFileAsync(crs), "batiments.parquet");
        Assert.True(job.GetProperty("status").GetString() == "done", job.ToString());
        var version = job.GetProperty("version");
        Assert.Equal(3, version.GetProperty("rowCount").GetInt64());
        var types = version.GetProperty("schema").GetProperty("fields").EnumerateArray()
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("type").GetString());
        Assert.Equal("integer", types["id"]);
        Assert.Equal("text", types["nom"]);
        Assert.Equal("number", types["surface_m2"]);
        Assert.Equal("text", types["code_insee"]);
        Assert.Equal("boolean", types["actif"]);
        Assert.Equal("date", types["mise_en_service"]);
        Assert.Equal("datetime", types["mesure"]);
        Assert.Equal("geometry", types["geometry"]);
        Assert.DoesNotContain("bbox", types.Keys); // the covering struct is not a column of the dataset
        Assert.Equal(crs == GeoCrs.Lambert93 ? 2154 : 4326, version.GetProperty("report").GetProperty("detected").GetProperty("srid").GetInt32());

        Assert.Equal(200, (await CatalogKit.SendAsync(client, HttpMethod.Post, $"/api/v1/datasets/{id}/versions/1/publish")).Status);
        var (_, body) = await CatalogKit.SendAsync(client, HttpMethod.Get, $"/api/v1/datasets/{id}/records");
        var records = JsonDocument.Parse(body).RootElement.GetProperty("records");
        var first = records[0];
        Assert.Equal(1, first.GetProperty("id").GetInt64());
        Assert.Equal(1250.5, first.GetProperty("surface_m2").GetDouble());
        Assert.True(first.GetProperty("actif").GetBoolean());
        Assert.Equal("2021-06-01", first.GetProperty("mise_en_service").GetString());
        Assert.Equal("2024-03-01T10:30:00Z", first.GetProperty("mesure").GetString());
        var coordinates = first.GetProperty("geometry").GetProperty("coordinates");
        Assert.Equal(2.3522, coordinates[0].GetDouble(), 0.001);
        Assert.Equal(48.8566, coordinates[1].GetDouble(), 0.001);
        Assert.Equal("2A004", records[2].GetProperty("code_insee").GetString());
        Assert.Equal(JsonValueKind.Null, records[2].GetProperty("geometry").ValueKind);
        Assert.Equal(JsonValueKind.Null, records[1].GetProperty("surface_m2").ValueKind);
    }

    [Fact]
    public async Task Parquet_Truncated_FailedJobWithReason()
    {
        var (client, id, _) = await DatasetAsync();
        var bytes = await TypedFileAsync(GeoCrs.Crs84);
        // Keep the magic at both ends but drop the middle: the footer's offsets now point at the wrong bytes.
        var cut = bytes[..8].Concat(bytes[^(bytes.Length / 2)..]).ToArray();
        var job = await Uploads.UploadBytesAndWaitAsync(client, id, cut, "cut.parquet");
        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Contains("Parquet", job.GetProperty("error").GetString());
        Assert.Equal("failed", job.GetProperty("version").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, job.GetProperty("version").GetProperty("rowCount").ValueKind);
    }

    [Fact]
    public async Task Parquet_FooterLengthLies_FailedJobNamingTheFooter()
    {
        var (client, id, _) = await DatasetAsync();
        var bytes = await TypedFileAsync(GeoCrs.Crs84);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(bytes.Length - 8), int.MaxValue);
        var job = await Uploads.UploadBytesAndWaitAsync(client, id, bytes, "lying.parquet");
        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.StartsWith("not a valid Parquet file", job.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Parquet_PageBytesFlipped_FailedOrReadyNeverServerError()
    {
        var (client, id, _) = await DatasetAsync();
        var clean = await TypedFileAsync(GeoCrs.Lambert93);
        var random = new Random(7);
        for (var i = 0; i < 8; i++)
        {
            var bytes = (byte[])clean.Clone();
            bytes[4 + random.Next(bytes.Length / 2)] ^= (byte)(1 + random.Next(255));
            var (status, accepted) = await Uploads.UploadBytesAsync(client, id, bytes, $"flip{i}.parquet");
            Assert.Equal(202, status);
            var job = await Uploads.WaitAsync(client, accepted);
            var state = job.GetProperty("status").GetString();
            Assert.True(state is "done" or "failed", job.ToString());
            if (state == "failed")
            {
                Assert.False(string.IsNullOrEmpty(job.GetProperty("error").GetString()));
            }
        }
    }

    [Fact]
    public async Task GeoParquet_BadGeoMetadata_FailedJobNamingIt()
    {
        var (client, id, _) = await DatasetAsync();
        using var stream = new MemoryStream();
        await using (var writer = new ParquetWriter(stream, new ParquetSchema(new ParquetColumn("g", ParquetType.Binary)), new ParquetWriterOptions
        {
            Metadata = new Dictionary<string, string> { ["geo"] = """{"version":"1.1.0","primary_column":"geom","columns":{"geom":{"encoding":"WKB"}}}""" },
        }, leaveOpen: true))
        {
            await writer.WriteRowAsync([Point(1, 2)], Ct);
            await writer.CompleteAsync(Ct);
        }
        var job = await Uploads.UploadBytesAndWaitAsync(client, id, stream.ToArray(), "g.parquet");
        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Contains("'geom'", job.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ExportParquet_GrantWithFields_OnlyGrantedFieldsAndRowsAsGeoParquet()
    {
        var (client, id, _) = await DatasetAsync("restricted");
        Assert.Equal("done", (await Uploads.UploadBytesAndWaitAsync(client, id, await TypedFileAsync(GeoCrs.Lambert93), "b.parquet")).GetProperty("status").GetString());
        Assert.Equal(200, (await CatalogKit.SendAsync(client, HttpMethod.Post, $"/api/v1/datasets/{id}/versions/1/publish")).Status);

        // The editor gets every column; the geometry is WKB in CRS84 with the GeoParquet metadata.
        var all = await ExportAsync(client, id);
        await using (var reader = await ParquetReader.OpenAsync(new MemoryStream(all), "export.parquet", Ct))
        {
            Assert.Equal(3, reader.RowCount);
            Assert.Equal(ParquetType.Int64, reader.Schema.Columns[reader.Schema.IndexOf("id")].Type);
            Assert.Equal(ParquetType.Date, reader.Schema.Columns[reader.Schema.IndexOf("mise_en_service")].Type);
            using var geo = JsonDocument.Parse(reader.Metadata["geo"]!);
            Assert.Equal("geometry", geo.RootElement.GetProperty("primary_column").GetString());
            var bbox = geo.RootElement.GetProperty("columns").GetProperty("geometry").GetProperty("bbox");
            Assert.Equal(2.3522, bbox[0].GetDouble(), 0.001);
            Assert.Equal(48.8566, bbox[3].GetDouble(), 0.001);
            var rows = new List<(long Id, DateOnly? Day)>();
            await foreach (var group in reader.ReadAsync(["id", "mise_en_service"], cancellationToken: Ct))
            {
                for (var r = 0; r < group.RowCount; r++)
                {
                    rows.Add(((long)group["id"].GetValue(r)!, (DateOnly?)group["mise_en_service"].GetValue(r)));
                }
            }
            Assert.Equal([(1L, new DateOnly(2021, 6, 1)), (2L, null), (3L, new DateOnly(1999, 12, 31))], rows);
        }

        // A grantee limited to two fields and one row sees exactly that.
        var grantee = await Kit.OrgAsync("grantee", "university");
        var (_, granteeKey) = await Kit.UserWithKeyAsync(grantee, "viewer");
        var (dataset, _) = await Kit.Datasets.FindAsync(id, Caller.Anonymous with { IsPlatformAdmin = true }, Ct);
        await Kit.Datasets.CreateGrantAsync(dataset!.Id, grantee.Id, "étude", DateTimeOffset.UtcNow.AddDays(3), ["id", "nom"],
            new Dictionary<string, string> { ["code_insee"] = "69123" }, null, Ct);
        using var granteeClient = Kit.Client(granteeKey);
        var limited = await ExportAsync(granteeClient, id);
        await using (var reader = await ParquetReader.OpenAsync(new MemoryStream(limited), "export.parquet", Ct))
        {
            Assert.Equal(["id", "nom"], reader.Schema.Columns.Select(c => c.Name));
            Assert.Equal(1, reader.RowCount);
            Assert.False(reader.Metadata.ContainsKey("geo"));
        }
        using var anonymous = Kit.Client();
        Assert.Equal(404, (await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"/api/v1/datasets/{id}/export.parquet")).Status);
    }

    private static async Task<byte[]> ExportAsync(HttpClient client, string id)
    {
        using var response = await client.GetAsync($"/api/v1/datasets/{id}/export.parquet", Ct);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(new MediaTypeHeaderValue("application/vnd.apache.parquet"), response.Content.Headers.ContentType);
        return await response.Content.ReadAsByteArrayAsync(Ct);
    }
}
