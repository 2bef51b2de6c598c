using System.Text.Json;
using Npgsql;

namespace SmartRegion.Data.Catalog;

/// <summary>
/// Datasets, their grants and access log. Visibility is decided by <see cref="AccessPolicy"/> and, for lists, by the same rule in SQL.
/// <paramref name="gateSource"/> (the API's stateless pool on the same primary, see <c>SmartRegionDatabase.StatelessOptions</c>)
/// runs the gate's single statements (<see cref="FindAsync"/>, <see cref="AccessAsync"/>); by default <paramref name="dataSource"/>.
/// With <paramref name="cache"/> (the API's), their answers are kept in memory until a change to what they read
/// (<see cref="GateCache"/>: never served once a change committed before the request).
/// </summary>
public sealed class DatasetStore(NpgsqlDataSource dataSource, NpgsqlDataSource? gateSource = null, GateCache? cache = null)
{
    private readonly NpgsqlDataSource _gate = gateSource ?? dataSource;

    internal const string DatasetColumns = """
        d.id, d.slug, d.owner_org_id, o.slug AS org_slug, o.name AS org_name, d.title, d.description_md, d.contact_name,
        d.contact_email, d.licence_id, d.keywords, d.themes, d.spatial_bbox_wgs84, d.spatial_communes, d.temporal_start,
        d.temporal_end, d.update_frequency, d.landing_page, d.visibility, d.current_version_id, cv.number AS cv_number,
        cv.format AS cv_format, coalesce(cv.has_geometry, false) AS cv_geometry, d.created_at, d.modified_at,
        cv.provenance::text AS cv_provenance, cv.row_count AS cv_rows
        """;

    /// <summary>How many columns <see cref="DatasetColumns"/> selects: what a query adds after them starts at this index.</summary>
    internal const int DatasetColumnCount = 27;

    internal const string DatasetFrom = """
        catalog.dataset d JOIN catalog.organisation o ON o.id = d.owner_org_id
        LEFT JOIN catalog.dataset_version cv ON cv.id = d.current_version_id
        """;

    /// <summary>The SQL twin of <see cref="AccessPolicy.Decide"/> for lists: @admin (bool) and @orgs (bigint[]) are the caller.</summary>
    internal const string VisibleToCaller = """
        (@admin OR d.owner_org_id = ANY(@orgs) OR d.visibility = 'public'
         OR (d.visibility = 'restricted' AND EXISTS (
             SELECT 1 FROM catalog.dataset_grant g WHERE g.dataset_id = d.id AND g.grantee_org_id = ANY(@orgs)
             AND g.revoked_at IS NULL AND g.expires_at > now())))
        """;

