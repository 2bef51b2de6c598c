using Npgsql;
using SmartRegion.Data.Solar;
using SmartRegion.Rooftop;
using SmartRegion.Solar.Weather;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Solar;

/// <summary>
/// A small neighbourhood computed by the library and stored through the tile store, as a worker does: a 25 m tower, a
/// gabled house 8 m north of it with an address, a building without height (<see cref="BuildingIds"/> in that order),
/// with the demo weather as the run's station. Each test class puts its own at its own <c>y</c> (Lambert-93).
/// </summary>
/// <param name="X">The tower's south-west corner (Lambert-93); the house spans (X, Y + 20)–(X + 14, Y + 29).</param>
public sealed record ComputedSolarSite(long RunId, long[] BuildingIds, double X, double Y)
{
    public long Tower => BuildingIds[0];

    public long House => BuildingIds[1];

    public long NoHeight => BuildingIds[2];

    public static async Task<ComputedSolarSite> CreateAsync(TestDatabase db, string name, double y, CancellationToken ct)
    {
        double x = 655_000 + 1000 * (Environment.ProcessId % 40);
        var source = $"{name}-{Guid.NewGuid():N}"[..24];
        var weatherPath = Path.Combine(Path.GetTempPath(), $"{name}-weather-{Guid.NewGuid():N}.csv");
        DemoWeather.Write(weatherPath, 48.95, 2.4, 40);
        var series = await WeatherFile.ReadAsync(weatherPath, WeatherFormat.Auto, null, ct);
        File.Delete(weatherPath);

        long[] ids;
        long stationId;
        await using (var conn = await db.DataSource.OpenConnectionAsync(ct))
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            long ingestRun;
            await using (var cmd = new NpgsqlCommand(
                "INSERT INTO region.ingest_run (kind, source, file_name, status) VALUES ('buildings', @src, 'test', 'succeeded') RETURNING id", conn, tx))
            {
                cmd.Parameters.AddWithValue("src", source);
                ingestRun = (long)(await cmd.ExecuteScalarAsync(ct))!;
            }
            stationId = await WeatherStationStore.SaveAsync(conn, tx, "test", source, "demo data", series, ingestRun, ct);
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
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
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
                await cmd.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
        }

        var parameters = SolarParameters.Load(SolarParameters.DefaultsPath, null);
        var queue = new SolarJobQueue(db.DataSource);
        var runId = await queue.CreateRunAsync("test", parameters.DocumentJson, "{\"test\": true}", null, [x - 1, y - 1, x + 51, y + 30], stationId, 500, ct);
        var runs = new SolarRunStore(db.DataSource);
        var station = (await runs.SettingsAsync(runId, ct))!.Station;
        var context = await runs.ContextAsync(runId, parameters, station, ct);
        var store = new SolarTileStore(db.DataSource);
        while (await queue.ClaimAsync(runId, $"{name}-test", ct) is { } job)
        {
            var results = TileComputer.Compute(await store.LoadTileAsync(job.Id, parameters.HorizonRadiusM, ct), context);
            Assert.True(await store.CompleteAsync(job, $"{name}-test", results, 0, ct));
        }
        Assert.Equal("complete", await queue.TryFinishRunAsync(runId, ct));
        return new ComputedSolarSite(runId, ids, x, y);
    }
}
