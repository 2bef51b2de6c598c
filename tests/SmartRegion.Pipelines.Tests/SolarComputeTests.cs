using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using SmartRegion.Pipelines.Ingest;
using SmartRegion.Pipelines.Sample;
using SmartRegion.Solar.Weather;
using SmartRegion.Testing;
using static SmartRegion.Pipelines.Tests.Fixtures;

namespace SmartRegion.Pipelines.Tests;

/// <summary>
/// <c>compute solar</c> end to end against PostGIS, through the real CLI process: the demo district (~60 buildings)
/// plus hand-placed buildings whose answer is known (an isolated flat roof, an east–west gable, a house right north of
/// a 60 m tower) and bad inputs, all computed with 2 workers on a synthetic weather year.
/// </summary>
/// <remarks>
/// The district is ingested and computed once per test run (<see cref="SolarDistrict"/>); the tests only read its
/// results. The special buildings sit more than the 2 km horizon radius away from each other's groups.
/// The class runs alone (non-parallel collection): its runs read the whole database, which other test classes write to.
/// </remarks>
[Collection("process-environment")]
public sealed class SolarComputeTests(TestDatabase db)
{
    [Fact]
    public async Task Compute_District_EveryBuildingHasOneResultWithAStatus()
    {
        var d = await SolarDistrict.GetAsync(db);
        Assert.Equal("complete", await ScalarAsync<string>(db, "SELECT status FROM solar.run WHERE id = @r", ("r", d.RunId)));
        var buildings = await ScalarAsync<long>(db, "SELECT count(*) FROM region.building WHERE source = ANY(@s)", ("s", d.Sources));
        Assert.True(buildings >= 60, $"{buildings} buildings");
        Assert.Equal(buildings, await ScalarAsync<long>(db, """
            SELECT count(DISTINCT r.building_id) FROM solar.building_result r JOIN region.building b ON b.id = r.building_id
            WHERE r.run_id = @r AND b.source = ANY(@s) AND r.status IN ('ok', 'skipped', 'failed')
            """, ("r", d.RunId), ("s", d.Sources)));
        Assert.Equal(0L, await ScalarAsync<long>(db, "SELECT count(*) FROM solar.job WHERE run_id = @r AND status <> 'done'", ("r", d.RunId)));
        // Each result carries the report the API serves, written by the computation (its status is the result's).
        Assert.Equal(0L, await ScalarAsync<long>(db,
            "SELECT count(*) FROM solar.building_result WHERE run_id = @r AND (report IS NULL OR report ->> 'status' <> status OR (report -> 'building' ->> 'id')::bigint <> building_id)",
            ("r", d.RunId)));
    }

    [Fact]
    public async Task FlatRoof_Unshaded_MeanIrradiationIsTheAnnualGhiWithin1Percent()
    {
        var d = await SolarDistrict.GetAsync(db);
        var mean = await BuildingValueAsync(d, "FLAT", "mean_irradiation_kwh_per_m2");
        Assert.Equal(d.AnnualGhiKwhPerM2, mean, d.AnnualGhiKwhPerM2 * 0.01);
        Assert.Equal(0, await BuildingValueAsync(d, "FLAT", "(SELECT max(shading_loss_fraction) FROM solar.face_result f WHERE f.run_id = r.run_id AND f.building_id = r.building_id)"), 0.005);
    }

    [Fact]
    public async Task Gable_EastWestRidge_SouthFaceBeatsNorthFace()
    {
        var d = await SolarDistrict.GetAsync(db);
        var south = await FaceValueAsync(d, "GABLE", "abs(azimuth_deg - 180) < 5");
        var north = await FaceValueAsync(d, "GABLE", "(azimuth_deg < 5 OR azimuth_deg > 355)");
        Assert.True(south > north * 1.2, $"south {south:F0} vs north {north:F0} kWh/m²");
        Assert.True(south > d.AnnualGhiKwhPerM2, $"a 45° south face ({south:F0}) receives more than the horizontal ({d.AnnualGhiKwhPerM2:F0})");
    }

