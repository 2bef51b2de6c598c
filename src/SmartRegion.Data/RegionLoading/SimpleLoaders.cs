using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Npgsql;
using NpgsqlTypes;

namespace SmartRegion.Data.RegionLoading;

/// <summary>An address ready for storage (point in the storage CRS).</summary>
public sealed record AddressRow(string SourceId, string Label, int? Number, string? Suffix, string? Street, string? Postcode,
    string? CommuneCode, string? CommuneName, Point Point, string SearchLabel, string SearchStreet, string AttributesJson);

/// <summary>An administrative boundary ready for storage (in the storage CRS).</summary>
public sealed record BoundaryRow(string Level, string Code, string Name, MultiPolygon Geometry, string AttributesJson);

/// <summary>Addresses and boundaries: one transaction each, binary COPY into staging, upsert by natural key.</summary>
public static class SimpleLoaders
{
    /// <summary>Upserts addresses by (source, source_id); returns (inserted, updated).</summary>
    public static async Task<(int Inserted, int Updated)> LoadAddressesAsync(NpgsqlDataSource dataSource, long runId, string source,
        IEnumerable<AddressRow> rows, Func<(int, int), IngestRunCounts> counts, string? sha256, CancellationToken cancellationToken)
    {
        var wkb = new WKBWriter(ByteOrder.LittleEndian, handleSRID: true, emitZ: false);
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await Exec(conn, tx, """
            CREATE TEMP TABLE stage_address (source_id text, label text, number integer, suffix text, street text, postcode text,
                commune_code text, commune_name text, point geometry, search_label text, search_street text, attributes jsonb) ON COMMIT DROP
            """, cancellationToken);
        await using (var w = await conn.BeginBinaryImportAsync("COPY stage_address FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var a in rows)
            {
                await w.StartRowAsync(cancellationToken);
                await w.WriteAsync(a.SourceId, NpgsqlDbType.Text, cancellationToken);
                await w.WriteAsync(a.Label, NpgsqlDbType.Text, cancellationToken);
                await Nullable(w, a.Number, NpgsqlDbType.Integer, cancellationToken);
                await Nullable(w, a.Suffix, NpgsqlDbType.Text, cancellationToken);
                await Nullable(w, a.Street, NpgsqlDbType.Text, cancellationToken);
                await Nullable(w, a.Postcode, NpgsqlDbType.Text, cancellationToken);
                await Nullable(w, a.CommuneCode, NpgsqlDbType.Text, cancellationToken);
                await Nullable(w, a.CommuneName, NpgsqlDbType.Text, cancellationToken);
                await w.WriteAsync(wkb.Write(a.Point), NpgsqlDbType.Bytea, cancellationToken);
                await w.WriteAsync(a.SearchLabel, NpgsqlDbType.Text, cancellationToken);
                await w.WriteAsync(a.SearchStreet, NpgsqlDbType.Text, cancellationToken);
                await w.WriteAsync(a.AttributesJson, NpgsqlDbType.Jsonb, cancellationToken);
            }
            await w.CompleteAsync(cancellationToken);
        }
        var result = await Merge(conn, tx, """
            WITH up AS (
                INSERT INTO region.address AS t (source, source_id, label, number, suffix, street, postcode, commune_code, commune_name,
                    point, search_label, search_street, attributes, ingest_run_id)
                SELECT DISTINCT ON (source_id) @source, source_id, label, number, suffix, street, postcode, commune_code, commune_name,
                    point, search_label, search_street, attributes, @run FROM stage_address ORDER BY source_id
                ON CONFLICT (source, source_id) DO UPDATE SET label = EXCLUDED.label, number = EXCLUDED.number, suffix = EXCLUDED.suffix,
                    street = EXCLUDED.street, postcode = EXCLUDED.postcode, commune_code = EXCLUDED.commune_code,
                    commune_name = EXCLUDED.commune_name, point = EXCLUDED.point, search_label = EXCLUDED.search_label,
                    search_street = EXCLUDED.search_street, attributes = EXCLUDED.attributes, ingest_run_id = EXCLUDED.ingest_run_id
                -- Every stored column counts, the derived ones too: a newer loader's search texts reach rows of an unchanged file.
                WHERE (t.label, t.number, t.suffix, t.street, t.postcode, t.commune_code, t.commune_name, t.point, t.search_label, t.search_street,
                       t.attributes)
                    IS DISTINCT FROM (EXCLUDED.label, EXCLUDED.number, EXCLUDED.suffix, EXCLUDED.street, EXCLUDED.postcode, EXCLUDED.commune_code,
                       EXCLUDED.commune_name, EXCLUDED.point, EXCLUDED.search_label, EXCLUDED.search_street, EXCLUDED.attributes)
                RETURNING (xmax = 0) AS inserted)
            SELECT count(*) FILTER (WHERE inserted)::int, count(*) FILTER (WHERE NOT inserted)::int FROM up
            """, cancellationToken, ("source", source), ("run", runId));
        await IngestRuns.FinishAsync(conn, tx, runId, "succeeded", counts(result), sha256, null, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>Upserts boundaries by (level, code); returns (inserted, updated).</summary>
    public static async Task<(int Inserted, int Updated)> LoadBoundariesAsync(NpgsqlDataSource dataSource, long runId,
        IEnumerable<BoundaryRow> rows, Func<(int, int), IngestRunCounts> counts, string? sha256, CancellationToken cancellationToken)
    {
        var wkb = new WKBWriter(ByteOrder.LittleEndian, handleSRID: true, emitZ: false);
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await Exec(conn, tx, "CREATE TEMP TABLE stage_boundary (level text, code text, name text, geometry geometry, attributes jsonb) ON COMMIT DROP", cancellationToken);
        await using (var w = await conn.BeginBinaryImportAsync("COPY stage_boundary FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var b in rows)
            {
                await w.StartRowAsync(cancellationToken);
                await w.WriteAsync(b.Level, NpgsqlDbType.Text, cancellationToken);
                await w.WriteAsync(b.Code, NpgsqlDbType.Text, cancellationToken);
                await w.WriteAsync(b.Name, NpgsqlDbType.Text, cancellationToken);
                await w.WriteAsync(wkb.Write(b.Geometry), NpgsqlDbType.Bytea, cancellationToken);
                await w.WriteAsync(b.AttributesJson, NpgsqlDbType.Jsonb, cancellationToken);
            }
            await w.CompleteAsync(cancellationToken);
        }
        var result = await Merge(conn, tx, """
            WITH up AS (
                INSERT INTO region.boundary AS t (level, code, name, geometry, attributes, ingest_run_id)
                SELECT DISTINCT ON (level, code) level, code, name, geometry, attributes, @run FROM stage_boundary ORDER BY level, code
                ON CONFLICT (level, code) DO UPDATE SET name = EXCLUDED.name, geometry = EXCLUDED.geometry,
                    attributes = EXCLUDED.attributes, ingest_run_id = EXCLUDED.ingest_run_id
                WHERE (t.name, ST_AsEWKB(t.geometry), t.attributes) IS DISTINCT FROM (EXCLUDED.name, ST_AsEWKB(EXCLUDED.geometry), EXCLUDED.attributes)
                RETURNING (xmax = 0) AS inserted)
            SELECT count(*) FILTER (WHERE inserted)::int, count(*) FILTER (WHERE NOT inserted)::int FROM up
            """, cancellationToken, ("run", runId));
        await IngestRuns.FinishAsync(conn, tx, runId, "succeeded", counts(result), sha256, null, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return result;
    }

    private static async Task<(int, int)> Merge(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx) { CommandTimeout = 0 };
        foreach (var (n, v) in parameters)
        {
            cmd.Parameters.AddWithValue(n, v);
        }
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        await r.ReadAsync(cancellationToken);
        return (r.GetInt32(0), r.GetInt32(1));
    }

    private static async Task Exec(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task Nullable<T>(NpgsqlBinaryImporter w, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
    {
        if (value is null)
        {
            await w.WriteNullAsync(cancellationToken);
        }
        else
        {
            await w.WriteAsync(value, type, cancellationToken);
        }
    }
}