    /// <summary>
    /// Creates a dataset of <paramref name="ownerOrgId"/>. The id is taken (409) only when that organisation can already see a
    /// dataset by that id (its own, a public one, a restricted one granted to it): another organisation's hidden dataset
    /// never makes the answer differ (property 2). The platform's own ids (<see cref="PlatformDatasets.ReservedSlugs"/>)
    /// are refused to every other organisation (422).
    /// </summary>
    public async Task<DatasetRecord> CreateAsync(string slug, long ownerOrgId, DatasetMetadata metadata, long? createdBy, CancellationToken cancellationToken,
        AuditActor? by = null)
    {
        if (!DatasetMetadata.IsSlug(slug))
        {
            throw new CatalogValidationException("id", "id must be a slug: 2–100 characters a-z, 0-9 and '-', starting with a letter or digit");
        }
        metadata.Validate();
        long id;
        try
        {
            id = await Db.InTransactionAsync(dataSource, async (connection, tx) =>
            {
                if (PlatformDatasets.ReservedSlugs.Contains(slug) && !await PlatformDatasets.IsPlatformOrganisationAsync(connection, tx, ownerOrgId, cancellationToken))
                {
                    throw new CatalogValidationException("id", $"the id '{slug}' is reserved for the platform's own dataset; choose another id");
                }
                if (await Db.ScalarAsync<bool>(connection, tx, $"""
                    SELECT EXISTS (SELECT 1 FROM catalog.dataset d WHERE d.slug = @slug AND ({VisibleToOrg}))
                    """, cancellationToken, ("slug", slug), ("org", ownerOrgId)))
                {
                    throw new CatalogConflictException($"a dataset with id '{slug}' already exists");
                }
                await using var cmd = Db.Command(connection, tx, """
                    INSERT INTO catalog.dataset (slug, owner_org_id, title, description_md, contact_name, contact_email, licence_id,
                        licence_uri, keywords, themes, spatial_bbox_wgs84, spatial_communes, temporal_start, temporal_end,
                        update_frequency, landing_page, visibility, created_by)
                    VALUES (@slug, @owner, @title, @desc, @cname, @cmail, @lic, @licuri, @kw, @themes, @bbox, @communes, @ts, @te,
                        @freq, @landing, @vis, @by)
                    RETURNING id
                    """, [("slug", slug), ("owner", ownerOrgId), .. MetadataParameters(metadata), ("by", createdBy)]);
                var created = (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
                await AuditLog.AppendAsync(connection, tx, [(by ?? AuditActor.Cli).Did(ownerOrgId, "dataset.created", $"dataset:{slug}",
                    new Dictionary<string, object?> { ["visibility"] = metadata.Visibility })], cancellationToken);
                return created;
            }, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // A concurrent creation of the same id by the same organisation, or of a second public dataset by that id.
            throw new CatalogConflictException($"a dataset with id '{slug}' already exists", "dataset_exists");
        }
        return (await FindAsync(slug, Caller.Anonymous with { IsPlatformAdmin = true }, cancellationToken, id)).Dataset!;
    }

    /// <summary>The datasets organisation @org can see (SQL over catalog.dataset d): its own, public ones, restricted ones granted to it.</summary>
    private const string VisibleToOrg = """
        d.owner_org_id = @org OR d.visibility = 'public'
        OR (d.visibility = 'restricted' AND EXISTS (
            SELECT 1 FROM catalog.dataset_grant g WHERE g.dataset_id = d.id AND g.grantee_org_id = @org
            AND g.revoked_at IS NULL AND g.expires_at > now()))
        """;

    /// <summary>
    /// The dataset and what the caller may do with it. The same statement runs whether or not the slug exists
    /// or is visible, so the answer time does not tell them apart. When several organisations use the id, the caller gets
    /// its own organisation's dataset first, then the public one, then one granted to it (oldest first);
    /// <paramref name="datasetId"/> names one exactly.
    /// </summary>
    public async Task<(DatasetRecord? Dataset, DatasetAccess Access)> FindAsync(string slug, Caller caller, CancellationToken cancellationToken,
        long? datasetId = null)
    {
        var orgs = caller.OrgIds;
        var (dataset, grants) = cache is null
            ? (await ReadFindAsync(slug, orgs, datasetId, cancellationToken)).Answer
            : await cache.GetAsync($"find\n{slug}\n{datasetId}\n{OrgsKey(orgs)}", ct => ReadFindAsync(slug, orgs, datasetId, ct), cancellationToken);
        return dataset is null ? (null, DatasetAccess.None)
            : (dataset, AccessPolicy.Decide(caller, dataset.Metadata.Visibility, dataset.OwnerOrgId, grants));
    }

    /// <summary>What the gate reads for a caller: the dataset (null: none by that id for these organisations) and their active grants on it.</summary>
    private sealed record FoundDataset(DatasetRecord? Dataset, List<ActiveGrant> Grants);

    private static string OrgsKey(long[] orgs) => orgs.Length switch
    {
        0 => "",
        1 => orgs[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => string.Join(',', orgs.Order()),
    };

    /// <summary>
    /// How long an answer holding the grants of @orgs on the datasets <paramref name="where"/> selects (SQL over
    /// catalog.dataset x) stays true by itself: until the first of those grants expires (seconds, PostgreSQL's clock; null
    /// when none expires).
    /// </summary>
    private static string GrantsLifetime(string where) => $"""
        (SELECT extract(epoch FROM min(g.expires_at) - now())::float8
         FROM catalog.dataset x JOIN catalog.dataset_grant g ON g.dataset_id = x.id
         WHERE {where} AND g.grantee_org_id = ANY(@orgs) AND g.revoked_at IS NULL AND g.expires_at > now())
        """;

    private static TimeSpan? Lifetime(NpgsqlDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : TimeSpan.FromSeconds(reader.GetDouble(column));

    private async Task<(FoundDataset Answer, TimeSpan? Lifetime)> ReadFindAsync(string slug, long[] orgs, long? datasetId,
        CancellationToken cancellationToken)
    {
        await using var connection = await _gate.OpenConnectionAsync(cancellationToken);
        await using var cmd = Db.Command(connection, $"""
            SELECT {DatasetColumns}, {CallersActiveGrants}, {GrantsLifetime("x.slug = @slug")}
            FROM (SELECT @slug::text AS slug) wanted
            LEFT JOIN LATERAL (
                SELECT x.id FROM catalog.dataset x
                WHERE x.slug = wanted.slug AND (@id::bigint IS NULL OR x.id = @id)
                ORDER BY x.owner_org_id = ANY(@orgs) DESC, x.visibility = 'public' DESC,
                         EXISTS (SELECT 1 FROM catalog.dataset_grant g WHERE g.dataset_id = x.id AND g.grantee_org_id = ANY(@orgs)
                                 AND g.revoked_at IS NULL AND g.expires_at > now()) DESC,
                         x.id
                LIMIT 1) chosen ON true
            LEFT JOIN {DatasetFrom} ON d.id = chosen.id
            """, ("slug", slug), ("orgs", orgs), ("id", datasetId));
        // Prepared (the id typed, null or not, so both share one preparation): this is the gate of every explore, OGC and
        // tile request, and planning it cost more than running it.
        cmd.Parameters["id"].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint;
        await cmd.PrepareAsync(cancellationToken);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var lifetime = Lifetime(reader, DatasetColumnCount + 1);
        return reader.IsDBNull(0)
            ? (new FoundDataset(null, []), lifetime)
            : (new FoundDataset(MapDataset(reader), ParseGrants(reader.GetString(DatasetColumnCount))), lifetime);
    }

    /// <summary>The active grants of dataset d to the caller's organisations (@orgs), as JSON text for <see cref="ParseGrants"/>.</summary>
    private const string CallersActiveGrants = """
        (SELECT coalesce(json_agg(json_build_object('id', g.id, 'org', g.grantee_org_id, 'fields', g.fields,
             'rowFilter', g.row_filter)), '[]')::text
         FROM catalog.dataset_grant g
         WHERE g.dataset_id = d.id AND g.grantee_org_id = ANY(@orgs) AND g.revoked_at IS NULL AND g.expires_at > now())
        """;

    /// <summary>
    /// What the caller may do with each of the datasets <paramref name="datasetIds"/> (a missing id is absent from the
    /// answer): <see cref="AccessPolicy.Decide"/> on each one's visibility, owner and the caller's active grants, as
    /// <see cref="FindAsync"/> decides — one prepared statement for all, for gates that run on every call of a hot
    /// endpoint (the solar API's, over the platform's solar datasets).
    /// </summary>
    public async Task<List<(long Id, string Visibility, long OwnerOrgId, DatasetAccess Access)>> AccessAsync(long[] datasetIds, Caller caller,
        CancellationToken cancellationToken)
    {
        var orgs = caller.OrgIds;
        var rows = cache is null
            ? (await ReadAccessAsync(datasetIds, orgs, cancellationToken)).Answer
            : await cache.GetAsync($"access\n{string.Join(',', datasetIds)}\n{OrgsKey(orgs)}", ct => ReadAccessAsync(datasetIds, orgs, ct), cancellationToken);
        var list = new List<(long, string, long, DatasetAccess)>(rows.Count);
        foreach (var (id, visibility, owner, grants) in rows)
        {
            list.Add((id, visibility, owner, AccessPolicy.Decide(caller, visibility, owner, grants)));
        }
        return list;
    }

    private async Task<(List<(long Id, string Visibility, long OwnerOrgId, List<ActiveGrant> Grants)> Answer, TimeSpan? Lifetime)> ReadAccessAsync(
        long[] datasetIds, long[] orgs, CancellationToken cancellationToken)
    {
        await using var connection = await _gate.OpenConnectionAsync(cancellationToken);
        await using var cmd = await Db.PreparedAsync(connection, $"""
            SELECT d.id, d.visibility, d.owner_org_id, {CallersActiveGrants}, {GrantsLifetime("x.id = d.id")}
            FROM catalog.dataset d
            WHERE d.id = ANY(@ids)
            """, cancellationToken, ("ids", datasetIds), ("orgs", orgs));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var rows = new List<(long, string, long, List<ActiveGrant>)>(datasetIds.Length);
        TimeSpan? lifetime = null;
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), ParseGrants(reader.GetString(3))));
            if (Lifetime(reader, 4) is { } l && (lifetime is null || l < lifetime))
            {
                lifetime = l;
            }
        }
        return (rows, lifetime);
    }