    [Fact]
    public async Task HouseNorthOfTower_Shaded_FarHouseNot()
    {
        var d = await SolarDistrict.GetAsync(db);
        var loss = await BuildingValueAsync(d, "SHADED", "(SELECT max(shading_loss_fraction) FROM solar.face_result f WHERE f.run_id = r.run_id AND f.building_id = r.building_id)");
        Assert.True(loss > 0.2, $"shading loss right north of a 60 m tower: {loss:P1}");
        Assert.True(await BuildingValueAsync(d, "SHADED", "mean_irradiation_kwh_per_m2") < 0.8 * d.AnnualGhiKwhPerM2);
    }

    [Fact]
    public async Task Results_TotalsAreSumsOfFacesAndMonthsSumToTheYear()
    {
        var d = await SolarDistrict.GetAsync(db);
        // Rows where a total differs from the sum of its parts, by more than float rounding.
        var mismatches = await ScalarAsync<long>(db, """
            WITH f AS (
                SELECT run_id, building_id, sum(area_m2) AS area, sum(usable_area_m2) AS usable, sum(panel_count) AS panels,
                       sum(installable_kwp) AS kwp, sum(annual_kwh_ac) AS kwh,
                       sum(area_m2 * annual_irradiation_kwh_per_m2) / nullif(sum(area_m2), 0) AS irr
                FROM solar.face_result WHERE run_id = @r GROUP BY 1, 2)
            SELECT count(*) FROM solar.building_result b JOIN f USING (run_id, building_id)
            WHERE b.status = 'ok' AND (
                abs(b.roof_area_m2 - f.area) > 1e-6 * (1 + f.area) OR abs(b.usable_area_m2 - f.usable) > 1e-6 * (1 + f.usable)
                OR b.panel_count <> f.panels OR abs(b.installable_kwp - f.kwp) > 1e-6 * (1 + f.kwp)
                OR abs(b.annual_kwh_ac - f.kwh) > 1e-3 * (1 + f.kwh) OR abs(b.mean_irradiation_kwh_per_m2 - f.irr) > 1e-6 * f.irr
                OR abs(b.annual_kwh_ac - (SELECT sum(v) FROM unnest(b.monthly_kwh_ac) v)) > 1e-4 * (1 + b.annual_kwh_ac))
            """, ("r", d.RunId));
        Assert.Equal(0L, mismatches);
        var faceMismatches = await ScalarAsync<long>(db, """
            SELECT count(*) FROM solar.face_result
            WHERE run_id = @r AND (abs(annual_kwh_ac - (SELECT sum(v) FROM unnest(monthly_kwh_ac) v)) > 1e-4 * (1 + annual_kwh_ac)
                OR abs(annual_kwh_ac - coalesce((SELECT sum(v) FROM unnest(panel_kwh_ac) v), 0)) > 1e-4 * (1 + annual_kwh_ac))
            """, ("r", d.RunId));
        Assert.Equal(0L, faceMismatches);
        Assert.True(await ScalarAsync<long>(db, "SELECT count(*) FROM solar.building_result WHERE run_id = @r AND annual_kwh_ac > 0", ("r", d.RunId)) > 40);
    }

    [Theory]
    [InlineData("NOHEIGHT", "skipped", "no_height")]
    [InlineData("TINY", "skipped", "footprint_too_small")]
    public async Task BadBuilding_ReportedWithStatusAndReasonCode(string id, string status, string reason)
    {
        var d = await SolarDistrict.GetAsync(db);
        var row = await ScalarAsync<string>(db, """
            SELECT r.status || '|' || coalesce(r.reason, '') FROM solar.building_result r JOIN region.building b ON b.id = r.building_id
            WHERE r.run_id = @r AND b.source = @s AND b.source_id = @id
            """, ("r", d.RunId), ("s", d.Sources[1]), ("id", id));
        Assert.Equal(status + "|" + reason, row);
    }

