using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using SmartRegion.Data.Catalog;
using SmartRegion.Data.Catalog.Uploads;
using SmartRegion.Data.Solar;
using SmartRegion.Geo;

namespace SmartRegion.Data.Barometer;

/// <summary>What a refresh did.</summary>
/// <param name="DatasetVersion">The open dataset's version it published, or null when the figures had not changed (or no commune has results).</param>
public sealed record BarometerRefreshResult(
    long RefreshId, int Communes, int Departements, long Buildings, int? DatasetVersion, string? DatasetSkippedBecause, double DurationMs);

/// <summary>
/// Sums the solar results by commune, département and region into <c>barometer.area</c> and publishes the commune rows as
/// the open dataset <see cref="BarometerDataset.Slug"/>, all in one transaction: readers see the previous refresh or this
/// one, and the dataset's current version always holds the table's figures.
/// </summary>
/// <remarks>
/// What is counted: each current building's latest complete solar result (what the solar API serves). A building belongs
/// to the commune or municipal arrondissement whose boundary holds its centre, else to the commune of its nearest address
/// within 30 m (the rule of the published building results); a commune to the département its INSEE code names, else the
/// département boundary that holds it. The region is every building inside the region's boundary (with or without a
/// commune) when exactly one region boundary is loaded, else every building.
/// </remarks>
public sealed class BarometerRefresh(NpgsqlDataSource dataSource)
{
    // Serialises refreshes across processes (a run finishing while an operator refreshes by hand).
    private const long AdvisoryLockKey = 0x42_61_72_6f_6d_65_74; // "Baromet"

    /// <summary>Recomputes every aggregate from the current solar results with <paramref name="parameters"/>.</summary>
    public async Task<BarometerRefreshResult> RefreshAsync(BarometerParameters parameters, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await Exec(connection, tx, "SELECT pg_advisory_xact_lock(@k)", cancellationToken, ("k", AdvisoryLockKey));

        var refreshId = (long)(await Scalar(connection, tx, "INSERT INTO barometer.refresh (parameters) VALUES (@p::jsonb) RETURNING id",
            cancellationToken, ("p", parameters.DocumentJson)))!;
        // Classes 1 … bands + 1 of the runs counted (the default 4 bands make 5 classes).
        var classes = (int)(await Scalar(connection, tx, """
            SELECT coalesce(max(jsonb_array_length(parameters #> '{suitabilityBandsKwhPerM2,value}')), 4) + 1
            FROM solar.run WHERE status = 'complete' AND jsonb_typeof(parameters #> '{suitabilityBandsKwhPerM2,value}') = 'array'
            """, cancellationToken))!;
        string PerClass(Func<int, string> expression) =>
            string.Join(", ", Enumerable.Range(1, classes).Select(k => expression(k)));

        // The region's code and name when exactly one region boundary is loaded.
        string regionCode = "", regionName = "";
        await using (var cmd = Db.Command(connection, tx, "SELECT code, name FROM region.boundary WHERE level = 'region' LIMIT 2"))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            var regions = new List<(string, string)>();
            while (await reader.ReadAsync(cancellationToken))
            {
                regions.Add((reader.GetString(0), reader.GetString(1)));
            }
            if (regions.Count == 1)
            {
                (regionCode, regionName) = regions[0];
            }
        }

