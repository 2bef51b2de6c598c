using Npgsql;
using SmartRegion.Data.Catalog;

namespace SmartRegion.Data.Explore;

/// <summary>One use of a dataset, as catalog.access_log records it.</summary>
public sealed record AccessEntry(long DatasetId, DateTimeOffset At, long? OrgId, long? UserId, long? ApiKeyId, string Endpoint, long? RowsReturned);

/// <summary>Writes many access-log lines in one statement (the read APIs log every call; one INSERT and commit each was a request's largest cost).</summary>
public sealed class AccessLogBatch(NpgsqlDataSource dataSource)
{
    public static AccessEntry Entry(long datasetId, Caller caller, string endpoint, long? rows) =>
        new(datasetId, DateTimeOffset.UtcNow, caller.PrimaryOrgId, caller.UserId, caller.ApiKeyId, endpoint, rows);

    public async Task InsertAsync(IReadOnlyList<AccessEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return;
        }
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO catalog.access_log (dataset_id, at, org_id, user_id, api_key_id, endpoint, rows_returned)
            SELECT * FROM unnest(@d, @at, @o, @u, @k, @e, @n)
            """);
        cmd.Parameters.AddWithValue("d", entries.Select(e => e.DatasetId).ToArray());
        cmd.Parameters.AddWithValue("at", entries.Select(e => e.At).ToArray());
        cmd.Parameters.AddWithValue("o", entries.Select(e => e.OrgId).ToArray());
        cmd.Parameters.AddWithValue("u", entries.Select(e => e.UserId).ToArray());
        cmd.Parameters.AddWithValue("k", entries.Select(e => e.ApiKeyId).ToArray());
        cmd.Parameters.AddWithValue("e", entries.Select(e => e.Endpoint).ToArray());
        cmd.Parameters.AddWithValue("n", entries.Select(e => e.RowsReturned).ToArray());
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