    /// <summary>The row id of the platform organisation's dataset <paramref name="slug"/>, or null while it was never published.</summary>
    public Task<long?> PlatformDatasetIdAsync(string slug, CancellationToken cancellationToken) =>
        Db.ScalarAsync<long?>(dataSource, """
            SELECT d.id FROM catalog.dataset d JOIN catalog.organisation o ON o.id = d.owner_org_id
            WHERE o.slug = @org AND d.slug = @slug
            """, cancellationToken, ("org", PlatformDatasets.PlatformOrgSlug), ("slug", slug));

    /// <summary>
    /// Replaces the metadata (the caller merged a PATCH onto the current values, so absent fields keep theirs), only if
    /// the dataset is still as the editor read it (<paramref name="expectedModified"/>, its ETag; null: unconditionally):
    /// false when someone changed it meanwhile, and nothing is overwritten. A change of visibility is recorded in the
    /// owner's audit trail in the same transaction.
    /// </summary>
    public async Task<bool> UpdateAsync(long datasetId, DatasetMetadata metadata, CancellationToken cancellationToken, AuditActor? by = null,
        DateTimeOffset? expectedModified = null)
    {
        metadata.Validate();
        try
        {
            return await UpdateInTransactionAsync(datasetId, metadata, by, expectedModified, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "dataset_public_slug")
        {
            // Another organisation's dataset by this id is public: no secret, so the answer says so.
            throw new CatalogConflictException("a public dataset with this id already exists (another organisation's); rename this one before making it public");
        }
    }

    private Task<bool> UpdateInTransactionAsync(long datasetId, DatasetMetadata metadata, AuditActor? by, DateTimeOffset? expected,
        CancellationToken cancellationToken) =>
        Db.InTransactionAsync(dataSource, async (connection, tx) =>
        {
            (string Slug, long Owner, string Visibility)? before = null;
            await using (var read = Db.Command(connection, tx, "SELECT slug, owner_org_id, visibility FROM catalog.dataset WHERE id = @id FOR UPDATE", ("id", datasetId)))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken))
                {
                    before = (reader.GetString(0), reader.GetInt64(1), reader.GetString(2));
                }
            }
            await using (var cmd = Db.Command(connection, tx, """
                UPDATE catalog.dataset SET title = @title, description_md = @desc, contact_name = @cname, contact_email = @cmail,
                    licence_id = @lic, licence_uri = @licuri, keywords = @kw, themes = @themes, spatial_bbox_wgs84 = @bbox,
                    spatial_communes = @communes, temporal_start = @ts, temporal_end = @te, update_frequency = @freq,
                    landing_page = @landing, visibility = @vis, modified_at = greatest(now(), modified_at + interval '1 microsecond')
                WHERE id = @id AND (@expected::timestamptz IS NULL OR modified_at = @expected)
                """, [("id", datasetId), ("expected", expected), .. MetadataParameters(metadata)]))
            {
                if (await cmd.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    return false;
                }
            }
            if (before is { } b && b.Visibility != metadata.Visibility)
            {
                await AuditLog.AppendAsync(connection, tx, [(by ?? AuditActor.Cli).Did(b.Owner, "dataset.visibility_changed", $"dataset:{b.Slug}",
                    new Dictionary<string, object?> { ["from"] = b.Visibility, ["to"] = metadata.Visibility })], cancellationToken);
            }
            return true;
        }, cancellationToken);

    /// <summary>
    /// Calls per UTC day and organisation over the last <paramref name="days"/> days. Calls without an organisation are
    /// split in two: signed-in callers who act for none (a platform admin) and anonymous callers (<c>SignedIn</c> false).
    /// </summary>
    public Task<List<(DateOnly Day, string? OrgSlug, bool SignedIn, long Calls)>> AccessPerDayAsync(long datasetId, int days, CancellationToken cancellationToken) =>
        Db.ListAsync(dataSource, """
            SELECT (l.at AT TIME ZONE 'UTC')::date AS day, o.slug, (l.user_id IS NOT NULL OR l.api_key_id IS NOT NULL) AS signed_in, count(*)
            FROM catalog.access_log l LEFT JOIN catalog.organisation o ON o.id = l.org_id
            WHERE l.dataset_id = @d AND l.at >= (now() AT TIME ZONE 'UTC')::date - (@days - 1)
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """, r => (r.GetFieldValue<DateOnly>(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetBoolean(2), r.GetInt64(3)),
            cancellationToken, ("d", datasetId), ("days", days));

    public async Task<GrantRecord> CreateGrantAsync(
        long datasetId, long granteeOrgId, string purpose, DateTimeOffset expiresAt, string[]? fields,
        IReadOnlyDictionary<string, string>? rowFilter, long? createdBy, CancellationToken cancellationToken, AuditActor? by = null)
    {
        if (string.IsNullOrWhiteSpace(purpose) || purpose.Length > 2000)
        {
            throw new CatalogValidationException("purpose", "purpose is required (1–2000 characters)");
        }
        if (expiresAt <= DateTimeOffset.UtcNow)
        {
            throw new CatalogValidationException("expiresAt", "expiresAt must be in the future");
        }
        // An empty list or filter would read as "nothing" (AccessPolicy); a publisher who sends one almost surely meant
        // something else, so it is refused rather than stored: leave the property out to share every field or row.
        if (fields is not null && (fields.Length == 0 || fields.Any(string.IsNullOrWhiteSpace)))
        {
            throw new CatalogValidationException("fields", "fields must name at least one field (leave it out to share every field)");
        }
        if (rowFilter is not null && (rowFilter.Count == 0 || rowFilter.Keys.Any(string.IsNullOrWhiteSpace)))
        {
            throw new CatalogValidationException("rowFilter", "rowFilter must hold at least one field = value pair (leave it out to share every row)");
        }
        DatasetMetadata.CheckText("purpose", purpose);
        foreach (var name in fields ?? [])
        {
            DatasetMetadata.CheckText("fields", name);
        }
        foreach (var text in (rowFilter?.Keys ?? []).Concat(rowFilter?.Values ?? []))
        {
            DatasetMetadata.CheckText("rowFilter", text);
        }
        var distinctFields = fields?.Distinct(StringComparer.Ordinal).ToArray();
        var id = await Db.InTransactionAsync(dataSource, async (connection, tx) =>
        {
            var id = await Db.ScalarAsync<long>(connection, tx, """
                INSERT INTO catalog.dataset_grant (dataset_id, grantee_org_id, purpose, expires_at, fields, row_filter, created_by)
                VALUES (@d, @o, @p, @e, @f, @r::jsonb, @by) RETURNING id
                """, cancellationToken, ("d", datasetId), ("o", granteeOrgId), ("p", purpose), ("e", expiresAt), ("f", distinctFields),
                ("r", rowFilter is null ? null : JsonSerializer.Serialize(rowFilter)), ("by", createdBy));
            await AppendGrantAuditAsync(connection, tx, id, "grant.created", by, new Dictionary<string, object?>
            {
                ["purpose"] = purpose, ["expiresAt"] = expiresAt, ["fields"] = distinctFields, ["rowFilter"] = rowFilter,
            }, cancellationToken);
            return id;
        }, cancellationToken);
        return (await ListGrantsAsync(datasetId, cancellationToken)).Single(g => g.Id == id);
    }

    public Task<List<GrantRecord>> ListGrantsAsync(long datasetId, CancellationToken cancellationToken) =>
        Db.ListAsync(dataSource, """
            SELECT g.id, o.slug, g.purpose, g.expires_at, g.fields, g.row_filter::text, g.created_at, g.revoked_at,
                   g.revoked_at IS NULL AND g.expires_at > now()
            FROM catalog.dataset_grant g JOIN catalog.organisation o ON o.id = g.grantee_org_id
            WHERE g.dataset_id = @d ORDER BY g.id
            """, r => new GrantRecord(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3),
                r.IsDBNull(4) ? null : r.GetFieldValue<string[]>(4), r.IsDBNull(5) ? null : r.GetString(5),
                r.GetFieldValue<DateTimeOffset>(6), r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7), r.GetBoolean(8)),
            cancellationToken, ("d", datasetId));

    /// <summary>Revokes a grant of this dataset at once; false when there is no such active grant.</summary>
    public Task<bool> RevokeGrantAsync(long datasetId, long grantId, CancellationToken cancellationToken, AuditActor? by = null) =>
        Db.InTransactionAsync(dataSource, async (connection, tx) =>
        {
            var revoked = await Db.ExecuteAsync(connection, tx, """
                UPDATE catalog.dataset_grant SET revoked_at = now() WHERE id = @g AND dataset_id = @d AND revoked_at IS NULL
                """, cancellationToken, ("g", grantId), ("d", datasetId)) == 1;
            if (revoked)
            {
                await AppendGrantAuditAsync(connection, tx, grantId, "grant.revoked", by, null, cancellationToken);
            }
            return revoked;
        }, cancellationToken);

    /// <summary>A grant's event in the audit trails of both organisations concerned: the publisher and the grantee.</summary>
    private static async Task AppendGrantAuditAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long grantId, string action, AuditActor? by,
        Dictionary<string, object?>? details, CancellationToken cancellationToken)
    {
        (string Slug, long Owner, long Grantee, string GranteeSlug) g;
        await using (var cmd = Db.Command(connection, tx, """
            SELECT d.slug, d.owner_org_id, g.grantee_org_id, o.slug FROM catalog.dataset_grant g
            JOIN catalog.dataset d ON d.id = g.dataset_id JOIN catalog.organisation o ON o.id = g.grantee_org_id WHERE g.id = @g
            """, ("g", grantId)))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            g = (reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3));
        }
        details ??= [];
        details["grantId"] = grantId;
        details["grantee"] = g.GranteeSlug;
        var e = (by ?? AuditActor.Cli).Did(g.Owner, action, $"dataset:{g.Slug}", details);
        await AuditLog.AppendAsync(connection, tx, [e, e.For(g.Grantee)], cancellationToken);
    }

    /// <summary>Test and operator hook: moves a grant's expiry (e.g. into the past).</summary>
    public Task SetGrantExpiryAsync(long grantId, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        Db.ExecuteAsync(dataSource, "UPDATE catalog.dataset_grant SET expires_at = @e WHERE id = @g", cancellationToken, ("g", grantId), ("e", expiresAt));

    /// <summary>Logs a read of a dataset, attributed to <paramref name="orgId"/> and to every organisation of the caller.</summary>
    public Task LogAccessAsync(long datasetId, Caller caller, long? orgId, string endpoint, long? rowsReturned, CancellationToken cancellationToken) =>
        Db.ScalarAsync<long>(dataSource, """
            INSERT INTO catalog.access_log (dataset_id, org_id, user_id, api_key_id, endpoint, rows_returned, caller_org_ids, platform_admin, outcome)
            VALUES (@d, @o, @u, @k, @e, @n, @orgs, @admin, 'complete')
            RETURNING id
            """, cancellationToken, ("d", datasetId), ("o", orgId), ("u", caller.UserId), ("k", caller.ApiKeyId), ("e", endpoint),
            ("n", rowsReturned), ("orgs", caller.OrgIds), ("admin", caller.IsPlatformAdmin));

    /// <summary>Logs a download as it starts ('started'), so that one the client abandons still leaves its row; returns the row's id.</summary>
    public async Task<long> BeginReadAsync(long datasetId, Caller caller, long? orgId, string endpoint, CancellationToken cancellationToken) =>
        await Db.ScalarAsync<long>(dataSource, """
            INSERT INTO catalog.access_log (dataset_id, org_id, user_id, api_key_id, endpoint, caller_org_ids, platform_admin, outcome)
            VALUES (@d, @o, @u, @k, @e, @orgs, @admin, 'started')
            RETURNING id
            """, cancellationToken, ("d", datasetId), ("o", orgId), ("u", caller.UserId), ("k", caller.ApiKeyId), ("e", endpoint),
            ("orgs", caller.OrgIds), ("admin", caller.IsPlatformAdmin));

    /// <summary>Ends a download's row: how many rows went out, and whether it completed, was cancelled or failed.</summary>
    public Task FinishReadAsync(long accessId, long rows, string outcome, CancellationToken cancellationToken) =>
        Db.ExecuteAsync(dataSource, "UPDATE catalog.access_log SET rows_returned = @n, outcome = @outcome WHERE id = @id",
            cancellationToken, ("id", accessId), ("n", rows), ("outcome", outcome));

    public Task<List<AccessLogEntry>> ReadAccessLogAsync(long datasetId, int limit, long? beforeId, CancellationToken cancellationToken) =>
        Db.ListAsync(dataSource, """
            SELECT l.id, l.at, o.slug, u.email, k.prefix, l.endpoint, l.rows_returned,
                   (SELECT coalesce(array_agg(x.slug ORDER BY x.slug), '{}') FROM catalog.organisation x WHERE x.id = ANY(l.caller_org_ids)) AS orgs,
                   l.platform_admin, l.outcome
            FROM catalog.access_log l
            LEFT JOIN catalog.organisation o ON o.id = l.org_id
            LEFT JOIN catalog.app_user u ON u.id = l.user_id
            LEFT JOIN catalog.api_key k ON k.id = l.api_key_id
            WHERE l.dataset_id = @d AND (@before::bigint IS NULL OR l.id < @before)
            ORDER BY l.id DESC LIMIT @limit
            """, r => new AccessLogEntry(r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.Get<string>("slug"), r.Get<string>("email"),
                r.Get<string>("prefix"), r.GetString(5), r.IsDBNull(6) ? null : r.GetInt64(6), r.GetFieldValue<string[]>(7), r.GetBoolean(8), r.GetString(9)),
            cancellationToken, ("d", datasetId), ("before", beforeId), ("limit", limit));

    internal static DatasetRecord MapDataset(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4),
        new DatasetMetadata(
            Title: r.GetString(5),
            DescriptionMd: r.GetString(6),
            ContactName: r.Get<string>("contact_name"),
            ContactEmail: r.Get<string>("contact_email"),
            LicenceId: r.GetString(9),
            Keywords: r.GetFieldValue<string[]>(10),
            Themes: r.GetFieldValue<string[]>(11),
            SpatialBboxWgs84: r.Get<double[]>("spatial_bbox_wgs84"),
            SpatialCommunes: r.GetFieldValue<string[]>(13),
            TemporalStart: r.IsDBNull(14) ? null : r.GetFieldValue<DateOnly>(14),
            TemporalEnd: r.IsDBNull(15) ? null : r.GetFieldValue<DateOnly>(15),
            UpdateFrequency: r.Get<string>("update_frequency"),
            LandingPage: r.Get<string>("landing_page"),
            Visibility: r.GetString(18)),
        r.IsDBNull(19) ? null : r.GetInt64(19),
        r.IsDBNull(20) ? null : r.GetInt32(20),
        r.Get<string>("cv_format"),
        r.GetBoolean(22),
        r.GetFieldValue<DateTimeOffset>(23),
        r.GetFieldValue<DateTimeOffset>(24),
        r.Get<string>("cv_provenance"),
        r.Get<long?>("cv_rows"));

    private static (string, object?)[] MetadataParameters(DatasetMetadata m) =>
    [
        ("title", m.Title), ("desc", m.DescriptionMd), ("cname", m.ContactName), ("cmail", m.ContactEmail),
        ("lic", m.LicenceId), ("licuri", Vocabulary.Licences[m.LicenceId]), ("kw", m.Keywords), ("themes", m.Themes),
        ("bbox", m.SpatialBboxWgs84), ("communes", m.SpatialCommunes), ("ts", m.TemporalStart), ("te", m.TemporalEnd),
        ("freq", m.UpdateFrequency), ("landing", m.LandingPage), ("vis", m.Visibility),
    ];

    internal static List<ActiveGrant> ParseGrants(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var list = new List<ActiveGrant>();
        foreach (var g in doc.RootElement.EnumerateArray())
        {
            var fields = g.GetProperty("fields") is { ValueKind: JsonValueKind.Array } f ? f.EnumerateArray().Select(x => x.GetString()!).ToArray() : null;
            var filter = g.GetProperty("rowFilter") is { ValueKind: JsonValueKind.Object } rf
                ? rf.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText())
                : null;
            list.Add(new ActiveGrant(g.GetProperty("id").GetInt64(), g.GetProperty("org").GetInt64(), fields, filter));
        }
        return list;
    }
}
