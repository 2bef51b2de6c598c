using System.Text.Json;
using Npgsql;
using SmartRegion.Data.Catalog;
using SmartRegion.Data.Solar;

namespace SmartRegion.Data.Barometer;

/// <summary>One suitability class of an area: buildings whose best face is in it, and roof face area in it.</summary>
public sealed record SuitabilityClassFigures(int Class, int Buildings, double? BuildingsShare, double RoofAreaM2, double? RoofAreaShare);

/// <summary>The stored figures of the region, a département or a commune (units in the names; shares are fractions).</summary>
public sealed record AreaFigures(
    string Level, string Code, string? Name, string? DepartementCode, string? DepartementName,
    int Buildings, int BuildingsAnalysed, int BuildingsSkipped, int BuildingsFailed,
    double RoofAreaM2, double UsableAreaM2, double? MeanIrradiationKwhPerM2, IReadOnlyList<SuitabilityClassFigures> Suitability,
    double InstallableMwp, double PotentialGwhPerYear, double Co2AvoidableTPerYear,
    long Dwellings, int BuildingsWithDwellingCount, double? ResidentialUseGwhPerYear, double? PotentialShareOfResidentialUse,
    int? Installations, double? InstalledMwp, double? InstalledShareOfInstallable, IReadOnlyList<long> Runs);

/// <summary>A solar run whose results a refresh counted.</summary>
/// <param name="SuitabilityBandsKwhPerM2">The run's suitability class bounds (class k covers bands[k-2] ≤ kWh/m²/yr &lt; bands[k-1]).</param>
public sealed record CountedRun(
    long RunId, string ModelVersion, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, long Buildings, int? BuildingsDatasetVersion,
    double[]? SuitabilityBandsKwhPerM2 = null);

/// <summary>The refresh the stored figures come from: when, from which runs, with which assumptions, and the dataset version it made.</summary>
/// <param name="DatasetVersion">The version of solar-potential-by-commune this refresh published (null: its figures were already the current version's).</param>
/// <param name="CurrentDatasetVersion">The current version of solar-potential-by-commune.</param>
/// <param name="CurrentBuildingsDatasetVersion">The current version of solar-potential-buildings (the explore API queries it).</param>
public sealed record RefreshInfo(
    long Id, DateTimeOffset RefreshedAt, IReadOnlyList<CountedRun> Runs, JsonElement Parameters, int? DatasetVersion, int? CurrentDatasetVersion,
    int? CurrentBuildingsDatasetVersion);

/// <summary>A computed building of a commune, with what its roof could give (for the commune page's list and map links).</summary>
public sealed record CommuneBuilding(long Id, string? Address, double InstallableKwp, double AnnualKwhAc, double UsableAreaM2, int? SuitabilityClass);

