using System.Globalization;
using Npgsql;
using SmartRegion.Data.Catalog;
using SmartRegion.Geo;

namespace SmartRegion.Data.Barometer;

/// <summary>
/// The barometer's commune rows as the platform's public dataset <c>solar-potential-by-commune</c>: each refresh whose
/// figures changed becomes its next version (made current in the refresh's transaction), with the refresh's provenance —
/// the solar runs counted, their model versions, and the assumptions with their sources.
/// </summary>
public static class BarometerDataset
{
    public const string Slug = "solar-potential-by-commune";

    /// <summary>The version format of a dataset the platform derives from solar results (not a file, not one run).</summary>
    public const string Format = "solar-aggregate";

    public static DatasetMetadata Metadata { get; } = SolarDataset.Metadata with
    {
        Title = "Potentiel solaire des toitures, par commune",
        // One line per paragraph: the Markdown renderer turns a single line break into <br>.
        DescriptionMd =
            "Le potentiel photovoltaïque des toitures calculé par SmartRegion, additionné par commune : bâtiments analysés, " +
            "surface de toit et surface utilisable (m²), répartition des bâtiments et des surfaces de toit par classe d'aptitude, " +
            "puissance installable (MWc), production potentielle (GWh/an), CO₂ évitable (t/an), part de la consommation " +
            "résidentielle estimée de la commune (logements de la BD TOPO × consommation moyenne par logement, source dans la " +
            "provenance de chaque version) et, quand un jeu d'installations existantes est publié, puissance installée. " +
            $"Contour de la commune en {RegionSettings.Current.StorageCrsName} (EPSG:{RegionSettings.Srid}), servi en WGS 84.\n\n" +
            "Chaque chiffre est la somme des résultats par bâtiment du jeu « solar-potential-buildings » (dernier calcul complet " +
            "de chaque bâtiment) ; la provenance de chaque version nomme les calculs comptés, leur version du modèle et les " +
            "hypothèses avec leurs sources.",
        Keywords = ["solaire", "photovoltaïque", "toitures", "cadastre solaire", "énergie", "communes", "baromètre"],
        Themes = ["ENER", "ENVI", "REGI"],
    };

    /// <summary>The dataset's fields (API name, SQL type, catalogue type) for <paramref name="classes"/> suitability classes.</summary>
    public static List<(string Name, string Sql, string Type)> Fields(int classes) =>
    [
        ("commune_code", "text", "text"),
        ("commune_name", "text", "text"),
        ("departement_code", "text", "text"),
        ("departement_name", "text", "text"),
        ("buildings", "bigint", "integer"),
        ("buildings_analysed", "bigint", "integer"),
        ("buildings_skipped", "bigint", "integer"),
        ("buildings_failed", "bigint", "integer"),
        ("roof_area_m2", "double precision", "number"),
        ("usable_area_m2", "double precision", "number"),
        ("mean_irradiation_kwh_per_m2", "double precision", "number"),
        .. Enumerable.Range(1, classes).Select(k => ($"buildings_class_{k}", "bigint", "integer")),
        .. Enumerable.Range(1, classes).Select(k => ($"roof_area_class_{k}_m2", "double precision", "number")),
        ("installable_mwp", "double precision", "number"),
        ("potential_gwh_per_year", "double precision", "number"),
        ("co2_avoidable_t_per_year", "double precision", "number"),
        ("dwellings", "bigint", "integer"),
        ("residential_use_gwh_per_year", "double precision", "number"),
        ("potential_share_of_residential_use", "double precision", "number"),
        ("installations", "bigint", "integer"),
        ("installed_mwp", "double precision", "number"),
        ("installed_share_of_installable", "double precision", "number"),
        ("solar_runs", "text", "text"),
        ("boundary", $"geometry(MultiPolygon, {RegionSettings.Srid})", "geometry"),
    ];

