using System.Globalization;
using System.Text.Json;
using Npgsql;
using SmartRegion.Data.Catalog.Uploads;
using SmartRegion.Geo;

namespace SmartRegion.Data.Catalog;

/// <summary>
/// What publishing a solar run did: the dataset's new version, or why nothing was published (<see cref="RunNotComplete"/>:
/// because the run does not exist or is not complete, rather than because it or a later run is already published).
/// </summary>
public sealed record SolarPublication(
    string DatasetSlug, int? VersionNumber, long RowCount, string? SkippedBecause, bool RunNotComplete = false, SolarPublication? RoofFaces = null);

/// <summary>
/// The platform's own solar results as a public catalogue dataset of the platform organisation: each complete solar
/// run becomes a new version holding its per-building results and its provenance, published as the current version
/// in the same transaction that builds it (readers see the previous version or the new one, never a mix). Earlier
/// versions stay in the history, so a rollback works as for any upload.
/// </summary>
public sealed class SolarDataset(NpgsqlDataSource dataSource)
{
    public const string Slug = "solar-potential-buildings";

    /// <summary>The platform organisation made when none exists (the DCAT catalogue names it as its publisher).</summary>
    public const string PlatformOrgSlug = PlatformDatasets.PlatformOrgSlug;

    // Serialises publishers (two processes finishing the same run, or two runs at once) across the whole cluster.
    private const long AdvisoryLockKey = 0x536f6c6172_4453; // "SolarDS"

    /// <summary>The metadata the buildings dataset starts with (declared before the definitions that read it).</summary>
    public static DatasetMetadata Metadata { get; } = new(
        Title: "Potentiel solaire des toitures, par bâtiment",
        // One line per paragraph: the Markdown renderer turns a single line break into <br>.
        DescriptionMd:
            "Potentiel photovoltaïque des toitures calculé par SmartRegion pour chaque bâtiment : surface de toit et surface " +
            "utilisable (m²), irradiation annuelle moyenne (kWh/m²/an, ombrage du relief et des bâtiments voisins compris), " +
            "puissance installable (kWc), production annuelle en courant alternatif (kWh/an) avec sa fourchette d'incertitude, " +
            "classe d'aptitude (1 à 5, celle du meilleur pan) et CO₂ évité. Identifiants de la source (cleabs de la BD TOPO, " +
            $"identifiant RNB), commune, adresse la plus proche et emprise au sol (stockée en {RegionSettings.Current.StorageCrsName}, EPSG:{RegionSettings.Srid} ; " +
            "servie en WGS 84 par l'API et les exports).\n\n" +
            "Chaque calcul complet publie une nouvelle version ; sa provenance (calcul, version du modèle, empreinte des " +
            "paramètres, station météo, chargements lus, durées) accompagne la version.",
        ContactName: null,
        ContactEmail: null,
        LicenceId: "etalab-2.0",
        Keywords: ["solaire", "photovoltaïque", "toitures", "cadastre solaire", "énergie", "bâtiments"],
        Themes: ["ENER", "ENVI"],
        SpatialBboxWgs84: null,
        SpatialCommunes: [],
        TemporalStart: null,
        TemporalEnd: null,
        UpdateFrequency: "IRREG",
        LandingPage: null,
        Visibility: "public");

    public const string RoofFacesSlug = "solar-potential-roof-faces";

    // The cleabs of a building: BD TOPO's id, kept in the attributes whatever the source name chosen at ingest.
    private const string Cleabs = "coalesce(b.attributes ->> 'cleabs', CASE WHEN b.source = 'bdtopo' THEN b.source_id END)";

    /// <summary>One dataset a run publishes: its fields (name in the API, SQL type, catalogue type) and the rows of a run (@run).</summary>
    private sealed record Definition(string Slug, DatasetMetadata Metadata, (string Name, string Sql, string Type)[] Fields, string Rows);

