using NetTopologySuite.IO;
using Npgsql;
using NpgsqlTypes;
using SmartRegion.Geo.Buildings;

namespace SmartRegion.Data.Ingest;

/// <summary>How a building load merges into <c>region.building</c>.</summary>
/// <param name="Source">The source name rows are keyed by (with their source id).</param>
/// <param name="ReplaceSource">Retire this source's buildings that the file no longer has.</param>
/// <param name="DryRun">Do everything, then roll back.</param>
public sealed record BuildingLoadOptions(string Source, bool ReplaceSource, bool DryRun);

/// <summary>What the merge did.</summary>
public sealed record BuildingMergeCounts(int Inserted, int Updated, int Unchanged, int Retired, double MergeS = 0);

/// <summary>
/// Loads buildings in one transaction: binary COPY into a temporary staging table, then one set-based upsert by
/// (source, source_id). Nothing is visible before the commit, so a killed load leaves the previous state.
/// </summary>
public sealed class BuildingLoader : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly BuildingLoadOptions _options;
    private readonly long _runId;
    private NpgsqlBinaryImporter? _importer;
    private readonly List<(string SourceId, RoofFace Face)> _roofs = [];
    private readonly WKBWriter _wkb2d = new(ByteOrder.LittleEndian, handleSRID: true, emitZ: false);
    private readonly WKBWriter _wkb3d = new(ByteOrder.LittleEndian, handleSRID: true, emitZ: true);
    private bool _done;

    private BuildingLoader(NpgsqlConnection connection, NpgsqlTransaction transaction, BuildingLoadOptions options, long runId)
    {
        _connection = connection;
        _transaction = transaction;
        _options = options;
        _runId = runId;
    }

    /// <summary>Opens the load's connection and transaction, locks the source against a concurrent load, starts the COPY.</summary>
    public static async Task<BuildingLoader> BeginAsync(NpgsqlDataSource dataSource, long runId, BuildingLoadOptions options, CancellationToken cancellationToken)
    {
        var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await Exec(conn, null, "UPDATE region.ingest_run SET backend_pid = pg_backend_pid() WHERE id = @id", cancellationToken, ("id", runId));
            var tx = await conn.BeginTransactionAsync(cancellationToken);
            var loader = new BuildingLoader(conn, tx, options, runId);
            await Exec(conn, tx, "SELECT pg_advisory_xact_lock(hashtext('region.building'), hashtext(@s))", cancellationToken, ("s", options.Source));
            await Exec(conn, tx, """
                CREATE TEMP TABLE stage_building (
                    source_id text NOT NULL, footprint geometry NOT NULL, geometry_3d geometry, altitude_datum text,
                    height_above_ground_m double precision, ground_altitude_ngfign69_m double precision,
                    roof_min_altitude_ngfign69_m double precision, roof_max_altitude_ngfign69_m double precision,
                    storeys integer, roof_shape text, usage text, attributes jsonb NOT NULL
                ) ON COMMIT DROP
                """, cancellationToken);
            loader._importer = await conn.BeginBinaryImportAsync("""
                COPY stage_building (source_id, footprint, geometry_3d, altitude_datum, height_above_ground_m, ground_altitude_ngfign69_m,
                    roof_min_altitude_ngfign69_m, roof_max_altitude_ngfign69_m, storeys, roof_shape, usage, attributes) FROM STDIN (FORMAT BINARY)
                """, cancellationToken);
            return loader;
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>Streams one building into the staging table.</summary>
    public Task WriteAsync(BuildingRecord b, CancellationToken cancellationToken)
    {
        // Synchronous field writes: they only fill Npgsql's buffer (a flush blocks briefly when it is full), and the
        // per-field await of the async API costs more than the whole row on a large file.
        cancellationToken.ThrowIfCancellationRequested();
        var w = _importer!;
        w.StartRow();
        w.Write(b.SourceId, NpgsqlDbType.Text);
        w.Write(_wkb2d.Write(b.Footprint), NpgsqlDbType.Bytea);
        WriteNullable(w, b.Geometry3d is null ? null : _wkb3d.Write(b.Geometry3d), NpgsqlDbType.Bytea);
        WriteNullable(w, b.AltitudeDatum, NpgsqlDbType.Text);
        WriteNullable(w, b.HeightAboveGroundM, NpgsqlDbType.Double);
        WriteNullable(w, b.GroundAltitudeNgfIgn69M, NpgsqlDbType.Double);
        WriteNullable(w, b.RoofMinAltitudeNgfIgn69M, NpgsqlDbType.Double);
        WriteNullable(w, b.RoofMaxAltitudeNgfIgn69M, NpgsqlDbType.Double);
        WriteNullable(w, b.Storeys, NpgsqlDbType.Integer);
        WriteNullable(w, b.RoofShape, NpgsqlDbType.Text);
        WriteNullable(w, b.Usage, NpgsqlDbType.Text);
        w.Write(b.AttributesJson, NpgsqlDbType.Jsonb);
        foreach (var face in b.RoofFaces)
        {
            _roofs.Add((b.SourceId, face));
        }
        return Task.CompletedTask;
    }

    /// <summary>Merges the staged rows, closes the run record and commits (or rolls back for a dry run).</summary>
    public async Task<BuildingMergeCounts> CompleteAsync(Func<BuildingMergeCounts, IngestRunCounts> counts, string? sha256, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await _importer!.CompleteAsync(cancellationToken);
        await _importer.DisposeAsync();
        _importer = null;
        var c = _connection;
        var tx = _transaction;
        await Exec(c, tx, "CREATE UNIQUE INDEX ON stage_building (source_id); ANALYZE stage_building", cancellationToken);

        int inserted, updated;
        await using (var merge = new NpgsqlCommand("""
            WITH up AS (
                INSERT INTO region.building AS b (source, source_id, footprint, geometry_3d, altitude_datum, height_above_ground_m,
                    ground_altitude_ngfign69_m, roof_min_altitude_ngfign69_m, roof_max_altitude_ngfign69_m, storeys, roof_shape, usage,
                    attributes, ingest_run_id)
                SELECT @source, s.source_id, s.footprint, s.geometry_3d, s.altitude_datum, s.height_above_ground_m,
                    s.ground_altitude_ngfign69_m, s.roof_min_altitude_ngfign69_m, s.roof_max_altitude_ngfign69_m, s.storeys, s.roof_shape,
                    s.usage, s.attributes, @run
                FROM stage_building s
                -- PostGIS sorts geometries along a Hilbert curve: inserting in that order keeps the GiST pages being split hot.
                ORDER BY s.footprint
                ON CONFLICT (source, source_id) DO UPDATE SET
                    footprint = EXCLUDED.footprint, geometry_3d = EXCLUDED.geometry_3d, altitude_datum = EXCLUDED.altitude_datum,
                    height_above_ground_m = EXCLUDED.height_above_ground_m, ground_altitude_ngfign69_m = EXCLUDED.ground_altitude_ngfign69_m,
                    roof_min_altitude_ngfign69_m = EXCLUDED.roof_min_altitude_ngfign69_m,
                    roof_max_altitude_ngfign69_m = EXCLUDED.roof_max_altitude_ngfign69_m, storeys = EXCLUDED.storeys,
                    roof_shape = EXCLUDED.roof_shape, usage = EXCLUDED.usage, attributes = EXCLUDED.attributes,
                    ingest_run_id = EXCLUDED.ingest_run_id, retired_run_id = NULL, updated_at = now()
                -- Unchanged rows are left alone: an idempotent re-run writes nothing.
                WHERE b.retired_run_id IS NOT NULL
                   OR ST_AsEWKB(b.footprint) IS DISTINCT FROM ST_AsEWKB(EXCLUDED.footprint)
                   OR ST_AsEWKB(b.geometry_3d) IS DISTINCT FROM ST_AsEWKB(EXCLUDED.geometry_3d)
                   OR (b.altitude_datum, b.height_above_ground_m, b.ground_altitude_ngfign69_m, b.roof_min_altitude_ngfign69_m,
                       b.roof_max_altitude_ngfign69_m, b.storeys, b.roof_shape, b.usage, b.attributes)
                      IS DISTINCT FROM
                      (EXCLUDED.altitude_datum, EXCLUDED.height_above_ground_m, EXCLUDED.ground_altitude_ngfign69_m,
                       EXCLUDED.roof_min_altitude_ngfign69_m, EXCLUDED.roof_max_altitude_ngfign69_m, EXCLUDED.storeys,
                       EXCLUDED.roof_shape, EXCLUDED.usage, EXCLUDED.attributes)
                RETURNING (xmax = 0) AS inserted
            )
            SELECT count(*) FILTER (WHERE inserted)::int, count(*) FILTER (WHERE NOT inserted)::int FROM up
            """, c, tx))
        {
            merge.Parameters.AddWithValue("source", _options.Source);
            merge.Parameters.AddWithValue("run", _runId);
            merge.CommandTimeout = 0;
            await using var r = await merge.ExecuteReaderAsync(cancellationToken);
            await r.ReadAsync(cancellationToken);
            inserted = r.GetInt32(0);
            updated = r.GetInt32(1);
        }
        var staged = await Scalar(c, tx, "SELECT count(*)::int FROM stage_building", cancellationToken);

        var retired = 0;
        if (_options.ReplaceSource)
        {
            retired = await Exec(c, tx, """
                UPDATE region.building b SET retired_run_id = @run, updated_at = now()
                WHERE b.source = @source AND b.retired_run_id IS NULL
                  AND NOT EXISTS (SELECT 1 FROM stage_building s WHERE s.source_id = b.source_id)
                """, cancellationToken, ("run", _runId), ("source", _options.Source));
        }

        if (_roofs.Count > 0)
        {
            await LoadRoofsAsync(cancellationToken);
        }

        var result = new BuildingMergeCounts(inserted, updated, staged - inserted - updated, retired, clock.Elapsed.TotalSeconds);
        await IngestRuns.FinishAsync(c, tx, _runId, _options.DryRun ? "dry_run" : "succeeded", counts(result), sha256, null, cancellationToken);
        if (_options.DryRun)
        {
            await tx.RollbackAsync(cancellationToken);
            // The dry run's record is kept: write it again outside the rolled-back transaction.
            await IngestRuns.FinishAsync(c, null, _runId, "dry_run", counts(result), sha256, null, cancellationToken);
        }
        else
        {
            await tx.CommitAsync(cancellationToken);
        }
        _done = true;
        return result;
    }

    private async Task LoadRoofsAsync(CancellationToken cancellationToken)
    {
        var c = _connection;
        var tx = _transaction;
        await Exec(c, tx, """
            CREATE TEMP TABLE stage_roof (source_id text NOT NULL, polygon geometry NOT NULL, tilt_deg double precision NOT NULL,
                azimuth_deg double precision, area_m2 double precision NOT NULL) ON COMMIT DROP
            """, cancellationToken);
        await using (var w = await c.BeginBinaryImportAsync("COPY stage_roof (source_id, polygon, tilt_deg, azimuth_deg, area_m2) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var (id, face) in _roofs)
            {
                await w.StartRowAsync(cancellationToken);
                await w.WriteAsync(id, NpgsqlDbType.Text, cancellationToken);
                await w.WriteAsync(_wkb3d.Write(face.Polygon), NpgsqlDbType.Bytea, cancellationToken);
                await w.WriteAsync(face.TiltDeg, NpgsqlDbType.Double, cancellationToken);
                await WriteNullableAsync(w, face.AzimuthDeg, NpgsqlDbType.Double, cancellationToken);
                await w.WriteAsync(face.AreaM2, NpgsqlDbType.Double, cancellationToken);
            }
            await w.CompleteAsync(cancellationToken);
        }
        // A building's LOD2 faces are replaced as a whole by the file's.
        await Exec(c, tx, """
            DELETE FROM region.roof_surface r USING region.building b
            WHERE r.building_id = b.id AND r.origin = 'lod2' AND b.source = @source
              AND EXISTS (SELECT 1 FROM stage_building s WHERE s.source_id = b.source_id)
            """, cancellationToken, ("source", _options.Source));
        await Exec(c, tx, """
            INSERT INTO region.roof_surface (building_id, polygon, tilt_deg, azimuth_deg, area_m2, origin, ingest_run_id)
            SELECT b.id, s.polygon, s.tilt_deg, s.azimuth_deg, s.area_m2, 'lod2', @run
            FROM stage_roof s JOIN region.building b ON b.source = @source AND b.source_id = s.source_id
            """, cancellationToken, ("source", _options.Source), ("run", _runId));
    }

    private static void WriteNullable<T>(NpgsqlBinaryImporter w, T? value, NpgsqlDbType type)
    {
        if (value is null)
        {
            w.WriteNull();
        }
        else
        {
            w.Write(value, type);
        }
    }

    private static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter w, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
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

    private static async Task<int> Exec(NpgsqlConnection c, NpgsqlTransaction? tx, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, c, tx) { CommandTimeout = 0 };
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<int> Scalar(NpgsqlConnection c, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, c, tx);
        return (int)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_importer is not null)
        {
            try
            {
                await _importer.DisposeAsync(); // cancels the COPY
            }
            catch (NpgsqlException)
            {
                // The connection is being abandoned anyway.
            }
        }
        if (!_done)
        {
            try
            {
                await _transaction.RollbackAsync();
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                // Already broken: closing the connection rolls back.
            }
        }
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