    /// <summary>
    /// Publishes the commune rows of refresh <paramref name="refreshId"/> as the next version, unless they equal the current
    /// version's (then says why it did not). Runs inside the refresh's transaction.
    /// </summary>
    internal static async Task<(int? Version, string? SkippedBecause)> PublishAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, long refreshId, int classes, CancellationToken cancellationToken)
    {
        // What the rows say, independent of the refresh that made them: equal to the current version's, nothing to publish.
        var rowsSql = RowsSql(classes);
        var content = (string)(await BarometerRefresh.Scalar(connection, tx, $"""
            SELECT encode(sha256(convert_to(coalesce(string_agg(md5(t::text), '' ORDER BY t.n), ''), 'UTF8')), 'hex')
            FROM ({rowsSql}) t
            """, cancellationToken))!;
        if (await BarometerRefresh.Scalar(connection, tx, "SELECT count(*) FROM barometer.area WHERE level = 'commune'", cancellationToken) is 0L)
        {
            return (null, "no commune has solar results");
        }
        var orgId = await PlatformDatasets.PlatformOrganisationAsync(connection, tx, cancellationToken);
        var datasetId = await PlatformDatasets.DatasetAsync(connection, tx, Slug, Metadata, orgId, cancellationToken);
        var current = await BarometerRefresh.Scalar(connection, tx, """
            SELECT v.provenance ->> 'contentSha256' FROM catalog.dataset d JOIN catalog.dataset_version v ON v.id = d.current_version_id
            WHERE d.id = @d AND v.format = @format
            """, cancellationToken, ("d", datasetId), ("format", Format)) as string;
        if (current == content)
        {
            return (null, "the figures by commune are those of the current version");
        }
        var provenance = (string)(await BarometerRefresh.Scalar(connection, tx, """
            SELECT jsonb_build_object('kind', @format, 'refreshId', r.id, 'refreshedAt', r.refreshed_at, 'runs', r.runs,
                       'parameters', r.parameters, 'parametersSha256', encode(sha256(convert_to(r.parameters::text, 'UTF8')), 'hex'),
                       'contentSha256', @content)::text
            FROM barometer.refresh r WHERE r.id = @refresh
            """, cancellationToken, ("format", Format), ("refresh", refreshId), ("content", content)))!;
        var (versionId, number, _) = await PlatformDatasets.PublishVersionAsync(connection, tx, datasetId, Format,
            $"barometer-refresh-{refreshId.ToString(CultureInfo.InvariantCulture)}", provenance, Fields(classes),
            $"SELECT t.* FROM ({rowsSql}) t ORDER BY t.n", [], cancellationToken);
        await BarometerRefresh.Exec(connection, tx, "UPDATE barometer.refresh SET dataset_version_id = @v WHERE id = @refresh",
            cancellationToken, ("v", versionId), ("refresh", refreshId));
        return (number, null);
    }

    /// <summary>One row per commune with results, in code order: the row number, then the values of <see cref="Fields"/>.</summary>
    private static string RowsSql(int classes) => $"""
        SELECT row_number() OVER (ORDER BY a.code) AS n, a.code, a.name, a.departement_code, d.name,
               a.buildings::bigint, a.buildings_ok::bigint, a.buildings_skipped::bigint, a.buildings_failed::bigint,
               a.roof_area_m2, a.usable_area_m2, a.mean_irradiation_kwh_per_m2,
               {string.Join(", ", Enumerable.Range(1, classes).Select(k => $"coalesce(a.buildings_by_class[{k}], 0)::bigint"))},
               {string.Join(", ", Enumerable.Range(1, classes).Select(k => $"coalesce(a.roof_area_by_class_m2[{k}], 0)"))},
               a.installable_mwp, a.potential_gwh_per_year, a.co2_avoidable_t_per_year,
               a.dwellings, a.residential_use_gwh_per_year, a.potential_gwh_per_year / nullif(a.residential_use_gwh_per_year, 0),
               a.installations::bigint, a.installed_mwp, a.installed_mwp / nullif(a.installable_mwp, 0),
               array_to_string(a.runs, ' '),
               (SELECT ST_Multi(b.geometry) FROM region.boundary b
                 WHERE b.level IN ('commune', 'arrondissement') AND b.code = a.code ORDER BY b.level = 'arrondissement' DESC LIMIT 1)
        FROM barometer.area a
        LEFT JOIN barometer.area d ON d.level = 'departement' AND d.code = a.departement_code
        WHERE a.level = 'commune'
        """;
}
