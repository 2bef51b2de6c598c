using System.Text.Json;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Catalog;

/// <summary>
/// A GeoParquet file written by DuckDB (Catalog/Fixtures/duckdb-ecoles.parquet, made by make-duckdb-fixture.mjs beside
/// it: DuckDB 1.5 defaults, two row groups, a DECIMAL, a TIMESTAMP and DuckDB's own 'geo' metadata) goes through
/// upload → validation report → publish → query like any file.
/// </summary>
public sealed class DuckDbParquetUploadTests(TestDatabase db) : CatalogTest(db)
{
    private static string Fixture => Path.Combine(AppContext.BaseDirectory, "Catalog", "Fixtures", "duckdb-ecoles.parquet");

    [Fact]
    public async Task DuckDbGeoParquet_UploadedValidatedPublishedQueried()
    {
        var org = await Kit.OrgAsync("org");
        var (_, key) = await Kit.UserWithKeyAsync(org, "editor");
        using var client = Kit.Client(key);
        var id = (await Kit.CreateDatasetAsync(client, org.Slug, "public")).GetProperty("id").GetString()!;

        var job = await Uploads.UploadAndWaitAsync(client, id, Fixture);
        Assert.True(job.GetProperty("status").GetString() == "done", job.ToString());
        var version = job.GetProperty("version");
        Assert.Equal("ready", version.GetProperty("status").GetString());
        Assert.Equal(3000, version.GetProperty("rowCount").GetInt64());
        var report = version.GetProperty("report");
        Assert.Equal(3000, report.GetProperty("rowsLoaded").GetInt64());
        Assert.Equal(0, report.GetProperty("rowsRejected").GetInt64());
        var detected = report.GetProperty("detected");
        Assert.Equal(2, detected.GetProperty("rowGroups").GetInt32());
        Assert.Equal("geometry", detected.GetProperty("geometryColumn").GetString());
        Assert.Equal(4326, detected.GetProperty("srid").GetInt32());
        Assert.StartsWith("DuckDB", detected.GetProperty("createdBy").GetString(), StringComparison.OrdinalIgnoreCase);
        var types = version.GetProperty("schema").GetProperty("fields").EnumerateArray()
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("type").GetString());
        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["id"] = "integer", ["nom"] = "text", ["code_insee"] = "text", ["surface_toit_m2"] = "number", ["eleves"] = "integer",
                ["toiture_plate"] = "boolean", ["ouverture"] = "date", ["mesure"] = "datetime", ["geometry"] = "geometry",
            },
            types);
        var bbox = version.GetProperty("bboxWgs84").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal([2.2, 48.85, 2.398, 48.908], bbox.Select(v => Math.Round(v, 6)).ToArray());

        Assert.Equal(200, (await CatalogKit.SendAsync(client, HttpMethod.Post, $"/api/v1/datasets/{id}/versions/1/publish")).Status);
        using var anonymous = Kit.Client();
        var (status, body) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"/api/v1/datasets/{id}/records?limit=2&offset=2047");
        Assert.Equal(200, status);
        var page = JsonDocument.Parse(body).RootElement;
        Assert.Equal(3000, page.GetProperty("numberMatched").GetInt64());
        // Rows 2047 and 2048 straddle the two row groups.
        var (last, next) = (page.GetProperty("records")[0], page.GetProperty("records")[1]);
        Assert.Equal(2047, last.GetProperty("id").GetInt64());
        Assert.Equal(2048, next.GetProperty("id").GetInt64());
        Assert.Equal("École 2048", next.GetProperty("nom").GetString());
        Assert.Equal("93066", next.GetProperty("code_insee").GetString());
        Assert.Equal(100 + 2048 * 0.75, next.GetProperty("surface_toit_m2").GetDouble());
        Assert.Equal(2048 % 700, next.GetProperty("eleves").GetInt64());
        Assert.False(next.GetProperty("toiture_plate").GetBoolean());
        Assert.Equal(new DateOnly(1950, 1, 1).AddDays(2048 * 11 % 25000).ToString("yyyy-MM-dd"), next.GetProperty("ouverture").GetString());
        Assert.Equal(new DateTime(2024, 6, 21, 0, 0, 0, DateTimeKind.Utc).AddHours(2048).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), next.GetProperty("mesure").GetString());
        var point = next.GetProperty("geometry").GetProperty("coordinates");
        Assert.Equal(2.2 + 48 * 0.002, point[0].GetDouble(), 9);
        Assert.Equal(48.85 + 20 * 0.002, point[1].GetDouble(), 9);
        Assert.Equal(100 + 2047 * 0.75, last.GetProperty("surface_toit_m2").GetDouble());
        Assert.False(last.GetProperty("toiture_plate").GetBoolean());
    }
}