        await Exec(connection, tx, $$"""
            CREATE TEMP TABLE barometer_building ON COMMIT DROP AS
            SELECT l.building_id, l.run_id, l.status, l.roof_area_m2, l.usable_area_m2, l.mean_irradiation_kwh_per_m2,
                   l.installable_kwp, l.annual_kwh_ac, l.co2_avoided_kg_per_year,
                   c.code AS commune_code, c.name AS commune_name, f.best_class, f.area_by_class,
                   -- The region row counts the buildings inside the region's boundary (all of them when none is loaded).
                   @regionCode = '' OR EXISTS (SELECT 1 FROM region.boundary r
                                               WHERE r.level = 'region' AND r.code = @regionCode AND ST_Intersects(r.geometry, l.centre)) AS in_region,
                   (SELECT round(y.n)::bigint FROM (
                        SELECT a.ord, CASE WHEN jsonb_typeof(v.v) = 'number' THEN (v.v #>> '{}')::numeric
                                           WHEN v.v #>> '{}' ~ '^\s*[0-9]{1,9}(\.0*)?\s*$' THEN trim(v.v #>> '{}')::numeric END AS n
                        FROM unnest(@attributes::text[]) WITH ORDINALITY a(key, ord), LATERAL (SELECT b.attributes -> a.key AS v) v) y
                    WHERE y.n >= 0 AND y.n < 1e9 ORDER BY y.ord LIMIT 1) AS dwellings
            FROM {{ServedSolarResults.Latest}} l
            JOIN region.building_current b ON b.id = l.building_id
            LEFT JOIN LATERAL barometer.commune_of(l.centre, b.footprint) c ON true
            LEFT JOIN LATERAL (
                SELECT max(x.suitability_class) AS best_class,
                       ARRAY[{{PerClass(k => $"coalesce(sum(x.area_m2) FILTER (WHERE x.suitability_class = {k}), 0)")}}]::double precision[] AS area_by_class
                FROM solar.face_result x WHERE x.run_id = l.run_id AND x.building_id = l.building_id) f ON true;

            CREATE TEMP TABLE barometer_commune ON COMMIT DROP AS
            SELECT c.code, c.name, coalesce(barometer.departement_of_code(c.code), (
                       SELECT d.code FROM region.boundary cb JOIN region.boundary d
                           ON d.level = 'departement' AND ST_Intersects(d.geometry, ST_PointOnSurface(cb.geometry))
                       WHERE cb.level IN ('commune', 'arrondissement') AND cb.code = c.code
                       ORDER BY d.code LIMIT 1)) AS departement_code
            FROM (SELECT commune_code AS code, min(commune_name) AS name FROM barometer_building
                  WHERE commune_code IS NOT NULL GROUP BY commune_code) c;
            """, cancellationToken, ("attributes", parameters.DwellingCountAttributes.ToArray()), ("regionCode", regionCode));

