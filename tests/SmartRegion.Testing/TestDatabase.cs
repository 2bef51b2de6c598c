using Npgsql;
using SmartRegion.Data;
using Xunit;

namespace SmartRegion.Testing;

/// <summary>
/// A fresh database per test run, created from the migrations on the server of <c>SMARTREGION_DB</c>
/// (./smartregion test starts the private cluster and sets it) and dropped at the end. Tests own their rows.
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    private NpgsqlDataSource? _dataSource;
    private string? _adminConnectionString;

    /// <summary>The connection string of this run's database.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>The database's name (sr_test_…).</summary>
    public string DatabaseName { get; private set; } = "";

    /// <summary>One data source for the whole run, as in the real host.</summary>
    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("TestDatabase is not initialised");

    public async ValueTask InitializeAsync()
    {
        _adminConnectionString = SmartRegionDatabase.ConnectionStringFromEnvironment();
        DatabaseName = $"sr_test_{DateTime.UtcNow:yyyyMMddHHmmss}_{Guid.NewGuid():N}"[..40];
        await using (var admin = new NpgsqlConnection(_adminConnectionString))
        {
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{DatabaseName}\"", admin);
            await cmd.ExecuteNonQueryAsync();
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = DatabaseName }.ConnectionString;
        _dataSource = SmartRegionDatabase.CreateDataSource(ConnectionString, "smartregion-tests");
        await Migrator.MigrateAsync(_dataSource, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
        if (_adminConnectionString is null || DatabaseName.Length == 0)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_adminConnectionString);
        await admin.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)", admin);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Creates another empty database on the same server (for tests that need a blank one); dropped with this fixture's server session ending is not implied: call <see cref="DropScratchAsync"/>.</summary>
    public async Task<string> CreateScratchDatabaseAsync(CancellationToken cancellationToken)
    {
        var name = $"sr_scratch_{Guid.NewGuid():N}"[..32];
        await using var admin = new NpgsqlConnection(_adminConnectionString);
        await admin.OpenAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        return new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateScratchDatabaseAsync"/>.</summary>
    public async Task DropScratchAsync(string connectionString, CancellationToken cancellationToken)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_adminConnectionString);
        await admin.OpenAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
