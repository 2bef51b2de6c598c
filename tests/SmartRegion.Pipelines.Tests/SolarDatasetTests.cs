using System.Text.Json;
using SmartRegion.Data.Catalog;
using SmartRegion.Testing;
using static SmartRegion.Pipelines.Tests.Fixtures;

namespace SmartRegion.Pipelines.Tests;

/// <summary>
/// A complete <c>compute solar</c> publishes its results as the next version of the platform's public dataset
/// <c>solar-potential-buildings</c>, with the run's provenance; a run that is not complete never does.
/// </summary>
/// <remarks>
/// Uses the district computed once for <see cref="SolarComputeTests"/>; other tests of the collection may have made
/// later runs (and so later versions), so each check finds its version by the run id in its provenance.
/// </remarks>
[Collection("process-environment")]
public sealed class SolarDatasetTests(TestDatabase db)
{
    private sealed record Version(long Id, int Number, string Status, long RowCount, string RecordsTable, JsonElement Provenance, string Checksum);

    private async Task<Version?> VersionOfRunAsync(long runId, string slug = SolarDataset.Slug)
    {
        var json = await ScalarAsync<string>(db, """
            SELECT coalesce((SELECT json_build_object('id', v.id, 'number', v.number, 'status', v.status, 'rowCount', v.row_count,
                       'recordsTable', v.records_table, 'provenance', v.provenance, 'checksum', v.checksum_sha256)::text
                FROM catalog.dataset_version v JOIN catalog.dataset d ON d.id = v.dataset_id
                WHERE d.slug = @slug AND v.format = 'solar-run' AND (v.provenance ->> 'runId')::bigint = @r), 'null')
            """, ("slug", slug), ("r", runId));
        return JsonSerializer.Deserialize<Version>(json, JsonSerializerOptions.Web);
    }

    [Fact]
    public async Task CompleteRun_PublishedAsPublicDatasetOfThePlatformWithProvenanceAndOneRecordPerBuilding()
    {
        var d = await SolarDistrict.GetAsync(db);
        var v = await VersionOfRunAsync(d.RunId);
        Assert.NotNull(v);
        Assert.Contains(v.Status, new[] { "published", "superseded" });
        Assert.Equal("platform|public|SmartRegion", await ScalarAsync<string>(db, """
            SELECT o.kind || '|' || d.visibility || '|' || o.name FROM catalog.dataset d JOIN catalog.organisation o ON o.id = d.owner_org_id WHERE d.slug = @s
            """, ("s", SolarDataset.Slug)));

        var buildings = await ScalarAsync<long>(db, "SELECT count(*) FROM solar.building_result WHERE run_id = @r", ("r", d.RunId));
        Assert.Equal(buildings, v.RowCount);
        Assert.Equal(buildings, await ScalarAsync<long>(db, $"SELECT count(*) FROM records.\"{v.RecordsTable}\""));

        // Provenance: what the run was, what it read, with which code and parameters, and when.
        var p = v.Provenance;
        Assert.Equal(d.RunId, p.GetProperty("runId").GetInt64());
        Assert.Equal(await ScalarAsync<string>(db, "SELECT model_version FROM solar.run WHERE id = @r", ("r", d.RunId)), p.GetProperty("modelVersion").GetString());
        Assert.Equal(await ScalarAsync<string>(db, "SELECT encode(sha256(convert_to(parameters::text, 'UTF8')), 'hex') FROM solar.run WHERE id = @r", ("r", d.RunId)),
            p.GetProperty("parametersSha256").GetString());
        Assert.Equal(64, p.GetProperty("parametersSha256").GetString()!.Length);
        Assert.Equal(await ScalarAsync<string>(db, "SELECT s.name FROM solar.run r JOIN weather.station s ON s.id = r.station_id WHERE r.id = @r", ("r", d.RunId)),
            p.GetProperty("weatherStation").GetProperty("name").GetString());
        var ingestIds = await ScalarAsync<long[]>(db, "SELECT ingest_run_ids FROM solar.run WHERE id = @r", ("r", d.RunId));
        Assert.NotEmpty(ingestIds);
        Assert.Equal(ingestIds.Order(), p.GetProperty("ingestRuns").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).Order());
        Assert.True(p.GetProperty("completedAt").GetDateTimeOffset() >= p.GetProperty("startedAt").GetDateTimeOffset());
        Assert.True(p.GetProperty("timings").GetProperty("jobs").GetInt32() > 0);
        Assert.Equal(buildings, p.GetProperty("buildings").GetProperty("total").GetInt64());
        Assert.Matches("^[0-9a-f]{64}$", v.Checksum);

