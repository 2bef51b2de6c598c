using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;
using SmartRegion.Data.Catalog;
using SmartRegion.Data.Catalog.Uploads;
using SmartRegion.Data.Explore.Odsql;

namespace SmartRegion.Data.Explore;

/// <summary>A query that failed on the data (a statement timeout, an overflow…): said to the client as a 400, without SQL.</summary>
public sealed class ExploreQueryException(string errorCode, string message) : Exception(message)
{
    public string ErrorCode { get; } = errorCode;
}

/// <summary>A records request once its clauses are compiled: what to read, how many, from where.</summary>
public sealed record RecordsRequest(CompiledQuery Query, int? Limit, long Offset, long? AfterRow, GeometryText Geometry);

/// <summary>
/// A caller's view of a version, bound on one command: <see cref="Schema"/> reads every field through the caller's
/// grants (a grant's fields only on that grant's rows, wherever a query names the field: select, where, group_by,
/// order_by, refine, facets, tiles), and <see cref="Rows"/> admits the rows some grant matches. Both come from the
/// catalogue's own <see cref="RecordsQuery.Scope"/>.
/// </summary>
public sealed record ScopedSchema(QuerySchema Schema, string Rows)
{
    /// <summary>The first geometry field, or null.</summary>
    public QueryField? Geometry => Schema.Fields.FirstOrDefault(f => f.Kind == ValueKind.Geometry);
}

/// <summary>
/// Runs compiled ODSQL over a version's records table. Who sees which rows and values is the catalogue's own rule
/// (<see cref="RecordsQuery.Scope"/>, applied by <see cref="Scope"/>); queries are compiled against that scoped schema.
/// </summary>
public sealed class ExploreRecords(NpgsqlDataSource dataSource)
{
    /// <summary>The longest a records, facets or aggregation query may wait for the database (a statement timeout).</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest an export may wait for its next rows.</summary>
    public TimeSpan ExportTimeout { get; init; } = TimeSpan.FromSeconds(120);

    // The SRID of each geometry column of a records table: versions never change once loaded.
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, int>> _srids = new(StringComparer.Ordinal);

    // Loaded versions by id: their records table, schema and bbox never change (which version is current is read each time).
    private readonly ConcurrentDictionary<long, VersionRecord> _versions = new();

    /// <summary>A loaded version (one with a records table), read once and then kept; others are read each time.</summary>
    public async Task<VersionRecord?> VersionAsync(long versionId, Func<long, Task<VersionRecord?>> load)
    {
        if (_versions.TryGetValue(versionId, out var known))
        {
            return known;
        }
        var v = await load(versionId);
        if (v?.RecordsTable is not null && v.Status is "ready" or "published" or "superseded")
        {
            if (_versions.Count > 10_000)
            {
                _versions.Clear();
            }
            _versions[versionId] = v;
        }
        return v;
    }

    /// <summary>The catalogue type of a field as Opendatasoft names it.</summary>
    public static string OdsType(string catalogType) => catalogType switch
    {
        "integer" => "int",
        "number" => "double",
        "boolean" => "boolean",
        "date" => "date",
        "datetime" => "datetime",
        "geometry" => "geo_shape",
        _ => "text",
    };

    /// <summary>The query schema of a version for a caller: only the fields the grant allows resolve.</summary>
    public async Task<QuerySchema> SchemaFor(VersionRecord version, IReadOnlyList<FieldSchema> visible, CancellationToken cancellationToken)
    {
        var srids = await SridsAsync(version.RecordsTable!, cancellationToken);
        return new QuerySchema([.. visible.Select(f => new QueryField(f.Name, RecordsLoader.Quote(f.Column), f.Type switch
        {
            "integer" => ValueKind.Integer,
            "number" => ValueKind.Number,
            "boolean" => ValueKind.Boolean,
            "date" => ValueKind.Date,
            "datetime" => ValueKind.DateTime,
            "geometry" => ValueKind.Geometry,
            _ => ValueKind.Text,
        }, srids.TryGetValue(f.Column, out var s) ? s : 4326))]);
    }

