using System.Globalization;
using System.Text.Json;
using Npgsql;
using SmartRegion.Data;
using SmartRegion.Data.Barometer;
using SmartRegion.Data.Catalog;
using SmartRegion.Data.Catalog.Uploads;
using SmartRegion.Pipelines.Sample;
using SmartRegion.Solar.Weather;
using SmartRegion.Testing;
using static SmartRegion.Pipelines.Tests.Fixtures;

namespace SmartRegion.Pipelines.Tests;

/// <summary>
/// The barometer after a real <c>compute solar</c>: its figures by commune, département and region are the sums of the
/// building results (checked here with SQL written independently: boundary containment, the run's own rows), it is
/// published as the dataset solar-potential-by-commune, a refresh with the same figures publishes nothing new, and a
/// public dataset of installations gives installed vs installable. Runs in its own database: other tests' runs would
/// change the sums between the refresh and the checks.
/// </summary>
[Collection("process-environment")]
public sealed class BarometerTests(BarometerTests.District district) : IClassFixture<BarometerTests.District>
{
    /// <summary>The district of these tests, in its own database, ingested and computed once for the class.</summary>
    public sealed class District(TestDatabase db) : IAsyncLifetime
    {
        public string ConnectionString { get; private set; } = "";

        public NpgsqlDataSource DataSource { get; private set; } = null!;

        public long RunId { get; private set; }

        public async ValueTask InitializeAsync()
        {
            ConnectionString = await db.CreateScratchDatabaseAsync(Ct);
            DataSource = SmartRegionDatabase.CreateDataSource(ConnectionString, "barometer-tests");
            await Migrator.MigrateAsync(DataSource, Ct);

            var folder = Path.Combine(Path.GetTempPath(), "sr-barometer-tests", Guid.NewGuid().ToString("N")[..8]);
            var demo = DemoDistrict.Generate(folder, seed: 11, targetBuildings: 60);
            // One building far from the district (no commune, no address): counted in the region only; one outside the region
            // (still computed): counted nowhere.
            const string Lone = "\"hauteur\": 9, \"altitude_minimale_sol\": 40, \"altitude_minimale_toit\": 49, \"altitude_maximale_toit\": 49, \"nombre_de_logements\": 3";
            var lone = TempFile("lone.geojson", Collection2154(SquareFeature("LONE", 640_000, 6_861_000, 12, Lone), SquareFeature("FAR", 600_000, 6_830_000, 12, Lone)));
            await RunAsync("ingest", "buildings", demo.BuildingsPath, "--source", "demo");
            await RunAsync("ingest", "buildings", lone, "--source", "lone");

            // Two communes split at the district's middle, their département and the region, as an operator loads them.
            var (x0, y0, x1, y1) = await ExtentAsync();
            var mid = (x0 + x1) / 2;
            await RunAsync("ingest", "boundaries", Boundaries(("93001", "Commune Ouest", x0 - 50, y0 - 50, mid, y1 + 50), ("93002", "Commune Est", mid, y0 - 50, x1 + 50, y1 + 50)), "--level", "commune");
            await RunAsync("ingest", "boundaries", Boundaries(("93", "Seine-Saint-Denis", x0 - 100, y0 - 100, x1 + 100, y1 + 100)), "--level", "departement");
            await RunAsync("ingest", "boundaries", Boundaries(("11", "Île-de-France", 635_000, 6_855_000, x1 + 200, y1 + 200)), "--level", "region");
            var weather = Path.Combine(folder, "weather.csv");
            DemoWeather.Write(weather, 48.92, 2.36, 40);
            await RunAsync("ingest", "weather", weather, "--name", "barometer-tests");

            var (_, stdout, stderr) = await RunAsync("compute", "solar", "--workers", "2", "--bbox", "1.0,48.0,3.5,49.5", "--new");
            Assert.Contains("Barometer: refresh", stderr);
            RunId = JsonDocument.Parse(stdout).RootElement.GetProperty("runId").GetInt64();
        }

