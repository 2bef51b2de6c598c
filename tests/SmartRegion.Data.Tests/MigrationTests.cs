using Npgsql;
using SmartRegion.Data;
using SmartRegion.Testing;

namespace SmartRegion.Data.Tests;

public sealed class MigrationTests(TestDatabase db)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Migrate_FreshDatabase_CreatesExtensionsAndSchemas()
    {
        await using var conn = await db.DataSource.OpenConnectionAsync(Ct);
        var extensions = await ListAsync(conn, "SELECT extname FROM pg_extension ORDER BY 1");
        Assert.Contains("postgis", extensions);
        Assert.Contains("pg_trgm", extensions);

        var schemas = await ListAsync(conn, "SELECT nspname FROM pg_namespace ORDER BY 1");
        foreach (var schema in new[] { "region", "weather", "solar", "catalog", "records" })
        {
            Assert.Contains(schema, schemas);
        }

        var recorded = await ListAsync(conn, "SELECT id FROM public.schema_migration ORDER BY id");
        Assert.Equal(Migrator.All.Select(m => m.Id), recorded);
        Assert.Equal("0001_foundation", recorded[0]);
    }

    [Fact]
    public async Task Migrate_SecondTime_AppliesNothing()
    {
        var applied = await Migrator.MigrateAsync(db.DataSource, Ct);
        Assert.Empty(applied);
    }

    [Fact]
    public async Task Migrate_PostgisWorks_TransformsLambert93()
    {
        // PostGIS must have its projection data: Lambert-93's projection origin (3°E, 46.5°N) is (700 000, 6 600 000) by definition.
        await using var conn = await db.DataSource.OpenConnectionAsync(Ct);
        await using var cmd = new NpgsqlCommand(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(3.0, 46.5), 4326), 2154) p) t", conn);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal(700_000, reader.GetDouble(0), 0.001);
        Assert.Equal(6_600_000, reader.GetDouble(1), 0.001);
    }

    [Fact]
    public async Task Migrate_EditedMigration_FailsNamingIt()
    {
        var scratch = await db.CreateScratchDatabaseAsync(Ct);
        try
        {
            await using var ds = SmartRegionDatabase.CreateDataSource(scratch, "tests");
            await Migrator.MigrateAsync(ds, Ct);
            await using (var conn = await ds.OpenConnectionAsync(Ct))
            await using (var cmd = new NpgsqlCommand("UPDATE public.schema_migration SET checksum_sha256 = repeat('0', 64) WHERE id = '0001_foundation'", conn))
            {
                await cmd.ExecuteNonQueryAsync(Ct);
            }
            var e = await Assert.ThrowsAsync<DatabaseSetupException>(() => Migrator.MigrateAsync(ds, Ct));
            Assert.Contains("0001_foundation", e.Message);
            Assert.Contains("changed after it was applied", e.Message);
        }
        finally
        {
            await db.DropScratchAsync(scratch, Ct);
        }
    }

    [Fact]
    public async Task EnsureExtensions_MissingExtension_NamesItAndThePackage()
    {
        await using var conn = await db.DataSource.OpenConnectionAsync(Ct);
        var e = await Assert.ThrowsAsync<DatabaseSetupException>(() =>
            Migrator.EnsureExtensionsAvailableAsync(conn, ["postgis", "no_such_extension_xyz"], Ct));
        Assert.Contains("no_such_extension_xyz", e.Message);
        Assert.DoesNotContain("postgis,", e.Message);
        Assert.Contains("127.0.0.1", e.Message);
    }

    [Fact]
    public void Describe_ConnectionString_NeverShowsPassword()
    {
        var text = SmartRegionDatabase.Describe("Host=db;Port=5433;Username=u;Password=secret123;Database=d");
        Assert.Equal("db:5433/d", text);
        Assert.DoesNotContain("secret", text);
    }

    [Fact]
    public async Task Migrate_AnotherRegionsStorageCrs_EveryGeometryColumnInIt_AndTheShippedRegionIsRefusedThere()
    {
        var scratch = await db.CreateScratchDatabaseAsync(Ct);
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(scratch);
            await Migrator.MigrateAsync(dataSource, Ct, storageSrid: 3946);
            await using (var conn = await dataSource.OpenConnectionAsync(Ct))
            {
                var srids = await ListAsync(conn, """
                    SELECT DISTINCT srid::text FROM public.geometry_columns WHERE f_table_schema IN ('region', 'solar') AND srid <> 0
                    """);
                Assert.Equal(["3946"], srids);
            }
            // The shipped region (Lambert-93) on that database: refused, both CRSs named, nothing applied.
            var e = await Assert.ThrowsAsync<DatabaseSetupException>(() => Migrator.MigrateAsync(dataSource, Ct));
            Assert.Contains("EPSG:3946", e.Message);
            Assert.Contains("storageCrs EPSG:2154", e.Message);
        }
        finally
        {
            await db.DropScratchAsync(scratch, Ct);
        }
    }

    private static async Task<List<string>> ListAsync(NpgsqlConnection conn, string sql)
    {
        var list = new List<string>();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            list.Add(reader.GetString(0));
        }
        return list;
    }
}
