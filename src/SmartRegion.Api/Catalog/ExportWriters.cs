using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SmartRegion.Api.Infrastructure;
using SmartRegion.Data.Catalog;
using SmartRegion.Data.Catalog.Uploads;
using SmartRegion.Parquet;

namespace SmartRegion.Api.Catalog;

/// <summary>One export format: its media type and a writer of a version's records (fields and rows as the caller may see them) to a stream.</summary>
internal sealed record ExportWriter(string Format, string ContentType, string Summary, string Description,
    Func<Stream, string, VersionRecord, List<FieldSchema>, IReadOnlyList<GrantScope>?, RecordsQuery, Action?, CancellationToken, Task<long>> WriteAsync);

/// <summary>The CSV, GeoJSON and GeoParquet exports, written to any stream (the response, or a byte counter for their sizes).</summary>
internal static class ExportWriters
{
    public static readonly IReadOnlyList<string> Formats = ["csv", "geojson", "parquet"];

    public static ExportWriter Get(string format) => format switch
    {
        "csv" => new("csv", "text/csv; charset=utf-8", "The current version as CSV (geometry as WKT), streamed", "", WriteCsvAsync),
        "geojson" => new("geojson", "application/geo+json", "The current version as a GeoJSON FeatureCollection, streamed",
            "The first geometry column is the features' geometry. ", WriteGeoJsonAsync),
        "parquet" => new("parquet", "application/vnd.apache.parquet", "The current version as GeoParquet 1.1, streamed one row group at a time",
            "The first geometry column as WKB in OGC:CRS84, with a bbox covering; integer → INT64, number → DOUBLE, boolean, date, "
            + "datetime → TIMESTAMP (UTC), text → STRING, geometry → WKB. ", WriteParquetAsync),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown export format"),
    };

    private static async Task<long> WriteCsvAsync(Stream output, string id, VersionRecord v, List<FieldSchema> selected,
        IReadOnlyList<GrantScope>? grants, RecordsQuery query, Action? onRow, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        await writer.WriteLineAsync(string.Join(',', selected.Select(f => CsvText.Cell(f.Name))));
        var rows = await query.ReadAsync(v, selected, grants, null, 0, GeometryText.Wkt,
            values =>
            {
                onRow?.Invoke();
                return writer.WriteLineAsync(string.Join(',', values.Select(x => CsvText.Value(x))));
            }, ct);
        await writer.FlushAsync(ct);
        return rows;
    }

    private static async Task<long> WriteGeoJsonAsync(Stream output, string id, VersionRecord v, List<FieldSchema> selected,
        IReadOnlyList<GrantScope>? grants, RecordsQuery query, Action? onRow, CancellationToken ct)
    {
        var geometry = selected.FindIndex(f => f.Type == "geometry");
        await using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("type", "FeatureCollection");
        json.WriteStartArray("features");
        var rows = await query.ReadAsync(v, selected, grants, null, 0, GeometryText.GeoJson, async values =>
        {
            onRow?.Invoke();
            json.WriteStartObject();
            json.WriteString("type", "Feature");
            json.WritePropertyName("geometry");
            if (geometry >= 0 && values[geometry] is string g)
            {
                json.WriteRawValue(g, skipInputValidation: true);
            }
            else
            {
                json.WriteNullValue();
            }
            json.WriteStartObject("properties");
            for (var i = 0; i < selected.Count; i++)
            {
                if (i != geometry)
                {
                    json.WritePropertyName(selected[i].Name);
                    WriteValue(json, RecordEndpoints.JsonValue(values[i], selected[i].Type));
                }
            }
            json.WriteEndObject();
            json.WriteEndObject();
            if (json.BytesPending > 1 << 16)
            {
                await json.FlushAsync(ct);
            }
        }, ct);
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(ct);
        return rows;
    }

    private static async Task<long> WriteParquetAsync(Stream output, string id, VersionRecord v, List<FieldSchema> selected,
        IReadOnlyList<GrantScope>? grants, RecordsQuery query, Action? onRow, CancellationToken ct)
    {
        var schema = new ParquetSchema(selected.Select(f => new ParquetColumn(f.Name, ParquetTypeOf(f.Type))));
        var geometry = selected.Find(f => f.Type == "geometry");
        var options = new ParquetWriterOptions
        {
            // One row group is what the export holds in memory, whatever the dataset's size.
            RowGroupRows = 50_000,
            RowGroupBytes = 32L << 20,
            MaxThreads = 1,
            Geo = geometry is null ? null : new GeoParquetOptions { GeometryColumn = geometry.Name, Crs = GeoCrs.Crs84, BboxCovering = true },
            Metadata = new Dictionary<string, string> { ["smartregion:dataset"] = id, ["smartregion:version"] = v.Number.ToString(CultureInfo.InvariantCulture) },
        };
        await using var writer = new ParquetWriter(output, schema, options, leaveOpen: true);
        var rows = await query.ReadAsync(v, selected, grants, null, 0, GeometryText.Wkb,
            values =>
            {
                onRow?.Invoke();
                return writer.WriteRowAsync([.. values.Select((x, i) => ParquetValue(x, selected[i].Type))], ct);
            }, ct);
        await writer.CompleteAsync(ct);
        return rows;
    }

    private static ParquetType ParquetTypeOf(string catalogType) => catalogType switch
    {
        "integer" => ParquetType.Int64,
        "number" => ParquetType.Double,
        "boolean" => ParquetType.Boolean,
        "date" => ParquetType.Date,
        "datetime" => ParquetType.Timestamp,
        "geometry" => ParquetType.Binary,
        _ => ParquetType.String,
    };

    private static object? ParquetValue(object? value, string catalogType) => value switch
    {
        DateTime d when catalogType == "date" => DateOnly.FromDateTime(d),
        DateTime d => d.ToUniversalTime(),
        _ => value,
    };

    /// <summary>Writes a record value without JsonSerializer (which flushes synchronously to the response).</summary>
    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case long l: json.WriteNumberValue(l); break;
            case double d: json.WriteNumberValue(d); break;
            case bool b: json.WriteBooleanValue(b); break;
            case JsonElement e: e.WriteTo(json); break;
            default: json.WriteStringValue(value.ToString()); break;
        }
    }
}

/// <summary>
/// Exact export sizes, computed by writing each export once into a byte counter. A version never changes, so a size is
/// remembered per version, format and view (the fields and rows the caller may see); the cache is bounded.
/// </summary>
internal sealed class ExportSizes
{
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);

    public async Task<long> GetAsync(string id, VersionRecord v, List<FieldSchema> selected,
        IReadOnlyList<GrantScope>? grants, string format, RecordsQuery query, CancellationToken ct)
    {
        var filters = grants is null ? "*" : JsonSerializer.Serialize(grants);
        var key = $"{v.Id}|{format}|{string.Join(',', selected.Select(f => f.Name))}|{filters}";
        if (_bytes.TryGetValue(key, out var known))
        {
            return known;
        }
        await using var counter = new CountingStream();
        await ExportWriters.Get(format).WriteAsync(counter, id, v, selected, grants, query, null, ct);
        if (_bytes.Count >= MaxEntries)
        {
            _bytes.Clear();
        }
        _bytes[key] = counter.Length;
        return counter.Length;
    }

    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _length += buffer.Length;
            return ValueTask.CompletedTask;
        }
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            _length += count;
            return Task.CompletedTask;
        }
    }
}