    private static readonly Definition Buildings = new(Slug, Metadata,
    [
        ("building_id", "bigint", "integer"),
        ("source", "text", "text"),
        ("source_id", "text", "text"),
        ("cleabs", "text", "text"),
        ("rnb_id", "text", "text"),
        ("commune_code", "text", "text"),
        ("commune_name", "text", "text"),
        ("address", "text", "text"),
        ("status", "text", "text"),
        ("reason", "text", "text"),
        ("roof_origin", "text", "text"),
        ("roof_area_m2", "double precision", "number"),
        ("usable_area_m2", "double precision", "number"),
        ("mean_irradiation_kwh_per_m2", "double precision", "number"),
        ("panel_count", "bigint", "integer"),
        ("installable_kwp", "double precision", "number"),
        ("annual_kwh_ac", "double precision", "number"),
        ("suitability_class", "bigint", "integer"),
        ("annual_kwh_ac_low", "double precision", "number"),
        ("annual_kwh_ac_high", "double precision", "number"),
        ("co2_avoided_kg_per_year", "double precision", "number"),
        ("footprint", $"geometry(MultiPolygon, {RegionSettings.Srid})", "geometry"),
    ],
    // One row per building of the run (skipped and failed ones too, with their reason), in building id order.
    $"""
        SELECT row_number() OVER (ORDER BY br.building_id), br.building_id, b.source, b.source_id, {Cleabs},
               b.attributes ->> 'identifiants_rnb',
               coalesce(c.code, a.commune_code), coalesce(c.name, a.commune_name), a.label,
               br.status, br.reason, br.roof_origin, br.roof_area_m2, br.usable_area_m2, br.mean_irradiation_kwh_per_m2,
               br.panel_count, br.installable_kwp, br.annual_kwh_ac,
               (SELECT max(f.suitability_class) FROM solar.face_result f WHERE f.run_id = br.run_id AND f.building_id = br.building_id),
               (br.uncertainty ->> 'annualKwhAcLow')::double precision, (br.uncertainty ->> 'annualKwhAcHigh')::double precision,
               br.co2_avoided_kg_per_year, b.footprint
        FROM solar.building_result br
        JOIN region.building b ON b.id = br.building_id
        LEFT JOIN LATERAL (
            SELECT x.code, x.name FROM region.boundary x
            WHERE x.level IN ('commune', 'arrondissement') AND ST_Intersects(x.geometry, br.centre)
            ORDER BY x.level = 'arrondissement' DESC LIMIT 1) c ON true
        LEFT JOIN LATERAL (
            SELECT x.label, x.commune_code, x.commune_name FROM region.address x
            WHERE ST_DWithin(x.point, b.footprint, 30)
            ORDER BY ST_Distance(x.point, b.footprint), x.number NULLS LAST LIMIT 1) a ON true
        WHERE br.run_id = @run
        """);

    private static readonly Definition RoofFaces = new(RoofFacesSlug, Metadata with
    {
        Title = "Potentiel solaire des toitures, par pan de toit",
        DescriptionMd =
            "Chaque pan de toit des bâtiments calculés par SmartRegion : origine (LOD2 ou déduit de l'emprise), inclinaison et " +
            "azimut (degrés, azimut compté de 0 au nord vers l'est), surfaces (m²), irradiation annuelle (kWh/m²/an), perte " +
            "par ombrage, classe d'aptitude (1 à 5), panneaux, puissance installable (kWc), production annuelle en courant " +
            $"alternatif (kWh/an) et polygone 3D du pan ({RegionSettings.Current.StorageCrsName}, EPSG:{RegionSettings.Srid}, altitudes NGF-IGN69 ; servi en WGS 84).\n\n" +
            "Publié avec le jeu « par bâtiment » à chaque calcul complet, avec la même provenance.",
        Keywords = [.. Metadata.Keywords, "pans de toit"],
    },
    [
        ("building_id", "bigint", "integer"),
        ("cleabs", "text", "text"),
        ("face_no", "bigint", "integer"),
        ("origin", "text", "text"),
        ("tilt_deg", "double precision", "number"),
        ("azimuth_deg", "double precision", "number"),
        ("area_m2", "double precision", "number"),
        ("usable_area_m2", "double precision", "number"),
        ("annual_irradiation_kwh_per_m2", "double precision", "number"),
        ("shading_loss_fraction", "double precision", "number"),
        ("suitability_class", "bigint", "integer"),
        ("panel_count", "bigint", "integer"),
        ("installable_kwp", "double precision", "number"),
        ("annual_kwh_ac", "double precision", "number"),
        ("polygon", $"geometry(PolygonZ, {RegionSettings.Srid})", "geometry"),
    ],
    $"""
        SELECT row_number() OVER (ORDER BY f.building_id, f.face_no), f.building_id, {Cleabs}, f.face_no, f.origin,
               f.tilt_deg, f.azimuth_deg, f.area_m2, f.usable_area_m2, f.annual_irradiation_kwh_per_m2, f.shading_loss_fraction,
               f.suitability_class, f.panel_count, f.installable_kwp, f.annual_kwh_ac, f.polygon
        FROM solar.face_result f JOIN region.building b ON b.id = f.building_id
        WHERE f.run_id = @run
        """);