        await Exec(connection, tx, $"""
            DELETE FROM barometer.area;
            INSERT INTO barometer.area (refresh_id, level, code, name, departement_code, buildings, buildings_ok, buildings_skipped,
                buildings_failed, roof_area_m2, usable_area_m2, mean_irradiation_kwh_per_m2, buildings_by_class, roof_area_by_class_m2,
                installable_mwp, potential_gwh_per_year, co2_avoidable_t_per_year, dwellings, buildings_with_dwelling_count,
                residential_use_gwh_per_year, runs)
            SELECT @refresh,
                   CASE WHEN grouping(x.commune_code) = 0 THEN 'commune' WHEN grouping(m.departement_code) = 0 THEN 'departement' ELSE 'region' END,
                   CASE WHEN grouping(x.commune_code) = 0 THEN x.commune_code WHEN grouping(m.departement_code) = 0 THEN m.departement_code ELSE @regionCode END,
                   CASE WHEN grouping(x.commune_code) = 1 AND grouping(m.departement_code) = 1 THEN nullif(@regionName, '') END,
                   CASE WHEN grouping(x.commune_code) = 0 THEN min(m.departement_code) WHEN grouping(m.departement_code) = 0 THEN m.departement_code END,
                   count(*), count(*) FILTER (WHERE x.status = 'ok'), count(*) FILTER (WHERE x.status = 'skipped'),
                   count(*) FILTER (WHERE x.status = 'failed'),
                   coalesce(sum(x.roof_area_m2) FILTER (WHERE x.status = 'ok'), 0),
                   coalesce(sum(x.usable_area_m2) FILTER (WHERE x.status = 'ok'), 0),
                   sum(x.mean_irradiation_kwh_per_m2 * x.roof_area_m2) FILTER (WHERE x.status = 'ok')
                     / nullif(sum(x.roof_area_m2) FILTER (WHERE x.status = 'ok' AND x.mean_irradiation_kwh_per_m2 IS NOT NULL), 0),
                   ARRAY[{PerClass(k => $"count(*) FILTER (WHERE x.status = 'ok' AND x.best_class = {k})")}]::integer[],
                   ARRAY[{PerClass(k => $"coalesce(sum(x.area_by_class[{k}]) FILTER (WHERE x.status = 'ok'), 0)")}]::double precision[],
                   coalesce(sum(x.installable_kwp) FILTER (WHERE x.status = 'ok'), 0) / 1e3,
                   coalesce(sum(x.annual_kwh_ac) FILTER (WHERE x.status = 'ok'), 0) / 1e6,
                   coalesce(sum(x.co2_avoided_kg_per_year) FILTER (WHERE x.status = 'ok'), 0) / 1e3,
                   coalesce(sum(x.dwellings), 0), count(x.dwellings),
                   CASE WHEN count(x.dwellings) > 0 THEN coalesce(sum(x.dwellings), 0) * @kwhPerDwelling / 1e6 END,
                   array_agg(DISTINCT x.run_id ORDER BY x.run_id)
            FROM barometer_building x LEFT JOIN barometer_commune m ON m.code = x.commune_code
            GROUP BY GROUPING SETS ((x.commune_code), (m.departement_code), (x.in_region))
            HAVING (grouping(x.commune_code) = 0 AND x.commune_code IS NOT NULL)
                OR (grouping(m.departement_code) = 0 AND m.departement_code IS NOT NULL)
                OR (grouping(x.in_region) = 0 AND x.in_region);

            UPDATE barometer.area a SET name = c.name FROM barometer_commune c WHERE a.level = 'commune' AND a.code = c.code;
            UPDATE barometer.area a SET name = b.name FROM region.boundary b
             WHERE a.level = 'departement' AND b.level = 'departement' AND b.code = a.code;
            """, cancellationToken, ("refresh", refreshId), ("regionCode", regionCode), ("regionName", regionName),
            ("kwhPerDwelling", parameters.ResidentialKwhPerDwellingPerYear));

        await CountInstallationsAsync(connection, tx, parameters, cancellationToken);

        await Exec(connection, tx, """
            UPDATE barometer.refresh SET runs = coalesce((
                SELECT jsonb_agg(jsonb_build_object('runId', r.id, 'modelVersion', r.model_version, 'startedAt', r.created_at,
                           'completedAt', r.finished_at, 'buildings', u.n,
                           'suitabilityBandsKwhPerM2', r.parameters #> '{suitabilityBandsKwhPerM2,value}',
                           'buildingsDatasetVersion', (SELECT v.number FROM catalog.dataset_version v JOIN catalog.dataset d ON d.id = v.dataset_id
                                                        WHERE d.slug = @buildings AND v.format = 'solar-run' AND (v.provenance ->> 'runId')::bigint = r.id))
                           ORDER BY r.id)
                FROM (SELECT run_id, count(*) AS n FROM barometer_building GROUP BY run_id) u JOIN solar.run r ON r.id = u.run_id), '[]')
            WHERE id = @refresh
            """, cancellationToken, ("refresh", refreshId), ("buildings", SolarDataset.Slug));

