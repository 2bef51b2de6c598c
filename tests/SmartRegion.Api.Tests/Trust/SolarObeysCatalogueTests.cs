using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Npgsql;
using SmartRegion.Api.Tests.Catalog;
using SmartRegion.Data.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Trust;

/// <summary>
/// A database of its own (the tests change the platform's solar datasets, which every other test reads): two buildings, two
/// complete solar runs each published as a version of the platform's solar datasets (run 2 says 20,000 kWh/yr for A where
/// run 1 says 10,000), and one caller of each kind.
/// </summary>
public sealed class SolarWorld : IAsyncLifetime
{
    private readonly TestDatabase _db = new();

    public const double X = 652_500, Y = 6_861_500;

    public ApiFactory Factory { get; private set; } = null!;
    public NpgsqlDataSource DataSource => _db.DataSource;
    public Dictionary<string, string?> Keys { get; } = [];
    public long BuildingA { get; private set; }
    public long BuildingB { get; private set; }
    public long[] Runs { get; private set; } = [];
    public string Bbox { get; private set; } = "";
    public (double Lat, double Lon) InsideA { get; private set; }

    public async ValueTask InitializeAsync()
    {
        await _db.InitializeAsync();
        Factory = new ApiFactory(_db.ApiConnectionString);
        var ct = CancellationToken.None;
        await using (var cmd = DataSource.CreateCommand("""
            WITH ir AS (INSERT INTO region.ingest_run (kind, source, file_name, status) VALUES ('buildings', 'solar-world', 'test', 'succeeded') RETURNING id)
            INSERT INTO region.building (source, source_id, footprint, height_above_ground_m, ingest_run_id)
            SELECT 'solar-world', s.k, ST_Multi(ST_MakeEnvelope(@x + s.dx, @y, @x + s.dx + 10, @y + 10, 2154)), 9, ir.id
            FROM ir, (VALUES ('A', 0), ('B', 30)) s(k, dx)
            RETURNING id
            """))
        {
            cmd.Parameters.AddWithValue("x", X);
            cmd.Parameters.AddWithValue("y", Y);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            var ids = new List<long>();
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetInt64(0));
            }
            (BuildingA, BuildingB) = (ids.Min(), ids.Max());
        }
        Runs = [await RunAsync([BuildingA, BuildingB], 10_000), await RunAsync([BuildingA, BuildingB], 20_000)];
        var solar = new SolarDataset(DataSource);
        foreach (var run in Runs)
        {
            Assert.NotNull((await solar.PublishRunAsync(run, ct)).VersionNumber);
        }

        await using (var cmd = DataSource.CreateCommand("""
            SELECT ST_Y(p), ST_X(p), ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)
            FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(@x + 5, @y + 5), 2154), 4326) p,
                         ST_Transform(ST_MakeEnvelope(@x - 20, @y - 20, @x + 60, @y + 30, 2154), 4326) b) t
            """))
        {
            cmd.Parameters.AddWithValue("x", X);
            cmd.Parameters.AddWithValue("y", Y);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            InsideA = (reader.GetDouble(0), reader.GetDouble(1));
            Bbox = string.Join(',', Enumerable.Range(2, 4).Select(i => reader.GetDouble(i).ToString("R", CultureInfo.InvariantCulture)));
        }

        var accounts = new AccountStore(DataSource);
        var datasets = new DatasetStore(DataSource);
        async Task<long> KeyAsync(string caller, bool platformAdmin = false, string role = "admin", long? orgId = null)
        {
            var org = orgId ?? (await accounts.CreateOrganisationAsync(CatalogKit.Unique(caller), caller, "company", ct)).Id;
            var user = await accounts.CreateUserAsync($"{CatalogKit.Unique("u")}@example.org", caller, null, platformAdmin, ct);
            await accounts.SetMembershipAsync(user.Id, org, role, ct);
            Keys[caller] = (await accounts.CreateKeyAsync(user.Id, org, caller, ["read", "publish", "admin"], null, ct)).Secret;
            return org;
        }
        Keys["anonymous"] = null;
        await KeyAsync("other");
        await KeyAsync("platform-member", role: "viewer", orgId: (await accounts.FindOrganisationAsync(SolarDataset.PlatformOrgSlug, ct))!.Id);
        await KeyAsync("platform-admin", platformAdmin: true);
        var grantee = await KeyAsync("grantee");
        var partial = await KeyAsync("partial");
        foreach (var slug in new[] { SolarDataset.Slug, SolarDataset.RoofFacesSlug })
        {
            var id = (await datasets.PlatformDatasetIdAsync(slug, ct))!.Value;
            await datasets.CreateGrantAsync(id, grantee, "étude", DateTimeOffset.UtcNow.AddDays(30), null, null, null, ct);
            await datasets.CreateGrantAsync(id, partial, "une colonne", DateTimeOffset.UtcNow.AddDays(30), ["building_id"], null, null, ct);
        }
    }

    /// <summary>A complete run over <paramref name="buildings"/>: A ok with one face and three samples, B skipped.</summary>
    public async Task<long> RunAsync(long[] buildings, double annualKwhAc)
    {
        await using var cmd = DataSource.CreateCommand("""
            WITH r AS (INSERT INTO solar.run (status, model_version, parameters, area, tile_size_m, building_count, finished_at)
                       VALUES ('complete', 'test', '{}', '{"all": true}', 250, cardinality(@ids), now()) RETURNING id),
            br AS (INSERT INTO solar.building_result (run_id, building_id, status, reason, roof_origin, centre, roof_area_m2, usable_area_m2,
                       mean_irradiation_kwh_per_m2, panel_count, installable_kwp, annual_kwh_ac, monthly_kwh_ac, co2_avoided_kg_per_year)
                   SELECT r.id, b.id, CASE WHEN b.source_id = 'A' THEN 'ok' ELSE 'skipped' END, NULL, 'inferred',
                          ST_PointOnSurface(b.footprint), 100, 80, 1100, 12, 5, @kwh, array_fill(1::real, ARRAY[12]), 50
                   FROM r, region.building b WHERE b.id = ANY(@ids)
                   RETURNING run_id, building_id, status)
            INSERT INTO solar.face_result (run_id, building_id, face_no, polygon, origin, tilt_deg, azimuth_deg, area_m2, usable_area_m2,
                annual_irradiation_kwh_per_m2, quantiles_kwh_per_m2, shading_loss_fraction, suitability_class, panel_count, installable_kwp,
                annual_kwh_ac, monthly_kwh_ac, sample_grid, sample_ij, sample_kwh_per_m2)
            SELECT br.run_id, br.building_id, 1, ST_Force3D(ST_MakeEnvelope(@x, @y, @x + 10, @y + 10, 2154), 44), 'inferred', 30, 180, 100, 80,
                   @kwh / 10, array_fill(1100::real, ARRAY[11]), 0.05, 4, 12, 5, @kwh, array_fill(1::real, ARRAY[12]),
                   ARRAY[@x + 1, @y + 1, 44, 2, 0, 0, 0, 2, 0]::float8[], ARRAY[0, 0, 1, 0, 2, 0]::real[], ARRAY[1100, 1100, 1100]::real[]
            FROM br WHERE br.status = 'ok'
            RETURNING run_id
            """);
        cmd.Parameters.AddWithValue("ids", buildings);
        cmd.Parameters.AddWithValue("kwh", annualKwhAc);
        cmd.Parameters.AddWithValue("x", X);
        cmd.Parameters.AddWithValue("y", Y);
        return (long)(await cmd.ExecuteScalarAsync(CancellationToken.None))!;
    }

    public HttpClient Client(string caller)
    {
        var client = Factory.CreateClient();
        if (Keys[caller] is { } key)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Apikey", key);
        }
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await _db.DisposeAsync();
    }
}

