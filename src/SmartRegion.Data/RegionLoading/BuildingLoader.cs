using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;
using SmartRegion.Geo.Buildings;

namespace SmartRegion.Data.RegionLoading;

/// <summary>How a building load merges into <c>region.building</c>.</summary>
/// <param name="Source">The source name rows are keyed by (with their source id).</param>
/// <param name="ReplaceSource">Retire this source's buildings that the file no longer has.</param>
/// <param name="DryRun">Do everything, then roll back.</param>
public sealed record BuildingLoadOptions(string Source, bool ReplaceSource, bool DryRun);

/// <summary>A feature whose id an earlier feature of the same file already had: rejected, only the first is loaded.</summary>
/// <param name="FeatureIndex">the later feature</param>
/// <param name="SourceId">the shared id</param>
/// <param name="FirstIndex">the feature that keeps the id</param>
public sealed record DuplicateFeature(int FeatureIndex, string SourceId, int FirstIndex);

/// <summary>A direct load met an id twice: nothing was loaded; load again staged (which reports the duplicates).</summary>
public sealed class DuplicateIdInDirectLoadException(Exception inner) : Exception("the file repeats an id", inner);

/// <summary>What the merge did.</summary>
/// <param name="Duplicates">how many staged features repeated an earlier id (dropped before the merge)</param>
/// <param name="DuplicateList">the first of them by feature index (capped: the count stays exact)</param>
/// <param name="DuplicatesRepaired">how many of the dropped duplicates had been reported as repaired</param>
/// <param name="DuplicateWarnings">how many warnings the dropped duplicates had been reported with</param>
public sealed record BuildingMergeCounts(int Inserted, int Updated, int Unchanged, int Retired, double MergeS = 0)
{
    public int Duplicates { get; init; }

    public IReadOnlyList<DuplicateFeature> DuplicateList { get; init; } = [];

    public int DuplicatesRepaired { get; init; }

    public int DuplicateWarnings { get; init; }
}

/// <summary>
/// Loads buildings in one transaction: binary COPY into a temporary staging table without indexes, duplicate ids found there
/// (set-based, so memory does not grow with the file), then one set-based insert (a source's first load) or upsert by
/// (source, source_id). Nothing is visible before the commit, so a killed load leaves the previous state.
/// </summary>
public sealed class BuildingLoader : IAsyncDisposable
{
    // Duplicates listed by the merge (their count is always exact).
    private const int MaxListedDuplicates = 1000;

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly BuildingLoadOptions _options;
    private readonly long _runId;
    // The rows arrive already in PostgreSQL's binary COPY format (BuildingRowEncoder, on the parsing threads): the COPY is a
    // raw byte stream, with no per-field work here.
    private NpgsqlRawCopyStream? _copy;
    private long _copiedRows;
    private bool _done;
    private bool _hasRoofs;
    private bool _direct;
    // A first load into an empty table: the statements that build the indexes it dropped, run after the rows.
    private IReadOnlyList<string> _buildAfter = [];

    private BuildingLoader(NpgsqlConnection connection, NpgsqlTransaction transaction, BuildingLoadOptions options, long runId)
    {
        _connection = connection;
        _transaction = transaction;
        _options = options;
        _runId = runId;
    }

