using System.Globalization;
using System.Text.Json;
using Npgsql;
using SmartRegion.Data.Catalog.Uploads;

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
    public const string PlatformOrgSlug = "platform";

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
            "identifiant RNB), commune, adresse la plus proche et emprise au sol (stockée en Lambert-93, EPSG:2154 ; " +
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
        ("footprint", "geometry(MultiPolygon, 2154)", "geometry"),
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
            "alternatif (kWh/an) et polygone 3D du pan (Lambert-93, EPSG:2154, altitudes NGF-IGN69 ; servi en WGS 84).\n\n" +
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
        ("polygon", "geometry(PolygonZ, 2154)", "geometry"),
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
        var orgId = await PlatformOrganisationAsync(connection, tx, cancellationToken);
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
        var datasetId = await DatasetAsync(connection, tx, definition, orgId, cancellationToken);
        var latest = await ScalarAsync(connection, tx, """
            SELECT max((provenance ->> 'runId')::bigint) FROM catalog.dataset_version WHERE dataset_id = @d AND format = 'solar-run'
            """, cancellationToken, ("d", datasetId)) as long?;
        if (latest is { } l && l >= runId)
        {
            return new SolarPublication(definition.Slug, null, 0, l == runId
                ? $"solar run {runId} is already published"
                : $"a later solar run ({l}) is already published");
        }

        long versionId;
        int number;
        await using (var cmd = Db.Command(connection, tx, """
            INSERT INTO catalog.dataset_version (dataset_id, number, status, format, file_name, byte_count, checksum_sha256, provenance)
            SELECT @d, coalesce(max(number), 0) + 1, 'processing', 'solar-run', @name, 0, '', @p::jsonb
            FROM catalog.dataset_version WHERE dataset_id = @d
            RETURNING id, number
            """, ("d", datasetId), ("name", $"solar-run-{runId.ToString(CultureInfo.InvariantCulture)}"), ("p", provenanceJson)))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            versionId = reader.GetInt64(0);
            number = reader.GetInt32(1);
        }

        var table = RecordsLoader.Quote(RecordsLoader.TableName(versionId));
        var columns = definition.Fields.Select((f, i) => (f.Name, Column: $"f{i + 1}", f.Sql, f.Type)).ToList();
        await Exec(connection, tx, $"CREATE TABLE records.{table} (_row bigint NOT NULL, {string.Join(", ", columns.Select(c => $"{c.Column} {c.Sql}"))})", cancellationToken);
        long rows;
        await using (var fill = Db.Command(connection, tx, $"""
            INSERT INTO records.{table} (_row, {string.Join(", ", columns.Select(c => c.Column))})
            {definition.Rows}
            """, ("run", runId)))
        {
            fill.CommandTimeout = 0;
            rows = await fill.ExecuteNonQueryAsync(cancellationToken);
        }
        var geometry = columns.Single(c => c.Type == "geometry").Column;
        await Exec(connection, tx, $"CREATE UNIQUE INDEX ON records.{table} (_row)", cancellationToken);
        await Exec(connection, tx, $"CREATE INDEX ON records.{table} USING gist ({geometry})", cancellationToken);
        // The communes of the rows, or (a dataset without a commune field) those of the buildings dataset just published.
        var communes = columns.Where(c => c.Name == "commune_code").Select(c => c.Column).FirstOrDefault() is { } commune
            ? $"SELECT array_agg(DISTINCT {commune} ORDER BY {commune}) FROM records.{table} WHERE {commune} ~ @communeCode"
            : "SELECT spatial_communes FROM catalog.dataset WHERE slug = @buildings";

        var schema = JsonSerializer.Serialize(new { fields = columns.Select(c => new FieldSchema(c.Name, c.Column, c.Type, 1)) }, JsonSerializerOptions.Web);
        await using (var finish = Db.Command(connection, tx, $"""
            WITH e AS (SELECT ST_Transform(ST_SetSRID(ST_Extent({geometry}), 2154), 4326) AS box FROM records.{table})
            UPDATE catalog.dataset_version v SET
                status = 'published', published_at = now(), processed_at = now(), row_count = @rows, records_table = @t,
                has_geometry = true, schema_json = @schema::jsonb,
                bbox_wgs84 = (SELECT CASE WHEN box IS NULL THEN NULL ELSE ARRAY[ST_XMin(box), ST_YMin(box), ST_XMax(box), ST_YMax(box)] END FROM e),
                -- A checksum of the content (one md5 per row, in row order), so two versions can be compared.
                checksum_sha256 = (SELECT encode(sha256(convert_to(coalesce(string_agg(md5(r::text), '' ORDER BY r._row), ''), 'UTF8')), 'hex')
                                   FROM records.{table} r),
                byte_count = pg_total_relation_size(@qualified::regclass)
            WHERE v.id = @v;
            UPDATE catalog.dataset_version SET status = 'superseded'
             WHERE id = (SELECT current_version_id FROM catalog.dataset WHERE id = @d);
            UPDATE catalog.dataset d SET current_version_id = @v, modified_at = now(),
                spatial_bbox_wgs84 = (SELECT bbox_wgs84 FROM catalog.dataset_version WHERE id = @v),
                spatial_communes = coalesce(({communes}), ARRAY[]::text[])
             WHERE d.id = @d;
            """, ("rows", rows), ("t", RecordsLoader.TableName(versionId)), ("schema", schema), ("v", versionId), ("d", datasetId),
            ("qualified", $"records.{table}"), ("communeCode", "^[0-9][0-9AB][0-9]{3}$"), ("buildings", Slug)))
        {
            finish.CommandTimeout = 0;
            await finish.ExecuteNonQueryAsync(cancellationToken);
        }
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

    /// <summary>The platform organisation (kind 'platform'; the one named 'platform' first), created when there is none.</summary>
    private static async Task<long> PlatformOrganisationAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        const string Find = "SELECT id FROM catalog.organisation WHERE kind = 'platform' ORDER BY slug <> @slug, id LIMIT 1";
        if (await ScalarAsync(connection, tx, Find, cancellationToken, ("slug", PlatformOrgSlug)) is long id)
        {
            return id;
        }
        // The usual slug may belong to an organisation of another kind: then the platform takes a longer one.
        return (long)(await ScalarAsync(connection, tx, """
            INSERT INTO catalog.organisation (slug, name, kind)
            SELECT CASE WHEN EXISTS (SELECT 1 FROM catalog.organisation WHERE slug = @slug) THEN 'smartregion-platform' ELSE @slug END,
                   'SmartRegion', 'platform'
            RETURNING id
            """, cancellationToken, ("slug", PlatformOrgSlug)))!;
    }

    /// <summary>The dataset's id, created with its metadata on the first run (public; later edits by its owner are kept).</summary>
    private static async Task<long> DatasetAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Definition definition, long orgId, CancellationToken cancellationToken)
    {
        var slug = definition.Slug;
        await using (var find = Db.Command(connection, tx, "SELECT id, owner_org_id FROM catalog.dataset WHERE slug = @slug FOR UPDATE", ("slug", slug)))
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                return reader.GetInt64(1) == orgId
                    ? reader.GetInt64(0)
                    : throw new CatalogConflictException($"the dataset id '{slug}' belongs to another organisation than the platform; rename that dataset to let solar runs publish");
            }
        }
        var m = definition.Metadata;
        return (long)(await ScalarAsync(connection, tx, """
            INSERT INTO catalog.dataset (slug, owner_org_id, title, description_md, licence_id, licence_uri, keywords, themes,
                update_frequency, visibility)
            VALUES (@slug, @org, @title, @desc, @lic, @licuri, @kw, @themes, @freq, @vis)
            RETURNING id
            """, cancellationToken, ("slug", slug), ("org", orgId), ("title", m.Title), ("desc", m.DescriptionMd), ("lic", m.LicenceId),
            ("licuri", Vocabulary.Licences[m.LicenceId]), ("kw", m.Keywords), ("themes", m.Themes), ("freq", m.UpdateFrequency),
            ("vis", m.Visibility)))!;
    }

    private static async Task<object?> ScalarAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var cmd = Db.Command(connection, tx, sql, parameters);
        var value = await cmd.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }

    private static async Task Exec(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
