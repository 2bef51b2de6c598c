using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using SmartRegion.Data.Catalog;
using SmartRegion.Geo;
using SmartRegion.Rooftop;

namespace SmartRegion.Data.Solar;

/// <summary>Reads the published solar results: the latest complete run of each building.</summary>
public sealed class SolarResultQueries(NpgsqlDataSource dataSource)
{
    /// <summary>The maximum distance (m) at which <see cref="FindClosestBuildingIdAsync"/> still answers.</summary>
    public const double ClosestMaxDistanceM = 50;

    /// <summary>The building whose footprint contains the point, else the nearest one within 50 m that has a result; null beyond.</summary>
    public async Task<long?> FindClosestBuildingIdAsync(double latitudeDeg, double longitudeDeg, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = await Db.PreparedAsync(connection, $"""
            WITH p AS (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(@lon, @lat), 4326), {RegionSettings.Srid}) AS g)
            SELECT b.id
            FROM region.building b, p
            WHERE b.retired_run_id IS NULL
              AND b.footprint && ST_Expand(p.g, @maxd)
              AND ST_DWithin(b.footprint, p.g, @maxd)
              AND {ServedSolarResults.RunOf("b.id")} IS NOT NULL
            ORDER BY ST_Contains(b.footprint, p.g) DESC, b.footprint <-> p.g
            LIMIT 1
            """, cancellationToken, ("lat", latitudeDeg), ("lon", longitudeDeg), ("maxd", ClosestMaxDistanceM));
        var id = await cmd.ExecuteScalarAsync(cancellationToken);
        return id is long l ? l : null;
    }

    // A complete run's finish time and parameters never change: their JSON is made once per run (as text and as UTF-8).
    private readonly ConcurrentDictionary<long, (string Text, byte[] Utf8)> _runMembers = new();

    /// <summary>
    /// The report of one building as UTF-8 JSON, as the solar API returns it: the document its latest complete run wrote
    /// (one row read by key) with the run's finish time and parameters added to its provenance; a result computed before
    /// the document existed is rebuilt from its rows (<see cref="GetBuildingReportAsync"/>). Null when it has no published result.
    /// </summary>
    /// <remarks>
    /// The hot path of the solar API, measured with bench/api: the statement is prepared (<see cref="Db.PreparedAsync"/>, as
    /// its pgbench peer runs it: parsing and planning it cost more than reading the row), and the stored bytes go from the
    /// connection into the answer's pooled buffer — never a string: a report is 2-120 kB of UTF-8 (median 12 kB on the demo
    /// district), twice that as a string, and the strings of each call (read, then spliced) that passed 85 kB landed in the
    /// large object heap, whose gen-2 collections paused the host 7 % of the time under load. The caller disposes the answer.
    /// </remarks>
    public async Task<ReportBytes?> GetBuildingReportUtf8Async(long buildingId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = await Db.PreparedAsync(connection, $"""
            SELECT br.run_id, br.panel_layout, br.report
            FROM solar.building_result br JOIN solar.run r ON r.id = br.run_id AND {ServedSolarResults.RunIsServed("r")}
            WHERE br.building_id = @id
            ORDER BY br.run_id DESC
            LIMIT 1
            """, cancellationToken, ("id", buildingId));
        await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var runId = reader.GetInt64(0);
        var panelLayout = await reader.IsDBNullAsync(1, cancellationToken) ? null : await reader.GetFieldValueAsync<double[]>(1, cancellationToken);
        if (await reader.IsDBNullAsync(2, cancellationToken))
        {
            return await CompleteAsync(buildingId, runId, null, null, cancellationToken) is { } rebuilt ? ReportBytes.Of(rebuilt) : null;
        }
        var members = await RunMembersAsync(runId, cancellationToken);
        await using var stored = await reader.GetStreamAsync(2, cancellationToken);
        return await ReportDocument.CompleteStoredUtf8Async(stored, checked((int)stored.Length), panelLayout, members.Utf8, cancellationToken);
    }

