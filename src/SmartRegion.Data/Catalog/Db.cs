using Npgsql;

namespace SmartRegion.Data.Catalog;

/// <summary>Small helpers so every catalogue statement binds its values as parameters the same way.</summary>
internal static class Db
{
    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params (string Name, object? Value)[] parameters) =>
        Command(connection, null, sql, parameters);

    public static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = new NpgsqlCommand(sql, connection, tx);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return cmd;
    }

    /// <summary>
    /// A command prepared on <paramref name="connection"/>: for the statements of the hot read paths (a solar report, the
    /// catalogue's gate before it). A pooled connection keeps its prepared statements, so after its first use a statement is
    /// neither parsed nor planned again — planning the gate cost more than running it (6 ms against 1 ms under load).
    /// </summary>
    public static async Task<NpgsqlCommand> PreparedAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        var cmd = Command(connection, sql, parameters);
        await cmd.PrepareAsync(cancellationToken);
        return cmd;
    }

    public static async Task<T?> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = Command(connection, sql, parameters);
        var value = await cmd.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? default : (T)value;
    }

    public static async Task<int> ExecuteAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = Command(connection, sql, parameters);
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<List<T>> ListAsync<T>(NpgsqlDataSource dataSource, string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = Command(connection, sql, parameters);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(map(reader));
        }
        return list;
    }

    /// <summary>Runs <paramref name="work"/> in one transaction (a change and its audit entries commit together, or neither).</summary>
    public static async Task<T> InTransactionAsync<T>(NpgsqlDataSource dataSource, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var result = await work(connection, tx);
        await tx.CommitAsync(cancellationToken);
        return result;
    }

    public static async Task<T?> ScalarAsync<T>(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var cmd = Command(connection, tx, sql, parameters);
        var value = await cmd.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? default : (T)value;
    }

    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var cmd = Command(connection, tx, sql, parameters);
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public static T? Get<T>(this NpgsqlDataReader reader, string column)
    {
        var i = reader.GetOrdinal(column);
        return reader.IsDBNull(i) ? default : reader.GetFieldValue<T>(i);
    }
}
