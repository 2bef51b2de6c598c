using System.Globalization;
using System.Text.Json;
using SmartRegion.Parquet;

namespace SmartRegion.Data.Catalog.Uploads;

/// <summary>
/// A Parquet or GeoParquet file read with SmartRegion.Parquet, one row group at a time (memory bounded by a row group).
/// Column types come from the file, not from inference; the GeoParquet <c>geo</c> metadata's primary column (WKB) is the
/// geometry, its CRS read from the metadata (absent = OGC:CRS84, PROJJSON with an EPSG id, or "EPSG:n"/"OGC:CRS84" strings).
/// A corrupt file, or one whose declared sizes are lies, is an <see cref="UploadFailure"/> naming what is wrong.
/// </summary>
public sealed class ParquetTabularSource : ITabularSource
{
    private readonly string _path;
    private readonly ParquetReaderOptions _options;
    private readonly int[] _columnIndexes;
    private readonly int _groupCount;

    public ParquetTabularSource(string path, UploadLimits limits)
    {
        _path = path;
        // A row group may not claim more rows than we accept to hold at once, nor need more memory than the upload's budget
        // (whatever its pages declare or expand to): refused before it is allocated, the job failing with the reason.
        _options = new ParquetReaderOptions { MaxRowGroupRows = 1 << 20, MaxFooterBytes = 16 << 20, MemoryBudgetBytes = limits.MaxReaderMemoryBytes };
        var reader = Open();
        try
        {
            var columns = reader.Schema.Columns;
            var geometry = PrimaryGeometry(reader.Metadata, out var srid);
            Srid = srid;
            // Struct members (the GeoParquet bbox covering) are derived data, not columns of the dataset.
            var kept = columns.Select((c, i) => (c, i)).Where(x => x.c.Group is null).ToList();
            if (kept.Count > limits.MaxColumns)
            {
                throw new UploadFailure($"the Parquet file has more than {limits.MaxColumns} columns");
            }
            if (geometry is not null && !kept.Any(x => x.c.Name == geometry))
            {
                throw new UploadFailure($"the GeoParquet metadata names primary column '{geometry}', which is not a top-level column of the file");
            }
            _columnIndexes = [.. kept.Select(x => x.i)];
            Fields = [.. kept.Select(x => x.c.Name == geometry
                ? new SourceField(x.c.Name, "wkb-hex", "geometry")
                : new SourceField(x.c.Name, null, CatalogType(x.c)))];
            _groupCount = reader.RowGroups.Count;
            Detected = new Dictionary<string, object?>
            {
                ["rowGroups"] = _groupCount, ["rows"] = reader.RowCount, ["geometryColumn"] = geometry, ["srid"] = Srid,
                ["createdBy"] = reader.CreatedBy, ["rowIs"] = "row number",
            };
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    public IReadOnlyList<SourceField> Fields { get; }

    public IReadOnlyDictionary<string, object?> Detected { get; }

    public int Srid { get; } = 4326;

    public char DecimalSeparator => '.';

    public IEnumerable<SourceRow> ReadRows(CancellationToken cancellationToken)
    {
        var reader = Open();
        try
        {
            var names = _columnIndexes.Select(i => reader.Schema.Columns[i].Name).ToList();
            long line = 0;
            for (var g = 0; g < _groupCount; g++)
            {
                var group = ReadGroup(reader, g, names, cancellationToken);
                for (var r = 0; r < group.RowCount; r++)
                {
                    line++;
                    var values = new string?[Fields.Count];
                    for (var c = 0; c < Fields.Count; c++)
                    {
                        values[c] = Text(group.Columns[c], r, Fields[c].GeometryEncoding is not null);
                    }
                    yield return new SourceRow(line, values);
                }
            }
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    // The ingestion runs on a background worker thread and ITabularSource is synchronous: blocking on the file read is fine there.
    private ParquetReader Open() => Guard(() => ParquetReader.OpenAsync(_path, CancellationToken.None, _options).GetAwaiter().GetResult());

    private static RowGroupData ReadGroup(ParquetReader reader, int index, IReadOnlyList<string> names, CancellationToken ct) =>
        Guard(() =>
        {
            var group = reader.ReadRowGroupAsync(index, names, ct).GetAwaiter().GetResult();
            if (group.Columns.Any(c => c.Count != group.RowCount))
            {
                throw new UploadFailure($"Parquet row group {index}: its columns do not have {group.RowCount} values each");
            }
            return group;
        });

    /// <summary>Whatever a damaged file makes the reader throw becomes a failed job with the reason, never a crash.</summary>
    private static T Guard<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (ParquetFormatException e) when (e.OverBudget)
        {
            throw new UploadFailure($"the Parquet file cannot be read within the upload's memory budget (Catalog:MaxReaderMemoryBytes): {e.Message}");
        }
        catch (ParquetFormatException e)
        {
            throw new UploadFailure($"not a valid Parquet file: {e.Message}");
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or InvalidDataException or OverflowException
                                       or IndexOutOfRangeException or ArgumentException or InvalidOperationException or OutOfMemoryException)
        {
            throw new UploadFailure($"not a valid Parquet file (corrupt or truncated): {e.Message}");
        }
    }

    /// <summary>The catalogue type a Parquet column maps to.</summary>
    public static string CatalogType(ParquetColumn c) => c.Type switch
    {
        ParquetType.Boolean => "boolean",
        ParquetType.Int8 or ParquetType.Int16 or ParquetType.Int32 or ParquetType.Int64 or ParquetType.UInt8
            or ParquetType.UInt16 or ParquetType.UInt32 => "integer",
        ParquetType.UInt64 or ParquetType.Float or ParquetType.Double or ParquetType.Decimal => "number",
        ParquetType.Date => "date",
        ParquetType.Timestamp => "datetime",
        _ => "text",
    };

    private static string? Text(ColumnData column, int row, bool geometry)
    {
        if (column.IsNull(row))
        {
            return null;
        }
        var v = column.Values.GetValue(row);
        return v switch
        {
            null => null,
            byte[] b when geometry => b.Length == 0 ? null : Convert.ToHexString(b),
            byte[] b => Convert.ToBase64String(b),
            string s => s,
            bool b => b ? "true" : "false",
            float f => f.ToString("R", CultureInfo.InvariantCulture),
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            decimal m => m.ToString(CultureInfo.InvariantCulture),
            DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            // Timestamps the writer did not declare UTC are local wall-clock times: kept without an offset (read as UTC).
            DateTime t => t.ToString(t.Kind == DateTimeKind.Utc ? "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
            IFormattable n => n.ToString(null, CultureInfo.InvariantCulture),
            _ => v.ToString(),
        };
    }

    /// <summary>The GeoParquet primary geometry column and its EPSG code, or null when the file has no <c>geo</c> metadata.</summary>
    public static string? PrimaryGeometry(IReadOnlyDictionary<string, string?> metadata, out int srid)
    {
        srid = 4326;
        if (!metadata.TryGetValue("geo", out var json) || json is null)
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("primary_column", out var p) || p.GetString() is not { } primary)
            {
                throw new UploadFailure("the GeoParquet 'geo' metadata has no primary_column");
            }
            if (!root.TryGetProperty("columns", out var columns) || columns.ValueKind != JsonValueKind.Object
                || !columns.TryGetProperty(primary, out var column) || column.ValueKind != JsonValueKind.Object)
            {
                throw new UploadFailure($"the GeoParquet 'geo' metadata does not describe its primary column '{primary}'");
            }
            if (column.TryGetProperty("encoding", out var enc) && !string.Equals(enc.GetString(), "WKB", StringComparison.OrdinalIgnoreCase))
            {
                throw new UploadFailure($"GeoParquet column '{primary}': encoding '{enc.GetString()}' is not supported (WKB only)");
            }
            if (column.TryGetProperty("crs", out var crs))
            {
                srid = Epsg(crs) ?? throw new UploadFailure($"GeoParquet column '{primary}': its CRS has no EPSG or OGC:CRS84 identifier");
            }
            return primary;
        }
        catch (JsonException e)
        {
            throw new UploadFailure($"the GeoParquet 'geo' metadata is not valid JSON: {e.Message}");
        }
        catch (InvalidOperationException)
        {
            throw new UploadFailure("the GeoParquet 'geo' metadata has a value of the wrong JSON type");
        }
    }

    private static int? Epsg(JsonElement crs)
    {
        switch (crs.ValueKind)
        {
            case JsonValueKind.Null:
                return null; // "undefined CRS": we cannot place the geometries
            case JsonValueKind.String:
                return Authority(crs.GetString()!.Split(':') is [var a, var c] ? (a, c) : ("", ""));
            case JsonValueKind.Object:
                if (crs.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Object
                    && id.TryGetProperty("authority", out var auth) && id.TryGetProperty("code", out var code))
                {
                    return Authority((auth.GetString() ?? "", code.ValueKind == JsonValueKind.Number ? code.GetRawText() : code.GetString() ?? ""));
                }
                return null;
            default:
                return null;
        }
    }

    private static int? Authority((string Authority, string Code) id) => id.Authority.ToUpperInvariant() switch
    {
        "OGC" when id.Code.Equals("CRS84", StringComparison.OrdinalIgnoreCase) => 4326,
        "EPSG" when int.TryParse(id.Code, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 => n,
        _ => null,
    };
}