    [Fact]
    public async Task SelfIntersectingFootprint_BothLobesGetARoof()
    {
        // The ingest repairs the bow-tie into two 100 m² triangles; the computation gives each its roof.
        var d = await SolarDistrict.GetAsync(db);
        var row = await ScalarAsync<string>(db, """
            SELECT r.status || '|' || coalesce(r.reason, '') FROM solar.building_result r JOIN region.building b ON b.id = r.building_id
            WHERE r.run_id = @r AND b.source = @s AND b.source_id = 'BOWTIE'
            """, ("r", d.RunId), ("s", d.Sources[1]));
        Assert.Equal("ok|footprint_multi_part", row);
        Assert.Equal(200, await BuildingValueAsync(d, "BOWTIE", "roof_area_m2"), 0.01);
    }

    [Fact]
    public async Task Compute_BboxOutsideLambert93_SaysSoWithoutARun()
    {
        var (code, stdout, stderr) = await Cli.RunAsync(db, null, "compute", "solar", "--bbox", "140,-40,150,-30", "--workers", "1", "--new");
        Assert.Equal(1, code);
        Assert.Contains("--bbox: '140,-40,150,-30' lies outside Lambert-93's area of use", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.Equal("", stdout.Trim()); // no run was created, so no run report
    }

    [Fact]
    public async Task Compute_NoWeatherStationWithin100Km_BuildingSkippedWithReasonRunCompletes()
    {
        // A building in Marseille; the only stations are near Paris (660 km): the run goes on and says why per building.
        // The shared district brings the Paris station (without any station the run would stop before it starts).
        await SolarDistrict.GetAsync(db);
        var source = UniqueSource("solar-far");
        await BuildingIngest.RunAsync(db.DataSource, Options(TempFile("far.geojson", Collection2154(SquareFeature("FAR", 892_400, 6_247_200, 12, "\"hauteur\": 9"))), source), null, Ct);
        var (code, stdout, stderr) = await Cli.RunAsync(db, null, "compute", "solar", "--bbox", "5.30,43.25,5.40,43.32", "--workers", "1", "--new");
        Assert.True(code == 0, stderr);
        Assert.Contains("Warning: no weather station within 100 km of the area's centre", stderr);
        var runId = JsonDocument.Parse(stdout).RootElement.GetProperty("runId").GetInt64();
        var row = await ScalarAsync<string>(db, """
            SELECT r.status || '|' || r.reason || '|' || round(r.station_distance_km) FROM solar.building_result r JOIN region.building b ON b.id = r.building_id
            WHERE r.run_id = @r AND b.source = @s
            """, ("r", runId), ("s", source));
        // The reason is the code; the distance to the run's station goes with the result. Which station is nearest depends
        // on what other tests loaded into the shared database (Paris: 660 km; a Lyon year: 277 km): beyond 100 km is the point.
        var match = Regex.Match(row, @"^skipped\|station_too_far\|([0-9]+)$");
        Assert.True(match.Success, row);
        Assert.InRange(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), 101, 1_000);
        Assert.Equal("complete", await ScalarAsync<string>(db, "SELECT status FROM solar.run WHERE id = @r", ("r", runId)));
    }