        // The known flat roof: its identifiers and values are the run's, its footprint in Lambert-93.
        var flat = await ScalarAsync<string>(db, $"""
            SELECT r.f4 || '|' || r.f9 || '|' || (r.f17 = br.annual_kwh_ac) || '|' || (r.f14 = br.mean_irradiation_kwh_per_m2) || '|' ||
                   (r.f18 BETWEEN 1 AND 5) || '|' || (r.f19 < r.f17 AND r.f17 < r.f20) || '|' || ST_SRID(r.f22) || '|' || round(ST_Area(r.f22))
            FROM records."{v.RecordsTable}" r JOIN solar.building_result br ON br.building_id = r.f1 AND br.run_id = @r
            WHERE r.f4 = 'FLAT'
            """, ("r", d.RunId));
        Assert.Equal("FLAT|ok|true|true|true|true|2154|144", flat);

        // The roof faces of the same run, in their own dataset with the same provenance: the flat roof is one level face.
        var faces = await VersionOfRunAsync(d.RunId, SolarDataset.RoofFacesSlug);
        Assert.NotNull(faces);
        Assert.Equal(await ScalarAsync<long>(db, "SELECT count(*) FROM solar.face_result WHERE run_id = @r", ("r", d.RunId)), faces.RowCount);
        Assert.Equal(p.GetRawText(), faces.Provenance.GetRawText());
        Assert.Equal("1|0|2154|144", await ScalarAsync<string>(db, $"""
            SELECT count(*) || '|' || max(f5) || '|' || max(ST_SRID(f15)) || '|' || round(sum(ST_Area(f15)))
            FROM records."{faces.RecordsTable}" WHERE f2 = 'FLAT'
            """));
    }

    [Fact]
    public async Task SecondRun_NewCurrentVersion_PreviousKeptAndRollbackBringsItBack()
    {
        var d = await SolarDistrict.GetAsync(db);
        var (code, stdout, stderr) = await Cli.RunAsync(db, null, "compute", "solar", "--bbox", d.BboxWgs84, "--workers", "2", "--new");
        Assert.True(code == 0, stderr);
        var runId = JsonDocument.Parse(stdout).RootElement.GetProperty("runId").GetInt64();
        var latest = await VersionOfRunAsync(runId);
        Assert.NotNull(latest);
        Assert.Contains($"Catalogue: dataset '{SolarDataset.Slug}' version {latest.Number} published", stderr);
        Assert.Contains($"Catalogue: dataset '{SolarDataset.RoofFacesSlug}' version ", stderr);
        Assert.Equal("published", latest.Status);
        var datasetId = await ScalarAsync<long>(db, "SELECT id FROM catalog.dataset WHERE slug = @s", ("s", SolarDataset.Slug));
        Assert.Equal(latest.Id, await ScalarAsync<long>(db, "SELECT current_version_id FROM catalog.dataset WHERE id = @d", ("d", datasetId)));
        var first = await VersionOfRunAsync(d.RunId);
        Assert.Equal("superseded", first!.Status);
        Assert.True(latest.Number > first.Number);
        Assert.Equal(1L, await ScalarAsync<long>(db, "SELECT count(*) FROM catalog.dataset_version WHERE dataset_id = @d AND status = 'published'", ("d", datasetId)));
        Assert.Equal("published", (await VersionOfRunAsync(runId, SolarDataset.RoofFacesSlug))!.Status);
        Assert.Equal("superseded", (await VersionOfRunAsync(d.RunId, SolarDataset.RoofFacesSlug))!.Status);

        // The earlier run comes back as the current version, then the latest again: both tables were kept.
        var versions = new VersionStore(db.DataSource);
        Assert.Equal("published", (await versions.PublishAsync(datasetId, first.Number, null, rollback: true, Ct)).Status);
        Assert.Equal(first.Id, await ScalarAsync<long>(db, "SELECT current_version_id FROM catalog.dataset WHERE id = @d", ("d", datasetId)));
        Assert.Equal(first.RowCount, await ScalarAsync<long>(db, $"SELECT count(*) FROM records.\"{first.RecordsTable}\""));
        await versions.PublishAsync(datasetId, latest.Number, null, rollback: true, Ct);
        Assert.Equal(latest.Id, await ScalarAsync<long>(db, "SELECT current_version_id FROM catalog.dataset WHERE id = @d", ("d", datasetId)));

        // Publishing the same run again (another worker finishing it) changes nothing.
        var again = await new SolarDataset(db.DataSource).PublishRunAsync(runId, Ct);
        Assert.Null(again.VersionNumber);
        Assert.Contains("already published", again.SkippedBecause);
    }

    [Theory]
    [InlineData("running")]
    [InlineData("failed")]
    [InlineData("cancelled")]
    public async Task RunNotComplete_NeverPublished(string status)
    {
        var runId = await ScalarAsync<long>(db, """
            INSERT INTO solar.run (status, model_version, parameters, area, tile_size_m) VALUES (@s, 'test', '{}', '{"all": true}', 250) RETURNING id
            """, ("s", status));
        var before = await ScalarAsync<long>(db, "SELECT count(*) FROM catalog.dataset_version WHERE format = 'solar-run'");
        var result = await new SolarDataset(db.DataSource).PublishRunAsync(runId, Ct);
        Assert.Null(result.VersionNumber);
        Assert.Equal($"solar run {runId} is {status}, not complete", result.SkippedBecause);
        Assert.Equal(before, await ScalarAsync<long>(db, "SELECT count(*) FROM catalog.dataset_version WHERE format = 'solar-run'"));
        Assert.Null(await VersionOfRunAsync(runId));
        Assert.True(result.RunNotComplete);

        // The operator's command says the same, and fails.
        var output = new StringWriter();
        Assert.Equal(1, await SmartRegion.Pipelines.Commands.AdminCommands.RunAsync(
            ["publish-solar", "--run", runId.ToString(System.Globalization.CultureInfo.InvariantCulture)], db.ConnectionString, TextReader.Null, output, Ct));
        Assert.Equal(result.SkippedBecause, JsonDocument.Parse(output.ToString()).RootElement.GetProperty("skippedBecause").GetString());
    }

    [Fact]
    public async Task AdminPublishSolar_LatestRunAlreadyPublished_SaysSoAndSucceeds()
    {
        await SolarDistrict.GetAsync(db);
        var output = new StringWriter();
        Assert.Equal(0, await SmartRegion.Pipelines.Commands.AdminCommands.RunAsync(["publish-solar"], db.ConnectionString, TextReader.Null, output, Ct));
        var json = JsonDocument.Parse(output.ToString()).RootElement;
        Assert.Equal(SolarDataset.Slug, json.GetProperty("dataset").GetString());
        Assert.False(json.TryGetProperty("version", out var version) && version.ValueKind != JsonValueKind.Null);
        Assert.Equal($"solar run {json.GetProperty("runId").GetInt64()} is already published", json.GetProperty("skippedBecause").GetString());
    }
}