        public async ValueTask DisposeAsync()
        {
            await DataSource.DisposeAsync();
            await db.DropScratchAsync(ConnectionString, CancellationToken.None);
        }

        public async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
        {
            var result = await Cli.RunAsync(ConnectionString, null, args);
            Assert.True(result.Code == 0, $"{string.Join(' ', args)}: {result.Stderr}");
            return result;
        }

        private async Task<(double X0, double Y0, double X1, double Y1)> ExtentAsync()
        {
            await using var cmd = DataSource.CreateCommand("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(footprint) e FROM region.building WHERE source = 'demo') t");
            await using var reader = await cmd.ExecuteReaderAsync(Ct);
            await reader.ReadAsync(Ct);
            return (reader.GetDouble(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3));
        }
    }

    private NpgsqlDataSource DataSource => district.DataSource;

    private long RunId => district.RunId;

    [Fact]
    public async Task AfterRun_EachCommuneDepartementAndRegion_EqualsTheSumsOfItsBuildingResults()
    {
        // Independent sums: the run's own rows, placed by boundary containment of their centre.
        const string Sums = """
            SELECT count(*)::float8, count(*) FILTER (WHERE r.status = 'ok')::float8, count(*) FILTER (WHERE r.status = 'skipped')::float8,
                   coalesce(sum(r.roof_area_m2) FILTER (WHERE r.status = 'ok'), 0), coalesce(sum(r.usable_area_m2) FILTER (WHERE r.status = 'ok'), 0),
                   coalesce(sum(r.installable_kwp) FILTER (WHERE r.status = 'ok'), 0) / 1000,
                   coalesce(sum(r.annual_kwh_ac) FILTER (WHERE r.status = 'ok'), 0) / 1000000,
                   coalesce(sum(r.co2_avoided_kg_per_year) FILTER (WHERE r.status = 'ok'), 0) / 1000,
                   coalesce(sum((b.attributes ->> 'nombre_de_logements')::float8), 0),
                   count(*) FILTER (WHERE r.status = 'ok' AND (SELECT max(f.suitability_class) FROM solar.face_result f
                                    WHERE f.run_id = r.run_id AND f.building_id = r.building_id) = 3)::float8
            FROM solar.building_result r JOIN region.building b ON b.id = r.building_id
            WHERE r.run_id = @run AND ({0})
            """;
        var expected = new Dictionary<string, double[]>
        {
            ["commune 93001"] = await RowAsync(string.Format(CultureInfo.InvariantCulture, Sums, InBoundary("commune", "93001"))),
            ["commune 93002"] = await RowAsync(string.Format(CultureInfo.InvariantCulture, Sums, InBoundary("commune", "93002"))),
            ["departement 93"] = await RowAsync(string.Format(CultureInfo.InvariantCulture, Sums, $"{InBoundary("commune", "93001")} OR {InBoundary("commune", "93002")}")),
            ["region 11"] = await RowAsync(string.Format(CultureInfo.InvariantCulture, Sums, InBoundary("region", "11"))),
        };
        // The lone building is outside both communes: in the region only; the far one is outside the region too.
        Assert.Equal(expected["departement 93"][0] + 1, expected["region 11"][0]);
        Assert.Equal(expected["region 11"][0] + 1, await ScalarAsync<long>("SELECT count(*) FROM solar.building_result WHERE run_id = @run", ("run", RunId)));
        Assert.True(expected["commune 93001"][1] > 5 && expected["commune 93002"][1] > 5, "both communes have computed buildings");
        Assert.True(expected["region 11"][8] > 0, "the demo district has dwellings");

        var stored = await DictionaryAsync("""
            SELECT level || ' ' || code, ARRAY[buildings, buildings_ok, buildings_skipped, roof_area_m2, usable_area_m2, installable_mwp,
                   potential_gwh_per_year, co2_avoidable_t_per_year, dwellings, buildings_by_class[3]]::float8[]
            FROM barometer.area
            """);
        Assert.Equal(expected.Keys.Order(), stored.Keys.Order());
        foreach (var (area, sums) in expected)
        {
            for (var i = 0; i < sums.Length; i++)
            {
                Assert.True(Math.Abs(sums[i] - stored[area][i]) <= 1e-9 * Math.Max(1, Math.Abs(sums[i])), $"{area} figure {i}: stored {stored[area][i]}, sum {sums[i]}");
            }
        }

        // Names, départements, runs, and the residential use estimate from the configured consumption per dwelling.
        var parameters = BarometerParameters.Load(BarometerParameters.DefaultPath());
        Assert.Equal(
            $"commune|93001|Commune Ouest|93|{RunId}|{Math.Round(expected["commune 93001"][8] * parameters.ResidentialKwhPerDwellingPerYear / 1e6, 9).ToString(CultureInfo.InvariantCulture)}",
            await ScalarAsync<string>("""
                SELECT concat_ws('|', level, code, name, departement_code, array_to_string(runs, ','), round(residential_use_gwh_per_year::numeric, 9)::float8)
                FROM barometer.area WHERE code = '93001'
                """));
        Assert.Equal("departement|Seine-Saint-Denis|93;region|Île-de-France",
            await ScalarAsync<string>("SELECT string_agg(concat_ws('|', level, name, departement_code), ';' ORDER BY level) FROM barometer.area WHERE level <> 'commune'"));
    }

