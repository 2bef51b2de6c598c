using System.Globalization;
using System.Text.Json;
using Npgsql;
using SmartRegion.Data.Catalog;
using SmartRegion.Data.Catalog.Uploads;
using SmartRegion.Data.Explore.Odsql;

namespace SmartRegion.Data.Explore;

/// <summary>A dataset as the explore API lists it: its record, the fields the caller may see, its record count.</summary>
public sealed record ExploreDataset(DatasetRecord Dataset, IReadOnlyList<FieldSchema> Fields, long? RecordsCount, double[]? BboxWgs84 = null);

/// <summary>
/// The catalogue queried with ODSQL: where / order_by / refine / exclude over the datasets' metadata, only over the
/// datasets the caller may see (the catalogue's own visibility rule, <see cref="DatasetStore"/>), each dataset's fields
/// cut to the caller's grant by <see cref="AccessPolicy"/>.
/// </summary>
public sealed class ExploreCatalog(NpgsqlDataSource dataSource)
{
    /// <summary>The metadata fields a catalogue query may name, as Opendatasoft names them.</summary>
    public static QuerySchema Schema { get; } = new(
    [
        new("dataset_id", "d.slug", ValueKind.Text),
        new("title", "d.title", ValueKind.Text),
        new("description", "d.description_md", ValueKind.Text),
        new("publisher", "o.name", ValueKind.Text),
        new("publisher_id", "o.slug", ValueKind.Text),
        new("license", "d.licence_id", ValueKind.Text),
        new("keyword", "d.keywords", ValueKind.TextArray),
        new("theme", "d.themes", ValueKind.TextArray),
        new("visibility", "d.visibility", ValueKind.Text),
        new("modified", "d.modified_at", ValueKind.DateTime),
        new("created", "d.created_at", ValueKind.DateTime),
        new("records_count", "cv.row_count", ValueKind.Integer),
        new("features", "(CASE WHEN coalesce(cv.has_geometry, false) THEN ARRAY['geo', 'analyze'] ELSE ARRAY['analyze'] END)", ValueKind.TextArray),
    ],
    // A bare "text" searches the catalogue's own full-text document (French and English stemming, accents ignored).
    p => $"""
        (d.search_document @@ (websearch_to_tsquery('french', catalog.immutable_unaccent({p}))
                            || websearch_to_tsquery('english', catalog.immutable_unaccent({p}))))
        """);

    /// <summary>The metadata fields the catalogue facets count.</summary>
    public static IReadOnlyList<string> FacetNames { get; } = ["publisher", "license", "keyword", "theme", "features", "visibility"];