/// <summary>
/// Property 4: the solar API obeys the catalogue. Every solar read (a building's report by id, by point and in a batch; roof
/// faces; heat map samples; the 3D tileset) × every kind of caller, while the platform's solar datasets are public, then
/// restricted; and a rollback of the solar dataset withdraws the rolled-back run everywhere, for good.
/// </summary>
public sealed class SolarObeysCatalogueTests(SolarWorld world) : IClassFixture<SolarWorld>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Callers = ["anonymous", "other", "partial", "grantee", "platform-member", "platform-admin"];

    /// <summary>What one caller gets from every solar read: true where results are served.</summary>
    private async Task<Dictionary<string, bool>> ReadsAsync(string caller)
    {
        using var client = world.Client(caller);
        var served = new Dictionary<string, bool>();
        async Task<(int Status, JsonElement Body)> GetAsync(string url)
        {
            using var response = await client.GetAsync(url, Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            var body = JsonDocument.Parse(text).RootElement.Clone();
            // The one 5xx a read may answer: the tileset to a caller who may read it, before any tileset is built (this
            // world builds none; the rollback test inserts some, and the two tests run in either order).
            var notBuilt = (int)response.StatusCode == 503 && body.TryGetProperty("code", out var code) && code.GetString() == "tiles_not_built";
            Assert.True((int)response.StatusCode < 500 || notBuilt, $"{caller} {url}: {(int)response.StatusCode} {text}");
            return ((int)response.StatusCode, body);
        }
        var (lat, lon) = world.InsideA;
        var byId = await GetAsync($"/api/v1/solar/buildings/{world.BuildingA}");
        served["byId"] = byId.Status == 200;
        served["closest"] = (await GetAsync(FormattableString.Invariant($"/api/v1/solar/buildings/closest?lat={lat:R}&lon={lon:R}"))).Status == 200;
        served["batch"] = (await GetAsync($"/api/v1/solar/buildings?ids={world.BuildingA},{world.BuildingB}")).Body.GetProperty("reports").GetArrayLength() == 2;
        served["roofFaces"] = (await GetAsync($"/api/v1/solar/roof-faces?bbox={world.Bbox}")).Body.GetProperty("numberReturned").GetInt32() > 0;
        served["roofSamples"] = (await GetAsync($"/api/v1/solar/roof-samples?bbox={world.Bbox}")).Body.GetProperty("faces").GetArrayLength() > 0;
        // A what-if of A: 404 to a caller who may not read A's report; to one who may, a computation (here 409: this world's
        // runs have no weather station to compute with again).
        using (var whatIf = await client.PostAsync($"/api/v1/solar/buildings/{world.BuildingA}/what-if", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), Ct))
        {
            var text = await whatIf.Content.ReadAsStringAsync(Ct);
            Assert.True((int)whatIf.StatusCode is 404 or 409, $"{caller} what-if: {(int)whatIf.StatusCode} {text}");
            served["whatIf"] = (int)whatIf.StatusCode != 404;
        }
        // 404 to a caller who may not read the results; to one who may, the tileset (or 503 "not built yet").
        served["tileset"] = (await GetAsync("/api/v1/3dtiles/buildings/tileset.json")).Status != 404;
        return served;
    }

    private async Task SetVisibilityAsync(string slug, string visibility)
    {
        using var admin = world.Client("platform-admin");
        var (status, body) = await CatalogKit.SendAsync(admin, HttpMethod.Patch, $"/api/v1/datasets/{slug}", new { visibility });
        Assert.True(status == 200, body);
    }

    [Fact]
    public async Task EveryRead_PublicThenRestricted_ServedExactlyToWhomTheDatasetsAllow()
    {
        foreach (var caller in Callers)
        {
            Assert.All(await ReadsAsync(caller), r => Assert.True(r.Value, $"public: {caller} {r.Key}"));
        }

        await SetVisibilityAsync(SolarDataset.RoofFacesSlug, "restricted");
        try
        {
            // The faces alone restricted: the faces, samples, reports (they carry faces) and tiles follow.
            var other = await ReadsAsync("other");
            Assert.All(other, r => Assert.False(r.Value, $"faces restricted: other {r.Key}"));
            await SetVisibilityAsync(SolarDataset.Slug, "restricted");
            var full = new HashSet<string> { "grantee", "platform-member", "platform-admin" };
            foreach (var caller in Callers)
            {
                var reads = await ReadsAsync(caller);
                Assert.All(reads, r => Assert.True(r.Value == full.Contains(caller), $"restricted: {caller} {r.Key} served={r.Value}"));
            }

            // Each read of a restricted dataset by the grantee is in the access log, attributed to the grantee's organisation.
            var logged = (long)(await (world.DataSource.CreateCommand($"""
                SELECT count(*) FROM catalog.access_log a JOIN catalog.dataset d ON d.id = a.dataset_id
                WHERE d.slug = '{SolarDataset.Slug}' AND a.endpoint = 'solar.building' AND a.org_id IS NOT NULL
                """)).ExecuteScalarAsync(Ct))!;
            Assert.True(logged >= 3, $"{logged} solar.building reads logged");
        }
        finally
        {
            await SetVisibilityAsync(SolarDataset.Slug, "public");
            await SetVisibilityAsync(SolarDataset.RoofFacesSlug, "public");
        }
        Assert.All(await ReadsAsync("anonymous"), r => Assert.True(r.Value, $"public again: anonymous {r.Key}"));
    }

    [Fact]
    public async Task Rollback_BadRun_WithdrawnFromEveryReadAndStaysWithdrawnAfterTheNextRun()
    {
        using var anonymous = world.Client("anonymous");
        using var admin = world.Client("platform-admin");
        async Task<double> AnnualAsync(long building)
        {
            var json = JsonDocument.Parse(await anonymous.GetStringAsync($"/api/v1/solar/buildings/{building}", Ct)).RootElement;
            return json.GetProperty("annualKwhAc").GetDouble();
        }
        async Task<double> FaceAnnualAsync()
        {
            var json = JsonDocument.Parse(await anonymous.GetStringAsync($"/api/v1/solar/roof-faces?bbox={world.Bbox}", Ct)).RootElement;
            return json.GetProperty("features")[0].GetProperty("properties").GetProperty("annualKwhAc").GetDouble();
        }
        Assert.Equal(20_000, await AnnualAsync(world.BuildingA));

        // Tilesets built from run 1 then run 2 (their contents are not read here: which one tileset.json serves is).
        await using (var cmd = world.DataSource.CreateCommand("""
            INSERT INTO tiles3d.tileset (status, source_run_id, options, tileset_json, etag, started_at, finished_at)
            VALUES ('ready', @r1, '{}', '{"run": 1}', '"t1"', now() - interval '2 minutes', now() - interval '2 minutes'),
                   ('ready', @r2, '{}', '{"run": 2}', '"t2"', now() - interval '1 minute', now() - interval '1 minute')
            """))
        {
            cmd.Parameters.AddWithValue("r1", world.Runs[0]);
            cmd.Parameters.AddWithValue("r2", world.Runs[1]);
            await cmd.ExecuteNonQueryAsync(Ct);
        }
        using (var tileset = await anonymous.GetAsync("/api/v1/3dtiles/buildings/tileset.json", Ct))
        {
            Assert.Equal("\"t2\"", tileset.Headers.ETag?.Tag);
        }

        var (status, body) = await CatalogKit.SendAsync(admin, HttpMethod.Post, $"/api/v1/datasets/{SolarDataset.Slug}/rollback", new { version = 1 });
        Assert.True(status == 200, body);

        Assert.Equal(10_000, await AnnualAsync(world.BuildingA));
        Assert.Equal(10_000, await FaceAnnualAsync());
        using (var tileset = await anonymous.GetAsync("/api/v1/3dtiles/buildings/tileset.json", Ct))
        {
            Assert.Equal("\"t1\"", tileset.Headers.ETag?.Tag);
        }

        // A later run over A alone: A shows it, B keeps run 1's result — never the rolled-back run's.
        var run3 = await world.RunAsync([world.BuildingA], 30_000);
        Assert.NotNull((await new SolarDataset(world.DataSource).PublishRunAsync(run3, Ct)).VersionNumber);
        Assert.Equal(30_000, await AnnualAsync(world.BuildingA));
        var b = JsonDocument.Parse(await anonymous.GetStringAsync($"/api/v1/solar/buildings/{world.BuildingB}", Ct)).RootElement;
        Assert.Equal(world.Runs[0], b.GetProperty("provenance").GetProperty("runId").GetInt64());

        // Publishing the rolled-back version again brings it back.
        (status, body) = await CatalogKit.SendAsync(admin, HttpMethod.Post, $"/api/v1/datasets/{SolarDataset.Slug}/rollback", new { version = 2 });
        Assert.True(status == 200, body);
        b = JsonDocument.Parse(await anonymous.GetStringAsync($"/api/v1/solar/buildings/{world.BuildingB}", Ct)).RootElement;
        Assert.Equal(world.Runs[1], b.GetProperty("provenance").GetProperty("runId").GetInt64());
    }
}