    [Fact]
    public async Task Compute_DatabaseConnectionsTerminatedMidRun_WorkersReconnectAndTheRunCompletes()
    {
        // What a database restart does to a running worker: every connection is cut (pg_terminate_backend, the same
        // admin_shutdown error a restart sends). The workers wait, reconnect and finish; no job is lost or failed.
        var d = await SolarDistrict.GetAsync(db);
        var application = "sr-dbcut-" + Guid.NewGuid().ToString("N")[..8];
        var env = new Dictionary<string, string> { ["SMARTREGION_DB"] = db.ConnectionString + ";Application Name=" + application };
        var before = await ScalarAsync<long>(db, "SELECT coalesce(max(id), 0) FROM solar.run");
        var process = Cli.Start(db, env, ["compute", "solar", "--bbox", d.BboxWgs84, "--workers", "2", "--new"]);
        var stdout = new System.Text.StringBuilder();
        var stderr = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (stdout) { stdout.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (stderr) { stderr.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        long terminated = 0, cuts = 0;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline && !process.HasExited && cuts < 3)
        {
            // Cut only once this process's run is under way (its start-up is not retried: a failed start is simply run again).
            var runId = await ScalarAsync<long>(db, "SELECT coalesce(max(id), 0) FROM solar.run WHERE id > @r", ("r", before));
            if (runId > 0 && await ScalarAsync<long>(db, "SELECT count(*) FROM solar.job WHERE run_id = @r AND status = 'done'", ("r", runId)) >= 1 + cuts)
            {
                var n = await ScalarAsync<long>(db, "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = @a",
                    ("a", application));
                terminated += n;
                cuts += n > 0 ? 1 : 0;
            }
            await Task.Delay(20, Ct);
        }
        await process.WaitForExitAsync(Ct);
        Assert.True(terminated > 0, "no connection of the run was terminated");
        Assert.True(process.ExitCode == 0, stderr.ToString());
        var run = JsonDocument.Parse(stdout.ToString()).RootElement.GetProperty("runId").GetInt64();
        Assert.Equal("complete", await ScalarAsync<string>(db, "SELECT status FROM solar.run WHERE id = @r", ("r", run)));
        Assert.Equal(0L, await ScalarAsync<long>(db, "SELECT count(*) FROM solar.job WHERE run_id = @r AND status <> 'done'", ("r", run)));
        Assert.Equal(await ScalarAsync<long>(db, "SELECT building_count::bigint FROM solar.run WHERE id = @r", ("r", run)),
            await ScalarAsync<long>(db, "SELECT count(*) FROM solar.building_result WHERE run_id = @r", ("r", run)));
        process.Dispose();
    }

    [Fact]
    public async Task Compute_KilledMidRunThenRestarted_SameResultsToTheFloatAndNoDuplicates()
    {
        var shared = await SolarDistrict.GetAsync(db);
        // The reference is an uninterrupted run made now, not the fixture's first run: other tests add buildings to this
        // database, and both runs must see the same buildings and neighbours.
        var (refCode, refOut, refErr) = await Cli.RunAsync(db, null, "compute", "solar", "--bbox", shared.BboxWgs84, "--workers", "2", "--new");
        Assert.True(refCode == 0, refErr);
        var d = shared with { RunId = JsonDocument.Parse(refOut).RootElement.GetProperty("runId").GetInt64() };
        var env = new Dictionary<string, string> { ["SMARTREGION_SOLAR_LEASE_S"] = "2" };
        var process = Cli.Start(db, env, ["compute", "solar", "--bbox", d.BboxWgs84, "--workers", "2", "--new"]);
        // Drain both pipes so the progress line never blocks the child.
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        long runId = 0;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            runId = await ScalarAsync<long>(db, "SELECT coalesce(max(id), 0) FROM solar.run WHERE id > @r", ("r", d.RunId));
            if (runId > 0 && await ScalarAsync<long>(db, "SELECT count(*) FROM solar.job WHERE run_id = @r AND status = 'done'", ("r", runId)) >= 1)
            {
                break;
            }
            await Task.Delay(50, Ct);
        }
        Assert.False(process.HasExited, "the run finished before it could be killed");
        process.Kill(entireProcessTree: true); // SIGKILL: no cleanup code runs
        await process.WaitForExitAsync(Ct);
        process.Dispose();
        var doneAtKill = await ScalarAsync<long>(db, "SELECT count(*) FROM solar.job WHERE run_id = @r AND status = 'done'", ("r", runId));
        var jobs = await ScalarAsync<long>(db, "SELECT count(*) FROM solar.job WHERE run_id = @r", ("r", runId));
        Assert.True(doneAtKill < jobs, $"{doneAtKill} of {jobs} jobs done when killed");
        Assert.Equal("running", await ScalarAsync<string>(db, "SELECT status FROM solar.run WHERE id = @r", ("r", runId)));

        await Task.Delay(2500, Ct); // the dead worker's leases run out
        var (code, stdout, stderr) = await Cli.RunAsync(db, env, "compute", "solar", "--bbox", d.BboxWgs84, "--workers", "2");
        Assert.True(code == 0, stderr);
        Assert.Contains($"Resuming solar run {runId}", stderr);
        Assert.Equal(runId, JsonDocument.Parse(stdout).RootElement.GetProperty("runId").GetInt64());
        Assert.Equal("complete", await ScalarAsync<string>(db, "SELECT status FROM solar.run WHERE id = @r", ("r", runId)));

        // Every building once, and every value equal to the uninterrupted run's.
        Assert.Equal(await ScalarAsync<long>(db, "SELECT count(*) FROM solar.building_result WHERE run_id = @r", ("r", d.RunId)),
            await ScalarAsync<long>(db, "SELECT count(*) FROM solar.building_result WHERE run_id = @r", ("r", runId)));
        const string buildingColumns = """
            building_id, status, reason, roof_origin, roof_area_m2, usable_area_m2, mean_irradiation_kwh_per_m2, panel_count,
            installable_kwp, annual_kwh_ac, monthly_kwh_ac, configurations::text, finance::text, uncertainty::text, panel_layout
            """;
        const string faceColumns = """
            building_id, face_no, ST_AsEWKB(polygon), tilt_deg, azimuth_deg, area_m2, usable_area_m2, annual_irradiation_kwh_per_m2,
            quantiles_kwh_per_m2, shading_loss_fraction, panel_count, annual_kwh_ac, monthly_kwh_ac, sample_kwh_per_m2,
            sample_grid, sample_ij, ST_AsEWKB(panels), panel_kwh_ac
            """;
        foreach (var (table, columns) in new[] { ("building_result", buildingColumns), ("face_result", faceColumns) })
        {
            var different = await ScalarAsync<long>(db, $"""
                SELECT count(*) FROM (
                    (SELECT {columns} FROM solar.{table} WHERE run_id = @a EXCEPT ALL SELECT {columns} FROM solar.{table} WHERE run_id = @b)
                    UNION ALL
                    (SELECT {columns} FROM solar.{table} WHERE run_id = @b EXCEPT ALL SELECT {columns} FROM solar.{table} WHERE run_id = @a)) d
                """, ("a", d.RunId), ("b", runId));
            Assert.True(different == 0, $"{different} rows of solar.{table} differ between the uninterrupted and the killed run");
        }
    }