    /// <summary>
    /// The reports of many buildings as <see cref="GetBuildingReportJsonAsync"/> writes each, read in one statement and
    /// yielded as they come, in the order of <paramref name="buildingIds"/> (distinct ids, ascending, for the batch
    /// endpoint); a building without a published result is yielded with a null report.
    /// </summary>
    public async IAsyncEnumerable<(long BuildingId, string? Report)> GetBuildingReportsJsonAsync(
        IReadOnlyList<long> buildingIds, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (buildingIds.Count == 0)
        {
            yield break;
        }
        await using var cmd = dataSource.CreateCommand($"""
            SELECT w.id, x.run_id, x.report, x.panel_layout
            FROM unnest(@ids) WITH ORDINALITY AS w(id, n)
            LEFT JOIN LATERAL (
                SELECT br.run_id, br.report, br.panel_layout
                FROM solar.building_result br JOIN solar.run r ON r.id = br.run_id AND {ServedSolarResults.RunIsServed("r")}
                WHERE br.building_id = w.id
                ORDER BY br.run_id DESC
                LIMIT 1) x ON true
            ORDER BY w.n
            """);
        cmd.Parameters.AddWithValue("ids", buildingIds as long[] ?? [.. buildingIds]);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetInt64(0);
            if (reader.IsDBNull(1))
            {
                yield return (id, null);
                continue;
            }
            // A legacy result's rebuild and a run's first members use connections of their own: this one keeps reading.
            yield return (id, await CompleteAsync(
                id, reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetFieldValue<double[]>(3), cancellationToken));
        }
    }

    /// <summary>
    /// A stored report with its modules written in from <paramref name="panelLayout"/> and its run's members spliced in; a
    /// result computed before the document existed, rebuilt.
    /// </summary>
    private async ValueTask<string?> CompleteAsync(long buildingId, long runId, string? stored, double[]? panelLayout, CancellationToken cancellationToken)
    {
        if (stored is null)
        {
            return await GetBuildingReportAsync(buildingId, cancellationToken) is { } rebuilt ? Serialize(rebuilt) : null;
        }
        return ReportDocument.CompleteStored(stored, panelLayout, (await RunMembersAsync(runId, cancellationToken)).Text);
    }

    /// <summary>The provenance members a run adds to each of its stored reports: <c>"computedAt":…,"parameters":{…}</c>; read once per run.</summary>
    private async ValueTask<(string Text, byte[] Utf8)> RunMembersAsync(long runId, CancellationToken cancellationToken)
    {
        if (!_runMembers.TryGetValue(runId, out var members))
        {
            var text = await ReadRunMembersAsync(runId, cancellationToken);
            members = (text, Encoding.UTF8.GetBytes(text));
            _runMembers.TryAdd(runId, members);
        }
        return members;
    }

    private async Task<string> ReadRunMembersAsync(long runId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("SELECT created_at, finished_at, parameters::text FROM solar.run WHERE id = @id");
        cmd.Parameters.AddWithValue("id", runId);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException($"solar run {runId} disappeared while its report was read");
        }
        var computedAt = DateTime.SpecifyKind(reader.IsDBNull(1) ? reader.GetDateTime(0) : reader.GetDateTime(1), DateTimeKind.Utc);
        return ReportDocument.ProvenanceMembers(computedAt, Serialize(JsonNode.Parse(reader.GetString(2))!));
    }

    /// <summary>The run whose result of <paramref name="buildingId"/> is served, null when none (the run a what-if of it computes with).</summary>
    public async Task<long?> ServedRunIdAsync(long buildingId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {ServedSolarResults.RunOf("@id")}");
        cmd.Parameters.AddWithValue("id", buildingId);
        return await cmd.ExecuteScalarAsync(cancellationToken) as long?;
    }

    /// <summary>The full report of one building, as the solar API returns it; null when it has no published result.</summary>
    public async Task<JsonObject?> GetBuildingReportAsync(long buildingId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        JsonObject report;
        long runId;
        await using (var cmd = new NpgsqlCommand($"""
            SELECT l.run_id, b.id, b.source, b.source_id, b.height_above_ground_m, b.roof_shape, b.usage,
                   ST_Y(ST_Transform(l.centre, 4326)), ST_X(ST_Transform(l.centre, 4326)),
                   l.status, l.reason, l.roof_origin, l.roof_area_m2, l.usable_area_m2, l.mean_irradiation_kwh_per_m2,
                   l.panel_count, l.installable_kwp, l.annual_kwh_ac, l.monthly_kwh_ac, l.configurations::text, l.finance::text,
                   l.co2_avoided_kg_per_year, l.uncertainty::text, l.station_distance_km,
                   r.model_version, r.parameters::text, r.created_at, r.finished_at, r.ingest_run_ids,
                   s.id, s.name, s.source, s.licence, ST_Y(s.location_wgs84), ST_X(s.location_wgs84),
                   (SELECT json_build_object('label', a.label, 'distanceM', round(ST_Distance(a.point, b.footprint)::numeric, 1))::text
                      FROM region.address a
                     WHERE ST_DWithin(a.point, b.footprint, 30)
                     ORDER BY ST_Distance(a.point, b.footprint), a.number NULLS LAST
                     LIMIT 1),
                   b.attributes ->> 'cleabs', b.attributes ->> 'identifiants_rnb'
            FROM solar.building_result l
            JOIN region.building b ON b.id = l.building_id
            JOIN solar.run r ON r.id = l.run_id
            LEFT JOIN weather.station s ON s.id = r.station_id
            WHERE l.building_id = @id AND l.run_id = {ServedSolarResults.RunOf("l.building_id")}
            """, connection))
        {
            cmd.Parameters.AddWithValue("id", buildingId);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }
            runId = reader.GetInt64(0);
            var sourceIds = new JsonObject { [reader.GetString(2)] = reader.GetString(3) };
            if (!reader.IsDBNull(36))
            {
                sourceIds["cleabs"] = reader.GetString(36);
            }
            if (!reader.IsDBNull(37))
            {
                sourceIds["rnb"] = reader.GetString(37);
            }
            report = new JsonObject
            {
                ["building"] = new JsonObject
                {
                    ["id"] = reader.GetInt64(1),
                    ["source"] = reader.GetString(2),
                    ["sourceId"] = reader.GetString(3),
                    ["sourceIds"] = sourceIds,
                    ["heightAboveGroundM"] = Num(reader, 4),
                    ["roofShape"] = Str(reader, 5),
                    ["usage"] = Str(reader, 6),
                    ["roofOrigin"] = Str(reader, 11),
                },
                ["address"] = reader.IsDBNull(35) ? null : JsonNode.Parse(reader.GetString(35)),
                ["centre"] = new JsonObject { ["lat"] = reader.GetDouble(7), ["lon"] = reader.GetDouble(8) },
                ["status"] = reader.GetString(9),
                ["reason"] = Str(reader, 10),
                ["roofAreaM2"] = Num(reader, 12),
                ["usableAreaM2"] = Num(reader, 13),
                ["meanIrradiationKwhPerM2"] = Num(reader, 14),
                ["panelCount"] = reader.IsDBNull(15) ? null : reader.GetInt32(15),
                ["installableKwp"] = Num(reader, 16),
                ["annualKwhAc"] = Num(reader, 17),
                ["monthlyKwhAc"] = reader.IsDBNull(18) ? null : new JsonArray(reader.GetFieldValue<float[]>(18).Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
                ["configurations"] = reader.IsDBNull(19) ? null : JsonNode.Parse(reader.GetString(19)),
                ["finance"] = reader.IsDBNull(20) ? null : JsonNode.Parse(reader.GetString(20)),
                ["co2AvoidedKgPerYear"] = Num(reader, 21),
                ["uncertainty"] = reader.IsDBNull(22) ? null : JsonNode.Parse(reader.GetString(22)),
                ["provenance"] = new JsonObject
                {
                    ["runId"] = runId,
                    ["modelVersion"] = reader.GetString(24),
                    ["computedAt"] = (reader.IsDBNull(27) ? reader.GetDateTime(26) : reader.GetDateTime(27)).ToString("O"),
                    ["ingestRunIds"] = new JsonArray(reader.GetFieldValue<long[]>(28).Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
                    ["weatherStation"] = reader.IsDBNull(29) ? null : new JsonObject
                    {
                        ["id"] = reader.GetInt64(29),
                        ["name"] = reader.GetString(30),
                        ["source"] = reader.GetString(31),
                        ["licence"] = Str(reader, 32),
                        ["lat"] = reader.GetDouble(33),
                        ["lon"] = reader.GetDouble(34),
                        ["distanceKm"] = Num(reader, 23),
                    },
                    ["parameters"] = JsonNode.Parse(reader.GetString(25)),
                },
            };
        }

        var faces = new JsonArray();
        var panels = new JsonArray();
        await using (var cmd = new NpgsqlCommand("""
            SELECT f.face_no, f.origin, f.tilt_deg, f.azimuth_deg, f.area_m2, f.usable_area_m2, f.annual_irradiation_kwh_per_m2,
                   f.quantiles_kwh_per_m2, f.shading_loss_fraction, f.suitability_class, f.panel_count, f.installable_kwp,
                   f.annual_kwh_ac, f.monthly_kwh_ac, ST_AsGeoJSON(ST_Transform(f.polygon, 4326), 7),
                   (SELECT json_agg(json_build_object(
                             'faceNo', f.face_no,
                             'panelNo', d.path[1],
                             'portrait', f.panel_portrait,
                             'annualKwhAc', f.panel_kwh_ac[d.path[1]],
                             'centre', json_build_object('lat', ST_Y(ST_Transform(ST_Centroid(d.geom), 4326)),
                                                         'lon', ST_X(ST_Transform(ST_Centroid(d.geom), 4326)),
                                                         'altitudeM', (SELECT avg(ST_Z(p.geom)) FROM ST_DumpPoints(ST_ExteriorRing(d.geom)) p)),
                             'polygonWgs84', ST_AsGeoJSON(ST_Transform(d.geom, 4326), 7)::json) ORDER BY d.path[1])::text
                      FROM ST_Dump(coalesce(f.panels, solar.panel_polygons(br.panel_layout, f.face_no))) d)
            FROM solar.face_result f
            JOIN solar.building_result br ON br.run_id = f.run_id AND br.building_id = f.building_id
            WHERE f.run_id = @run AND f.building_id = @id
            ORDER BY f.face_no
            """, connection))
        {
            cmd.Parameters.AddWithValue("run", runId);
            cmd.Parameters.AddWithValue("id", buildingId);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                faces.Add(new JsonObject
                {
                    ["faceNo"] = reader.GetInt32(0),
                    ["origin"] = reader.GetString(1),
                    ["tiltDeg"] = Math.Round(reader.GetDouble(2), 2),
                    ["azimuthDeg"] = Math.Round(reader.GetDouble(3), 2),
                    ["areaM2"] = Math.Round(reader.GetDouble(4), 2),
                    ["usableAreaM2"] = Math.Round(reader.GetDouble(5), 2),
                    ["annualIrradiationKwhPerM2"] = Math.Round(reader.GetDouble(6), 1),
                    ["quantilesKwhPerM2"] = new JsonArray(reader.GetFieldValue<float[]>(7).Select(v => (JsonNode?)JsonValue.Create(Math.Round(v, 1))).ToArray()),
                    ["shadingLossFraction"] = Math.Round(reader.GetDouble(8), 4),
                    ["suitabilityClass"] = reader.GetInt16(9),
                    ["panelCount"] = reader.GetInt32(10),
                    ["installableKwp"] = Math.Round(reader.GetDouble(11), 3),
                    ["annualKwhAc"] = Math.Round(reader.GetDouble(12), 1),
                    ["monthlyKwhAc"] = new JsonArray(reader.GetFieldValue<float[]>(13).Select(v => (JsonNode?)JsonValue.Create(Math.Round(v, 1))).ToArray()),
                    ["polygonWgs84"] = JsonNode.Parse(reader.GetString(14)),
                });
                if (!reader.IsDBNull(15) && JsonNode.Parse(reader.GetString(15)) is JsonArray facePanels)
                {
                    foreach (var p in facePanels.ToList())
                    {
                        facePanels.Remove(p);
                        panels.Add(p);
                    }
                }
            }
        }
        report["roofFaces"] = faces;
        report["panels"] = panels;
        return report;
    }

    /// <summary>Roof faces of the latest complete runs intersecting a WGS84 box, as GeoJSON features, ordered and paged by key.</summary>
    public async Task<(JsonArray Features, string? NextCursor)> RoofFacesInBoxAsync(
        double minLon, double minLat, double maxLon, double maxLat, int limit, (long BuildingId, int FaceNo)? after, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"""
            WITH box AS (SELECT ST_Transform(ST_MakeEnvelope(@minlon, @minlat, @maxlon, @maxlat, 4326), {RegionSettings.Srid}) AS g)
            SELECT f.building_id, f.face_no, f.tilt_deg, f.azimuth_deg, f.area_m2, f.usable_area_m2,
                   f.annual_irradiation_kwh_per_m2, f.shading_loss_fraction, f.suitability_class, f.panel_count,
                   f.installable_kwp, f.annual_kwh_ac, f.origin, ST_AsGeoJSON(ST_Force2D(ST_Transform(f.polygon, 4326)), 7)
            FROM solar.face_result f, box
            WHERE f.polygon && box.g AND ST_Intersects(ST_Force2D(f.polygon), box.g)
              AND f.run_id = {ServedSolarResults.RunOf("f.building_id")}
              AND (f.building_id, f.face_no) > (@afterb, @afterf)
            ORDER BY f.building_id, f.face_no
            LIMIT @limit
            """);
        cmd.Parameters.AddWithValue("minlon", minLon);
        cmd.Parameters.AddWithValue("minlat", minLat);
        cmd.Parameters.AddWithValue("maxlon", maxLon);
        cmd.Parameters.AddWithValue("maxlat", maxLat);
        cmd.Parameters.AddWithValue("afterb", after?.BuildingId ?? long.MinValue);
        cmd.Parameters.AddWithValue("afterf", after?.FaceNo ?? int.MinValue);
        cmd.Parameters.AddWithValue("limit", limit + 1);
        var features = new JsonArray();
        (long, int) last = default;
        var more = false;
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (features.Count == limit)
            {
                more = true;
                break;
            }
            last = (reader.GetInt64(0), reader.GetInt32(1));
            features.Add(new JsonObject
            {
                ["type"] = "Feature",
                ["id"] = $"{last.Item1}-{last.Item2}",
                ["geometry"] = JsonNode.Parse(reader.GetString(13)),
                ["properties"] = new JsonObject
                {
                    ["buildingId"] = last.Item1,
                    ["faceNo"] = last.Item2,
                    ["tiltDeg"] = Math.Round(reader.GetDouble(2), 2),
                    ["azimuthDeg"] = Math.Round(reader.GetDouble(3), 2),
                    ["areaM2"] = Math.Round(reader.GetDouble(4), 2),
                    ["usableAreaM2"] = Math.Round(reader.GetDouble(5), 2),
                    ["annualIrradiationKwhPerM2"] = Math.Round(reader.GetDouble(6), 1),
                    ["shadingLossFraction"] = Math.Round(reader.GetDouble(7), 4),
                    ["suitabilityClass"] = reader.GetInt16(8),
                    ["panelCount"] = reader.GetInt32(9),
                    ["installableKwp"] = Math.Round(reader.GetDouble(10), 3),
                    ["annualKwhAc"] = Math.Round(reader.GetDouble(11), 1),
                    ["origin"] = reader.GetString(12),
                },
            });
        }
        return (features, more ? $"{last.Item1}-{last.Item2}" : null);
    }

    private static JsonNode? Num(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : JsonValue.Create(Math.Round(r.GetDouble(i), 3));

    private static JsonNode? Str(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : JsonValue.Create(r.GetString(i));

    /// <summary>Serialises a report with the API's options.</summary>
    public static string Serialize(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