    /// <summary>
    /// Publishes <paramref name="runId"/> as the dataset's new current version when the run is complete and has not
    /// been published yet; a running, failed or cancelled run never publishes, and a run older than the current
    /// version's does not replace it. Creates the platform organisation and the dataset when missing.
    /// </summary>
    public async Task<SolarPublication> PublishRunAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCmd = Db.Command(connection, tx, "SELECT pg_advisory_xact_lock(@k)", ("k", AdvisoryLockKey)))
        {
            await lockCmd.ExecuteNonQueryAsync(cancellationToken);
        }
        var provenance = await ProvenanceAsync(connection, tx, runId, cancellationToken);
        if (provenance is null)
        {
            return new SolarPublication(Slug, null, 0, $"solar run {runId} does not exist", RunNotComplete: true);
        }
        if (provenance.Value.Status != "complete")
        {
            return new SolarPublication(Slug, null, 0, $"solar run {runId} is {provenance.Value.Status}, not complete", RunNotComplete: true);
        }
        var orgId = await PlatformDatasets.PlatformOrganisationAsync(connection, tx, cancellationToken);
        var buildings = await PublishAsync(connection, tx, Buildings, orgId, runId, provenance.Value.Json, cancellationToken);
        var faces = await PublishAsync(connection, tx, RoofFaces, orgId, runId, provenance.Value.Json, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return buildings with { RoofFaces = faces };
    }

    /// <summary>Builds the run's rows of one dataset into a new version and makes it current, inside the caller's transaction.</summary>
    private static async Task<SolarPublication> PublishAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, Definition definition, long orgId, long runId, string provenanceJson,
        CancellationToken cancellationToken)
    {
        var datasetId = await PlatformDatasets.DatasetAsync(connection, tx, definition.Slug, definition.Metadata, orgId, cancellationToken);
        var latest = await PlatformDatasets.ScalarAsync(connection, tx, """
            SELECT max((provenance ->> 'runId')::bigint) FROM catalog.dataset_version WHERE dataset_id = @d AND format = 'solar-run'
            """, cancellationToken, ("d", datasetId)) as long?;
        if (latest is { } l && l >= runId)
        {
            return new SolarPublication(definition.Slug, null, 0, l == runId
                ? $"solar run {runId} is already published"
                : $"a later solar run ({l}) is already published");
        }

        var (_, number, rows) = await PlatformDatasets.PublishVersionAsync(connection, tx, datasetId, "solar-run",
            $"solar-run-{runId.ToString(CultureInfo.InvariantCulture)}", provenanceJson, definition.Fields, definition.Rows, [("run", runId)],
            cancellationToken);
        return new SolarPublication(definition.Slug, number, rows, null);
    }

    /// <summary>The latest complete solar run, or null when there is none.</summary>
    public Task<long?> LatestCompleteRunAsync(CancellationToken cancellationToken) =>
        Db.ScalarAsync<long?>(dataSource, "SELECT max(id) FROM solar.run WHERE status = 'complete'", cancellationToken);

    /// <summary>The run's provenance document and status, or null when there is no such run.</summary>
    private static async Task<(string Status, string Json)?> ProvenanceAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long runId, CancellationToken cancellationToken)
    {
        await using var cmd = Db.Command(connection, tx, """
            SELECT r.status, jsonb_build_object(
                'kind', 'solar-run',
                'runId', r.id,
                'modelVersion', r.model_version,
                'parametersSha256', encode(sha256(convert_to(r.parameters::text, 'UTF8')), 'hex'),
                'area', r.area,
                'tileSizeM', r.tile_size_m,
                'weatherStation', CASE WHEN s.id IS NULL THEN NULL ELSE jsonb_build_object(
                    'id', s.id, 'name', s.name, 'source', s.source, 'licence', s.licence,
                    'latitudeDeg', ST_Y(s.location_wgs84), 'longitudeDeg', ST_X(s.location_wgs84)) END,
                'ingestRuns', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', i.id, 'kind', i.kind, 'source', i.source,
                                   'fileName', i.file_name, 'fileSha256', i.file_sha256) ORDER BY i.id), '[]'::jsonb)
                               FROM region.ingest_run i WHERE i.id = ANY(r.ingest_run_ids)),
                'buildings', (SELECT jsonb_build_object('total', count(*), 'ok', count(*) FILTER (WHERE status = 'ok'),
                                  'skipped', count(*) FILTER (WHERE status = 'skipped'), 'failed', count(*) FILTER (WHERE status = 'failed'))
                              FROM solar.building_result WHERE run_id = r.id),
                'timings', r.timings,
                'startedAt', r.created_at,
                'completedAt', r.finished_at)::text
            FROM solar.run r LEFT JOIN weather.station s ON s.id = r.station_id
            WHERE r.id = @run
            """, ("run", runId));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetString(1)) : null;
    }
}
