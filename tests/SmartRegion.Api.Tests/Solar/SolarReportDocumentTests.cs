using System.Net;
using System.Text.Json;
using Npgsql;
using SmartRegion.Data.Solar;
using SmartRegion.Rooftop;
using SmartRegion.Solar.Weather;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Solar;

/// <summary>
/// The report document the computation writes once per building (solar.building_result.report): the API serves it by
/// key, and it says what the report rebuilt from the result rows says (the path results computed before it still take).
/// A small neighbourhood is computed here by the library and stored through the tile store, as a worker does.
/// </summary>
public sealed class SolarReportDocumentTests(TestDatabase db)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Report_StoredByTheComputation_ServedAsTheRebuiltReportSays()
    {
        var site = await ComputeSiteAsync();
        await using var factory = new ApiFactory(db.ConnectionString);
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
    /// The same members in the same places; numbers equal within a billionth, except positions (degrees): our transform
    /// and PostGIS's agree to 1e-9°, and a 7-decimal GeoJSON coordinate may round to the neighbouring 1e-7°.
    /// </summary>
    private static void AssertSameJson(JsonElement expected, JsonElement actual, string path)
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

    private sealed record Site(long RunId, long[] BuildingIds);

    /// <summary>A 25 m tower, a gabled house north of it with an address, a building without height; computed and stored as a worker does.</summary>
    private async Task<Site> ComputeSiteAsync()
    {
        double x = 655_000 + 1000 * (Environment.ProcessId % 40), y = 6_890_000;
        var source = $"report-doc-{Guid.NewGuid():N}"[..24];
        var weatherPath = Path.Combine(Path.GetTempPath(), $"report-doc-weather-{Guid.NewGuid():N}.csv");
        DemoWeather.Write(weatherPath, 48.95, 2.4, 40);
        var series = await WeatherFile.ReadAsync(weatherPath, WeatherFormat.Auto, null, Ct);
        File.Delete(weatherPath);

        long[] ids;
        long stationId;
        await using (var conn = await db.DataSource.OpenConnectionAsync(Ct))
        {
            await using var tx = await conn.BeginTransactionAsync(Ct);
            long ingestRun;
            await using (var cmd = new NpgsqlCommand(
                "INSERT INTO region.ingest_run (kind, source, file_name, status) VALUES ('buildings', @src, 'test', 'succeeded') RETURNING id", conn, tx))
            {
                cmd.Parameters.AddWithValue("src", source);
                ingestRun = (long)(await cmd.ExecuteScalarAsync(Ct))!;
            }
            stationId = await WeatherStationStore.SaveAsync(conn, tx, "test", source, "demo data", series, ingestRun, Ct);
            await using (var cmd = new NpgsqlCommand("""
                INSERT INTO region.building (source, source_id, footprint, height_above_ground_m, ground_altitude_ngfign69_m,
                    roof_min_altitude_ngfign69_m, roof_max_altitude_ngfign69_m, roof_shape, usage, attributes, ingest_run_id)
                VALUES (@src, 'TOWER', ST_Multi(ST_MakeEnvelope(@x, @y, @x + 12, @y + 12, 2154)), 25, 40, 65, 65, 'flat', 'Résidentiel',
                        '{"cleabs": "BATIMENT0000000000000101", "identifiants_rnb": "RNB1"}', @run),
                       (@src, 'HOUSE', ST_Multi(ST_MakeEnvelope(@x, @y + 20, @x + 14, @y + 29, 2154)), 9, 40, 46, 49, NULL, NULL, '{}', @run),
                       (@src, 'NOHEIGHT', ST_Multi(ST_MakeEnvelope(@x + 40, @y, @x + 50, @y + 10, 2154)), NULL, 40, NULL, NULL, NULL, NULL, '{}', @run)
                RETURNING id
                """, conn, tx))
            {
                cmd.Parameters.AddWithValue("src", source);
                cmd.Parameters.AddWithValue("x", x);
                cmd.Parameters.AddWithValue("y", y);
                cmd.Parameters.AddWithValue("run", ingestRun);
                var list = new List<long>();
                await using var reader = await cmd.ExecuteReaderAsync(Ct);
                while (await reader.ReadAsync(Ct))
                {
                    list.Add(reader.GetInt64(0));
                }
                ids = [.. list];
            }
            await using (var cmd = new NpgsqlCommand("""
                INSERT INTO region.address (source, source_id, label, number, point, search_label, search_street, ingest_run_id)
                VALUES (@src, '1', '3 Rue de l''Église 93200 Saint-Denis', 3, ST_SetSRID(ST_MakePoint(@x + 7, @y + 32), 2154), 'x', 'x', @run),
                       (@src, '2', '40 Rue de l''Église 93200 Saint-Denis', 40, ST_SetSRID(ST_MakePoint(@x + 7, @y + 45), 2154), 'x', 'x', @run)
                """, conn, tx))
            {
                cmd.Parameters.AddWithValue("src", source);
                cmd.Parameters.AddWithValue("x", x);
                cmd.Parameters.AddWithValue("y", y);
                cmd.Parameters.AddWithValue("run", ingestRun);
                await cmd.ExecuteNonQueryAsync(Ct);
            }
            await tx.CommitAsync(Ct);
        }

        var parameters = SolarParameters.Load(SolarParameters.DefaultsPath, null);
        var queue = new SolarJobQueue(db.DataSource);
        var runId = await queue.CreateRunAsync("test", parameters.DocumentJson, "{\"test\": true}", null, [x - 1, y - 1, x + 51, y + 30], stationId, 500, Ct);
        var runs = new SolarRunStore(db.DataSource);
        var station = (await runs.SettingsAsync(runId, Ct))!.Station;
        var context = await runs.ContextAsync(runId, parameters, station, Ct);
        var store = new SolarTileStore(db.DataSource);
        while (await queue.ClaimAsync(runId, "report-doc-test", Ct) is { } job)
        {
            var results = TileComputer.Compute(await store.LoadTileAsync(job.Id, parameters.HorizonRadiusM, Ct), context);
            Assert.True(await store.CompleteAsync(job, "report-doc-test", results, 0, Ct));
        }
        Assert.Equal("complete", await queue.TryFinishRunAsync(runId, Ct));
        return new Site(runId, ids);
    }

    private async Task<long> CountAsync(string sql, long runId)
    {
        await using var cmd = db.DataSource.CreateCommand(sql);
        cmd.Parameters.AddWithValue("r", runId);
        return (long)(await cmd.ExecuteScalarAsync(Ct))!;
    }
}