    [Fact]
    public async Task SampleGrid_GivesBackOnePointPerValue_OnItsFace()
    {
        var d = await SolarDistrict.GetAsync(db);
        // Each face's sample points, rebuilt from its grid: one per value, inside the face in plan (a centimetre of slack
        // for the float grid coordinates) and at the face's altitudes.
        var faces = await ScalarAsync<long>(db, "SELECT count(*) FROM solar.face_result WHERE run_id = @r", ("r", d.RunId));
        Assert.True(faces > 50, $"{faces} faces");
        var bad = await ScalarAsync<long>(db, """
            SELECT count(*) FROM (
                SELECT f.*, solar.sample_points(f.sample_grid, f.sample_ij) AS pts FROM solar.face_result f WHERE f.run_id = @r) f
            WHERE pts IS NULL
               OR ST_NumGeometries(pts) <> array_length(sample_kwh_per_m2, 1)
               OR NOT ST_Covers(ST_Buffer(ST_Force2D(polygon), 0.01), ST_Force2D(pts))
               OR ST_ZMin(pts) < ST_ZMin(polygon) - 0.01 OR ST_ZMax(pts) > ST_ZMax(polygon) + 0.01
            """, ("r", d.RunId));
        Assert.Equal(0L, bad);
        // Whole-cell grid coordinates, except for the single sample of a face narrower than the grid.
        Assert.Equal(0L, await ScalarAsync<long>(db, """
            SELECT count(*) FROM solar.face_result f CROSS JOIN LATERAL unnest(f.sample_ij) c
            WHERE f.run_id = @r AND array_length(f.sample_ij, 1) > 2 AND c <> round(c)
            """, ("r", d.RunId)));
    }

