using System.Text.Json.Nodes;
using NetTopologySuite;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Npgsql;
using NpgsqlTypes;
using SmartRegion.Data.Solar;
using SmartRegion.Geo;
using SmartRegion.Geo.Tiles3d;

namespace SmartRegion.Data.Tiles3d;

/// <summary>The tileset served now: its id, tileset.json text and ETag.</summary>
public sealed record CurrentTileset(long Id, string Json, string ETag, long? SourceRunId, DateTime FinishedAt);

/// <summary>Every SQL statement of the buildings' 3D Tiles: what to draw (buildings and their latest results), and the stored tiles.</summary>
public sealed class Tiles3dStore(NpgsqlDataSource dataSource)
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), RegionSettings.Srid);

    /// <summary>The id of the newest served solar run (complete, not withdrawn by a rollback), or null when there is none.</summary>
    public async Task<long?> LatestServedRunIdAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(ServedSolarResults.LatestRunId);
        return await cmd.ExecuteScalarAsync(cancellationToken) as long?;
    }

    /// <summary>Every current building with a footprint: id, centre, plan area (for the quadtree).</summary>
    public async Task<List<BuildingSummary>> ReadBuildingSummariesAsync(CancellationToken cancellationToken)
    {
        var list = new List<BuildingSummary>();
        await using var cmd = dataSource.CreateCommand("""
            SELECT id, ST_X(c), ST_Y(c), ST_Area(footprint)
            FROM (SELECT id, footprint, ST_PointOnSurface(footprint) AS c FROM region.building
                  WHERE retired_run_id IS NULL AND NOT ST_IsEmpty(footprint)) b
            """);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new BuildingSummary(reader.GetInt64(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3)));
        }
        return list;
    }

    /// <summary>The median ground altitude (NGF-IGN69 m) of the current buildings, 0 when none has one.</summary>
    public async Task<double> MedianGroundAltitudeAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ground_altitude_ngfign69_m)
            FROM region.building WHERE retired_run_id IS NULL AND ground_altitude_ngfign69_m IS NOT NULL
            """);
        return await cmd.ExecuteScalarAsync(cancellationToken) is double d ? d : 0;
    }

    /// <summary>
    /// The buildings of one tile with their latest complete solar result's status and roof faces. A building with no ground
    /// altitude takes its roof top minus its height; with neither, it stands on <paramref name="groundFallbackM"/> (the
    /// region's median ground, as the solar computation stands it on its tile's median), at least 3 m under a known roof top.
    /// <c>GroundAssumed</c> counts those.
    /// </summary>
    public async Task<(List<BuildingInput> Buildings, int GroundAssumed)> ReadTileBuildingsAsync(long[] ids, double groundFallbackM,
        CancellationToken cancellationToken)
    {
        var groundAssumed = 0;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var reader2d = new WKBReader(new NtsGeometryServices(Factory.PrecisionModel, RegionSettings.Srid));
        var reader3d = new WKBReader(new NtsGeometryServices(Factory.PrecisionModel, RegionSettings.Srid)) { HandleOrdinates = Ordinates.XYZ };
        var rows = new List<(long Id, MultiPolygon Footprint, double Ground, double RoofTop, ResultStatus Status, long? RunId)>(ids.Length);
        await using (var cmd = new NpgsqlCommand($"""
            SELECT b.id, ST_AsBinary(ST_Force2D(b.footprint)), b.ground_altitude_ngfign69_m, b.roof_max_altitude_ngfign69_m,
                   b.height_above_ground_m, l.status, l.run_id
            FROM region.building b
            -- The served result of each building, looked up per building so that the index on (building_id, run_id DESC)
            -- answers it.
            LEFT JOIN solar.building_result l ON l.building_id = b.id AND l.run_id = {ServedSolarResults.RunOf("b.id")}
            WHERE b.id = ANY(@ids)
            ORDER BY b.id
            """, connection))
        {
            cmd.Parameters.AddWithValue("ids", ids);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                double? ground = reader.IsDBNull(2) ? null : reader.GetDouble(2);
                double? roofMax = reader.IsDBNull(3) ? null : reader.GetDouble(3);
                double? height = reader.IsDBNull(4) ? null : reader.GetDouble(4);
                ground ??= roofMax - height;
                if (ground is null)
                {
                    ground = Math.Min(groundFallbackM, (roofMax ?? double.PositiveInfinity) - 3);
                    groundAssumed++;
                }
                var roofTop = roofMax ?? ground + height ?? ground.Value + 3;
                var status = reader.IsDBNull(5) ? ResultStatus.None : reader.GetString(5) switch
                {
                    "ok" => ResultStatus.Ok,
                    "skipped" => ResultStatus.Skipped,
                    _ => ResultStatus.Failed,
                };
                var footprint = reader2d.Read(reader.GetFieldValue<byte[]>(1)) switch
                {
                    MultiPolygon m => m,
                    Polygon p => Factory.CreateMultiPolygon([p]),
                    _ => null,
                };
                if (footprint is not null)
                {
                    rows.Add((reader.GetInt64(0), footprint, ground.Value, roofTop, status, reader.IsDBNull(6) ? null : reader.GetInt64(6)));
                }
            }
        }
        var faces = new Dictionary<long, List<RoofFaceInput>>();
        var withRun = rows.Where(r => r.RunId is not null).ToList();
        if (withRun.Count > 0)
        {
            await using var cmd = new NpgsqlCommand("""
                SELECT f.building_id, f.face_no, ST_AsBinary(f.polygon), f.annual_irradiation_kwh_per_m2, f.suitability_class,
                       f.tilt_deg, f.azimuth_deg, f.area_m2
                FROM unnest(@runs, @ids) AS k(run_id, building_id)
                JOIN solar.face_result f ON f.run_id = k.run_id AND f.building_id = k.building_id
                ORDER BY f.building_id, f.face_no
                """, connection);
            cmd.Parameters.Add(new NpgsqlParameter("runs", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = withRun.Select(r => r.RunId!.Value).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = withRun.Select(r => r.Id).ToArray() });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetInt64(0);
                if (reader3d.Read(reader.GetFieldValue<byte[]>(2)) is not Polygon polygon)
                {
                    continue;
                }
                if (!faces.TryGetValue(id, out var list))
                {
                    faces[id] = list = [];
                }
                list.Add(new RoofFaceInput(reader.GetInt32(1), polygon, reader.GetDouble(3), reader.GetInt16(4), reader.GetDouble(5),
                    reader.GetDouble(6), reader.GetDouble(7)));
            }
        }
        return (rows.Select(r => new BuildingInput(r.Id, r.Footprint, r.Ground, r.RoofTop, r.Status,
            faces.TryGetValue(r.Id, out var f) ? f : (IReadOnlyList<RoofFaceInput>)[])).ToList(), groundAssumed);
    }

    /// <summary>Starts a tileset build; returns its id.</summary>
    public async Task<long> CreateTilesetAsync(long? sourceRunId, JsonObject options, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "INSERT INTO tiles3d.tileset (source_run_id, options) VALUES (@run, @options::jsonb) RETURNING id");
        cmd.Parameters.Add(new NpgsqlParameter("run", NpgsqlDbType.Bigint) { Value = (object?)sourceRunId ?? DBNull.Value });
        cmd.Parameters.AddWithValue("options", options.ToJsonString());
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Stores one tile's content.</summary>
    public async Task WriteTileAsync(long tilesetId, string key, byte[] content, string etag, int buildingCount, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO tiles3d.tile (tileset_id, key, content, etag, building_count) VALUES (@id, @key, @content, @etag, @n)
            ON CONFLICT (tileset_id, key) DO UPDATE SET content = EXCLUDED.content, etag = EXCLUDED.etag, building_count = EXCLUDED.building_count
            """);
        cmd.Parameters.AddWithValue("id", tilesetId);
        cmd.Parameters.AddWithValue("key", key);
        cmd.Parameters.AddWithValue("content", content);
        cmd.Parameters.AddWithValue("etag", etag);
        cmd.Parameters.AddWithValue("n", buildingCount);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Makes a built tileset the one served (in one transaction): its tileset.json and counts written, status ready; tilesets
    /// older than the one it replaces are deleted with their tiles.
    /// </summary>
    public async Task CompleteTilesetAsync(long tilesetId, string tilesetJson, string etag, int buildingCount, int tileCount, long contentBytes,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using (var cmd = new NpgsqlCommand("""
            UPDATE tiles3d.tileset SET status = 'ready', tileset_json = @json, etag = @etag, building_count = @b, tile_count = @t,
                   content_bytes = @bytes, finished_at = now(), duration_s = extract(epoch FROM now() - started_at)
            WHERE id = @id
            """, connection, tx))
        {
            cmd.Parameters.AddWithValue("id", tilesetId);
            cmd.Parameters.AddWithValue("json", tilesetJson);
            cmd.Parameters.AddWithValue("etag", etag);
            cmd.Parameters.AddWithValue("b", buildingCount);
            cmd.Parameters.AddWithValue("t", tileCount);
            cmd.Parameters.AddWithValue("bytes", contentBytes);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var cmd = new NpgsqlCommand("""
            DELETE FROM tiles3d.tileset
            WHERE id < (SELECT coalesce(max(id), 0) FROM tiles3d.tileset WHERE status = 'ready' AND id < @id)
               OR (status = 'failed' AND id < @id)
            """, connection, tx))
        {
            cmd.Parameters.AddWithValue("id", tilesetId);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>Marks a build failed with its reason (its tiles are deleted).</summary>
    public async Task FailTilesetAsync(long tilesetId, string error, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            DELETE FROM tiles3d.tile WHERE tileset_id = @id;
            UPDATE tiles3d.tileset SET status = 'failed', error = @error, finished_at = now(),
                   duration_s = extract(epoch FROM now() - started_at) WHERE id = @id;
            """);
        cmd.Parameters.AddWithValue("id", tilesetId);
        cmd.Parameters.AddWithValue("error", error);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// A tileset may hold a run that a rollback withdrew after the tileset's build started: such a tileset is never served
    /// again (the one before it is, until the next build). A condition on a <c>tiles3d.tileset</c> row aliased <c>s</c>.
    /// </summary>
    private const string ShowsOnlyServedRuns = """
        NOT EXISTS (SELECT 1 FROM catalog.dataset_version w
                    WHERE w.withdrawn_at IS NOT NULL AND w.format = 'solar-run' AND w.withdrawn_at >= s.started_at
                      AND (w.provenance ->> 'runId')::bigint <= s.source_run_id)
        """;

    /// <summary>The newest ready tileset that shows only served results, or null.</summary>
    public async Task<CurrentTileset?> GetCurrentTilesetAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"""
            SELECT id, tileset_json, etag, source_run_id, finished_at FROM tiles3d.tileset s
            WHERE status = 'ready' AND {ShowsOnlyServedRuns} ORDER BY id DESC LIMIT 1
            """);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new CurrentTileset(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt64(3), reader.GetDateTime(4))
            : null;
    }

    /// <summary>One stored tile's content and ETag (of a ready tileset), or null.</summary>
    public async Task<(byte[] Content, string ETag)?> GetTileAsync(long tilesetId, string key, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"""
            SELECT t.content, t.etag FROM tiles3d.tile t JOIN tiles3d.tileset s ON s.id = t.tileset_id AND s.status = 'ready' AND {ShowsOnlyServedRuns}
            WHERE t.tileset_id = @id AND t.key = @key
            """);
        cmd.Parameters.AddWithValue("id", tilesetId);
        cmd.Parameters.AddWithValue("key", key);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetFieldValue<byte[]>(0), reader.GetString(1)) : null;
    }

    /// <summary>
    /// Runs <paramref name="build"/> holding the cluster-wide tiles build lock (a PostgreSQL advisory lock on its own
    /// connection), so that two hosts or a host and the CLI never build at once; returns false without running it when
    /// another holder has the lock — or, with <paramref name="wait"/>, waits for that holder to finish first.
    /// </summary>
    public async Task<bool> WithBuildLockAsync(Func<Task> build, CancellationToken cancellationToken, bool wait = false)
    {
        const long lockKey = 0x5_3D71_1E5;   // "3D tiles"
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        while (true)
        {
            await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(@k)", connection);
            cmd.Parameters.AddWithValue("k", lockKey);
            if ((bool)(await cmd.ExecuteScalarAsync(cancellationToken))!)
            {
                break;
            }
            if (!wait)
            {
                return false;
            }
            // Polled rather than pg_advisory_lock: a cancelled wait then leaves no blocked backend behind.
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
        try
        {
            await build();
            return true;
        }
        finally
        {
            await using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock(@k)", connection);
            cmd.Parameters.AddWithValue("k", lockKey);
            await cmd.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}
