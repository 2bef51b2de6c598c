using Npgsql;

namespace SmartRegion.Data.Backup;

/// <summary>
/// A read-only repeatable-read transaction whose snapshot is exported (<c>pg_export_snapshot</c>), so that
/// <c>pg_dump --snapshot</c>, the inventory and the list of uploaded files all see the database at the same instant.
/// The snapshot lives as long as this object.
/// </summary>
public sealed class BackupSnapshot : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;

    private BackupSnapshot(NpgsqlConnection connection, NpgsqlTransaction transaction) => (_connection, _transaction) = (connection, transaction);

    /// <summary>The exported snapshot's id, for <c>pg_dump --snapshot</c>.</summary>
    public string SnapshotId { get; private set; } = "";

    public string ServerVersion { get; private set; } = "";

    public string? PostgisVersion { get; private set; }

    /// <summary>The migrations applied in the snapshot.</summary>
    public IReadOnlyList<string> Migrations { get; private set; } = [];

    public static async Task<BackupSnapshot> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
            var snapshot = new BackupSnapshot(connection, tx);
            await using (var cmd = new NpgsqlCommand("""
                SET TRANSACTION READ ONLY;
                SELECT pg_export_snapshot(), current_setting('server_version'),
                       (SELECT extversion FROM pg_extension WHERE extname = 'postgis'),
                       to_regclass('public.schema_migration') IS NOT NULL
                """, connection, tx))
            await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                snapshot.SnapshotId = reader.GetString(0);
                snapshot.ServerVersion = reader.GetString(1);
                snapshot.PostgisVersion = reader.IsDBNull(2) ? null : reader.GetString(2);
                if (!reader.GetBoolean(3))
                {
                    return snapshot;
                }
            }
            var migrations = new List<string>();
            await using (var cmd = new NpgsqlCommand("SELECT id FROM public.schema_migration ORDER BY id", connection, tx))
            await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    migrations.Add(reader.GetString(0));
                }
            }
            snapshot.Migrations = migrations;
            return snapshot;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The stored upload files (names in the upload directory) that versions still waiting for their ingestion need; a
    /// version already read no longer needs its file (the worker deletes it).
    /// </summary>
    public async Task<IReadOnlyList<string>> PendingUploadsAsync(CancellationToken cancellationToken)
    {
        var files = new List<string>();
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('catalog.dataset_version') IS NOT NULL", _connection, _transaction))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
            {
                return files; // a database without the catalogue has no uploads
            }
        }
        await using var cmd = new NpgsqlCommand(Catalog.VersionStore.PendingStoredFilesSql, _connection, _transaction);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            files.Add(reader.GetString(0));
        }
        return files;
    }

    /// <summary>Every table's row count (and checksum) in the snapshot.</summary>
    public Task<IReadOnlyList<TableInventory>> InventoryAsync(bool checksums, CancellationToken cancellationToken) =>
        DatabaseInventory.ReadAsync(_connection, checksums, cancellationToken, _transaction);

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
