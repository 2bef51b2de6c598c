using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SmartRegion.Api.Infrastructure;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Operations;

/// <summary>
/// The API's stateless pool (the catalogue's gate, the explore queries, the solar reports: connections not reset when they go
/// back to the pool) is safe only if nothing run on it can leave session state for the next request: its sessions are
/// read-only, so a temporary table or a write fails instead of staying behind, and it is a pool of its own, apart from the
/// primary's (where uploads, advisory locks and transactions run, with Npgsql's reset).
/// </summary>
public sealed class StatelessPoolTests(TestDatabase db)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StatelessPool_IsReadOnly_NotResetOnClose_AndApartFromThePrimary()
    {
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();
        var stateless = factory.Services.GetRequiredService<StatelessDatabase>();
        var primary = factory.Services.GetRequiredService<NpgsqlDataSource>();

        Assert.NotSame(primary, stateless.Primary);
        Assert.Same(stateless.Primary, stateless.Read); // no replica configured: one stateless pool
        Assert.True(new NpgsqlConnectionStringBuilder(stateless.Primary.ConnectionString).NoResetOnClose);
        Assert.False(new NpgsqlConnectionStringBuilder(primary.ConnectionString).NoResetOnClose);

        await using var connection = await stateless.Primary.OpenConnectionAsync(Ct);
        await using (var show = new NpgsqlCommand("SHOW default_transaction_read_only", connection))
        {
            Assert.Equal("on", (string?)await show.ExecuteScalarAsync(Ct));
        }
        var temp = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var cmd = new NpgsqlCommand("CREATE TEMP TABLE stateless_leak (x int)", connection);
            await cmd.ExecuteNonQueryAsync(Ct);
        });
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, temp.SqlState);
        var write = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var cmd = new NpgsqlCommand("UPDATE catalog.dataset SET title = title WHERE false", connection);
            await cmd.ExecuteNonQueryAsync(Ct);
        });
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, write.SqlState);

        // The primary's pool stays a normal one: writes and temporary tables work there.
        await using var own = await primary.OpenConnectionAsync(Ct);
        await using (var show = new NpgsqlCommand("SHOW default_transaction_read_only", own))
        {
            Assert.Equal("off", (string?)await show.ExecuteScalarAsync(Ct));
        }
    }

    [Fact]
    public async Task HotReadPaths_RunOnTheStatelessPool()
    {
        // A name of this host's own, so that other tests' hosts on the shared database do not count.
        var name = $"sr-pool-test-{Guid.NewGuid():N}"[..30];
        await using var factory = new ApiFactory(new NpgsqlConnectionStringBuilder(db.ApiConnectionString) { ApplicationName = name }.ConnectionString);
        using var client = factory.CreateClient();

        // The gate (any dataset id, even an unknown one, runs it) and the solar report's read.
        using var explore = await client.GetAsync("/api/explore/v2.1/catalog/datasets/stateless-pool-test-none/records/1", Ct);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, explore.StatusCode);
        using var solar = await client.GetAsync("/api/v1/solar/buildings/999999999", Ct);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, solar.StatusCode);

        // The stateless pool's sessions (named by the pool) are the ones that ran them: idle in the pool now, on this database.
        await using var owner = new NpgsqlConnection(db.ConnectionString);
        await owner.OpenAsync(Ct);
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = @name", owner);
        count.Parameters.AddWithValue("name", name + "-stateless");
        Assert.True((long)(await count.ExecuteScalarAsync(Ct))! > 0, "the gate and the report ran on another pool");
    }
}
