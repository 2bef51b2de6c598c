using System.Net;
using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Npgsql;
using SmartRegion.Data.Solar;
using SmartRegion.Rooftop;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Solar;

/// <summary>
/// The report document the computation writes once per building (solar.building_result.report): the API serves it by
/// key, and it says what the report rebuilt from the result rows says (the path results computed before it still take).
/// A small neighbourhood is computed by the library and stored through the tile store, as a worker does (<see cref="ComputedSolarSite"/>).
/// </summary>
public sealed class SolarReportDocumentTests(TestDatabase db)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Report_StoredByTheComputation_ServedAsTheRebuiltReportSays()
    {
        var site = await ComputedSolarSite.CreateAsync(db, "report-doc", 6_890_000, Ct);
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();
        var queries = new SolarResultQueries(db.DataSource);

        foreach (var id in site.BuildingIds)
        {
            using var response = await client.GetAsync($"/api/v1/solar/buildings/{id}", Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            var rebuilt = SolarResultQueries.Serialize((await queries.GetBuildingReportAsync(id, Ct))!);
            AssertSameJson(JsonDocument.Parse(rebuilt).RootElement, JsonDocument.Parse(body).RootElement, "$");
        }
        // The documents are what was served: the rebuild above is not what answered.
        Assert.Equal(site.BuildingIds.Length, await CountAsync("SELECT count(*) FROM solar.building_result WHERE run_id = @r AND report IS NOT NULL", site.RunId));

        using var house = await client.GetAsync($"/api/v1/solar/buildings/{site.BuildingIds[1]}", Ct);
        var report = JsonDocument.Parse(await house.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("ok", report.GetProperty("status").GetString());
        Assert.Equal("3 Rue de l'Église 93200 Saint-Denis", report.GetProperty("address").GetProperty("label").GetString());
        Assert.Equal(2, report.GetProperty("roofFaces").GetArrayLength());
        Assert.True(report.GetProperty("panels").GetArrayLength() > 4);
        Assert.Equal(site.RunId, report.GetProperty("provenance").GetProperty("runId").GetInt64());
        Assert.Equal(0.14, report.GetProperty("provenance").GetProperty("parameters").GetProperty("pv").GetProperty("systemLosses").GetProperty("value").GetDouble());
        using var skipped = await client.GetAsync($"/api/v1/solar/buildings/{site.BuildingIds[2]}", Ct);
        Assert.Equal("skipped", JsonDocument.Parse(await skipped.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("status").GetString());
    }

    /// <summary>
    /// The modules' outlines are stored as numbers only (<c>panel_layout</c>; <c>face_result.panels</c> is null): SQL's
    /// <c>solar.panel_polygons</c> gives them back as the engine computes them, every corner the same double.
    /// </summary>
    [Fact]
    public async Task PanelLayout_SqlPolygons_TheEngineOutlinesToTheBit()
    {
        var site = await ComputedSolarSite.CreateAsync(db, "panel-sql", 6_892_000, Ct);
        await using var cmd = db.DataSource.CreateCommand("""
            SELECT br.panel_layout, f.face_no, ST_AsBinary(solar.panel_polygons(br.panel_layout, f.face_no)), f.panels IS NULL, f.panel_count
            FROM solar.building_result br JOIN solar.face_result f USING (run_id, building_id)
            WHERE br.run_id = @r ORDER BY f.building_id, f.face_no
            """);
        cmd.Parameters.AddWithValue("r", site.RunId);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        var factory = new GeometryFactory(new PrecisionModel(), 2154);
        var wkb = new WKBReader { HandleOrdinates = Ordinates.XYZ };
        var modules = 0;
        while (await reader.ReadAsync(Ct))
        {
            Assert.True(reader.GetBoolean(3), "face_result.panels is written again");
            var faceNo = reader.GetInt32(1);
            var packed = reader.IsDBNull(0) ? null : ReportPanels.Decode(reader.GetFieldValue<double[]>(0)).SingleOrDefault(p => p.FaceNo == faceNo)?.Modules;
            Assert.Equal(reader.GetInt32(4), packed?.Count ?? 0);
            if (packed is null)
            {
                Assert.True(reader.IsDBNull(2), $"face {faceNo} has no module but SQL gives outlines");
                continue;
            }
            var sql = wkb.Read(reader.GetFieldValue<byte[]>(2));
            Assert.Equal(packed.Count, sql.NumGeometries);
            for (var i = 0; i < packed.Count; i++)
            {
                var expected = packed.Polygon(i, factory).Coordinates;
                var actual = sql.GetGeometryN(i).Coordinates;
                Assert.Equal(expected.Length, actual.Length);
                for (var c = 0; c < expected.Length; c++)
                {
                    Assert.True(expected[c].X == actual[c].X && expected[c].Y == actual[c].Y && expected[c].Z == actual[c].Z,
                        $"face {faceNo} module {i + 1} corner {c}: ({expected[c].X:R}, {expected[c].Y:R}, {expected[c].Z:R}) computed, ({actual[c].X:R}, {actual[c].Y:R}, {actual[c].Z:R}) from SQL");
                }
                modules++;
            }
        }
        Assert.True(modules > 10, $"{modules} modules");
    }

    /// <summary>
    /// The same members in the same places; numbers equal within a billionth, except positions (degrees): our transform
    /// and PostGIS's agree to 1e-9°, and a 7-decimal GeoJSON coordinate may round to the neighbouring 1e-7°.
    /// </summary>
    internal static void AssertSameJson(JsonElement expected, JsonElement actual, string path)
    {
        Assert.True(expected.ValueKind == actual.ValueKind, $"{path}: {expected.ValueKind} expected, {actual.ValueKind} served");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var names = expected.EnumerateObject().Select(p => p.Name).Order().ToList();
                Assert.True(names.SequenceEqual(actual.EnumerateObject().Select(p => p.Name).Order()),
                    $"{path}: members {string.Join(",", names)} expected, {string.Join(",", actual.EnumerateObject().Select(p => p.Name).Order())} served");
                foreach (var p in expected.EnumerateObject())
                {
                    AssertSameJson(p.Value, actual.GetProperty(p.Name), $"{path}.{p.Name}");
                }
                break;
            case JsonValueKind.Array:
                Assert.True(expected.GetArrayLength() == actual.GetArrayLength(), $"{path}: {expected.GetArrayLength()} items expected, {actual.GetArrayLength()} served");
                foreach (var (e, a, i) in expected.EnumerateArray().Zip(actual.EnumerateArray()).Select((x, i) => (x.First, x.Second, i)))
                {
                    AssertSameJson(e, a, $"{path}[{i}]");
                }
                break;
            case JsonValueKind.Number:
                var (x, y) = (expected.GetDouble(), actual.GetDouble());
                var position = path.Contains("Wgs84", StringComparison.Ordinal) || path.EndsWith(".lat", StringComparison.Ordinal) || path.EndsWith(".lon", StringComparison.Ordinal);
                var tolerance = position ? 1.01e-7 : 1e-9 * Math.Max(1, Math.Abs(x));
                Assert.True(Math.Abs(x - y) <= tolerance, $"{path}: {x} expected, {y} served");
                break;
            default:
                Assert.True(expected.GetRawText() == actual.GetRawText(), $"{path}: {expected.GetRawText()} expected, {actual.GetRawText()} served");
                break;
        }
    }

    private async Task<long> CountAsync(string sql, long runId)
    {
        await using var cmd = db.DataSource.CreateCommand(sql);
        cmd.Parameters.AddWithValue("r", runId);
        return (long)(await cmd.ExecuteScalarAsync(Ct))!;
    }
}