    [Fact]
    public async Task AfterRun_CommunesPublishedAsPublicDatasetWithProvenance_SameFiguresRepublishNothing()
    {
        var (number, table, provenance, status) = await CurrentVersionAsync();
        Assert.Equal("published", status);
        using var p = JsonDocument.Parse(provenance);
        Assert.Equal("solar-aggregate", p.RootElement.GetProperty("kind").GetString());
        Assert.Equal(RunId, p.RootElement.GetProperty("runs")[0].GetProperty("runId").GetInt64());
        Assert.Equal(4272, p.RootElement.GetProperty("parameters").GetProperty("residentialElectricityKwhPerDwellingPerYear").GetProperty("value").GetDouble());
        Assert.Equal("public|platform", await ScalarAsync<string>($"""
            SELECT d.visibility || '|' || o.kind FROM catalog.dataset d JOIN catalog.organisation o ON o.id = d.owner_org_id WHERE d.slug = '{BarometerDataset.Slug}'
            """));
        // The rows are the table's communes: same codes, same potential, their boundary in Lambert-93.
        var fields = await FieldColumnsAsync(table);
        Assert.Equal("93001=" + await ScalarAsync<double>("SELECT potential_gwh_per_year FROM barometer.area WHERE code = '93001'") + ";93002="
            + await ScalarAsync<double>("SELECT potential_gwh_per_year FROM barometer.area WHERE code = '93002'"),
            await ScalarAsync<string>($"""
                SELECT string_agg({fields["commune_code"]} || '=' || {fields["potential_gwh_per_year"]}, ';' ORDER BY _row) FROM records."{table}"
                """));
        Assert.Equal(2154, await ScalarAsync<int>($"SELECT max(ST_SRID({fields["boundary"]})) FROM records.\"{table}\""));

        // Nothing changed: a refresh stores its row but publishes no version.
        var (_, _, stderr) = await RunCliAsync("barometer", "refresh");
        Assert.Equal(number, (await CurrentVersionAsync()).Number);
        Assert.DoesNotContain("error", stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task InstallationsDataset_PublicCountedPerCommune_PrivateIgnored()
    {
        // Installations with commune codes typed as numbers (a CSV's 93001 → 93001) and one that names no commune of ours.
        var csv = TempFile("installations.csv", "id;code_commune;puissance_kwc\n1;93001;3\n2;93001;9.5\n3;93002;100\n4;75056;36\n");
        var org = await new AccountStore(DataSource).CreateOrganisationAsync("partner-pv", "Partner PV", "company", Ct);
        var datasets = new DatasetStore(DataSource);
        var dataset = await datasets.CreateAsync(BarometerParameters.Load(BarometerParameters.DefaultPath()).InstallationsDatasetSlug, org.Id,
            new DatasetMetadata("Installations", "", null, null, "etalab-2.0", [], [], null, [], null, null, null, null, "private"), null, Ct);
        await UploadAndPublishAsync(dataset.Id, csv);

        await RunCliAsync("barometer", "refresh");
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM barometer.area WHERE installations IS NOT NULL OR installed_mwp IS NOT NULL"));

        await datasets.UpdateAsync(dataset.Id, dataset.Metadata with { Visibility = "public" }, Ct);
        var (_, stdout, _) = await RunCliAsync("barometer", "refresh");
        Assert.Equal(JsonValueKind.Number, JsonDocument.Parse(stdout).RootElement.GetProperty("datasetVersion").ValueKind);
        Assert.Equal("commune 93001: 2 0.0125;commune 93002: 1 0.1;departement 93: 3 0.1125;region 11: 3 0.1125", await ScalarAsync<string>("""
            SELECT string_agg(level || ' ' || code || ': ' || installations || ' ' || round(installed_mwp::numeric, 6)::float8, ';' ORDER BY level, code)
            FROM barometer.area
            """));
    }

    [Fact]
    public async Task Refresh_ConfigOverride_NewConsumptionPerDwelling_BadFile_ClearErrorNothingChanged()
    {
        var before = await ScalarAsync<double>("SELECT residential_use_gwh_per_year FROM barometer.area WHERE level = 'region'");
        var refreshes = await ScalarAsync<long>("SELECT count(*) FROM barometer.refresh");

        var bad = TempFile("bad.json", """{"residentialElectricityKwhPerDwellingPerYear": -5}""");
        var (code, _, stderr) = await RunCliAsync(expectSuccess: false, "barometer", "refresh", "--config", bad);
        Assert.Equal(1, code);
        Assert.Contains("bad.json", stderr);
        Assert.Contains("residentialElectricityKwhPerDwellingPerYear must be in (0, 1000000)", stderr);
        (code, _, stderr) = await RunCliAsync(expectSuccess: false, "barometer", "refresh", "--config", TempFile("broken.json", "{ not json"));
        Assert.Equal(1, code);
        Assert.Contains("cannot read the barometer configuration", stderr);
        Assert.Equal(refreshes, await ScalarAsync<long>("SELECT count(*) FROM barometer.refresh"));

        var doubled = TempFile("doubled.json", """{"residentialElectricityKwhPerDwellingPerYear": 8544}""");
        await RunCliAsync("barometer", "refresh", "--config", doubled);
        Assert.Equal(2 * before, await ScalarAsync<double>("SELECT residential_use_gwh_per_year FROM barometer.area WHERE level = 'region'"), 1e-9);
        Assert.Equal("override", await ScalarAsync<string>(
            "SELECT parameters #>> '{residentialElectricityKwhPerDwellingPerYear,source}' FROM barometer.refresh ORDER BY id DESC LIMIT 1"));
        await RunCliAsync("barometer", "refresh");
        Assert.Equal(before, await ScalarAsync<double>("SELECT residential_use_gwh_per_year FROM barometer.area WHERE level = 'region'"), 1e-9);
    }

    [Theory]
    [InlineData("93066", "93")]
    [InlineData("75101", "75")]
    [InlineData("2A004", "2A")]
    [InlineData("97411", "974")]
    [InlineData("99999", null)]
    [InlineData("20004", null)]
    [InlineData("9306", null)]
    public async Task DepartementOfCode_InseeRule(string code, string? departement)
    {
        await using var cmd = DataSource.CreateCommand("SELECT barometer.departement_of_code(@c)");
        cmd.Parameters.AddWithValue("c", code);
        Assert.Equal(departement, await cmd.ExecuteScalarAsync(Ct) as string);
    }

    private async Task UploadAndPublishAsync(long datasetId, string path)
    {
        var uploads = Path.GetDirectoryName(path)!;
        var versions = new VersionStore(DataSource);
        var options = JsonSerializer.Serialize(new UploadOptions(StoredFile: Path.GetFileName(path)), JsonSerializerOptions.Web);
        var (version, jobId) = await versions.CreateUploadAsync(datasetId, "csv", "installations.csv", new FileInfo(path).Length, new string('0', 64), options, null, Ct);
        var job = await versions.ClaimJobAsync("barometer-tests", Ct);
        Assert.Equal(jobId, job?.JobId);
        Assert.Null(await new UploadJobRunner(DataSource, uploads, new UploadLimits()).RunAsync(job!, Ct));
        await versions.PublishAsync(datasetId, version.Number, null, false, Ct);
    }

    private static string InBoundary(string level, string code) =>
        $"EXISTS (SELECT 1 FROM region.boundary x WHERE x.level = '{level}' AND x.code = '{code}' AND ST_Contains(x.geometry, r.centre))";

    private static string Boundaries(params (string Code, string Name, double X0, double Y0, double X1, double Y1)[] boxes)
    {
        string Feature((string Code, string Name, double X0, double Y0, double X1, double Y1) b)
        {
            var ring = string.Create(CultureInfo.InvariantCulture, $"[[{b.X0},{b.Y0}],[{b.X1},{b.Y0}],[{b.X1},{b.Y1}],[{b.X0},{b.Y1}],[{b.X0},{b.Y0}]]");
            return "{\"type\":\"Feature\",\"properties\":{\"code\":\"" + b.Code + "\",\"nom\":\"" + b.Name + "\"},"
                + "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[" + ring + "]}}";
        }
        return TempFile("boundaries.geojson", Collection2154([.. boxes.Select(Feature)]));
    }

    private async Task<(int Number, string Table, string Provenance, string Status)> CurrentVersionAsync()
    {
        await using var cmd = DataSource.CreateCommand("""
            SELECT v.number, v.records_table, v.provenance::text, v.status FROM catalog.dataset d JOIN catalog.dataset_version v ON v.id = d.current_version_id
            WHERE d.slug = @s
            """);
        cmd.Parameters.AddWithValue("s", BarometerDataset.Slug);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct), "the dataset has a current version");
        return (reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
    }

    private async Task<Dictionary<string, string>> FieldColumnsAsync(string table) =>
        RecordsQuery.FieldsOf(await ScalarAsync<string>("SELECT schema_json::text FROM catalog.dataset_version WHERE records_table = @t", ("t", table)))
            .ToDictionary(f => f.Name, f => f.Column);

    private async Task<double[]> RowAsync(string sql)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        cmd.Parameters.AddWithValue("run", RunId);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        return Enumerable.Range(0, reader.FieldCount).Select(reader.GetDouble).ToArray();
    }

    private async Task<Dictionary<string, double[]>> DictionaryAsync(string sql)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        var result = new Dictionary<string, double[]>();
        while (await reader.ReadAsync(Ct))
        {
            result[reader.GetString(0)] = reader.GetFieldValue<double[]>(1);
        }
        return result;
    }

    private async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        foreach (var (n, v) in parameters)
        {
            cmd.Parameters.AddWithValue(n, v);
        }
        return (T)(await cmd.ExecuteScalarAsync(Ct))!;
    }

    private Task<(int Code, string Stdout, string Stderr)> RunCliAsync(params string[] args) => district.RunAsync(args);

    private async Task<(int Code, string Stdout, string Stderr)> RunCliAsync(bool expectSuccess, params string[] args) =>
        expectSuccess ? await district.RunAsync(args) : await Cli.RunAsync(district.ConnectionString, null, args);
}
