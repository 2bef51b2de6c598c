using System.Collections.Concurrent;
using System.Security.Cryptography;
using Npgsql;
using SmartRegion.Data;
using Xunit;

namespace SmartRegion.Testing;

/// <summary>
/// A fresh database per test run, created from the migrations on the server of <c>SMARTREGION_DB</c>
/// (./smartregion test starts the private cluster and sets it) and dropped at the end, with a login of the API's
/// least-privilege role for it (issue 18, property 13). Tests own their rows.
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    // Every run database's owner connection string in this process: API hosts refuse them (see RequireApiLogin).
    private static readonly ConcurrentDictionary<string, string> OwnerStrings = new(StringComparer.Ordinal);

    private NpgsqlDataSource? _dataSource;
    private string? _adminConnectionString;
    private string? _apiLogin;

    /// <summary>The connection string of this run's database, as its owner (migrations, the CLI, tests' own rows).</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>
    /// The same database as the API's own login (a member of <see cref="ApiRole.Name"/>, as <c>./smartregion serve</c> and
    /// docker-compose connect): what every API host of the tests connects with, so an API code path that needs more
    /// privilege than the API has fails its test.
    /// </summary>
    public string ApiConnectionString { get; private set; } = "";

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
        _apiLogin = $"{DatabaseName}_api";
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await ApiRole.EnsureLoginAsync(_dataSource, _apiLogin, password, CancellationToken.None);
        ApiConnectionString = ApiRole.ConnectionString(ConnectionString, _apiLogin, password);
        OwnerStrings[ConnectionString] = DatabaseName;
    }

    /// <summary>
    /// Returns <paramref name="connectionString"/>, or throws when it is a run database's owner string: an API host of the
    /// tests connects as the API's login (<see cref="ApiConnectionString"/>), never as the owner. A scratch database the
    /// host migrates itself is not a run database and passes.
    /// </summary>
    public static string RequireApiLogin(string connectionString) => OwnerStrings.TryGetValue(connectionString, out var database)
        ? throw new InvalidOperationException(
            $"An API host was given the owner's connection string of the test database {database}: use TestDatabase.ApiConnectionString " +
            "(the API's least-privilege login, issue 18 property 13).")
        : connectionString;

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
        await using (var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)", admin))
        {
            await cmd.ExecuteNonQueryAsync();
        }
        OwnerStrings.TryRemove(ConnectionString, out _);
        if (_apiLogin is not null)
        {
            // The login owns nothing (what the API makes belongs to its role) and its database is gone: it drops alone.
            await using var drop = new NpgsqlCommand($"DROP ROLE IF EXISTS \"{_apiLogin}\"", admin);
            await drop.ExecuteNonQueryAsync();
        }
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
