using System.Text.Json;
using Npgsql;
using SmartRegion.Data.Catalog.Uploads;

namespace SmartRegion.Data.Catalog;

/// <summary>How geometry values are read: GeoJSON text, WKT text, or WKB bytes, always in WGS 84.</summary>
public enum GeometryText { GeoJson, Wkt, Wkb }

/// <summary>
/// Reads the rows of a version's records table. Column names come only from the version's stored schema (never from
/// the request), and a grantee's row filter is compiled to bound parameters.
/// </summary>
public sealed class RecordsQuery(NpgsqlDataSource dataSource)
{
    public static List<FieldSchema> Fields(VersionRecord version) =>
        version.SchemaJson is null ? [] : JsonDocument.Parse(version.SchemaJson).RootElement.GetProperty("fields")
            .Deserialize<List<FieldSchema>>(JsonSerializerOptions.Web) ?? [];

    /// <summary>Calls <paramref name="onRow"/> for each row (values in <paramref name="fields"/> order); returns the number of rows.</summary>
    public async Task<long> ReadAsync(
        VersionRecord version, IReadOnlyList<FieldSchema> fields, IReadOnlyList<IReadOnlyDictionary<string, string>>? rowFilters,
        int? limit, long offset, GeometryText geometryText, Func<object?[], Task> onRow, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand { Connection = connection };
        // Uploads store WGS 84 already (the transform is then a no-op); the platform's solar dataset keeps Lambert-93.
        string Wgs84(FieldSchema f) => $"ST_Transform({RecordsLoader.Quote(f.Column)}, 4326)";
        var select = fields.Count == 0 ? "_row" : string.Join(", ", fields.Select(f => f.Type == "geometry"
            ? geometryText switch
            {
                GeometryText.GeoJson => $"ST_AsGeoJSON({Wgs84(f)}, 7)",
                GeometryText.Wkb => $"ST_AsBinary({Wgs84(f)}, 'NDR')",
                _ => $"ST_AsText({Wgs84(f)})",
            }
            : RecordsLoader.Quote(f.Column)));
        cmd.CommandText = $"""
            SELECT {select} FROM records.{RecordsLoader.Quote(version.RecordsTable!)}
            WHERE {Filter(version, rowFilters, cmd)}
            ORDER BY _row {(limit is null ? "" : "LIMIT @limit")} OFFSET @offset
            """;
        if (limit is not null)
        {
            cmd.Parameters.AddWithValue("limit", limit.Value);
        }
        cmd.Parameters.AddWithValue("offset", offset);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        long n = 0;
        var values = new object?[fields.Count];
        while (await reader.ReadAsync(cancellationToken))
        {
            for (var i = 0; i < fields.Count; i++)
            {
                values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            await onRow(values);
            n++;
        }
        return n;
    }

    public async Task<long> CountAsync(VersionRecord version, IReadOnlyList<IReadOnlyDictionary<string, string>>? rowFilters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand { Connection = connection };
        cmd.CommandText = $"SELECT count(*) FROM records.{RecordsLoader.Quote(version.RecordsTable!)} WHERE {Filter(version, rowFilters, cmd)}";
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Any of the filters matches (OR); within one, every field equals its value as text (AND). An unknown field matches nothing.</summary>
    private static string Filter(VersionRecord version, IReadOnlyList<IReadOnlyDictionary<string, string>>? rowFilters, NpgsqlCommand cmd)
    {
        if (rowFilters is null)
        {
            return "true";
        }
        var byName = Fields(version).ToDictionary(f => f.Name, StringComparer.Ordinal);
        var alternatives = new List<string>();
        foreach (var filter in rowFilters)
        {
            var terms = new List<string>();
            foreach (var (name, value) in filter)
            {
                if (!byName.TryGetValue(name, out var field) || field.Type == "geometry")
                {
                    terms.Add("false");
                    continue;
                }
                var p = $"rf{cmd.Parameters.Count}";
                cmd.Parameters.AddWithValue(p, value);
                terms.Add($"{RecordsLoader.Quote(field.Column)}::text = @{p}");
            }
            alternatives.Add(terms.Count == 0 ? "true" : "(" + string.Join(" AND ", terms) + ")");
        }
        return alternatives.Count == 0 ? "false" : "(" + string.Join(" OR ", alternatives) + ")";
    }
}