    [Fact]
    public async Task DeletingABuildingResult_DeletesItsFaces()
    {
        var d = await SolarDistrict.GetAsync(db);
        // In a transaction rolled back: the other tests read these rows.
        await using var conn = await db.DataSource.OpenConnectionAsync(Ct);
        await using var tx = await conn.BeginTransactionAsync(Ct);
        await using var pick = new Npgsql.NpgsqlCommand(
            "SELECT building_id FROM solar.face_result WHERE run_id = @r ORDER BY building_id LIMIT 1", conn, tx);
        pick.Parameters.AddWithValue("r", d.RunId);
        var building = (long)(await pick.ExecuteScalarAsync(Ct))!;
        await using var delete = new Npgsql.NpgsqlCommand("""
            DELETE FROM solar.building_result WHERE run_id = @r AND building_id = @b;
            SELECT count(*) FROM solar.face_result WHERE run_id = @r AND building_id = @b
            """, conn, tx);
        delete.Parameters.AddWithValue("r", d.RunId);
        delete.Parameters.AddWithValue("b", building);
        Assert.Equal(0L, (long)(await delete.ExecuteScalarAsync(Ct))!);
        await tx.RollbackAsync(Ct);
    }

    [Fact]
    public async Task StoringADoneTileAgain_ReplacesItsResults()
    {
        // A tile computed again after its results committed (its worker lost the answer and handed it back): the store
        // replaces them, building by building looked up by key, rather than fail on the primary key or duplicate them.
        var d = await SolarDistrict.GetAsync(db);
        var ds = db.DataSource;
        var runs = new SmartRegion.Data.Solar.SolarRunStore(ds);
        var (parameters, station) = await SmartRegion.Pipelines.Commands.ComputeCommands.RunSettingsAsync(runs, d.RunId, Ct);
        var context = await runs.ContextAsync(d.RunId, parameters, station, Ct);
        var jobId = await ScalarAsync<long>(db, "SELECT id FROM solar.job WHERE run_id = @r AND status = 'done' ORDER BY building_count DESC, id LIMIT 1", ("r", d.RunId));
        const string Figures = """
            SELECT count(*)::text || ' ' || coalesce(sum(round(annual_kwh_ac::numeric, 6)), 0)::text || ' ' || (SELECT count(*) FROM solar.face_result f WHERE f.run_id = @r AND f.building_id = ANY(j.building_ids))::text
            FROM solar.job j JOIN solar.building_result r ON r.run_id = j.run_id AND r.building_id = ANY(j.building_ids) WHERE j.id = @j GROUP BY j.building_ids
            """;
        var before = await ScalarAsync<string>(db, Figures, ("r", d.RunId), ("j", jobId));
        await ScalarAsync<long>(db, "UPDATE solar.job SET status = 'running', worker = 'replay', lease_until = now() + interval '5 minutes' WHERE id = @j; SELECT 1::bigint", ("j", jobId));
        var store = new SmartRegion.Data.Solar.SolarTileStore(ds);
        var results = SmartRegion.Rooftop.TileComputer.Compute(await store.LoadTileAsync(jobId, parameters.HorizonRadiusM, Ct), context);
        Assert.True(await store.CompleteAsync(new SmartRegion.Data.Solar.SolarJob(jobId, d.RunId, "replay", 0, 0, 0, 0, 2), "replay", results, 1, Ct));
        Assert.Equal(before, await ScalarAsync<string>(db, Figures, ("r", d.RunId), ("j", jobId)));
        Assert.Equal("done", await ScalarAsync<string>(db, "SELECT status FROM solar.job WHERE id = @j", ("j", jobId)));
    }

