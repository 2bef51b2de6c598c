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
    public static List<FieldSchema> Fields(VersionRecord version) => version.SchemaJson is null ? [] : FieldsOf(version.SchemaJson);

    /// <summary>The fields of a version's stored schema document.</summary>
    public static List<FieldSchema> FieldsOf(string schemaJson) =>
        JsonDocument.Parse(schemaJson).RootElement.GetProperty("fields").Deserialize<List<FieldSchema>>(JsonSerializerOptions.Web) ?? [];

    /// <summary>
    /// Calls <paramref name="onRow"/> for each row the caller's grants admit (values in <paramref name="fields"/> order, a
    /// value no grant admitting that row allows read as null); returns the number of rows. <paramref name="grants"/> null
    /// reads everything.
    /// </summary>
    public async Task<long> ReadAsync(
        VersionRecord version, IReadOnlyList<FieldSchema> fields, IReadOnlyList<GrantScope>? grants,
        int? limit, long offset, GeometryText geometryText, Func<object?[], Task> onRow, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand { Connection = connection };
        var scope = Scope.Compile(version, grants, cmd);
        // Uploads store WGS 84 already (the transform is then a no-op); the platform's solar dataset keeps Lambert-93.
        string Wgs84(FieldSchema f) => $"ST_Transform({RecordsLoader.Quote(f.Column)}, 4326)";
        string Value(FieldSchema f) => f.Type == "geometry"
            ? geometryText switch
            {
                GeometryText.GeoJson => $"ST_AsGeoJSON({Wgs84(f)}, 7)",
                GeometryText.Wkb => $"ST_AsBinary({Wgs84(f)}, 'NDR')",
                _ => $"ST_AsText({Wgs84(f)})",
            }
            : RecordsLoader.Quote(f.Column);
        var select = fields.Count == 0 ? "_row" : string.Join(", ", fields.Select(f => scope.Mask(f.Name, Value(f))));
        cmd.CommandText = $"""
            SELECT {select} FROM records.{RecordsLoader.Quote(version.RecordsTable!)}
            WHERE {scope.Rows}
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

    /// <summary>How many rows the caller's grants admit (null = every row).</summary>
    public async Task<long> CountAsync(VersionRecord version, IReadOnlyList<GrantScope>? grants, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand { Connection = connection };
        cmd.CommandText = $"SELECT count(*) FROM records.{RecordsLoader.Quote(version.RecordsTable!)} WHERE {Scope.Compile(version, grants, cmd).Rows}";
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// A caller's grants compiled to SQL over a version's columns: <see cref="Rows"/> admits a row when any grant's filter
    /// matches it, and <see cref="Mask"/> keeps a field's value only on rows where a grant that allows the field matches.
    /// Within a filter every field equals its value as text (AND); an unknown or geometry field matches nothing.
    /// </summary>
    public sealed class Scope
    {
        private readonly List<(IReadOnlySet<string>? Fields, string Match)>? _grants;

        private Scope(List<(IReadOnlySet<string>? Fields, string Match)>? grants) => _grants = grants;

        public string Rows => _grants is null ? "true" : _grants.Count == 0 ? "false" : "(" + string.Join(" OR ", _grants.Select(g => g.Match)) + ")";

        /// <summary>The SQL of <paramref name="valueSql"/> for field <paramref name="name"/>: itself, or NULL on rows no grant allowing it admits.</summary>
        public string Mask(string name, string valueSql)
        {
            if (_grants is null)
            {
                return valueSql;
            }
            var allowing = _grants.Where(g => g.Fields is null || g.Fields.Contains(name)).Select(g => g.Match).ToList();
            return allowing.Count == 0 ? "NULL"
                : allowing.Contains("true") ? valueSql
                : $"CASE WHEN {string.Join(" OR ", allowing)} THEN {valueSql} END";
        }

        public static Scope Compile(VersionRecord version, IReadOnlyList<GrantScope>? grants, NpgsqlCommand cmd)
        {
            if (grants is null)
            {
                return new Scope(null);
            }
            var byName = Fields(version).ToDictionary(f => f.Name, StringComparer.Ordinal);
            var compiled = new List<(IReadOnlySet<string>?, string)>();
            foreach (var grant in grants)
            {
                if (grant.RowFilter is null)
                {
                    compiled.Add((grant.Fields, "true"));
                    continue;
                }
                var terms = new List<string>();
                foreach (var (name, value) in grant.RowFilter)
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
                // An empty filter never reaches here as "every row": AccessPolicy drops such grants.
                compiled.Add((grant.Fields, terms.Count == 0 ? "false" : "(" + string.Join(" AND ", terms) + ")"));
            }
            return new Scope(compiled);
        }
    }
}