        var (communes, departements, buildings) = await CountsAsync(connection, tx, cancellationToken);
        var (version, skipped) = await BarometerDataset.PublishAsync(connection, tx, refreshId, classes, cancellationToken);
        await Exec(connection, tx, "UPDATE barometer.refresh SET duration_ms = @ms WHERE id = @refresh", cancellationToken,
            ("ms", clock.Elapsed.TotalMilliseconds), ("refresh", refreshId));
        await tx.CommitAsync(cancellationToken);
        return new BarometerRefreshResult(refreshId, communes, departements, buildings, version, skipped, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>
    /// Installed vs potential: the installations of the configured dataset (its current version, only when public) counted
    /// in each commune that has results, then summed into its département and the region. No such dataset: left null.
    /// </summary>
    private static async Task CountInstallationsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, BarometerParameters parameters, CancellationToken cancellationToken)
    {
        string? table = null, schemaJson = null;
        await using (var cmd = Db.Command(connection, tx, """
            SELECT v.records_table, v.schema_json::text FROM catalog.dataset d JOIN catalog.dataset_version v ON v.id = d.current_version_id
            WHERE d.slug = @slug AND d.visibility = 'public' AND v.records_table IS NOT NULL
            """, ("slug", parameters.InstallationsDatasetSlug)))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                (table, schemaJson) = (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
            }
        }
        if (table is null || schemaJson is null)
        {
            return;
        }
        var fields = RecordsQuery.FieldsOf(schemaJson);
        var power = fields.FirstOrDefault(f => f.Name == parameters.InstallationsPowerKwField);
        var commune = fields.FirstOrDefault(f => f.Name == parameters.InstallationsCommuneCodeField);
        var geometry = fields.FirstOrDefault(f => f.Type == "geometry");
        if (power is null || (commune is null && geometry is null))
        {
            return;
        }
        string Col(FieldSchema f) => "r." + RecordsLoader.Quote(f.Column);
        var powerKw = power.Type is "integer" or "number"
            ? $"{Col(power)}::double precision"
            : $"CASE WHEN trim({Col(power)}::text) ~ '^[0-9]+([.,][0-9]+)?$' THEN replace(trim({Col(power)}::text), ',', '.')::double precision END";
        // Codes typed as numbers lost their leading zero (01001 → 1001): padded back to five digits.
        var code = commune is null ? "NULL" : commune.Type is "integer" or "number"
            ? $"lpad(({Col(commune)})::bigint::text, 5, '0')"
            : $"CASE WHEN trim({Col(commune)}::text) ~ '^[0-9]{{4}}$' THEN lpad(trim({Col(commune)}::text), 5, '0') ELSE upper(trim({Col(commune)}::text)) END";
        var located = geometry is null ? code
            : $"coalesce({code}, (SELECT c.code FROM barometer.commune_of(ST_Transform({Col(geometry)}, {RegionSettings.Srid}), ST_Transform({Col(geometry)}, {RegionSettings.Srid})) c))";
        await Exec(connection, tx, $"""
            UPDATE barometer.area a SET installations = coalesce(i.n, 0), installed_mwp = coalesce(i.kw, 0) / 1e3
            FROM barometer.area c LEFT JOIN (
                SELECT {located} AS code, count(*) AS n, sum({powerKw}) AS kw
                FROM records.{RecordsLoader.Quote(table)} r GROUP BY 1) i ON i.code = c.code
            WHERE a.level = 'commune' AND c.level = 'commune' AND c.code = a.code;

            UPDATE barometer.area a SET installations = s.n, installed_mwp = s.mw
            FROM (SELECT departement_code, sum(installations) AS n, sum(installed_mwp) AS mw FROM barometer.area
                  WHERE level = 'commune' GROUP BY departement_code) s
            WHERE a.level = 'departement' AND a.code = s.departement_code;

            UPDATE barometer.area a SET installations = coalesce(s.n, 0), installed_mwp = coalesce(s.mw, 0)
            FROM (SELECT sum(installations) AS n, sum(installed_mwp) AS mw FROM barometer.area WHERE level = 'commune') s
            WHERE a.level = 'region';
            """, cancellationToken);
    }

    private static async Task<(int Communes, int Departements, long Buildings)> CountsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(connection, tx, """
            SELECT count(*) FILTER (WHERE level = 'commune'), count(*) FILTER (WHERE level = 'departement'),
                   coalesce(sum(buildings) FILTER (WHERE level = 'region'), 0)
            FROM barometer.area
            """);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return ((int)reader.GetInt64(0), (int)reader.GetInt64(1), reader.GetInt64(2));
    }

    internal static async Task<object?> Scalar(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var cmd = Db.Command(connection, tx, sql, parameters);
        cmd.CommandTimeout = 0;
        var value = await cmd.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }

    internal static async Task Exec(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var cmd = Db.Command(connection, tx, sql, parameters);
        cmd.CommandTimeout = 0;
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
