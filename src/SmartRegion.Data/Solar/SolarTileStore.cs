using NetTopologySuite;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Npgsql;
using NpgsqlTypes;
using SmartRegion.Geo;
using SmartRegion.Rooftop;

namespace SmartRegion.Data.Solar;

/// <summary>Reads a tile's buildings (and their neighbours) and writes its results, in one transaction with the job's completion.</summary>
public sealed class SolarTileStore(NpgsqlDataSource dataSource)
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), RegionSettings.Srid);

    /// <summary>How far from a footprint a report still names an address (m).</summary>
    public const double AddressMaxDistanceM = 30;

    /// <summary>
    /// The job's buildings and every current building within <paramref name="radiusM"/> of the tile; the job's own come
    /// with what their report says of them (<see cref="BuildingFacts"/>: ids, height, use, the nearest address).
    /// </summary>
    public async Task<IReadOnlyList<BuildingInput>> LoadTileAsync(long jobId, double radiusM, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // The job's own buildings, read once: tested per row in SQL (b.id = ANY(job.building_ids)), the compressed id
        // array was decompressed and searched linearly for every building of the tile and its buffer.
        HashSet<long> targets;
        await using (var cmd = new NpgsqlCommand("SELECT building_ids FROM solar.job WHERE id = @job", connection))
        {
            cmd.Parameters.AddWithValue("job", jobId);
            targets = [.. await cmd.ExecuteScalarAsync(cancellationToken) as long[] ?? []];
        }
        return await LoadAsync(connection, "SELECT tile AS area FROM solar.job WHERE id = @area", jobId, targets, radiusM, cancellationToken);
    }

    /// <summary>
    /// One current building, the one target (with its <see cref="BuildingFacts"/>), and every current building within
    /// <paramref name="radiusM"/> of its footprint's box, as a tile's buffer around it would hold them (a what-if); the
    /// building is not among them when it is not a current building.
    /// </summary>
    public async Task<IReadOnlyList<BuildingInput>> LoadBuildingAsync(long buildingId, double radiusM, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await LoadAsync(connection, "SELECT footprint AS area FROM region.building WHERE id = @area", buildingId, [buildingId], radiusM, cancellationToken);
    }

    /// <summary>The buildings within <paramref name="radiusM"/> of the area <paramref name="areaSql"/> selects (a statement of this class, with @area).</summary>
    private static async Task<IReadOnlyList<BuildingInput>> LoadAsync(
        NpgsqlConnection connection, string areaSql, long areaId, HashSet<long> targets, double radiusM, CancellationToken cancellationToken)
    {
        var reader2d = new WKBReader(new NtsGeometryServices(Factory.PrecisionModel, RegionSettings.Srid));
        var buildings = new List<(long Id, Geometry Footprint, double? H, double? G, double? RMin, double? RMax, int? S, string? Shape, bool Target, BuildingFacts? Facts, string? Covering)>();
        await using (var cmd = new NpgsqlCommand($"""
            WITH j AS ({areaSql})
            SELECT b.id, ST_AsBinary(ST_Force2D(b.footprint)), b.height_above_ground_m, b.ground_altitude_ngfign69_m,
                   b.roof_min_altitude_ngfign69_m, b.roof_max_altitude_ngfign69_m, b.storeys, b.roof_shape,
                   b.source, b.source_id, b.usage, b.attributes ->> 'cleabs', b.attributes ->> 'identifiants_rnb', b.roof_covering
            FROM region.building b, j
            WHERE b.retired_run_id IS NULL AND b.footprint && ST_Expand(j.area, @r)
            ORDER BY b.id
            """, connection))
        {
            cmd.Parameters.AddWithValue("area", areaId);
            cmd.Parameters.AddWithValue("r", radiusM);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetInt64(0);
                var target = targets.Contains(id);
                BuildingFacts? facts = null;
                if (target)
                {
                    var source = reader.GetString(8);
                    var sourceId = reader.GetString(9);
                    var ids = new List<KeyValuePair<string, string>> { new(source, sourceId) };
                    if (!reader.IsDBNull(11))
                    {
                        ids.Add(new("cleabs", reader.GetString(11)));
                    }
                    if (!reader.IsDBNull(12))
                    {
                        ids.Add(new("rnb", reader.GetString(12)));
                    }
                    facts = new BuildingFacts(source, sourceId, ids, N(reader, 2), reader.IsDBNull(7) ? null : reader.GetString(7),
                        reader.IsDBNull(10) ? null : reader.GetString(10), null);
                }
                buildings.Add((id, reader2d.Read(reader.GetFieldValue<byte[]>(1)), N(reader, 2), N(reader, 3), N(reader, 4), N(reader, 5),
                    reader.IsDBNull(6) ? null : reader.GetInt32(6), reader.IsDBNull(7) ? null : reader.GetString(7), target, facts,
                    reader.IsDBNull(13) ? null : reader.GetString(13)));
            }
        }
        var addresses = await NearestAddressesAsync(connection, [.. targets], cancellationToken);
        var faces = new Dictionary<long, List<Lod2Face>>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT building_id, ST_AsBinary(polygon), tilt_deg, azimuth_deg, area_m2
            FROM region.roof_surface WHERE building_id = ANY(@ids) ORDER BY building_id, id
            """, connection))
        {
            cmd.Parameters.AddWithValue("ids", buildings.Select(b => b.Id).ToArray());
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            var reader3d = new WKBReader(new NtsGeometryServices(Factory.PrecisionModel, RegionSettings.Srid)) { HandleOrdinates = Ordinates.XYZ };
            while (await reader.ReadAsync(cancellationToken))
            {
                if (reader3d.Read(reader.GetFieldValue<byte[]>(1)) is not Polygon polygon)
                {
                    continue;
                }
                var id = reader.GetInt64(0);
                if (!faces.TryGetValue(id, out var list))
                {
                    faces[id] = list = [];
                }
                list.Add(new Lod2Face(polygon, reader.GetDouble(2), N(reader, 3), reader.GetDouble(4)));
            }
        }
        return buildings.Select(b => new BuildingInput(b.Id, b.Footprint, b.H, b.G, b.RMin, b.RMax, b.S, b.Shape, b.Target,
            faces.TryGetValue(b.Id, out var f) ? f : [],
            b.Facts is { } facts && addresses.TryGetValue(b.Id, out var address) ? facts with { Address = address } : b.Facts, b.Covering)).ToList();
    }

    /// <summary>Each building's nearest address within <see cref="AddressMaxDistanceM"/> of its footprint (the lower house number on a tie).</summary>
    private static async Task<Dictionary<long, NearestAddress>> NearestAddressesAsync(NpgsqlConnection connection, long[] buildingIds, CancellationToken cancellationToken)
    {
        var found = new Dictionary<long, NearestAddress>();
        await using var cmd = new NpgsqlCommand("""
            SELECT b.id, a.label, round(ST_Distance(a.point, b.footprint)::numeric, 1)
            FROM region.building b
            CROSS JOIN LATERAL (
                SELECT a.label, a.point FROM region.address a
                WHERE ST_DWithin(a.point, b.footprint, @d)
                ORDER BY ST_Distance(a.point, b.footprint), a.number NULLS LAST
                LIMIT 1) a
            WHERE b.id = ANY(@ids)
            """, connection);
        cmd.Parameters.AddWithValue("ids", buildingIds);
        cmd.Parameters.AddWithValue("d", AddressMaxDistanceM);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found[reader.GetInt64(0)] = new NearestAddress(reader.GetString(1), reader.GetDecimal(2));
        }
        return found;
    }

    /// <summary>
    /// Replaces the job's results and marks it done, in one transaction; false (and nothing written) when the job is no
    /// longer this worker's because its lease ran out and another worker took it.
    /// </summary>
    public async Task<bool> CompleteAsync(SolarJob job, string worker, IReadOnlyList<BuildingResult> results, double durationS, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using (var cmd = new NpgsqlCommand(
            "SELECT 1 FROM solar.job WHERE id = @id AND worker = @w AND status = 'running' FOR UPDATE", connection, tx))
        {
            cmd.Parameters.AddWithValue("id", job.Id);
            cmd.Parameters.AddWithValue("w", worker);
            if (await cmd.ExecuteScalarAsync(cancellationToken) is null)
            {
                return false;
            }
        }
        // Rows can be there only when an earlier attempt of this job committed and its worker did not hear of it: nearly
        // always none. Each id is looked up by the whole key: as plain "run_id = @run AND building_id = ANY(@ids)", the
        // planner, whose statistics have not yet seen the running run (estimated at one row), read every row stored so far
        // for the run on each tile — quadratic, 25 ms a tile on average over a quarter of the city.
        await using (var cmd = new NpgsqlCommand("""
            DELETE FROM solar.building_result WHERE ctid = ANY (ARRAY(
                SELECT r.ctid FROM unnest(@ids) AS u(id)
                CROSS JOIN LATERAL (SELECT ctid FROM solar.building_result WHERE run_id = @run AND building_id = u.id LIMIT 1) r))
            """, connection, tx))
        {
            cmd.Parameters.AddWithValue("run", job.RunId);
            cmd.Parameters.AddWithValue("ids", results.Select(r => r.BuildingId).ToArray());
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        var wkb = new WKBWriter(ByteOrder.LittleEndian, handleSRID: true, emitZ: true);
        var wkb2d = new WKBWriter(ByteOrder.LittleEndian, handleSRID: true, emitZ: false);
        await using (var importer = await connection.BeginBinaryImportAsync("""
            COPY solar.building_result (run_id, building_id, status, reason, roof_origin, centre, roof_area_m2, usable_area_m2,
                mean_irradiation_kwh_per_m2, panel_count, installable_kwp, annual_kwh_ac, monthly_kwh_ac, configurations, finance,
                co2_avoided_kg_per_year, uncertainty, station_distance_km, report, panel_layout) FROM STDIN (FORMAT BINARY)
            """, cancellationToken))
        {
            foreach (var r in results)
            {
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(job.RunId, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(r.BuildingId, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(r.StatusCode, NpgsqlDbType.Text, cancellationToken);
                await WriteNullable(importer, r.ReasonCode, NpgsqlDbType.Text, cancellationToken);
                await WriteNullable(importer, r.RoofOrigin, NpgsqlDbType.Text, cancellationToken);
                r.Centre.SRID = RegionSettings.Srid;
                await importer.WriteAsync(wkb2d.Write(r.Centre), NpgsqlDbType.Bytea, cancellationToken);
                await WriteNullable(importer, r.RoofAreaM2, NpgsqlDbType.Double, cancellationToken);
                await WriteNullable(importer, r.UsableAreaM2, NpgsqlDbType.Double, cancellationToken);
                await WriteNullable(importer, r.MeanIrradiationKwhPerM2, NpgsqlDbType.Double, cancellationToken);
                await WriteNullable(importer, r.PanelCount, NpgsqlDbType.Integer, cancellationToken);
                await WriteNullable(importer, r.InstallableKwp, NpgsqlDbType.Double, cancellationToken);
                await WriteNullable(importer, r.AnnualKwhAc, NpgsqlDbType.Double, cancellationToken);
                await WriteNullable(importer, r.MonthlyKwhAc, NpgsqlDbType.Array | NpgsqlDbType.Real, cancellationToken);
                await WriteNullable(importer, r.ConfigurationsJson, NpgsqlDbType.Json, cancellationToken);
                await WriteNullable(importer, r.FinanceJson, NpgsqlDbType.Json, cancellationToken);
                await WriteNullable(importer, r.Co2AvoidedKgPerYear, NpgsqlDbType.Double, cancellationToken);
                await WriteNullable(importer, r.UncertaintyJson, NpgsqlDbType.Json, cancellationToken);
                await WriteNullable(importer, r.StationDistanceKm, NpgsqlDbType.Double, cancellationToken);
                await WriteNullable(importer, r.ReportJson, NpgsqlDbType.Json, cancellationToken);
                await WriteNullable(importer, r.PanelLayout, NpgsqlDbType.Array | NpgsqlDbType.Double, cancellationToken);
            }
            await importer.CompleteAsync(cancellationToken);
        }
        await using (var importer = await connection.BeginBinaryImportAsync("""
            COPY solar.face_result (run_id, building_id, face_no, polygon, origin, tilt_deg, azimuth_deg, area_m2, usable_area_m2,
                annual_irradiation_kwh_per_m2, quantiles_kwh_per_m2, shading_loss_fraction, suitability_class, panel_count,
                installable_kwp, annual_kwh_ac, monthly_kwh_ac, sample_grid, sample_ij, sample_kwh_per_m2, panel_kwh_ac, panel_portrait)
            FROM STDIN (FORMAT BINARY)
            """, cancellationToken))
        {
            foreach (var r in results)
            {
                foreach (var f in r.Faces)
                {
                    await importer.StartRowAsync(cancellationToken);
                    await importer.WriteAsync(job.RunId, NpgsqlDbType.Bigint, cancellationToken);
                    await importer.WriteAsync(r.BuildingId, NpgsqlDbType.Bigint, cancellationToken);
                    await importer.WriteAsync(f.FaceNo, NpgsqlDbType.Integer, cancellationToken);
                    f.Polygon.SRID = RegionSettings.Srid;
                    await importer.WriteAsync(wkb.Write(f.Polygon), NpgsqlDbType.Bytea, cancellationToken);
                    await importer.WriteAsync(f.Origin, NpgsqlDbType.Text, cancellationToken);
                    await importer.WriteAsync(f.TiltDeg, NpgsqlDbType.Double, cancellationToken);
                    await importer.WriteAsync(f.AzimuthDeg, NpgsqlDbType.Double, cancellationToken);
                    await importer.WriteAsync(f.AreaM2, NpgsqlDbType.Double, cancellationToken);
                    await importer.WriteAsync(f.UsableAreaM2, NpgsqlDbType.Double, cancellationToken);
                    await importer.WriteAsync(f.AnnualIrradiationKwhPerM2, NpgsqlDbType.Double, cancellationToken);
                    await importer.WriteAsync(f.QuantilesKwhPerM2, NpgsqlDbType.Array | NpgsqlDbType.Real, cancellationToken);
                    await importer.WriteAsync(f.ShadingLossFraction, NpgsqlDbType.Double, cancellationToken);
                    await importer.WriteAsync(f.SuitabilityClass, NpgsqlDbType.Smallint, cancellationToken);
                    await importer.WriteAsync(f.PanelCount, NpgsqlDbType.Integer, cancellationToken);
                    await importer.WriteAsync(f.InstallableKwp, NpgsqlDbType.Double, cancellationToken);
                    await importer.WriteAsync(f.AnnualKwhAc, NpgsqlDbType.Double, cancellationToken);
                    await importer.WriteAsync(f.MonthlyKwhAc, NpgsqlDbType.Array | NpgsqlDbType.Real, cancellationToken);
                    await WriteNullable(importer, f.SampleGrid, NpgsqlDbType.Array | NpgsqlDbType.Double, cancellationToken);
                    await WriteNullable(importer, f.SampleIj, NpgsqlDbType.Array | NpgsqlDbType.Real, cancellationToken);
                    await WriteNullable(importer, f.SampleKwhPerM2, NpgsqlDbType.Array | NpgsqlDbType.Real, cancellationToken);
                    await WriteNullable(importer, f.PanelKwhAc, NpgsqlDbType.Array | NpgsqlDbType.Real, cancellationToken);
                    await WriteNullable(importer, f.PanelPortrait, NpgsqlDbType.Boolean, cancellationToken);
                }
            }
            await importer.CompleteAsync(cancellationToken);
        }
        await using (var cmd = new NpgsqlCommand("""
            UPDATE solar.job SET status = 'done', finished_at = now(), lease_until = NULL, duration_s = @d, error = NULL WHERE id = @id
            """, connection, tx))
        {
            cmd.Parameters.AddWithValue("id", job.Id);
            cmd.Parameters.AddWithValue("d", durationS);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    private static double? N(NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetDouble(i);

    private static Task WriteNullable<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, type, cancellationToken);
}
