using Npgsql;

namespace SmartRegion.Data.Backup;

/// <summary>One table's content in short: its row count, and optionally an MD5 over its rows' text (order-independent).</summary>
public sealed record TableInventory(string Table, long Rows, string? ChecksumMd5);

/// <summary>
/// Lists every table of the platform's data (all schemas but PostgreSQL's own; tables owned by an extension, such as
/// PostGIS's <c>spatial_ref_sys</c>, are the extension's) with its row count and, on request, a checksum of its content:
/// what a backup records and a restore is checked against.
/// </summary>
public static class DatabaseInventory
{
    private const string TablesSql = """
        SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind = 'r'
           AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
         ORDER BY 1
        """;

    /// <summary>The inventory as seen by <paramref name="connection"/> (inside its transaction, when it has one: a backup's snapshot).</summary>
    public static async Task<IReadOnlyList<TableInventory>> ReadAsync(
        NpgsqlConnection connection, bool checksums, CancellationToken cancellationToken, NpgsqlTransaction? transaction = null)
    {
        var tables = new List<string>();
        await using (var cmd = new NpgsqlCommand(TablesSql, connection, transaction))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                tables.Add(reader.GetString(0));
            }
        }
        // Row text depends on the session's time zone (timestamptz) and float output: fix both, so two databases compare.
        await using (var cmd = new NpgsqlCommand("SET LOCAL TimeZone = 'UTC'; SET LOCAL extra_float_digits = 1", connection, transaction))
        {
            if (transaction is not null)
            {
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        var result = new List<TableInventory>(tables.Count);
        foreach (var table in tables)
        {
            // The names come from pg_class, quoted by quote_ident: no value from outside reaches this text.
            var sql = checksums
                ? $"SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h), '')) FROM (SELECT md5(t::text) AS h FROM {table} t) s"
                : $"SELECT count(*), NULL::text FROM {table}";
            await using var cmd = new NpgsqlCommand(sql, connection, transaction);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            result.Add(new TableInventory(table, reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
        }
        return result;
    }

    /// <summary>The inventory of a whole database in one read-only snapshot.</summary>
    public static async Task<IReadOnlyList<TableInventory>> ReadAsync(NpgsqlDataSource dataSource, bool checksums, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var inventory = await ReadAsync(connection, checksums, cancellationToken, tx);
        await tx.CommitAsync(cancellationToken);
        return inventory;
    }

    /// <summary>The differences between an expected inventory and an actual one, as sentences; empty when they agree.</summary>
    public static IReadOnlyList<string> Compare(IReadOnlyList<TableInventory> expected, IReadOnlyList<TableInventory> actual)
    {
        var differences = new List<string>();
        var byName = actual.ToDictionary(t => t.Table, StringComparer.Ordinal);
        foreach (var e in expected)
        {
            if (!byName.Remove(e.Table, out var a))
            {
                differences.Add($"{e.Table}: missing ({e.Rows} rows expected)");
            }
            else if (a.Rows != e.Rows)
            {
                differences.Add($"{e.Table}: {a.Rows} rows, {e.Rows} expected");
            }
            else if (e.ChecksumMd5 is not null && a.ChecksumMd5 is not null && e.ChecksumMd5 != a.ChecksumMd5)
            {
                differences.Add($"{e.Table}: same {a.Rows} rows but different content (md5 {a.ChecksumMd5[..8]}…, {e.ChecksumMd5[..8]}… expected)");
            }
        }
        differences.AddRange(byName.Keys.Select(t => $"{t}: not in the backup"));
        return differences;
    }
}
