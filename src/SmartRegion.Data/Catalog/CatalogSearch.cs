using Npgsql;

namespace SmartRegion.Data.Catalog;

/// <summary>A catalogue search: full text plus facet filters (null = no filter), sort and page.</summary>
public sealed record SearchRequest(
    string? Query, string? Theme, string? Publisher, string? Licence, string? Format, string? Visibility, bool? HasGeometry,
    string Sort, int Page, int PageSize);

/// <summary>One value of a facet; Label is the display name where the value is an id (publisher).</summary>
public sealed record FacetCount(string Value, long Count, string? Label = null);

public sealed record SearchResult(long Total, IReadOnlyList<DatasetRecord> Items, IReadOnlyDictionary<string, IReadOnlyList<FacetCount>> Facets);

/// <summary>
/// Catalogue search over the datasets the caller may see — never others, in the items or in the facet counts.
/// French and English stemming over accent-free text (the same as the stored search document).
/// </summary>
public sealed class CatalogSearch(NpgsqlDataSource dataSource)
{
    public static readonly IReadOnlyList<string> Sorts = ["relevance", "title", "modified", "created"];

    private const string Matching = $"""
        {DatasetStore.VisibleToCaller}
        AND (@q::text IS NULL OR d.search_document @@ (websearch_to_tsquery('french', catalog.immutable_unaccent(@q))
                                                     || websearch_to_tsquery('english', catalog.immutable_unaccent(@q))))
        AND (@theme::text IS NULL OR @theme = ANY(d.themes))
        AND (@publisher::text IS NULL OR o.slug = @publisher)
        AND (@licence::text IS NULL OR d.licence_id = @licence)
        AND (@format::text IS NULL OR cv.format = @format)
        AND (@visibility::text IS NULL OR d.visibility = @visibility)
        AND (@geo::boolean IS NULL OR coalesce(cv.has_geometry, false) = @geo)
        """;

    public async Task<SearchResult> SearchAsync(Caller caller, SearchRequest request, CancellationToken cancellationToken)
    {
        var order = request.Sort switch
        {
            "title" => "lower(catalog.immutable_unaccent(d.title)), d.id",
            "modified" => "d.modified_at DESC, d.id",
            "created" => "d.created_at DESC, d.id",
            _ when request.Query is null => "d.modified_at DESC, d.id",
            _ => """
                ts_rank(d.search_document, websearch_to_tsquery('french', catalog.immutable_unaccent(@q))
                                        || websearch_to_tsquery('english', catalog.immutable_unaccent(@q))) DESC, d.id
                """,
        };
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var items = new List<DatasetRecord>();
        long total = 0;
        await using (var cmd = Command(connection, $"""
            SELECT {DatasetStore.DatasetColumns}, count(*) OVER () AS total
            FROM {DatasetStore.DatasetFrom}
            WHERE {Matching}
            ORDER BY {order}
            LIMIT @limit OFFSET @offset
            """, caller, request))
        {
            cmd.Parameters.AddWithValue("limit", request.PageSize);
            cmd.Parameters.AddWithValue("offset", (long)(request.Page - 1) * request.PageSize);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(DatasetStore.MapDataset(reader));
                total = reader.GetInt64(DatasetStore.DatasetColumnCount);
            }
        }
        if (items.Count == 0 && request.Page > 1)
        {
            await using var count = Command(connection, $"SELECT count(*) FROM {DatasetStore.DatasetFrom} WHERE {Matching}", caller, request);
            total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }

        var facets = new Dictionary<string, List<FacetCount>>(StringComparer.Ordinal)
        {
            ["theme"] = [], ["publisher"] = [], ["licence"] = [], ["format"] = [], ["visibility"] = [], ["hasGeometry"] = [],
        };
        await using (var cmd = Command(connection, $"""
            WITH f AS (
                SELECT d.themes, o.slug AS publisher, o.name AS publisher_name, d.licence_id, cv.format, d.visibility,
                    coalesce(cv.has_geometry, false) AS geo
                FROM {DatasetStore.DatasetFrom} WHERE {Matching})
            SELECT 'theme', t, count(*), NULL FROM f, unnest(f.themes) t GROUP BY t
            UNION ALL SELECT 'publisher', publisher, count(*), min(publisher_name) FROM f GROUP BY publisher
            UNION ALL SELECT 'licence', licence_id, count(*), NULL FROM f GROUP BY licence_id
            UNION ALL SELECT 'format', format, count(*), NULL FROM f WHERE format IS NOT NULL GROUP BY format
            UNION ALL SELECT 'visibility', visibility, count(*), NULL FROM f GROUP BY visibility
            UNION ALL SELECT 'hasGeometry', geo::text, count(*), NULL FROM f GROUP BY geo
            ORDER BY 1, 3 DESC, 2
            """, caller, request))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                facets[reader.GetString(0)].Add(new FacetCount(reader.GetString(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
            }
        }
        return new SearchResult(total, items, facets.ToDictionary(k => k.Key, k => (IReadOnlyList<FacetCount>)k.Value));
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, Caller caller, SearchRequest r) =>
        Db.Command(connection, sql,
            ("admin", caller.IsPlatformAdmin), ("orgs", caller.OrgIds), ("q", string.IsNullOrWhiteSpace(r.Query) ? null : r.Query),
            ("theme", r.Theme), ("publisher", r.Publisher), ("licence", r.Licence), ("format", r.Format),
            ("visibility", r.Visibility), ("geo", r.HasGeometry));
}
