using Npgsql;
using SmartRegion.Testing;

namespace SmartRegion.Data.Tests;

/// <summary>
/// The API's data sources prepare the statements they run again and again (bench/api: the explore API's statements are
/// then planned once per pooled connection), unless the connection string turns it off.
/// </summary>
public sealed class DataSourceTests(TestDatabase db)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateDataSource_WithAutoPrepare_ARepeatedStatementIsPreparedOnItsConnection()
    {
        await using var source = SmartRegionDatabase.CreateDataSource(db.ConnectionString, "auto-prepare-test", maxAutoPrepare: 16);
        Assert.Equal(1, await PreparedAfterRepeatingAsync(source, "auto_prepare_on"));
    }

    [Fact]
    public async Task CreateDataSource_ConnectionStringSaysMaxAutoPrepare0_NothingIsPrepared()
    {
        await using var source = SmartRegionDatabase.CreateDataSource(db.ConnectionString + ";Max Auto Prepare=0", "auto-prepare-test",
            maxAutoPrepare: 16);
        Assert.Equal(0, await PreparedAfterRepeatingAsync(source, "auto_prepare_off"));
    }

    [Fact]
    public async Task CreateDataSource_WithoutAutoPrepare_NothingIsPrepared()
    {
        await using var source = SmartRegionDatabase.CreateDataSource(db.ConnectionString, "auto-prepare-test");
        Assert.Equal(0, await PreparedAfterRepeatingAsync(source, "auto_prepare_default"));
    }

    /// <summary>Runs one statement (marked by <paramref name="marker"/>) ten times on one connection; how many of its statements that connection then holds prepared.</summary>
    private static async Task<long> PreparedAfterRepeatingAsync(NpgsqlDataSource source, string marker)
    {
        await using var connection = await source.OpenConnectionAsync(Ct);
        for (var i = 0; i < 10; i++)
        {
            await using var cmd = new NpgsqlCommand($"SELECT @v::int + 1 AS {marker}", connection);
            cmd.Parameters.AddWithValue("v", i);
            Assert.Equal(i + 1, (int)(await cmd.ExecuteScalarAsync(Ct))!);
        }
        await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE @m", connection);
        count.Parameters.AddWithValue("m", $"%AS {marker}%");
        return (long)(await count.ExecuteScalarAsync(Ct))!;
    }
}
