using SmartRegion.Testing;
using static SmartRegion.Pipelines.Tests.Fixtures;
using SmartRegion.Pipelines.Cli;

namespace SmartRegion.Pipelines.Tests;

public sealed class CliArgsTests
{
    [Fact]
    public void Parse_OptionsFlagsAndPositionals_ReadBack()
    {
        var a = CliArgs.Parse(["file.geojson", "--srs", "EPSG:2154", "--strict", "--lat=48.5", "--", "--literal"], "strict");
        Assert.Equal(["file.geojson", "--literal"], a.Positionals);
        Assert.Equal("EPSG:2154", a.String("srs"));
        Assert.True(a.Flag("strict"));
        Assert.Equal(48.5, a.Double("lat"));
        a.RejectUnknown();
    }

    [Theory]
    [InlineData("--lat abc", "--lat: 'abc' is not a number")]
    [InlineData("--lat 91", "--lat: 91 is out of range [-90, 90]")]
    [InlineData("--lat NaN", "--lat: 'NaN' is not a number")]
    public void Double_BadValue_NamesTheArgument(string line, string message)
    {
        var a = CliArgs.Parse(line.Split(' '));
        var e = Assert.Throws<CliUsageException>(() => a.Double("lat", -90, 90));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Parse_MissingValue_Fails()
    {
        var e = Assert.Throws<CliUsageException>(() => CliArgs.Parse(["--tilt"]));
        Assert.Equal("--tilt needs a value", e.Message);
    }

    [Fact]
    public void RejectUnknown_Typo_NamesIt()
    {
        var a = CliArgs.Parse(["--tlit", "30"]);
        a.Double("tilt");
        var e = Assert.Throws<CliUsageException>(a.RejectUnknown);
        Assert.Equal("unknown option(s): --tlit", e.Message);
    }

    [Fact]
    public void Choice_UnknownModel_ListsAllowed()
    {
        var a = CliArgs.Parse(["--model", "klucher"]);
        var e = Assert.Throws<CliUsageException>(() => a.Choice("model", "perez", "isotropic", "haydavies", "perez"));
        Assert.Equal("--model: 'klucher' is not one of isotropic, haydavies, perez", e.Message);
    }

    [Fact]
    public async Task Run_UnknownCommand_Exit2WithUsage()
    {
        var err = new StringWriter();
        var code = await Program.RunAsync(["frobnicate"], err, TestContext.Current.CancellationToken);
        Assert.Equal(2, code);
        Assert.Contains("unknown command 'frobnicate'", err.ToString());
        Assert.Contains("db migrate", err.ToString());
    }

    [Fact]
    public async Task Run_Help_ListsEachCommandOnce()
    {
        var err = new StringWriter();
        var code = await Program.RunAsync(["help"], err, TestContext.Current.CancellationToken);
        Assert.Equal(0, code);
        var lines = err.ToString().Split('\n');
        foreach (var command in new[] { "compute solar [", "worker [", "ingest buildings FILE", "db migrate" })
        {
            Assert.Single(lines, l => l.StartsWith(command, StringComparison.Ordinal));
        }
    }
}

/// <summary>Tests that change process environment variables run alone.</summary>
[CollectionDefinition("process-environment", DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection;

[Collection("process-environment")]
public sealed class ProgramErrorTests(TestDatabase db)
{
    [Fact]
    public async Task Run_DatabaseMissing_ClearMessageNotAStackTrace()
    {
        var server = Environment.GetEnvironmentVariable("SMARTREGION_DB");
        Assert.SkipWhen(string.IsNullOrEmpty(server), "SMARTREGION_DB is not set (run through ./smartregion test)");
        var missing = new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = "sr_no_such_db_" + Guid.NewGuid().ToString("N")[..8] }.ConnectionString;
        var err = new StringWriter();
        var previous = Environment.GetEnvironmentVariable("SMARTREGION_DB");
        try
        {
            Environment.SetEnvironmentVariable("SMARTREGION_DB", missing);
            var code = await Program.RunAsync(["db", "migrate"], err, TestContext.Current.CancellationToken);
            Assert.Equal(1, code);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SMARTREGION_DB", previous);
        }
        Assert.Contains("the database refused", err.ToString());
        Assert.Contains("does not exist", err.ToString());
        Assert.DoesNotContain("   at ", err.ToString());
    }

    [Fact]
    public async Task Ingest_DatabaseWithoutSchema_SaysRunDbMigrateAndWritesNothing()
    {
        var fresh = await db.CreateScratchDatabaseAsync(Ct);
        try
        {
            var file = TempFile("one.geojson", Collection2154(SquareFeature("NS-1", 652_000, 6_862_000)));
            var (code, err) = await RunWithDatabaseAsync(fresh, ["ingest", "buildings", file]);
            Assert.Equal(1, code);
            Assert.Equal("smartregion ingest: this database has no SmartRegion schema yet: run ./smartregion db migrate", err.Trim());
            Assert.False(await HasSchemaAsync(fresh, "region"));

            // The advice works: after db migrate the same command loads the file.
            Assert.Equal(0, (await RunWithDatabaseAsync(fresh, ["db", "migrate"])).Code);
            var (again, againErr) = await RunWithDatabaseAsync(fresh, ["ingest", "buildings", file]);
            Assert.True(again == 0, againErr);
        }
        finally
        {
            await db.DropScratchAsync(fresh, Ct);
        }
    }

    [Fact]
    public async Task Ingest_DatabaseMissingAMigration_NamesItAndSaysRunDbMigrate()
    {
        var older = await db.CreateScratchDatabaseAsync(Ct);
        try
        {
            Assert.Equal(0, (await RunWithDatabaseAsync(older, ["db", "migrate"])).Code);
            // A database migrated by a version that did not have 0100 yet (other migrations applied, region absent).
            await using (var conn = new Npgsql.NpgsqlConnection(older))
            {
                await conn.OpenAsync(Ct);
                await using var cmd = new Npgsql.NpgsqlCommand(
                    "DROP SCHEMA region CASCADE; DELETE FROM public.schema_migration WHERE id = '0100_region_ingest'", conn);
                await cmd.ExecuteNonQueryAsync(Ct);
            }
            var file = TempFile("one.geojson", Collection2154(SquareFeature("NS-2", 652_000, 6_862_000)));
            var (code, err) = await RunWithDatabaseAsync(older, ["ingest", "buildings", file]);
            Assert.Equal(1, code);
            Assert.Equal("smartregion ingest: this database's SmartRegion schema is older than this version " +
                "(1 migration(s) not applied: 0100_region_ingest): run ./smartregion db migrate", err.Trim());
        }
        finally
        {
            await db.DropScratchAsync(older, Ct);
        }
    }

    [Fact]
    public async Task Geocode_MissingTableOfACompleteSchema_ReportsTheServersError()
    {
        // A complete schema whose table was dropped by hand is not a "run db migrate" case: the server's own error is shown.
        var broken = await db.CreateScratchDatabaseAsync(Ct);
        try
        {
            Assert.Equal(0, (await RunWithDatabaseAsync(broken, ["db", "migrate"])).Code);
            await using (var conn = new Npgsql.NpgsqlConnection(broken))
            {
                await conn.OpenAsync(Ct);
                await using var cmd = new Npgsql.NpgsqlCommand("DROP TABLE region.address CASCADE", conn);
                await cmd.ExecuteNonQueryAsync(Ct);
            }
            var (code, err) = await RunWithDatabaseAsync(broken, ["geocode", "1 rue de la Paix"]);
            Assert.Equal(1, code);
            Assert.Contains("the database refused", err);
            Assert.Contains("(SQLSTATE 42P01)", err);
            Assert.DoesNotContain("db migrate", err);
        }
        finally
        {
            await db.DropScratchAsync(broken, Ct);
        }
    }

    private static async Task<(int Code, string Err)> RunWithDatabaseAsync(string connectionString, string[] args)
    {
        var err = new StringWriter();
        var previous = Environment.GetEnvironmentVariable("SMARTREGION_DB");
        try
        {
            Environment.SetEnvironmentVariable("SMARTREGION_DB", connectionString);
            var code = await Program.RunAsync(args, err, Ct);
            return (code, err.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable("SMARTREGION_DB", previous);
        }
    }

    private static async Task<bool> HasSchemaAsync(string connectionString, string schema)
    {
        await using var conn = new Npgsql.NpgsqlConnection(connectionString);
        await conn.OpenAsync(Ct);
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = @s)", conn);
        cmd.Parameters.AddWithValue("s", schema);
        return (bool)(await cmd.ExecuteScalarAsync(Ct))!;
    }
}
