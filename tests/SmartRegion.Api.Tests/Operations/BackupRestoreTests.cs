using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Npgsql;
using SmartRegion.Api.Tests.Catalog;
using SmartRegion.Data;
using SmartRegion.Data.Backup;
using SmartRegion.Data.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Operations;

/// <summary>
/// <c>db backup</c> of a populated database (buildings, solar results, a catalogue with a restricted dataset, a grant,
/// keys, a queued upload), <c>db restore</c> into a fresh database: every table's rows and content agree, and the restored
/// platform answers as the original did.
/// </summary>
public sealed class BackupRestoreTests(TestDatabase db) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _work = Path.Combine(Path.GetTempPath(), $"sr-backup-test-{Guid.NewGuid():N}");
    private string _source = "";
    private string _target = "";

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_work);
        _source = await db.CreateScratchDatabaseAsync(CancellationToken.None);
        _target = await db.CreateScratchDatabaseAsync(CancellationToken.None);
        await using var source = SmartRegionDatabase.CreateDataSource(_source, "backup-test");
        await Migrator.MigrateAsync(source, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await db.DropScratchAsync(_source, CancellationToken.None);
        await db.DropScratchAsync(_target, CancellationToken.None);
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task BackupRestore_PopulatedDatabase_SameTablesSameAnswers()
    {
        var sourceUploads = Path.Combine(_work, "uploads-source");
        var targetUploads = Path.Combine(_work, "uploads-target");
        var seeded = await SeedAsync(sourceUploads);
        var backup = Path.Combine(_work, "platform.backup");

        var (backupExit, backupOut, backupErr) = await CliAsync(_source, "db", "backup", backup, "--uploads", sourceUploads, "--checksums");
        Assert.True(backupExit == 0, backupErr);
        using (var report = JsonDocument.Parse(backupOut))
        {
            Assert.Equal(1, report.RootElement.GetProperty("uploads").GetInt32());
            Assert.True(report.RootElement.GetProperty("tables").GetInt32() >= 20);
        }
        var (restoreExit, restoreOut, restoreErr) = await CliAsync(_target, "db", "restore", backup, "--uploads", targetUploads);
        Assert.True(restoreExit == 0, restoreErr + restoreOut);
        using (var report = JsonDocument.Parse(restoreOut))
        {
            Assert.Empty(report.RootElement.GetProperty("differences").EnumerateArray());
            Assert.True(report.RootElement.GetProperty("checkedContent").GetBoolean());
        }

        // An independent look: every table, its rows and an MD5 of their text, in both databases.
        await using (var source = SmartRegionDatabase.CreateDataSource(_source, "backup-test"))
        await using (var target = SmartRegionDatabase.CreateDataSource(_target, "backup-test"))
        {
            var before = await DatabaseInventory.ReadAsync(source, checksums: true, Ct);
            var after = await DatabaseInventory.ReadAsync(target, checksums: true, Ct);
            Assert.Equal(before, after);
            Assert.Contains(before, t => t.Table == "region.building" && t.Rows == 2);
            Assert.Contains(before, t => t.Table == "solar.face_result" && t.Rows == 2);
            Assert.Contains(before, t => t.Table == "catalog.dataset_grant" && t.Rows == 1);
            Assert.Contains(before, t => t.Table.StartsWith("records.", StringComparison.Ordinal) && t.Rows == 3);
        }
        // The queued version's upload came along, byte for byte.
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(sourceUploads, seeded.QueuedFile), Ct),
            await File.ReadAllBytesAsync(Path.Combine(targetUploads, seeded.QueuedFile), Ct));

        // The same answers from the original and the restored platform, for the publisher, the grantee and anyone.
        var answers = new List<(string Path, string? Key)>
        {
            ($"/api/v1/datasets/{seeded.Dataset}", seeded.PublisherKey),
            ($"/api/v1/datasets/{seeded.Dataset}/records", seeded.GranteeKey),
            ($"/api/v1/datasets/{seeded.Dataset}/records", null),
            ($"/api/v1/datasets/{seeded.Dataset}/grants", seeded.PublisherKey),
            ($"/api/v1/datasets/{seeded.Dataset}/versions", seeded.PublisherKey),
            ("/api/v1/datasets", null),
            ($"/api/v1/solar/buildings/{seeded.Building}", null),
            ("/api/v1/keys", seeded.GranteeKey),
        };
        var noWorker = new Dictionary<string, string?> { ["Catalog:RunWorker"] = "false" };
        await using (var original = new ApiFactory(_source, noWorker))
        await using (var restored = new ApiFactory(_target, noWorker))
        {
            foreach (var (path, key) in answers)
            {
                var (statusA, bodyA) = await GetAsync(original, path, key);
                var (statusB, bodyB) = await GetAsync(restored, path, key);
                Assert.True(statusA == statusB && bodyA == bodyB, $"{path} ({(key is null ? "anonymous" : "key")}): {statusA} {bodyA}\nrestored: {statusB} {bodyB}");
            }
            Assert.Equal(404, (await GetAsync(restored, $"/api/v1/datasets/{seeded.Dataset}/records", null)).Status);
        }

        // The restored platform goes on: its sequences follow the data (a new dataset), and the queued upload is read.
        await using (var resumed = new ApiFactory(_target, new Dictionary<string, string?> { ["Catalog:UploadDirectory"] = targetUploads }))
        {
            using var client = resumed.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Apikey", seeded.PublisherKey);
            var job = await Uploads.WaitAsync(client, JsonDocument.Parse($$"""{"jobUrl":"/api/v1/jobs/{{seeded.QueuedJob}}"}""").RootElement);
            Assert.Equal("done", job.GetProperty("status").GetString());
            var (created, body) = await CatalogKit.SendAsync(client, HttpMethod.Post, "/api/v1/datasets", new
            {
                id = "after-restore", publisher = seeded.Publisher, title = "Après", description = "d", licence = "etalab-2.0", visibility = "public",
            });
            Assert.True(created == 201, body);
        }

        // Restoring over a database that has data is refused unless asked for.
        var (again, _, againErr) = await CliAsync(_target, "db", "restore", backup, "--uploads", targetUploads);
        Assert.Equal(1, again);
        Assert.Contains("is not empty", againErr);
        var notABackup = Path.Combine(_work, "not-a-backup.tar");
        await File.WriteAllTextAsync(notABackup, "hello", Ct);
        var (bad, _, badErr) = await CliAsync(_target, "db", "restore", notABackup, "--force");
        Assert.Equal(1, bad);
        Assert.Contains("not a SmartRegion backup", badErr);
    }

    private sealed record Seeded(string Dataset, string Publisher, string PublisherKey, string GranteeKey, long Building, string QueuedFile, long QueuedJob);

    /// <summary>Two buildings with a complete solar run, and a restricted dataset (published v1 of 3 rows, queued v2) shared with a partner.</summary>
    private async Task<Seeded> SeedAsync(string uploads)
    {
        await using var source = SmartRegionDatabase.CreateDataSource(_source, "backup-test");
        long building;
        await using (var cmd = source.CreateCommand("""
            WITH ir AS (INSERT INTO region.ingest_run (kind, source, file_name, status) VALUES ('buildings', 'backup-test', 'b.geojson', 'succeeded') RETURNING id),
            b AS (INSERT INTO region.building (source, source_id, footprint, height_above_ground_m, attributes, ingest_run_id)
                  SELECT 'backup-test', k::text, ST_Multi(ST_MakeEnvelope(652000 + 20 * k, 6862000, 652010 + 20 * k, 6862010, 2154)), 8 + k,
                         jsonb_build_object('usage', 'Résidentiel', 'k', k), ir.id
                  FROM ir, generate_series(1, 2) k RETURNING id, footprint),
            r AS (INSERT INTO solar.run (status, model_version, parameters, area, tile_size_m, building_count, finished_at)
                  VALUES ('complete', 'backup-test', '{"albedo": 0.2}', '{"all": true}', 250, 2, now()) RETURNING id),
            br AS (INSERT INTO solar.building_result (run_id, building_id, status, roof_origin, centre, roof_area_m2, usable_area_m2,
                       mean_irradiation_kwh_per_m2, panel_count, installable_kwp, annual_kwh_ac, monthly_kwh_ac, co2_avoided_kg_per_year, station_distance_km)
                   SELECT r.id, b.id, 'ok', 'inferred', ST_Centroid(b.footprint), 100, 80, 1150.5, 12, 5.1, 5200, array_fill(433.3::real, ARRAY[12]), 260, 4
                   FROM r, b RETURNING building_id, run_id),
            fr AS (INSERT INTO solar.face_result (run_id, building_id, face_no, polygon, origin, tilt_deg, azimuth_deg, area_m2, usable_area_m2,
                       annual_irradiation_kwh_per_m2, quantiles_kwh_per_m2, shading_loss_fraction, suitability_class, panel_count, installable_kwp,
                       annual_kwh_ac, monthly_kwh_ac)
                   SELECT br.run_id, br.building_id, 1, ST_Force3D(ST_GeometryN(b.footprint, 1), 40), 'inferred', 0, 180, 100, 80, 1150.5,
                          array_fill(1150::real, ARRAY[11]), 0.02, 4, 12, 5.1, 5200, array_fill(433.3::real, ARRAY[12])
                   FROM br JOIN b ON b.id = br.building_id
                   RETURNING building_id)
            SELECT min(building_id) FROM fr
            """))
        {
            building = (long)(await cmd.ExecuteScalarAsync(Ct))!;
        }

        var accounts = new AccountStore(source);
        var publisher = await accounts.CreateOrganisationAsync("backup-publisher", "Publisher", "public_agency", Ct);
        var partner = await accounts.CreateOrganisationAsync("backup-partner", "Partner", "company", Ct);
        var ana = await accounts.CreateUserAsync("ana@backup.example", "Ana", null, false, Ct);
        var bob = await accounts.CreateUserAsync("bob@backup.example", "Bob", null, false, Ct);
        await accounts.SetMembershipAsync(ana.Id, publisher.Id, "admin", Ct);
        await accounts.SetMembershipAsync(bob.Id, partner.Id, "viewer", Ct);
        var (_, publisherKey) = await accounts.CreateKeyAsync(ana.Id, publisher.Id, "etl", ["read", "publish", "admin"], null, Ct);
        var (_, granteeKey) = await accounts.CreateKeyAsync(bob.Id, partner.Id, "reader", ["read"], null, Ct);
        await accounts.CreateKeyAsync(bob.Id, partner.Id, "revoked-later", ["read"], DateTimeOffset.UtcNow.AddDays(30), Ct);

        const string dataset = "compteurs-restreints";
        var csv = Encoding.UTF8.GetBytes("n;commune;conso_kwh\n1;Saint-Denis;1200,5\n2;Aubervilliers;980\n3;Saint-Denis;1500\n");
        await using (var api = new ApiFactory(_source, new Dictionary<string, string?> { ["Catalog:UploadDirectory"] = uploads }))
        {
            using var client = api.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Apikey", publisherKey);
            var (created, body) = await CatalogKit.SendAsync(client, HttpMethod.Post, "/api/v1/datasets", new
            {
                id = dataset, publisher = publisher.Slug, title = "Compteurs", description = "Consommations **restreintes**.",
                licence = "etalab-2.0", visibility = "restricted", themes = new[] { "ENER" },
            });
            Assert.True(created == 201, body);
            var job = await Uploads.UploadBytesAndWaitAsync(client, dataset, csv, "compteurs.csv");
            Assert.Equal("done", job.GetProperty("status").GetString());
            Assert.Equal(200, (await CatalogKit.SendAsync(client, HttpMethod.Post, $"/api/v1/datasets/{dataset}/versions/1/publish")).Status);
            var (granted, grantBody) = await CatalogKit.SendAsync(client, HttpMethod.Post, $"/api/v1/datasets/{dataset}/grants", new
            {
                organisation = partner.Slug, purpose = "Étude", expiresAt = DateTimeOffset.UtcNow.AddDays(30),
                fields = new[] { "n", "conso_kwh" }, rowFilter = new { commune = "Saint-Denis" },
            });
            Assert.True(granted == 201, grantBody);
        }
        // A second version waits in the queue (no worker), its file in the upload directory.
        long queuedJob;
        await using (var api = new ApiFactory(_source, new Dictionary<string, string?> { ["Catalog:UploadDirectory"] = uploads, ["Catalog:RunWorker"] = "false" }))
        {
            using var client = api.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Apikey", publisherKey);
            var (status, accepted) = await Uploads.UploadBytesAsync(client, dataset, csv, "compteurs-v2.csv");
            Assert.Equal(202, status);
            queuedJob = accepted.GetProperty("jobId").GetInt64();
        }
        var queuedFile = Assert.Single(Directory.GetFiles(uploads, "*.upload"));
        return new Seeded(dataset, publisher.Slug, publisherKey, granteeKey, building, Path.GetFileName(queuedFile), queuedJob);
    }

    private static async Task<(int Status, string Body)> GetAsync(ApiFactory factory, string path, string? key)
    {
        using var client = factory.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Apikey", key);
        }
        using var response = await client.GetAsync(path, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        // A problem document names its request, and a key's last use is this very call; nothing else differs between two hosts.
        return ((int)response.StatusCode, System.Text.RegularExpressions.Regex.Replace(body, "\"(requestId|lastUsedAt)\":\"[^\"]*\"", ""));
    }

    /// <summary>Runs the operator CLI (the build's SmartRegion.Pipelines.dll) against a database.</summary>
    internal static async Task<(int Exit, string Stdout, string Stderr)> CliAsync(string connectionString, params string[] args)
    {
        var sep = Path.DirectorySeparatorChar;
        var cli = Path.Combine(AppContext.BaseDirectory.Replace($"{sep}SmartRegion.Api.Tests{sep}", $"{sep}SmartRegion.Pipelines{sep}", StringComparison.Ordinal),
            "SmartRegion.Pipelines.dll");
        Assert.True(File.Exists(cli), $"the CLI's build output is missing: {cli}");
        var start = new ProcessStartInfo("dotnet", [cli, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["SMARTREGION_DB"] = connectionString;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await stdout, await stderr);
    }
}