    /// <summary>Opens the load's connection and transaction, locks the source against a concurrent load, starts the COPY.</summary>
    /// <param name="allowDirect">
    /// when the source has no rows yet, copy straight into <c>region.building</c> (each row written once, while the file is
    /// read, instead of staged then inserted at the end). A repeated id then fails the COPY: <see cref="MergeAsync"/> throws
    /// <see cref="DuplicateIdInDirectLoadException"/> and the caller loads again without this (the staged path reports
    /// duplicates). Not for files with roof faces.
    /// </param>
    public static async Task<BuildingLoader> BeginAsync(NpgsqlDataSource dataSource, long runId, BuildingLoadOptions options, bool allowDirect, CancellationToken cancellationToken)
    {
        var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await Exec(conn, null, "UPDATE region.ingest_run SET backend_pid = pg_backend_pid() WHERE id = @id", cancellationToken, ("id", runId));
            // Temporary tables live in local buffers: big enough ones keep a large stage in memory. Only settable before the
            // session touches a temporary table, hence before anything else.
            try
            {
                await Exec(conn, null, "SET temp_buffers = '256MB'", cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidParameterValue)
            {
                // A pooled session that already used a temporary table keeps its size: only slower.
            }
            var tx = await conn.BeginTransactionAsync(cancellationToken);
            var loader = new BuildingLoader(conn, tx, options, runId);
            // The run is one transaction either way; not waiting for its WAL flush costs at most this run after a server
            // crash (never a partial run), and the merge's hash aggregates stay in memory.
            await Exec(conn, tx, "SET LOCAL synchronous_commit = off; SET LOCAL work_mem = '64MB'", cancellationToken);
            await Exec(conn, tx, "SELECT pg_advisory_xact_lock(hashtext('region.building'), hashtext(@s))", cancellationToken, ("s", options.Source));
            if (allowDirect && (bool)(await Scalar(conn, tx, "SELECT NOT EXISTS (SELECT 1 FROM region.building WHERE source = @s)", cancellationToken, ("s", options.Source)))!)
            {
                loader._direct = true;
                loader._buildAfter = await DropIndexesOfEmptyTableAsync(conn, tx, cancellationToken);
                await loader.StartCopyAsync($"COPY region.building ({Columns}, source, ingest_run_id) FROM STDIN (FORMAT BINARY)", cancellationToken);
                return loader;
            }
            await Exec(conn, tx, """
                CREATE TEMP TABLE stage_building (
                    feature_index integer NOT NULL, source_id text NOT NULL, footprint geometry NOT NULL, geometry_3d geometry,
                    altitude_datum text, height_above_ground_m double precision, ground_altitude_ngfign69_m double precision,
                    roof_min_altitude_ngfign69_m double precision, roof_max_altitude_ngfign69_m double precision,
                    storeys integer, roof_shape text, usage text, roof_covering text, attributes jsonb NOT NULL,
                    repaired boolean NOT NULL, warnings integer NOT NULL,
                    -- LOD2 roof faces travel with their building (one collection + one value per face), so nothing waits in memory.
                    roof_faces geometry, roof_tilt_deg double precision[], roof_azimuth_deg double precision[], roof_area_m2 double precision[]
                ) ON COMMIT DROP
                """, cancellationToken);
            await loader.StartCopyAsync("""
                COPY stage_building (feature_index, source_id, footprint, geometry_3d, altitude_datum, height_above_ground_m,
                    ground_altitude_ngfign69_m, roof_min_altitude_ngfign69_m, roof_max_altitude_ngfign69_m, storeys, roof_shape, usage,
                    roof_covering, attributes, repaired, warnings, roof_faces, roof_tilt_deg, roof_azimuth_deg, roof_area_m2) FROM STDIN (FORMAT BINARY)
                """, cancellationToken);
            return loader;
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// When <c>region.building</c> has no row at all (a region's first load), drops its indexes but the primary key in the
    /// load's transaction and returns the statements that build them again, as they were, once the rows are in: an index
    /// built over all the rows at once (sorted: PostGIS ≥ 3.1's GiST, the B-tree) costs a fraction of inserting every row into
    /// it, as pg_restore does. The drops hold an ACCESS EXCLUSIVE lock on the table until the commit, so its readers wait
    /// for the load instead of seeing an empty table; a reader or writer already there (for up to 2 s), a row in the table by
    /// the time the lock is held, or an index that cannot be dropped leaves the indexes alone (rows are then inserted into
    /// them). A failed or cancelled load rolls the drops back with everything else.
    /// </summary>
    private static async Task<IReadOnlyList<string>> DropIndexesOfEmptyTableAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        if (!(bool)(await Scalar(conn, tx, "SELECT NOT EXISTS (SELECT 1 FROM region.building)", cancellationToken))!)
        {
            return [];
        }
        await Exec(conn, tx, "SAVEPOINT build_indexes_after", cancellationToken);
        try
        {
            await Exec(conn, tx, "SET LOCAL lock_timeout = '2s'; LOCK TABLE region.building IN ACCESS EXCLUSIVE MODE; SET LOCAL lock_timeout = DEFAULT", cancellationToken);
            var drops = new List<string>();
            var builds = new List<string>();
            // Each index but the primary key (other tables' foreign keys name it): a constraint's index is dropped and added
            // back as that constraint, any other index by its own definition.
            await using (var cmd = new NpgsqlCommand("""
                SELECT c.conname, pg_get_constraintdef(c.oid), x.relname, pg_get_indexdef(i.indexrelid)
                FROM pg_index i
                JOIN pg_class x ON x.oid = i.indexrelid
                LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                WHERE i.indrelid = 'region.building'::regclass AND NOT i.indisprimary
                ORDER BY x.relname
                """, conn, tx))
            {
                await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
                while (await r.ReadAsync(cancellationToken))
                {
                    if (!r.IsDBNull(0))
                    {
                        var name = Quote(r.GetString(0));
                        drops.Add($"ALTER TABLE region.building DROP CONSTRAINT {name}");
                        builds.Add($"ALTER TABLE region.building ADD CONSTRAINT {name} {r.GetString(1)}");
                    }
                    else
                    {
                        drops.Add($"DROP INDEX region.{Quote(r.GetString(2))}");
                        builds.Add(r.GetString(3));
                    }
                }
            }
            // A row may have been committed between the first look and the lock.
            if (drops.Count == 0 || !(bool)(await Scalar(conn, tx, "SELECT NOT EXISTS (SELECT 1 FROM region.building)", cancellationToken))!)
            {
                await Exec(conn, tx, "ROLLBACK TO SAVEPOINT build_indexes_after; RELEASE SAVEPOINT build_indexes_after", cancellationToken);
                return [];
            }
            foreach (var drop in drops)
            {
                await Exec(conn, tx, drop, cancellationToken);
            }
            await Exec(conn, tx, "RELEASE SAVEPOINT build_indexes_after", cancellationToken);
            return builds;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.DependentObjectsStillExist)
        {
            await Exec(conn, tx, "ROLLBACK TO SAVEPOINT build_indexes_after; RELEASE SAVEPOINT build_indexes_after", cancellationToken);
            return [];
        }
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    // Binary COPY: an 11-byte signature, flags, header extension length; rows; a -1 field count at the end.
    private static readonly byte[] CopyHeader = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];
    private static readonly byte[] CopyTrailer = [0xFF, 0xFF];

    private async Task StartCopyAsync(string sql, CancellationToken cancellationToken)
    {
        _copy = await _connection.BeginRawBinaryCopyAsync(sql, cancellationToken);
        await _copy.WriteAsync(CopyHeader, cancellationToken);
    }

    /// <summary>An encoder of rows for this load's COPY (one per parsing thread).</summary>
    public BuildingRowEncoder CreateEncoder() => new(_direct, _options.Source, _runId);

    /// <summary>Whether rows go straight into <c>region.building</c> (else staged: see <see cref="CreateStageEncoder"/>).</summary>
    public bool IsDirect => _direct;

    /// <summary>
    /// An encoder of staged rows, usable before the load begins (a staged row carries neither source nor run): a small file is
    /// parsed while the connection opens.
    /// </summary>
    public static BuildingRowEncoder CreateStageEncoder() => new(false, "", 0);

    /// <summary>Streams a batch of encoded buildings into the load (in the order given).</summary>
    public async Task WriteAsync(BuildingRows rows, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _copy!.WriteAsync(rows.Bytes, cancellationToken);
        _copiedRows += rows.Count;
        _hasRoofs |= rows.HasRoofs;
    }

    /// <summary>Drops duplicate ids, merges the staged rows into <c>region.building</c> (and roof faces); not yet committed.</summary>
    public async Task<BuildingMergeCounts> MergeAsync(CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var copy = _copy!;
        _copy = null;
        try
        {
            await copy.WriteAsync(CopyTrailer, cancellationToken);
            await copy.DisposeAsync(); // ends the COPY: the server's verdict (a repeated id…) comes here
        }
        catch (PostgresException e) when (_direct && e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new DuplicateIdInDirectLoadException(e);
        }
        var copied = _copiedRows;
        if (_direct)
        {
            foreach (var build in _buildAfter)
            {
                try
                {
                    await Exec(_connection, _transaction, build, cancellationToken);
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
                {
                    throw new DuplicateIdInDirectLoadException(e);
                }
            }
            return new BuildingMergeCounts((int)copied, 0, 0, 0, clock.Elapsed.TotalSeconds);
        }
        var c = _connection;
        var tx = _transaction;

        // Duplicate ids: the first feature keeps the id, later ones are dropped and reported.
        var duplicates = new List<DuplicateFeature>();
        int duplicateCount = 0, duplicatesRepaired = 0, duplicateWarnings = 0;
        await using (var dup = new NpgsqlCommand("""
            WITH first AS (
                SELECT source_id, min(feature_index) AS first_index FROM stage_building GROUP BY source_id HAVING count(*) > 1
            ), gone AS (
                DELETE FROM stage_building s USING first f WHERE s.source_id = f.source_id AND s.feature_index > f.first_index
                RETURNING s.feature_index, s.source_id, f.first_index, s.repaired, s.warnings
            )
            SELECT feature_index, source_id, first_index, count(*) OVER ()::int, (sum(repaired::int) OVER ())::int,
                   (sum(warnings) OVER ())::int
            FROM gone ORDER BY feature_index LIMIT @max
            """, c, tx) { CommandTimeout = 0 })
        {
            dup.Parameters.AddWithValue("max", MaxListedDuplicates);
            await using var r = await dup.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                duplicates.Add(new DuplicateFeature(r.GetInt32(0), r.GetString(1), r.GetInt32(2)));
                (duplicateCount, duplicatesRepaired, duplicateWarnings) = (r.GetInt32(3), r.GetInt32(4), r.GetInt32(5));
            }
        }

        var firstLoad = (bool)(await Scalar(c, tx, "SELECT NOT EXISTS (SELECT 1 FROM region.building WHERE source = @s)", cancellationToken, ("s", _options.Source)))!;
        int inserted, updated = 0, retired = 0;
        if (firstLoad)
        {
            // Nothing to merge with: a plain insert, no conflict checks, no comparisons.
            inserted = await Exec(c, tx, $"""
                INSERT INTO region.building ({Columns}, source, ingest_run_id)
                SELECT {Columns}, @source, @run FROM stage_building s
                """, cancellationToken, ("source", _options.Source), ("run", _runId));
        }
        else
        {
            await Exec(c, tx, "ANALYZE stage_building", cancellationToken);
            (inserted, updated) = await UpsertAsync(cancellationToken);
            if (_options.ReplaceSource)
            {
                retired = await Exec(c, tx, """
                    UPDATE region.building b SET retired_run_id = @run, updated_at = now()
                    WHERE b.source = @source AND b.retired_run_id IS NULL
                      AND NOT EXISTS (SELECT 1 FROM stage_building s WHERE s.source_id = b.source_id)
                    """, cancellationToken, ("run", _runId), ("source", _options.Source));
            }
        }
        var staged = (int)(await Scalar(c, tx, "SELECT count(*)::int FROM stage_building", cancellationToken))!;
        if (_hasRoofs)
        {
            await LoadRoofsAsync(firstLoad, cancellationToken);
        }
        return new BuildingMergeCounts(inserted, updated, staged - inserted - updated, retired, clock.Elapsed.TotalSeconds)
        {
            Duplicates = duplicateCount,
            DuplicateList = duplicates,
            DuplicatesRepaired = duplicatesRepaired,
            DuplicateWarnings = duplicateWarnings,
        };
    }

    private const string Columns = """
        source_id, footprint, geometry_3d, altitude_datum, height_above_ground_m, ground_altitude_ngfign69_m,
        roof_min_altitude_ngfign69_m, roof_max_altitude_ngfign69_m, storeys, roof_shape, usage, roof_covering, attributes
        """;

    private async Task<(int Inserted, int Updated)> UpsertAsync(CancellationToken cancellationToken)
    {
        await using var merge = new NpgsqlCommand($"""
            WITH up AS (
                INSERT INTO region.building AS b ({Columns}, source, ingest_run_id)
                SELECT {Columns}, @source, @run
                FROM stage_building s
                ON CONFLICT (source, source_id) DO UPDATE SET
                    footprint = EXCLUDED.footprint, geometry_3d = EXCLUDED.geometry_3d, altitude_datum = EXCLUDED.altitude_datum,
                    height_above_ground_m = EXCLUDED.height_above_ground_m, ground_altitude_ngfign69_m = EXCLUDED.ground_altitude_ngfign69_m,
                    roof_min_altitude_ngfign69_m = EXCLUDED.roof_min_altitude_ngfign69_m,
                    roof_max_altitude_ngfign69_m = EXCLUDED.roof_max_altitude_ngfign69_m, storeys = EXCLUDED.storeys,
                    roof_shape = EXCLUDED.roof_shape, usage = EXCLUDED.usage, roof_covering = EXCLUDED.roof_covering, attributes = EXCLUDED.attributes,
                    ingest_run_id = EXCLUDED.ingest_run_id, retired_run_id = NULL, updated_at = now()
                -- Unchanged rows are left alone: an idempotent re-run writes nothing.
                WHERE b.retired_run_id IS NOT NULL
                   OR ST_AsEWKB(b.footprint) IS DISTINCT FROM ST_AsEWKB(EXCLUDED.footprint)
                   OR ST_AsEWKB(b.geometry_3d) IS DISTINCT FROM ST_AsEWKB(EXCLUDED.geometry_3d)
                   OR (b.altitude_datum, b.height_above_ground_m, b.ground_altitude_ngfign69_m, b.roof_min_altitude_ngfign69_m,
                       b.roof_max_altitude_ngfign69_m, b.storeys, b.roof_shape, b.usage, b.roof_covering, b.attributes)
                      IS DISTINCT FROM
                      (EXCLUDED.altitude_datum, EXCLUDED.height_above_ground_m, EXCLUDED.ground_altitude_ngfign69_m,
                       EXCLUDED.roof_min_altitude_ngfign69_m, EXCLUDED.roof_max_altitude_ngfign69_m, EXCLUDED.storeys,
                       EXCLUDED.roof_shape, EXCLUDED.usage, EXCLUDED.roof_covering, EXCLUDED.attributes)
                RETURNING (xmax = 0) AS inserted
            )
            SELECT count(*) FILTER (WHERE inserted)::int, count(*) FILTER (WHERE NOT inserted)::int FROM up
            """, _connection, _transaction);
        merge.Parameters.AddWithValue("source", _options.Source);
        merge.Parameters.AddWithValue("run", _runId);
        merge.CommandTimeout = 0;
        await using var r = await merge.ExecuteReaderAsync(cancellationToken);
        await r.ReadAsync(cancellationToken);
        return (r.GetInt32(0), r.GetInt32(1));
    }

    /// <summary>Closes the run record with its final counts and commits (or rolls back for a dry run).</summary>
    public async Task CommitAsync(IngestRunCounts counts, string? sha256, CancellationToken cancellationToken)
    {
        var c = _connection;
        var tx = _transaction;
        await IngestRuns.FinishAsync(c, tx, _runId, _options.DryRun ? "dry_run" : "succeeded", counts, sha256, null, cancellationToken);
        if (_options.DryRun)
        {
            await tx.RollbackAsync(cancellationToken);
            // The dry run's record is kept: write it again outside the rolled-back transaction.
            await IngestRuns.FinishAsync(c, null, _runId, "dry_run", counts, sha256, null, cancellationToken);
        }
        else
        {
            await tx.CommitAsync(cancellationToken);
        }
        _done = true;
    }

    private async Task LoadRoofsAsync(bool firstLoad, CancellationToken cancellationToken)
    {
        var c = _connection;
        var tx = _transaction;
        // A building's LOD2 faces are replaced as a whole by the file's (a fresh source has none to replace).
        if (!firstLoad)
        {
            await Exec(c, tx, """
                DELETE FROM region.roof_surface r USING region.building b
                WHERE r.building_id = b.id AND r.origin = 'lod2' AND b.source = @source
                  AND EXISTS (SELECT 1 FROM stage_building s WHERE s.source_id = b.source_id)
                """, cancellationToken, ("source", _options.Source));
        }
        await Exec(c, tx, """
            INSERT INTO region.roof_surface (building_id, polygon, tilt_deg, azimuth_deg, area_m2, origin, ingest_run_id)
            SELECT b.id, ST_GeometryN(s.roof_faces, f.n::int), f.tilt_deg, NULLIF(f.azimuth_deg, 'NaN'), f.area_m2, 'lod2', @run
            FROM stage_building s
            JOIN region.building b ON b.source = @source AND b.source_id = s.source_id
            CROSS JOIN LATERAL unnest(s.roof_tilt_deg, s.roof_azimuth_deg, s.roof_area_m2) WITH ORDINALITY AS f(tilt_deg, azimuth_deg, area_m2, n)
            WHERE s.roof_faces IS NOT NULL
            """, cancellationToken, ("source", _options.Source), ("run", _runId));
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

    private static async Task<object?> Scalar(NpgsqlConnection c, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, c, tx) { CommandTimeout = 0 };
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        return await cmd.ExecuteScalarAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_copy is not null)
        {
            try
            {
                await _copy.CancelAsync();
                await _copy.DisposeAsync();
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
