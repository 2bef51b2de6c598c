using System.Globalization;
using System.Net;
using System.Text.Json;
using SmartRegion.Data;
using SmartRegion.Data.Barometer;
using SmartRegion.Data.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Barometer;

/// <summary>
/// The barometer's API over HTTP, on its own database (a refresh sums every result of a database, so other tests' rows
/// would show): a commune of Seine-Saint-Denis with one computed and one skipped building, a building outside any commune,
/// one complete run published as the buildings dataset, then a refresh. Results are written with SQL (the Api.Tests may
/// not reference the Pipelines); the sums themselves are checked against a real run in the Pipelines' BarometerTests.
/// </summary>
public sealed class BarometerApiTests(BarometerApiTests.Site site) : IClassFixture<BarometerApiTests.Site>, IAsyncDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Site(TestDatabase db) : IAsyncLifetime
    {
        public string ConnectionString { get; private set; } = "";

        public long RunId { get; private set; }

        public string EmptyConnectionString { get; private set; } = "";

        public async ValueTask InitializeAsync()
        {
            ConnectionString = await db.CreateScratchDatabaseAsync(Ct);
            EmptyConnectionString = await db.CreateScratchDatabaseAsync(Ct);
            await using var empty = SmartRegionDatabase.CreateDataSource(EmptyConnectionString, "barometer-api-tests");
            await Migrator.MigrateAsync(empty, Ct);
            await using var dataSource = SmartRegionDatabase.CreateDataSource(ConnectionString, "barometer-api-tests");
            await Migrator.MigrateAsync(dataSource, Ct);
            long a, c;
            await using (var cmd = dataSource.CreateCommand("""
                WITH ir AS (INSERT INTO region.ingest_run (kind, source, file_name, status) VALUES ('buildings', 'api-test', 'test', 'succeeded') RETURNING id),
                bd AS (INSERT INTO region.boundary (level, code, name, geometry, ingest_run_id)
                       SELECT 'commune', '93066', 'Saint-Denis', ST_Multi(ST_MakeEnvelope(651900, 6865900, 652200, 6866200, 2154)), id FROM ir
                       UNION ALL
                       SELECT 'departement', '93', 'Seine-Saint-Denis', ST_Multi(ST_MakeEnvelope(651000, 6865000, 653000, 6867000, 2154)), id FROM ir
                       RETURNING 1),
                a AS (INSERT INTO region.building (source, source_id, footprint, height_above_ground_m, attributes, ingest_run_id)
                      SELECT 'api-test', 'A', ST_Multi(ST_MakeEnvelope(652000, 6866000, 652010, 6866030, 2154)), 9,
                             '{"cleabs": "BATIMENT0000000000000001", "nombre_de_logements": 10}', id FROM ir RETURNING id),
                b AS (INSERT INTO region.building (source, source_id, footprint, attributes, ingest_run_id)
                      SELECT 'api-test', 'B', ST_Multi(ST_MakeEnvelope(652050, 6866000, 652060, 6866010, 2154)), '{"nombre_de_logements": "4"}', id FROM ir RETURNING id),
                c AS (INSERT INTO region.building (source, source_id, footprint, height_above_ground_m, ingest_run_id)
                      SELECT 'api-test', 'C', ST_Multi(ST_MakeEnvelope(640000, 6861000, 640010, 6861010, 2154)), 6, id FROM ir RETURNING id),
                r AS (INSERT INTO solar.run (status, model_version, parameters, area, tile_size_m, building_count, finished_at)
                      VALUES ('complete', 'v-test', '{"suitabilityBandsKwhPerM2": {"value": [800, 1000, 1200, 1400]}}', '{"all": true}', 500, 3, now())
                      RETURNING id),
                res AS (INSERT INTO solar.building_result (run_id, building_id, status, reason, roof_origin, centre, roof_area_m2, usable_area_m2,
                            mean_irradiation_kwh_per_m2, panel_count, installable_kwp, annual_kwh_ac, co2_avoided_kg_per_year)
                        SELECT r.id, a.id, 'ok', NULL, 'inferred', ST_SetSRID(ST_MakePoint(652005, 6866015), 2154), 300, 240, 1100, 36, 15.3, 15000, 750 FROM r, a
                        UNION ALL
                        SELECT r.id, b.id, 'skipped', 'no height', NULL, ST_SetSRID(ST_MakePoint(652055, 6866005), 2154), NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM r, b
                        UNION ALL
                        SELECT r.id, c.id, 'ok', NULL, 'inferred', ST_SetSRID(ST_MakePoint(640005, 6861005), 2154), 100, 50, 1000, 6, 2.55, 2000, 100 FROM r, c
                        RETURNING run_id, building_id)
                SELECT r.id, a.id, c.id FROM r, a, c
                """))
            await using (var reader = await cmd.ExecuteReaderAsync(Ct))
            {
                await reader.ReadAsync(Ct);
                (RunId, a, c) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            }
            {
                // A: two faces in classes 4 and 2 (its best is 4); C: one face in class 3.
                await using var faces = dataSource.CreateCommand("""
                    INSERT INTO solar.face_result (run_id, building_id, face_no, polygon, origin, tilt_deg, azimuth_deg, area_m2, usable_area_m2,
                        annual_irradiation_kwh_per_m2, quantiles_kwh_per_m2, shading_loss_fraction, suitability_class, panel_count, installable_kwp,
                        annual_kwh_ac, monthly_kwh_ac)
                    SELECT @run, b, k, ST_Force3D(ST_MakeEnvelope(0, 0, 1, 1, 2154), 50), 'inferred', 30, 180, area, 0, 1000,
                           array_fill(1000::real, ARRAY[11]), 0, cls, 0, 0, 0, array_fill(0::real, ARRAY[12])
                    FROM (VALUES (@a, 1, 200.0, 4), (@a, 2, 100.0, 2), (@c, 1, 100.0, 3)) v(b, k, area, cls)
                    """);
                faces.Parameters.AddWithValue("run", RunId);
                faces.Parameters.AddWithValue("a", a);
                faces.Parameters.AddWithValue("c", c);
                await faces.ExecuteNonQueryAsync(Ct);
            }
            await new SolarDataset(dataSource).PublishRunAsync(RunId, Ct);
            await new BarometerRefresh(dataSource).RefreshAsync(BarometerParameters.Load(BarometerParameters.DefaultPath()), Ct);
        }

        public async ValueTask DisposeAsync()
        {
            await db.DropScratchAsync(ConnectionString, CancellationToken.None);
            await db.DropScratchAsync(EmptyConnectionString, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Barometer_RegionDepartementCommune_StoredFiguresWithSharesAndProvenance()
    {
        var json = await GetJsonAsync("/api/v1/barometer");

        var region = json.GetProperty("region");
        Assert.Equal(3, region.GetProperty("buildings").GetInt32());
        Assert.Equal(2, region.GetProperty("buildingsAnalysed").GetInt32());
        Assert.Equal(0.017, region.GetProperty("potentialGwhPerYear").GetDouble(), 1e-12);
        var commune = Assert.Single(json.GetProperty("communes").EnumerateArray());
        Assert.Equal("93066|Saint-Denis|93|Seine-Saint-Denis", string.Join('|', new[] { "code", "name", "departementCode", "departementName" }
            .Select(p => commune.GetProperty(p).GetString())));
        Assert.Equal(2, commune.GetProperty("buildings").GetInt32());
        Assert.Equal(1, commune.GetProperty("buildingsAnalysed").GetInt32());
        Assert.Equal(1, commune.GetProperty("buildingsSkipped").GetInt32());
        Assert.Equal(300, commune.GetProperty("roofAreaM2").GetDouble(), 1e-12);
        Assert.Equal(240, commune.GetProperty("usableAreaM2").GetDouble(), 1e-12);
        Assert.Equal(0.0153, commune.GetProperty("installableMwp").GetDouble(), 1e-12);
        Assert.Equal(0.015, commune.GetProperty("potentialGwhPerYear").GetDouble(), 1e-12);
        Assert.Equal(0.75, commune.GetProperty("co2AvoidableTPerYear").GetDouble(), 1e-12);
        // Dwellings of both buildings (the skipped one's too: it is lived in), × 4272 kWh.
        Assert.Equal(14, commune.GetProperty("dwellings").GetInt64());
        Assert.Equal(14 * 4272 / 1e6, commune.GetProperty("residentialUseGwhPerYear").GetDouble(), 1e-12);
        Assert.Equal(0.015 / (14 * 4272 / 1e6), commune.GetProperty("potentialShareOfResidentialUse").GetDouble(), 1e-12);
        var classes = commune.GetProperty("suitability").EnumerateArray().ToList();
        Assert.Equal([0, 0, 0, 1, 0], classes.Select(c => c.GetProperty("buildings").GetInt32()));
        Assert.Equal([0, 100, 0, 200, 0], classes.Select(c => c.GetProperty("roofAreaM2").GetDouble()));
        Assert.Equal(2.0 / 3, classes[3].GetProperty("roofAreaShare").GetDouble(), 1e-12);
        Assert.Equal(JsonValueKind.Null, commune.GetProperty("installedMwp").ValueKind);
        Assert.Equal("Seine-Saint-Denis", Assert.Single(json.GetProperty("departements").EnumerateArray()).GetProperty("name").GetString());

        Assert.Equal(site.RunId, json.GetProperty("refresh").GetProperty("runs")[0].GetProperty("runId").GetInt64());
        Assert.Equal("v-test", json.GetProperty("refresh").GetProperty("runs")[0].GetProperty("modelVersion").GetString());
        Assert.Equal(4272, json.GetProperty("refresh").GetProperty("assumptions").GetProperty("residentialElectricityKwhPerDwellingPerYear").GetProperty("value").GetDouble());
        Assert.Contains("CRE", json.GetProperty("refresh").GetProperty("assumptions").GetProperty("residentialElectricityKwhPerDwellingPerYear").GetProperty("source").GetString());
        Assert.Equal(BarometerDataset.Slug, json.GetProperty("dataset").GetProperty("id").GetString());
        Assert.Equal(1, json.GetProperty("dataset").GetProperty("version").GetInt32());
        Assert.Contains(json.GetProperty("indicators").EnumerateArray(), i => i.GetProperty("key").GetString() == "potentialGwhPerYear");
    }

    [Fact]
    public async Task Commune_HowEachFigureWasComputed_RunsAndReproducingQueries()
    {
        var json = await GetJsonAsync("/api/v1/barometer/communes/93066");

        Assert.Equal("93066", json.GetProperty("area").GetProperty("code").GetString());
        Assert.Equal("/?commune=93066", json.GetProperty("map3d").GetString());
        var run = Assert.Single(json.GetProperty("provenance").GetProperty("runs").EnumerateArray());
        Assert.Equal(site.RunId, run.GetProperty("runId").GetInt64());
        Assert.Equal(1, run.GetProperty("buildingsDatasetVersion").GetInt32());
        var how = json.GetProperty("howComputed").EnumerateArray().ToDictionary(h => h.GetProperty("indicator").GetString()!);
        var potential = how["potentialGwhPerYear"];
        Assert.Equal(0.015, potential.GetProperty("value").GetDouble(), 1e-12);
        Assert.Equal(1e6, potential.GetProperty("queryValueDivisor").GetDouble());
        Assert.Contains("annual_kwh_ac", potential.GetProperty("formula").GetString());
        Assert.Contains("commune_code = \"93066\"", potential.GetProperty("formula").GetString());
        // The explore API v2.1 on this host reproduces the figure: one aggregate over the buildings dataset's current
        // version (the run's), with the same place and status as the formula.
        Assert.Equal("explore", potential.GetProperty("queryKind").GetString());
        var query = Assert.Single(potential.GetProperty("queries").EnumerateArray()).GetString()!;
        Assert.StartsWith("/api/explore/v2.1/catalog/datasets/solar-potential-buildings/records?select=", query);
        Assert.Contains("annual_kwh_ac", Uri.UnescapeDataString(query));

        // The query's answer, divided as said, is the figure.
        using var response = await Client().GetAsync(query, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var reproduced = JsonDocument.Parse(text).RootElement.GetProperty("results")[0].GetProperty("value").GetDouble();
        Assert.Equal(potential.GetProperty("value").GetDouble(), reproduced / potential.GetProperty("queryValueDivisor").GetDouble(), 1e-12);
        Assert.Contains("4272", how["residentialUseGwhPerYear"].GetProperty("formula").GetString());

        // Its buildings of largest potential: the same rows (the commune by the published rule), largest first, with the map link.
        // Asked of the explore API: the ten ok rows of the commune with the largest annual_kwh_ac.
        var top = "/api/explore/v2.1/catalog/datasets/solar-potential-buildings/records?select=building_id&limit=10" +
            "&where=" + Uri.EscapeDataString("commune_code = \"93066\" and status = \"ok\"") +
            "&order_by=" + Uri.EscapeDataString("annual_kwh_ac desc, building_id");
        var expected = JsonDocument.Parse(await Client().GetStringAsync(top, Ct)).RootElement.GetProperty("results").EnumerateArray()
            .Select(r => r.GetProperty("building_id").GetInt64()).ToList();
        var listed = json.GetProperty("buildings").EnumerateArray().ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, listed.Select(b => b.GetProperty("id").GetInt64()));
        Assert.Equal($"/?building={expected[0]}", listed[0].GetProperty("map3d").GetString());
        Assert.Equal($"/api/v1/solar/buildings/{expected[0]}", listed[0].GetProperty("report").GetString());
    }

    [Fact]
    public async Task Dataset_DcatProvenance_TheRefreshAndTheRunsItUsed()
    {
        using var response = await Client().GetAsync($"/api/v1/datasets/{BarometerDataset.Slug}/dcat.ttl", Ct);
        var turtle = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, turtle);
        Assert.Contains("barometer-refresh-", turtle);
        Assert.Contains($"solar-run-{site.RunId}", turtle);
        Assert.Contains("Agrégats par commune", turtle);
        Assert.DoesNotContain("Calcul solaire SmartRegion n°", turtle);
    }

    [Theory]
    [InlineData("/api/v1/barometer?departement=9%3B3", 400, "invalid_parameter")]
    [InlineData("/api/v1/barometer?departement=77", 404, "not_found")]
    [InlineData("/api/v1/barometer/communes/00000", 404, "not_found")]
    [InlineData("/api/v1/barometer/communes/93'066", 400, "invalid_parameter")]
    [InlineData("/api/v1/barometer/countries/FR", 400, "invalid_parameter")]
    [InlineData("/api/v1/barometer/boundaries.geojson?tolerance=5000", 400, "invalid_parameter")]
    public async Task BadOrUnknown_ProblemWithCode(string url, int status, string code)
    {
        using var response = await Client().GetAsync(url, Ct);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task NeverRefreshed_404SayingHowToGetFigures()
    {
        await using var factory = new ApiFactory(site.EmptyConnectionString);
        using var response = await factory.CreateClient().GetAsync("/api/v1/barometer", Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("barometer_empty", problem.GetProperty("code").GetString());
        Assert.Contains("compute solar", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Region_ByDashAndDepartement_ByCode()
    {
        var region = await GetJsonAsync("/api/v1/barometer/region/-");
        Assert.Equal(3, region.GetProperty("area").GetProperty("buildings").GetInt32());
        var departement = await GetJsonAsync("/api/v1/barometer/departements/93");
        Assert.Equal(2, departement.GetProperty("area").GetProperty("buildings").GetInt32());
        var potential = departement.GetProperty("howComputed").EnumerateArray().Single(h => h.GetProperty("indicator").GetString() == "potentialGwhPerYear");
        Assert.Contains("commune_code in (\"93066\")", potential.GetProperty("formula").GetString());
    }

    [Fact]
    public async Task CommunesCsv_TheTableWithTheDatasetsFieldNames()
    {
        using var response = await Client().GetAsync("/api/v1/barometer/communes.csv?departement=93", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("solar-potential-by-commune-93.csv", response.Content.Headers.ContentDisposition?.ToString());
        var lines = (await response.Content.ReadAsStringAsync(Ct)).TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        var header = lines[0].Split(',');
        var row = lines[1].Split(',');
        string Cell(string name) => row[Array.IndexOf(header, name)];
        Assert.Equal("93066|Saint-Denis|2|1|300|0.015|14", string.Join('|', Cell("commune_code"), Cell("commune_name"), Cell("buildings"),
            Cell("buildings_analysed"), Cell("roof_area_m2"), Cell("potential_gwh_per_year"), Cell("dwellings")));
        Assert.Equal("1", Cell("buildings_class_4"));
        Assert.Equal(site.RunId.ToString(CultureInfo.InvariantCulture), Cell("solar_runs"));
    }

    [Fact]
    public async Task Boundaries_GeoJsonInWgs84_TheCommune()
    {
        using var response = await Client().GetAsync("/api/v1/barometer/boundaries.geojson?departement=93", Ct);
        Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        var feature = Assert.Single(json.GetProperty("features").EnumerateArray());
        Assert.Equal("93066", feature.GetProperty("properties").GetProperty("code").GetString());
        Assert.Equal("93", feature.GetProperty("properties").GetProperty("departementCode").GetString());
        var first = feature.GetProperty("geometry").GetProperty("coordinates")[0][0];
        Assert.InRange(first[0].GetDouble(), 2.2, 2.5);
        Assert.InRange(first[1].GetDouble(), 48.8, 49.0);
    }

    [Fact]
    public async Task Validation_StoredResultServedAsWritten_MissingOrBad_Problem()
    {
        var folder = Directory.CreateTempSubdirectory("sr-validation-");
        var path = Path.Combine(folder.FullName, "result.json");
        const string Stored = """{"schema": "smartregion.validation/1", "headline": {"n": 247, "medianAbsDiff": 0.049}}""";
        await File.WriteAllTextAsync(path, Stored, Ct);
        await using (var factory = new ApiFactory(site.ConnectionString, new Dictionary<string, string?> { ["Validation:ResultPath"] = path }))
        {
            using var response = await factory.CreateClient().GetAsync("/api/v1/validation", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(Stored, await response.Content.ReadAsStringAsync(Ct));

            await File.WriteAllTextAsync(path, """{"schema": "something-else/2"}""", Ct);
            using var bad = await factory.CreateClient().GetAsync("/api/v1/validation", Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, bad.StatusCode);
            Assert.Equal("validation_unreadable", JsonDocument.Parse(await bad.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("code").GetString());
        }
        await using (var factory = new ApiFactory(site.ConnectionString, new Dictionary<string, string?> { ["Validation:ResultPath"] = path + ".missing" }))
        {
            using var missing = await factory.CreateClient().GetAsync("/api/v1/validation", Ct);
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal("validation_missing", JsonDocument.Parse(await missing.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("code").GetString());
        }
        folder.Delete(true);
    }

    private ApiFactory? _factory;

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }

    private HttpClient Client() => (_factory ??= new ApiFactory(site.ConnectionString)).CreateClient();

    private async Task<JsonElement> GetJsonAsync(string url)
    {
        using var response = await Client().GetAsync(url, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement;
    }
}