    /// <summary>
    /// <paramref name="visible"/> (from <see cref="SchemaFor"/>) as <paramref name="grants"/> let the caller read it, the
    /// grants' values bound on <paramref name="cmd"/>: compile the query against the result's schema on that command (or
    /// its clones) and add its rows to the WHERE clause.
    /// </summary>
    public static ScopedSchema Scope(VersionRecord version, QuerySchema visible, IReadOnlyList<GrantScope>? grants, NpgsqlCommand cmd)
    {
        var scope = RecordsQuery.Scope.Compile(version, grants, cmd);
        return new ScopedSchema(
            new QuerySchema([.. visible.Fields.Select(f => f with { Sql = scope.Mask(f.Name, f.Sql) })], visible.FullText),
            scope.Rows);
    }

    private async Task<IReadOnlyDictionary<string, int>> SridsAsync(string table, CancellationToken cancellationToken)
    {
        if (_srids.TryGetValue(table, out var known))
        {
            return known;
        }
        var found = await Db.ListAsync(dataSource, """
            SELECT f_geometry_column, srid FROM geometry_columns WHERE f_table_schema = 'records' AND f_table_name = @t
            """, r => (r.GetString(0), r.GetInt32(1)), cancellationToken, ("t", table));
        var map = found.ToDictionary(x => x.Item1, x => x.Item2 == 0 ? 4326 : x.Item2, StringComparer.Ordinal);
        _srids[table] = map;
        return map;
    }