    [Fact]
    public async Task DeletingABuildingOrARun_DeletesTheirResults()
    {
        // The cascades of the foreign keys that 0412 replaced with triggers (results are written without key checks).
        var d = await SolarDistrict.GetAsync(db);
        await using var conn = await db.DataSource.OpenConnectionAsync(Ct);
        await using var tx = await conn.BeginTransactionAsync(Ct);
        async Task<long> Scalar(string sql, long id)
        {
            await using var cmd = new Npgsql.NpgsqlCommand(sql, conn, tx);
            cmd.Parameters.AddWithValue("r", d.RunId);
            cmd.Parameters.AddWithValue("id", id);
            return Convert.ToInt64(await cmd.ExecuteScalarAsync(Ct), CultureInfo.InvariantCulture);
        }
        var building = await Scalar("SELECT min(building_id) FROM solar.face_result WHERE run_id = @r AND @id = 0", 0);
        Assert.True(await Scalar("SELECT count(*) FROM solar.building_result WHERE building_id = @id", building) >= 1);
        Assert.Equal(0L, await Scalar("""
            DELETE FROM region.building WHERE id = @id;
            SELECT (SELECT count(*) FROM solar.building_result WHERE building_id = @id) + (SELECT count(*) FROM solar.face_result WHERE building_id = @id)
            """, building));
        Assert.True(await Scalar("SELECT count(*) FROM solar.face_result WHERE run_id = @r AND @id = 0", 0) > 0);
        Assert.Equal(0L, await Scalar("""
            DELETE FROM solar.run WHERE id = @r;
            SELECT (SELECT count(*) FROM solar.building_result WHERE run_id = @r) + (SELECT count(*) FROM solar.face_result WHERE run_id = @r) + @id
            """, 0));
        await tx.RollbackAsync(Ct);
    }

    private static async Task<double> BuildingValueAsync(SolarDistrict d, string id, string expression) =>
        await ScalarAsync<double>(d.Db, $"""
            SELECT ({expression})::double precision FROM solar.building_result r JOIN region.building b ON b.id = r.building_id
            WHERE r.run_id = @r AND b.source = @s AND b.source_id = @id AND r.status = 'ok'
            """, ("r", d.RunId), ("s", d.Sources[1]), ("id", id));

    private static async Task<double> FaceValueAsync(SolarDistrict d, string id, string condition) =>
        await ScalarAsync<double>(d.Db, $"""
            SELECT sum(f.annual_irradiation_kwh_per_m2 * f.area_m2) / sum(f.area_m2) FROM solar.face_result f JOIN region.building b ON b.id = f.building_id
            WHERE f.run_id = @r AND b.source = @s AND b.source_id = @id AND {condition}
            """, ("r", d.RunId), ("s", d.Sources[1]), ("id", id));
}