/// <summary>Reads the barometer's stored aggregates and the boundaries to draw them (never recomputes them).</summary>
public sealed class BarometerQueries(NpgsqlDataSource dataSource)
{
    /// <summary>The latest refresh, or null when the barometer was never refreshed.</summary>
    public async Task<RefreshInfo?> RefreshAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = Db.Command(connection, """
            SELECT r.id, r.refreshed_at, r.runs::text, r.parameters::text, v.number,
                   (SELECT cv.number FROM catalog.dataset d JOIN catalog.dataset_version cv ON cv.id = d.current_version_id WHERE d.slug = @slug),
                   (SELECT cv.number FROM catalog.dataset d JOIN catalog.dataset_version cv ON cv.id = d.current_version_id WHERE d.slug = @buildings)
            FROM barometer.refresh r LEFT JOIN catalog.dataset_version v ON v.id = r.dataset_version_id
            WHERE r.id = (SELECT max(refresh_id) FROM barometer.area)
            """, ("slug", BarometerDataset.Slug), ("buildings", SolarDataset.Slug));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var runs = JsonSerializer.Deserialize<List<CountedRun>>(reader.GetString(2), JsonSerializerOptions.Web) ?? [];
        using var parameters = JsonDocument.Parse(reader.GetString(3));
        return new RefreshInfo(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), runs, parameters.RootElement.Clone(),
            reader.IsDBNull(4) ? null : reader.GetInt32(4), reader.IsDBNull(5) ? null : reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetInt32(6));
    }

    /// <summary>
    /// The stored areas: the region, every département, and the communes (of <paramref name="departement"/> only, when given),
    /// in level then code order.
    /// </summary>
    public Task<List<AreaFigures>> AreasAsync(string? departement, CancellationToken cancellationToken) =>
        Db.ListAsync(dataSource, $"""
            {Select}
            WHERE a.level <> 'commune' OR @dep::text IS NULL OR a.departement_code = @dep
            ORDER BY CASE a.level WHEN 'region' THEN 0 WHEN 'departement' THEN 1 ELSE 2 END, a.code
            """, Read, cancellationToken, ("dep", departement));

    /// <summary>One area by level and code (null code: the level's only row, i.e. the region), or null.</summary>
    public async Task<AreaFigures?> AreaAsync(string level, string? code, CancellationToken cancellationToken) =>
        (await Db.ListAsync(dataSource, $"{Select} WHERE a.level = @level AND (@code::text IS NULL OR a.code = @code) ORDER BY a.code LIMIT 1", Read,
            cancellationToken, ("level", level), ("code", code))).FirstOrDefault();

    /// <summary>
    /// The region's communes (and municipal arrondissements, which replace their commune when loaded) as a GeoJSON
    /// FeatureCollection in WGS 84, simplified to <paramref name="toleranceM"/> metres; properties code, name, level,
    /// departementCode. Only the communes of <paramref name="departement"/> when given.
    /// </summary>
    public async Task<string> BoundariesGeoJsonAsync(string? departement, double toleranceM, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = Db.Command(connection, """
            WITH units AS (
                SELECT b.code, b.name, b.level, b.geometry,
                       coalesce(barometer.departement_of_code(b.code), (
                           SELECT d.code FROM region.boundary d
                           WHERE d.level = 'departement' AND ST_Intersects(d.geometry, ST_PointOnSurface(b.geometry))
                           ORDER BY d.code LIMIT 1)) AS departement_code
                FROM region.boundary b
                WHERE b.level = 'arrondissement'
                   OR (b.level = 'commune' AND NOT EXISTS (
                        SELECT 1 FROM region.boundary x
                        WHERE x.level = 'arrondissement' AND ST_Contains(b.geometry, ST_PointOnSurface(x.geometry))))
            )
            SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
                       'type', 'Feature', 'id', u.code,
                       'geometry', ST_AsGeoJSON(ST_Transform(ST_SimplifyPreserveTopology(u.geometry, @tol), 4326), 5)::json,
                       'properties', json_build_object('code', u.code, 'name', u.name, 'level', u.level, 'departementCode', u.departement_code))
                       ORDER BY u.code), '[]'::json))::text
            FROM units u
            WHERE @dep::text IS NULL OR u.departement_code = @dep
            """, ("tol", toleranceM), ("dep", departement));
        return (string)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// The <paramref name="limit"/> computed buildings of a commune with the largest potential production (served result
    /// of each current building, <see cref="ServedSolarResults"/>; the commune by the barometer's rule, <c>barometer.commune_of</c>), with the
    /// nearest address within 30 m. Candidates are the buildings that touch the commune's boundary or lie within 30 m of one
    /// of its addresses, so a commune is read, never the region.
    /// </summary>
    public Task<List<CommuneBuilding>> TopBuildingsAsync(string communeCode, int limit, CancellationToken cancellationToken) =>
        Db.ListAsync(dataSource, $"""
            WITH candidates AS (
                SELECT b.id FROM region.boundary x
                JOIN region.building b ON ST_Intersects(b.footprint, x.geometry) AND b.retired_run_id IS NULL
                WHERE x.code = @code AND x.level IN ('commune', 'arrondissement')
                UNION
                SELECT b.id FROM region.address a
                JOIN region.building b ON ST_DWithin(a.point, b.footprint, 30) AND b.retired_run_id IS NULL
                WHERE a.commune_code = @code
            )
            SELECT l.building_id, addr.label, l.installable_kwp, l.annual_kwh_ac, l.usable_area_m2,
                   (SELECT max(f.suitability_class) FROM solar.face_result f WHERE f.run_id = l.run_id AND f.building_id = l.building_id)
            FROM candidates k
            JOIN region.building b ON b.id = k.id
            JOIN solar.building_result l ON l.building_id = k.id AND l.run_id = {ServedSolarResults.RunOf("k.id")}
            CROSS JOIN LATERAL barometer.commune_of(l.centre, b.footprint) c
            LEFT JOIN LATERAL (
                SELECT x.label FROM region.address x WHERE ST_DWithin(x.point, b.footprint, 30)
                ORDER BY ST_Distance(x.point, b.footprint), x.number NULLS LAST LIMIT 1) addr ON true
            WHERE l.status = 'ok' AND c.code = @code
            ORDER BY l.annual_kwh_ac DESC, l.building_id
            LIMIT @limit
            """, r => new CommuneBuilding(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4),
                r.IsDBNull(5) ? null : r.GetInt32(5)),
            cancellationToken, ("code", communeCode), ("limit", limit));

    private const string Select = """
        SELECT a.level, a.code, a.name, a.departement_code, d.name, a.buildings, a.buildings_ok, a.buildings_skipped, a.buildings_failed,
               a.roof_area_m2, a.usable_area_m2, a.mean_irradiation_kwh_per_m2, a.buildings_by_class, a.roof_area_by_class_m2,
               a.installable_mwp, a.potential_gwh_per_year, a.co2_avoidable_t_per_year, a.dwellings, a.buildings_with_dwelling_count,
               a.residential_use_gwh_per_year, a.installations, a.installed_mwp, a.runs
        FROM barometer.area a
        LEFT JOIN barometer.area d ON d.level = 'departement' AND d.code = a.departement_code
        """;

    private static AreaFigures Read(NpgsqlDataReader r)
    {
        double? D(int i) => r.IsDBNull(i) ? null : r.GetDouble(i);
        var analysed = r.GetInt32(6);
        var byClass = r.GetFieldValue<int[]>(12);
        var areaByClass = r.GetFieldValue<double[]>(13);
        var classArea = areaByClass.Sum();
        var suitability = byClass.Select((n, i) => new SuitabilityClassFigures(i + 1, n,
            analysed > 0 ? (double)n / analysed : null, areaByClass[i], classArea > 0 ? areaByClass[i] / classArea : null)).ToList();
        var potential = r.GetDouble(15);
        var residential = D(19);
        var installable = r.GetDouble(14);
        var installed = D(21);
        return new AreaFigures(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
            r.IsDBNull(4) ? null : r.GetString(4), r.GetInt32(5), analysed, r.GetInt32(7), r.GetInt32(8), r.GetDouble(9), r.GetDouble(10), D(11),
            suitability, installable, potential, r.GetDouble(16), r.GetInt64(17), r.GetInt32(18), residential,
            residential is > 0 ? potential / residential : null, r.IsDBNull(20) ? null : r.GetInt32(20), installed,
            installed is not null && installable > 0 ? installed / installable : null, r.GetFieldValue<long[]>(22));
    }
}