    /// <summary>Reads a page (or, with no limit, every row: exports); <paramref name="onRow"/> gets the values and the row id (null when aggregated).</summary>
    public async Task<long> ReadAsync(
        VersionRecord version, ScopedSchema scope, RecordsRequest request, NpgsqlCommand cmd,
        Func<object?[], long?, ValueTask> onRow, CancellationToken cancellationToken)
    {
        var q = request.Query;
        var table = $"records.{RecordsLoader.Quote(version.RecordsTable!)}";
        var columns = q.Columns.Select((c, i) => $"{Output(c, request.Geometry)} AS c{i.ToString(CultureInfo.InvariantCulture)}").ToList();
        if (!q.Aggregated)
        {
            columns.Add("_row");
        }
        var where = $"{scope.Rows} AND {q.Where}";
        if (request.AfterRow is { } after)
        {
            where += $" AND _row > {Bind(cmd, after)}";
        }
        var order = q.OrderBy.Count > 0
            ? string.Join(", ", q.OrderBy) + (q.Aggregated ? "" : ", _row")
            : q.Aggregated ? string.Join(", ", q.GroupBy.Select((_, i) => (i + 1).ToString(CultureInfo.InvariantCulture))) : "_row";
        cmd.CommandText = $"""
            SELECT {string.Join(", ", columns)} FROM {table}
            WHERE {where}
            {(q.GroupBy.Count > 0 ? "GROUP BY " + string.Join(", ", q.GroupBy) : "")}
            {(order.Length > 0 ? "ORDER BY " + order : "")}
            {(request.Limit is { } limit ? "LIMIT " + Bind(cmd, (long)limit) : "")} {(request.Offset > 0 ? "OFFSET " + Bind(cmd, request.Offset) : "")}
            """;
        var timeout = request.Limit is null ? ExportTimeout : QueryTimeout;
        return await RunAsync(cmd, timeout, async reader =>
        {
            long n = 0;
            var values = new object?[q.Columns.Count];
            while (await reader.ReadAsync(cancellationToken))
            {
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                }
                await onRow(values, q.Aggregated ? null : reader.GetInt64(values.Length));
                n++;
            }
            return n;
        }, cancellationToken);
    }

    /// <summary>How many rows (or groups) the query matches, whatever the page.</summary>
    public async Task<long> CountAsync(
        VersionRecord version, ScopedSchema scope, CompiledQuery q, NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        var table = $"records.{RecordsLoader.Quote(version.RecordsTable!)}";
        var where = $"{scope.Rows} AND {q.Where}";
        cmd.CommandText = q.GroupBy.Count > 0
            ? $"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {where} GROUP BY {string.Join(", ", q.GroupBy)}) g"
            : q.Aggregated ? "SELECT 1::bigint" : $"SELECT count(*) FROM {table} WHERE {where}";
        return await RunAsync(cmd, QueryTimeout, async reader =>
        {
            await reader.ReadAsync(cancellationToken);
            return reader.GetInt64(0);
        }, cancellationToken);
    }

    /// <summary>The most frequent values of a field among the matching rows, with their counts.</summary>
    public async Task<List<(string? Value, long Count)>> FacetAsync(
        VersionRecord version, ScopedSchema scope, QueryField field, string whereSql, int limit,
        NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        var table = $"records.{RecordsLoader.Quote(version.RecordsTable!)}";
        var value = field.Kind switch
        {
            ValueKind.DateTime => $"to_char({field.Sql} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
            _ => $"{field.Sql}::text",
        };
        cmd.CommandText = $"""
            SELECT {value}, count(*) FROM {table}
            WHERE {scope.Rows} AND {whereSql}
            GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {Bind(cmd, (long)limit)}
            """;
        return await RunAsync(cmd, QueryTimeout, async reader =>
        {
            var list = new List<(string?, long)>();
            while (await reader.ReadAsync(cancellationToken))
            {
                list.Add((reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt64(1)));
            }
            return list;
        }, cancellationToken);
    }

    /// <summary>The SQL of an output column: geometry in WGS 84 as GeoJSON, WKT or WKB.</summary>
    public static string Output(OutputColumn c, GeometryText geometry) => c.Kind != ValueKind.Geometry
        ? c.Sql
        : geometry switch
        {
            GeometryText.GeoJson => $"ST_AsGeoJSON(ST_Transform({c.Sql}, 4326), 7)",
            GeometryText.Wkb => $"ST_AsBinary(ST_Transform({c.Sql}, 4326), 'NDR')",
            _ => $"ST_AsText(ST_Transform({c.Sql}, 4326))",
        };

    private static string Bind(NpgsqlCommand cmd, long value)
    {
        var name = $"n{cmd.Parameters.Count.ToString(CultureInfo.InvariantCulture)}";
        cmd.Parameters.AddWithValue(name, value);
        return "@" + name;
    }

    /// <summary>Runs a statement under a timeout; a timeout or a data error becomes an <see cref="ExploreQueryException"/>.</summary>
    public async Task<T> RunAsync<T>(NpgsqlCommand cmd, TimeSpan timeout, Func<NpgsqlDataReader, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        cmd.Connection = connection;
        cmd.CommandTimeout = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
        try
        {
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            return await read(reader);
        }
        catch (Exception e) when (Translate(e, timeout) is { } clean)
        {
            throw clean;
        }
    }

    /// <summary>What a failed statement means to the client, or null when it is the platform's fault (a 5xx).</summary>
    public static ExploreQueryException? Translate(Exception e, TimeSpan timeout) => e switch
    {
        NpgsqlException { InnerException: TimeoutException } or PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } =>
            new ExploreQueryException("QueryTimeoutError",
                $"The query ran longer than {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s and was stopped: narrow the where clause, or use an export."),
        PostgresException p when p.SqlState.StartsWith("22", StringComparison.Ordinal) =>
            new ExploreQueryException("ODSQLError", $"The query failed on the data: {p.MessageText}."),
        PostgresException { SqlState: "XX000" } p when p.MessageText.Contains("transform", StringComparison.OrdinalIgnoreCase)
                                                     || p.MessageText.Contains("geometry", StringComparison.OrdinalIgnoreCase) =>
            new ExploreQueryException("ODSQLError", "A geometry of the query cannot be used with this dataset's coordinate system (is it lon lat in degrees, inside the dataset's area?)."),
        PostgresException { SqlState: "54001" or "53200" } =>
            new ExploreQueryException("ODSQLError", "The query is too large for the database: simplify it."),
        // A statement the compiler should not have produced: still the caller's query that cannot run, not a server fault.
        PostgresException p when p.SqlState.StartsWith("42", StringComparison.Ordinal) =>
            new ExploreQueryException("ODSQLError", "The query cannot be run as written: simplify it (for instance, name a field where a constant stands)."),
        _ => null,
    };
}