    /// <summary>Datasets matching the compiled clauses, visible to the caller, with the total count.</summary>
    public async Task<(long Total, List<ExploreDataset> Items)> SearchAsync(
        Caller caller, NpgsqlCommand compiled, string whereSql, IReadOnlyList<string> orderBy, int limit, long offset, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var items = new List<ExploreDataset>();
        long total = 0;
        await using (var cmd = Prepared(compiled, connection, caller))
        {
            cmd.CommandText = $"""
                SELECT {DatasetStore.DatasetColumns}, count(*) OVER () AS total, cv.row_count, cv.schema_json::text,
                       (SELECT coalesce(json_agg(json_build_object('id', g.id, 'org', g.grantee_org_id, 'fields', g.fields,
                            'rowFilter', g.row_filter)), '[]')::text
                        FROM catalog.dataset_grant g
                        WHERE g.dataset_id = d.id AND g.grantee_org_id = ANY(@orgs) AND g.revoked_at IS NULL AND g.expires_at > now()),
                       cv.bbox_wgs84
                FROM {DatasetStore.DatasetFrom}
                WHERE {DatasetStore.VisibleToCaller} AND {whereSql}
                ORDER BY {(orderBy.Count == 0 ? "d.modified_at DESC" : string.Join(", ", orderBy))}, d.id
                LIMIT @limit OFFSET @offset
                """;
            cmd.Parameters.AddWithValue("limit", limit);
            cmd.Parameters.AddWithValue("offset", offset);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var dataset = DatasetStore.MapDataset(reader);
                // The columns this query adds after the dataset's own.
                const int Total = DatasetStore.DatasetColumnCount, Rows = Total + 1, SchemaJson = Total + 2, Grants = Total + 3, Bbox = Total + 4;
                total = reader.GetInt64(Total);
                var access = AccessPolicy.Decide(caller, dataset.Metadata.Visibility, dataset.OwnerOrgId, DatasetStore.ParseGrants(reader.GetString(Grants)));
                var all = reader.IsDBNull(SchemaJson) ? [] : FieldsOf(reader.GetString(SchemaJson));
                var fields = all.Where(f => access.Fields is null || access.Fields.Contains(f.Name)).ToList();
                // A grantee limited to some rows is not told how many the whole dataset holds, nor where its geometries lie.
                items.Add(new ExploreDataset(dataset, fields, access.RowFilters is null && !reader.IsDBNull(Rows) ? reader.GetInt64(Rows) : null,
                    reader.IsDBNull(Bbox) || !SeesExtent(access, all) ? null : reader.GetFieldValue<double[]>(Bbox)));
            }
        }
        if (items.Count == 0 && offset > 0)
        {
            await using var count = Prepared(compiled, connection, caller);
            count.CommandText = $"SELECT count(*) FROM {DatasetStore.DatasetFrom} WHERE {DatasetStore.VisibleToCaller} AND {whereSql}";
            total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }
        return (total, items);
    }

    /// <summary>Counts of the values of the catalogue facets among the visible datasets matching the clauses.</summary>
    public async Task<Dictionary<string, List<(string Value, long Count)>>> FacetsAsync(
        Caller caller, NpgsqlCommand compiled, string whereSql, IReadOnlyList<string> facets, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = Prepared(compiled, connection, caller);
        var parts = facets.Select(name =>
        {
            var f = Schema.Find(name)!;
            var value = f.Kind == ValueKind.TextArray ? $"unnest({f.Sql})" : f.Sql;
            return $"SELECT '{name}' AS facet, v, count(*) FROM (SELECT {value} AS v FROM {DatasetStore.DatasetFrom} WHERE {DatasetStore.VisibleToCaller} AND {whereSql}) x WHERE v IS NOT NULL GROUP BY v";
        });
        cmd.CommandText = string.Join("\nUNION ALL\n", parts) + "\nORDER BY 1, 3 DESC, 2";
        var result = facets.ToDictionary(f => f, _ => new List<(string, long)>(), StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result[reader.GetString(0)].Add((reader.GetString(1), reader.GetInt64(2)));
        }
        return result;
    }

    private static NpgsqlCommand Prepared(NpgsqlCommand compiled, NpgsqlConnection connection, Caller caller)
    {
        var cmd = compiled.Clone();
        cmd.Connection = connection;
        cmd.CommandTimeout = 10;
        cmd.Parameters.AddWithValue("admin", caller.IsPlatformAdmin);
        cmd.Parameters.AddWithValue("orgs", caller.OrgIds);
        return cmd;
    }

    /// <summary>
    /// Whether the dataset's extent is the caller's to know: it sees every geometry field on every row (a grant without
    /// row filter that allows the field), not only on the rows of some grant.
    /// </summary>
    public static bool SeesExtent(DatasetAccess access, IEnumerable<FieldSchema> versionFields) =>
        access.Grants is null || versionFields.Where(f => f.Type == "geometry")
            .All(f => access.Grants.Any(g => g.RowFilter is null && (g.Fields is null || g.Fields.Contains(f.Name))));

    private static List<FieldSchema> FieldsOf(string schemaJson) =>
        JsonDocument.Parse(schemaJson).RootElement.TryGetProperty("fields", out var f)
            ? f.Deserialize<List<FieldSchema>>(JsonSerializerOptions.Web) ?? []
            : [];

    /// <summary>The refine / exclude parameters (field:value) as SQL over <paramref name="schema"/>, values bound.</summary>
    public static string RefineSql(QuerySchema schema, OdsqlCompiler compiler, IEnumerable<string> refine, IEnumerable<string> exclude)
    {
        var terms = new List<string>();
        foreach (var (raw, negate) in refine.Select(r => (r, false)).Concat(exclude.Select(e => (e, true))))
        {
            var parameter = negate ? "exclude" : "refine";
            var colon = raw.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new OdsqlException(parameter, 0, $"'{(raw.Length > 60 ? raw[..60] + "…" : raw)}' is not field:value");
            }
            var name = raw[..colon].Trim();
            var value = raw[(colon + 1)..].Trim();
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
            {
                value = value[1..^1];
            }
            var field = schema.Find(name) ?? throw new OdsqlException(parameter, 0, $"unknown field '{name}'");
            var p = compiler.Bind(value);
            var test = field.Kind switch
            {
                ValueKind.TextArray => $"coalesce({p}::text = ANY({field.Sql}), false)",
                ValueKind.Geometry => throw new OdsqlException(parameter, 0, $"'{name}' is a geometry: it cannot be refined on"),
                // A date refines by its prefix: 2024, 2024-05, 2024-05-31.
                ValueKind.Date or ValueKind.DateTime => $"coalesce(left(to_char({field.Sql}, 'YYYY-MM-DD\"T\"HH24:MI:SS'), length({p}::text)) = {p}::text, false)",
                _ => $"coalesce({field.Sql}::text = {p}::text, false)",
            };
            terms.Add(negate ? $"NOT {test}" : test);
        }
        return terms.Count == 0 ? "true" : string.Join(" AND ", terms);
    }

    /// <summary>The record id the explore API shows: the row number of the version, as text.</summary>
    public static string RecordId(long row) => row.ToString(CultureInfo.InvariantCulture);
}
