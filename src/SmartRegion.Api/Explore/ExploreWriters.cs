using System.Globalization;
using System.Text;
using System.Text.Json;
using SmartRegion.Api.Infrastructure;
using SmartRegion.Data.Explore;
using SmartRegion.Data.Explore.Odsql;
using SmartRegion.Parquet;

namespace SmartRegion.Api.Explore;

/// <summary>Record values as the explore API writes them: JSON objects, GeoJSON features, CSV lines and Parquet rows.</summary>
internal static class ExploreWriters
{
    /// <summary>One record as a JSON object, with its <c>_id</c> when given (geometry as a GeoJSON Feature, as Opendatasoft's geo_shape).</summary>
    public static void WriteRecord(Utf8JsonWriter json, IReadOnlyList<OutputColumn> columns, object?[] values, long? row)
    {
        json.WriteStartObject();
        if (row is { } r)
        {
            json.WriteString("_id", ExploreCatalog.RecordId(r));
        }
        for (var i = 0; i < columns.Count; i++)
        {
            json.WritePropertyName(columns[i].Name);
            WriteValue(json, columns[i].Kind, values[i], asFeature: true);
        }
        json.WriteEndObject();
    }

    public static void WriteValue(Utf8JsonWriter json, ValueKind kind, object? value, bool asFeature)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case string g when kind == ValueKind.Geometry:
                if (asFeature)
                {
                    json.WriteStartObject();
                    json.WriteString("type", "Feature");
                    json.WritePropertyName("geometry");
                    json.WriteRawValue(g, skipInputValidation: true);
                    json.WriteStartObject("properties");
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
                else
                {
                    json.WriteRawValue(g, skipInputValidation: true);
                }
                break;
            case long l: json.WriteNumberValue(l); break;
            case int n: json.WriteNumberValue(n); break;
            case short n: json.WriteNumberValue(n); break;
            case double d when double.IsFinite(d): json.WriteNumberValue(d); break;
            case double: json.WriteNullValue(); break;
            case float f when float.IsFinite(f): json.WriteNumberValue(f); break;
            case decimal m: json.WriteNumberValue(m); break;
            case bool b: json.WriteBooleanValue(b); break;
            case DateOnly d: json.WriteStringValue(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); break;
            case DateTime d when kind == ValueKind.Date: json.WriteStringValue(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); break;
            case DateTime t: json.WriteStringValue(t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'+00:00'", CultureInfo.InvariantCulture)); break;
            case string[] list:
                json.WriteStartArray();
                foreach (var s in list)
                {
                    json.WriteStringValue(s);
                }
                json.WriteEndArray();
                break;
            default: json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    /// <summary>One CSV line (no line break): numbers bare, every text cell neutralised and quoted as needed.</summary>
    public static string CsvLine(IReadOnlyList<OutputColumn> columns, object?[] values, char delimiter)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < columns.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(delimiter);
            }
            var v = values[i];
            if (v is DateTime d && columns[i].Kind == ValueKind.Date)
            {
                sb.Append(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(CsvText.Value(v, delimiter));
            }
        }
        return sb.ToString();
    }

    public static string CsvHeader(IReadOnlyList<OutputColumn> columns, char delimiter) =>
        string.Join(delimiter, columns.Select(c => CsvText.Cell(c.Name, delimiter)));

    public static ParquetType ParquetTypeOf(ValueKind kind) => kind switch
    {
        ValueKind.Integer => ParquetType.Int64,
        ValueKind.Number => ParquetType.Double,
        ValueKind.Boolean => ParquetType.Boolean,
        ValueKind.Date => ParquetType.Date,
        ValueKind.DateTime => ParquetType.Timestamp,
        ValueKind.Geometry => ParquetType.Binary,
        _ => ParquetType.String,
    };

    public static object? ParquetValue(object? value, ValueKind kind) => value switch
    {
        DateTime d when kind == ValueKind.Date => DateOnly.FromDateTime(d),
        DateTime d => d.ToUniversalTime(),
        int n when kind == ValueKind.Integer => (long)n,
        short n when kind == ValueKind.Integer => (long)n,
        decimal m when kind == ValueKind.Number => (double)m,
        float f when kind == ValueKind.Number => (double)f,
        long l when kind == ValueKind.Number => (double)l,
        _ when kind == ValueKind.Text && value is not null and not string => Convert.ToString(value, CultureInfo.InvariantCulture),
        _ => value,
    };
}
