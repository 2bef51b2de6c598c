using System.Globalization;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace SmartRegion.Data.Catalog.Uploads;

/// <summary>One reported problem in an upload: where (row = file line or feature number, column) and what.</summary>
public sealed record RowError(long Row, string? Column, string Message, string? Value);

/// <summary>The validation report of an ingestion.</summary>
public sealed record ValidationReport(
    IReadOnlyDictionary<string, object?> Detected,
    IReadOnlyList<FieldSchema> Fields,
    long RowsRead,
    long RowsLoaded,
    long RowsRejected,
    long ErrorCount,
    IReadOnlyList<RowError> Errors,
    bool ErrorsTruncated)
{
    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);
}

/// <summary>
/// Loads a source into a typed table <c>records."v{versionId}"</c> with binary COPY, inside one transaction that
/// also marks the version ready: a failure leaves no table and no half-loaded version behind.
/// </summary>
public static class RecordsLoader
{
    private static readonly HashSet<string> Encodings = ["geojson", "wkt", "wkb-hex"];

    public static string TableName(long versionId) => $"v{versionId.ToString(CultureInfo.InvariantCulture)}";

    public static async Task<ValidationReport> LoadAsync(
        NpgsqlDataSource dataSource, long versionId, ITabularSource source, IReadOnlyList<FieldSchema> fields, bool strict,
        UploadLimits limits, CancellationToken cancellationToken)
    {
        var table = TableName(versionId);
        var errors = new List<RowError>();
        long errorCount = 0, read = 0, rejected = 0;
        void Report(RowError e)
        {
            errorCount++;
            if (errors.Count < limits.MaxReportedErrors)
            {
                errors.Add(e with { Value = e.Value is { Length: > 80 } v ? v[..80] + "…" : e.Value });
            }
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var columns = string.Join(", ", fields.Select(f => $"{Quote(f.Column)} {SqlType(f.Type)}"));
        await Exec(connection, tx, $"CREATE TABLE records.{Quote(table)} (_row bigint NOT NULL, {columns})", cancellationToken);

        var copy = $"COPY records.{Quote(table)} (_row, {string.Join(", ", fields.Select(f => Quote(f.Column)))}) FROM STDIN (FORMAT BINARY)";
        await using (var importer = await connection.BeginBinaryImportAsync(copy, cancellationToken))
        {
            var converted = new object?[fields.Count];
            foreach (var row in source.ReadRows(cancellationToken))
            {
                read++;
                if (row.Error is not null)
                {
                    Report(new RowError(row.Line, null, row.Error, null));
                    rejected++;
                    continue;
                }
                var ok = true;
                for (var i = 0; i < fields.Count; i++)
                {
                    var v = row.Values[i];
                    if (string.IsNullOrWhiteSpace(v))
                    {
                        converted[i] = null;
                        continue;
                    }
                    converted[i] = Convert(v, fields[i].Type, source.DecimalSeparator);
                    if (converted[i] is null)
                    {
                        Report(new RowError(row.Line, fields[i].Name, $"'{fields[i].Type}' expected", v));
                        ok = false;
                    }
                }
                if (!ok)
                {
                    rejected++;
                    continue;
                }
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(row.Line, NpgsqlDbType.Bigint, cancellationToken);
                for (var i = 0; i < fields.Count; i++)
                {
                    if (converted[i] is null)
                    {
                        await importer.WriteNullAsync(cancellationToken);
                    }
                    else
                    {
                        await importer.WriteAsync(converted[i], DbType(fields[i].Type), cancellationToken);
                    }
                }
            }
            await importer.CompleteAsync(cancellationToken);
        }

        var geometry = fields.Where(f => f.Type == "geometry").ToList();
        double[]? bbox = null;
        if (geometry.Count > 0)
        {
            await using (var check = new NpgsqlCommand("SELECT 1 FROM spatial_ref_sys WHERE srid = @s", connection, tx))
            {
                check.Parameters.AddWithValue("s", source.Srid);
                if (await check.ExecuteScalarAsync(cancellationToken) is null)
                {
                    throw new UploadFailure($"the file's CRS EPSG:{source.Srid} is not known to PostGIS");
                }
            }
            foreach (var g in geometry)
            {
                var encoding = g.GeometryEncoding ?? "geojson";
                if (!Encodings.Contains(encoding))
                {
                    throw new UploadFailure($"column '{g.Name}': unknown geometry encoding '{encoding}'");
                }
                // Literals, not parameters: DDL takes none; both come from this code (a fixed word, an integer).
                var convert = $"catalog.try_geometry({Quote(g.Column)}, '{encoding}', {source.Srid.ToString(CultureInfo.InvariantCulture)})";
                await using (var bad = new NpgsqlCommand($"""
                    DELETE FROM records.{Quote(table)} WHERE {Quote(g.Column)} IS NOT NULL AND {convert} IS NULL
                    RETURNING _row, left({Quote(g.Column)}, 100)
                    """, connection, tx))
                await using (var reader = await bad.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        Report(new RowError(reader.GetInt64(0), g.Name, "not a valid geometry", reader.GetString(1)));
                        rejected++;
                    }
                }
                await Exec(connection, tx, $"ALTER TABLE records.{Quote(table)} ALTER COLUMN {Quote(g.Column)} TYPE geometry(Geometry, 4326) USING {convert}", cancellationToken);
            }
            var first = Quote(geometry[0].Column);
            await Exec(connection, tx, $"CREATE INDEX ON records.{Quote(table)} USING gist ({first})", cancellationToken);
            await using var extent = new NpgsqlCommand($"""
                SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent({first}) AS e FROM records.{Quote(table)}) x WHERE e IS NOT NULL
                """, connection, tx);
            await using var er = await extent.ExecuteReaderAsync(cancellationToken);
            if (await er.ReadAsync(cancellationToken))
            {
                bbox = [er.GetDouble(0), er.GetDouble(1), er.GetDouble(2), er.GetDouble(3)];
            }
        }
        await Exec(connection, tx, $"CREATE UNIQUE INDEX ON records.{Quote(table)} (_row)", cancellationToken);

        var report = new ValidationReport(source.Detected, fields, read, read - rejected, rejected, errorCount, errors, errorCount > errors.Count);
        if (strict && errorCount > 0)
        {
            throw new StrictModeFailure(report);
        }
        if (read - rejected == 0)
        {
            throw new StrictModeFailure(report, read == 0 ? "the file has no data rows" : "no row could be loaded; see the report");
        }
        await using (var update = new NpgsqlCommand("""
            UPDATE catalog.dataset_version SET status = 'ready', schema_json = @schema::jsonb, report_json = @report::jsonb,
                row_count = @rows, bbox_wgs84 = @bbox, records_table = @table, has_geometry = @geo, processed_at = now(), error = NULL
            WHERE id = @id
            """, connection, tx))
        {
            update.Parameters.AddWithValue("schema", JsonSerializer.Serialize(new { fields }, JsonSerializerOptions.Web));
            update.Parameters.AddWithValue("report", report.ToJson());
            update.Parameters.AddWithValue("rows", read - rejected);
            update.Parameters.AddWithValue("bbox", (object?)bbox ?? DBNull.Value);
            update.Parameters.AddWithValue("table", table);
            update.Parameters.AddWithValue("geo", geometry.Count > 0);
            update.Parameters.AddWithValue("id", versionId);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return report;
    }

    /// <summary>A double-quoted identifier (names here are generated: v123, f7).</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string SqlType(string type) => type switch
    {
        "integer" => "bigint",
        "number" => "double precision",
        "boolean" => "boolean",
        "date" => "date",
        "datetime" => "timestamptz",
        _ => "text", // text, and geometry until converted after the COPY
    };

    private static NpgsqlDbType DbType(string type) => type switch
    {
        "integer" => NpgsqlDbType.Bigint,
        "number" => NpgsqlDbType.Double,
        "boolean" => NpgsqlDbType.Boolean,
        "date" => NpgsqlDbType.Date,
        "datetime" => NpgsqlDbType.TimestampTz,
        _ => NpgsqlDbType.Text,
    };

    private static object? Convert(string v, string type, char decimalSeparator) => type switch
    {
        "integer" => ValueParser.TryInteger(v, out var l) ? l : null,
        "number" => ValueParser.TryNumber(v, decimalSeparator, out var d) ? d : null,
        "boolean" => ValueParser.TryBoolean(v, out var b) ? b : null,
        "date" => ValueParser.TryDate(v, out var date) ? date : null,
        "datetime" => ValueParser.TryDateTime(v, out var dt) ? dt : null,
        _ => v.Contains('\0', StringComparison.Ordinal) ? v.Replace("\0", "", StringComparison.Ordinal) : v,
    };

    private static async Task Exec(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>Rows were rejected in strict mode, or none could be loaded: the job fails but keeps its report.</summary>
public sealed class StrictModeFailure(ValidationReport report, string? message = null)
    : Exception(message ?? $"strict mode: {report.ErrorCount} error(s) in the data; nothing was loaded")
{
    public ValidationReport Report { get; } = report;
}
