using System.Text.Json;
using Npgsql;
using SmartRegion.Data.Catalog.Uploads;
using SmartRegion.Geo;

namespace SmartRegion.Data.Catalog;

/// <summary>
/// Datasets the platform makes itself (the solar results, the barometer's aggregates): the platform organisation, the
/// dataset row, and a new version built by one INSERT … SELECT and made current — all inside the caller's transaction, so
/// readers see the previous version or the new one, never a mix.
/// </summary>
internal static class PlatformDatasets
{
    /// <summary>The platform organisation made when none exists (the DCAT catalogue names it as its publisher).</summary>
    public const string PlatformOrgSlug = "platform";

    /// <summary>The ids of the datasets the platform publishes itself: no other organisation may take them.</summary>
    public static readonly IReadOnlySet<string> ReservedSlugs = new HashSet<string>(StringComparer.Ordinal)
    {
        SolarDataset.Slug, SolarDataset.RoofFacesSlug, Barometer.BarometerDataset.Slug,
    };

    /// <summary>Whether <paramref name="orgId"/> is a platform organisation (kind 'platform').</summary>
    public static async Task<bool> IsPlatformOrganisationAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long orgId, CancellationToken cancellationToken) =>
        await ScalarAsync(connection, tx, "SELECT kind = 'platform' FROM catalog.organisation WHERE id = @o", cancellationToken, ("o", orgId)) is true;

    /// <summary>The platform organisation (kind 'platform'; the one named 'platform' first), created when there is none.</summary>
    public static async Task<long> PlatformOrganisationAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken)
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

    /// <summary>The dataset's id, created with its metadata the first time (public; later edits by its owner are kept).</summary>
    public static async Task<long> DatasetAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, string slug, DatasetMetadata m, long orgId, CancellationToken cancellationToken)
    {
        await using (var find = Db.Command(connection, tx, """
            SELECT id, owner_org_id FROM catalog.dataset WHERE slug = @slug ORDER BY owner_org_id = @org DESC, id LIMIT 1 FOR UPDATE
            """, ("slug", slug), ("org", orgId)))
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                return reader.GetInt64(1) == orgId
                    ? reader.GetInt64(0)
                    : throw new CatalogConflictException($"the dataset id '{slug}' belongs to another organisation than the platform; rename that dataset to let the platform publish it");
            }
        }
        return (long)(await ScalarAsync(connection, tx, """
            INSERT INTO catalog.dataset (slug, owner_org_id, title, description_md, licence_id, licence_uri, keywords, themes,
                update_frequency, visibility)
            VALUES (@slug, @org, @title, @desc, @lic, @licuri, @kw, @themes, @freq, @vis)
            RETURNING id
            """, cancellationToken, ("slug", slug), ("org", orgId), ("title", m.Title), ("desc", m.DescriptionMd), ("lic", m.LicenceId),
            ("licuri", Vocabulary.Licences[m.LicenceId]), ("kw", m.Keywords), ("themes", m.Themes), ("freq", m.UpdateFrequency),
            ("vis", m.Visibility)))!;
    }

    /// <summary>
    /// Builds a new version of <paramref name="datasetId"/> from <paramref name="rowsSql"/> (a SELECT of the row number then one
    /// value per field, in <paramref name="fields"/> order; exactly one field is a geometry in the storage CRS) and makes it current.
    /// Returns the version's id, number and row count. The publication is appended to the owner's audit trail.
    /// </summary>
    public static async Task<(long VersionId, int Number, long Rows)> PublishVersionAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, long datasetId, string format, string fileName, string provenanceJson,
        IReadOnlyList<(string Name, string Sql, string Type)> fields, string rowsSql, IReadOnlyList<(string Name, object? Value)> parameters,
        CancellationToken cancellationToken)
    {
        var previousVersionId = await ScalarAsync(connection, tx, "SELECT current_version_id FROM catalog.dataset WHERE id = @d", cancellationToken,
            ("d", datasetId)) as long?;
        long versionId;
        int number;
        await using (var cmd = Db.Command(connection, tx, """
            INSERT INTO catalog.dataset_version (dataset_id, number, status, format, file_name, byte_count, checksum_sha256, provenance)
            SELECT @d, coalesce(max(number), 0) + 1, 'processing', @format, @name, 0, '', @p::jsonb
            FROM catalog.dataset_version WHERE dataset_id = @d
            RETURNING id, number
            """, ("d", datasetId), ("format", format), ("name", fileName), ("p", provenanceJson)))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            versionId = reader.GetInt64(0);
            number = reader.GetInt32(1);
        }

        var table = RecordsLoader.Quote(RecordsLoader.TableName(versionId));
        var columns = fields.Select((f, i) => (f.Name, Column: $"f{i + 1}", f.Sql, f.Type)).ToList();
        await Exec(connection, tx, $"CREATE TABLE records.{table} (_row bigint NOT NULL, {string.Join(", ", columns.Select(c => $"{c.Column} {c.Sql}"))})", cancellationToken);
        long rows;
        await using (var fill = Db.Command(connection, tx, $"""
            INSERT INTO records.{table} (_row, {string.Join(", ", columns.Select(c => c.Column))})
            {rowsSql}
            """, [.. parameters]))
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
            WITH e AS (SELECT ST_Transform(ST_SetSRID(ST_Extent({geometry}), {RegionSettings.Srid}), 4326) AS box FROM records.{table})
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
            ("qualified", $"records.{table}"), ("communeCode", "^[0-9][0-9AB][0-9]{3}$"), ("buildings", SolarDataset.Slug)))
        {
            finish.CommandTimeout = 0;
            await finish.ExecuteNonQueryAsync(cancellationToken);
        }
        // The audit trail names the platform process that published it: "solar-run:12", "barometer-refresh:3".
        var dash = fileName.LastIndexOf('-');
        var actor = dash > 0 ? $"{fileName[..dash]}:{fileName[(dash + 1)..]}" : fileName;
        await VersionStore.AppendPublicationAuditAsync(connection, tx, datasetId, previousVersionId, number, rollback: false,
            new AuditActor(actor, null, null), cancellationToken);
        return (versionId, number, rows);
    }

    public static async Task<object?> ScalarAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var cmd = Db.Command(connection, tx, sql, parameters);
        var value = await cmd.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }

    public static async Task Exec(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