/// <summary>The computed district shared by <see cref="SolarComputeTests"/>: made once per test run.</summary>
internal sealed record SolarDistrict(TestDatabase Db, long RunId, string[] Sources, string BboxWgs84, double AnnualGhiKwhPerM2)
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static SolarDistrict? instance;

    public static async Task<SolarDistrict> GetAsync(TestDatabase db)
    {
        await Gate.WaitAsync(Ct);
        try
        {
            return instance ??= await CreateAsync(db);
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<SolarDistrict> CreateAsync(TestDatabase db)
    {
        var folder = Path.Combine(Path.GetTempPath(), "sr-solar-tests", Guid.NewGuid().ToString("N")[..8]);
        var demo = DemoDistrict.Generate(folder, seed: 5, targetBuildings: 60);
        var demoSource = UniqueSource("solar-demo");
        await BuildingIngest.RunAsync(db.DataSource, Options(demo.BuildingsPath, demoSource), null, Ct);

        // Hand-placed buildings, ground at 40 m: each group is more than the 2 km horizon radius from the others.
        string Attrs(double heightM, double eavesM, double ridgeM) => string.Create(CultureInfo.InvariantCulture,
            $"\"hauteur\": {heightM}, \"altitude_minimale_sol\": 40, \"altitude_minimale_toit\": {40 + eavesM}, \"altitude_maximale_toit\": {40 + ridgeM}");
        var special = Collection2154(
            SquareFeature("FLAT", 646_000, 6_861_000, 12, Attrs(10, 10, 10)),
            RectangleFeature("GABLE", 649_000, 6_857_000, 20, 8, Attrs(10, 6, 10)),                 // ridge east–west, 45° pitch
            SquareFeature("TOWER", 652_400, 6_864_000, 20, Attrs(60, 60, 60)),
            RectangleFeature("SHADED", 652_405, 6_864_025, 10, 10, Attrs(6, 6, 6)),                 // 5 m north of the tower
            SquareFeature("NOHEIGHT", 640_000, 6_861_000, 10, "\"nature\": \"Indifférenciée\""),
            SquareFeature("TINY", 640_100, 6_861_000, 1.5, Attrs(3, 3, 3)),
            "{\"type\":\"Feature\",\"properties\":{\"cleabs\":\"BOWTIE\"," + Attrs(8, 8, 8) + "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[640200,6861000],[640220,6861020],[640220,6861000],[640200,6861020],[640200,6861000]]]}}");
        var specialSource = UniqueSource("solar-special");
        await BuildingIngest.RunAsync(db.DataSource, Options(TempFile("special.geojson", special), specialSource), null, Ct);

        var weatherPath = Path.Combine(folder, "demo-weather.csv");
        var annualGhi = DemoWeather.Write(weatherPath, 48.92, 2.36, 40);
        await WeatherIngest.RunAsync(db.DataSource, new WeatherIngestOptions(weatherPath, WeatherFormat.Auto, "solar-tests", null, null), Ct);

        var bbox = await ScalarAsync<string>(db, """
            SELECT concat_ws(',', round(ST_XMin(e)::numeric, 5), round(ST_YMin(e)::numeric, 5), round(ST_XMax(e)::numeric, 5), round(ST_YMax(e)::numeric, 5))
            FROM (SELECT ST_Transform(ST_SetSRID(ST_Expand(ST_Extent(footprint), 5), 2154), 4326) AS e FROM region.building WHERE source = ANY(@s)) t
            """, ("s", new[] { demoSource, specialSource }));
        var (code, stdout, stderr) = await Cli.RunAsync(db, null, "compute", "solar", "--bbox", bbox, "--workers", "2", "--new");
        Assert.True(code == 0, stderr);
        var runId = JsonDocument.Parse(stdout).RootElement.GetProperty("runId").GetInt64();
        return new SolarDistrict(db, runId, [demoSource, specialSource], bbox, annualGhi);
    }

    private static string RectangleFeature(string id, double x, double y, double widthM, double depthM, string attributes)
    {
        string P(double px, double py) => string.Create(CultureInfo.InvariantCulture, $"[{px}, {py}]");
        var ring = $"[{P(x, y)},{P(x + widthM, y)},{P(x + widthM, y + depthM)},{P(x, y + depthM)},{P(x, y)}]";
        return "{\"type\":\"Feature\",\"properties\":{\"cleabs\":\"" + id + "\"," + attributes + "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[" + ring + "]}}";
    }
}

/// <summary>The real CLI process (its Release or Debug build beside this test's), with the test database.</summary>
internal static class Cli
{
    private static string Dll => Path.Combine(AppContext.BaseDirectory.Replace(
        $"{Path.DirectorySeparatorChar}SmartRegion.Pipelines.Tests{Path.DirectorySeparatorChar}",
        $"{Path.DirectorySeparatorChar}SmartRegion.Pipelines{Path.DirectorySeparatorChar}", StringComparison.Ordinal), "SmartRegion.Pipelines.dll");

    public static Process Start(TestDatabase db, IReadOnlyDictionary<string, string>? environment, string[] args) =>
        Start(db.ConnectionString, environment, args);

    public static Process Start(string connectionString, IReadOnlyDictionary<string, string>? environment, string[] args)
    {
        Assert.True(File.Exists(Dll), Dll);
        var start = new ProcessStartInfo("dotnet", [Dll, .. args]) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["SMARTREGION_DB"] = connectionString;
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }
        return Process.Start(start)!;
    }

    public static Task<(int Code, string Stdout, string Stderr)> RunAsync(TestDatabase db, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        RunAsync(db.ConnectionString, environment, args);

    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string connectionString, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var process = Start(connectionString, environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await stdout, await stderr);
    }
}
