using System.Text.Json;

namespace SmartRegion.Data.Catalog.Uploads;

/// <summary>A column of a loaded version: its name in the file, its column in the records table, type, and how sure the inference was.</summary>
public sealed record FieldSchema(string Name, string Column, string Type, double Confidence, string? GeometryEncoding = null);

/// <summary>Infers a type per column from every value (integer, number, boolean, date, datetime, geometry, else text), or applies a Frictionless Table Schema.</summary>
public static class SchemaInference
{
    // A column is typed when at least this share of its non-empty values parse; the others become row errors.
    private const double MinimumShare = 0.9;

    private sealed class Tally
    {
        public long NonEmpty, Integer, Number, Boolean, Date, DateTime, Geometry;
        public string? GeometryEncoding;
    }

    public static List<FieldSchema> Infer(ITabularSource source, CancellationToken cancellationToken)
    {
        var tallies = source.Fields.Select(_ => new Tally()).ToArray();
        foreach (var row in source.ReadRows(cancellationToken))
        {
            if (row.Error is not null)
            {
                continue;
            }
            for (var i = 0; i < tallies.Length; i++)
            {
                var v = row.Values[i];
                if (string.IsNullOrWhiteSpace(v))
                {
                    continue;
                }
                var t = tallies[i];
                t.NonEmpty++;
                if (source.Fields[i].GeometryEncoding is { } declared)
                {
                    t.Geometry++;
                    t.GeometryEncoding = declared;
                    continue;
                }
                if (ValueParser.TryInteger(v, out _)) { t.Integer++; }
                if (ValueParser.TryNumber(v, source.DecimalSeparator, out _)) { t.Number++; }
                if (ValueParser.TryBoolean(v, out _)) { t.Boolean++; }
                if (ValueParser.TryDate(v, out _)) { t.Date++; }
                if (ValueParser.TryDateTime(v, out _)) { t.DateTime++; }
                if (ValueParser.GeometryEncoding(v) is { } enc && (t.GeometryEncoding is null || t.GeometryEncoding == enc))
                {
                    t.Geometry++;
                    t.GeometryEncoding = enc;
                }
            }
        }
        return [.. source.Fields.Select((f, i) => Decide(f.Name, $"f{i + 1}", tallies[i]))];
    }

    /// <summary>The types a typed file (Parquet) declares, taken as they are: confidence 1.</summary>
    public static List<FieldSchema> Declared(ITabularSource source) =>
        [.. source.Fields.Select((f, i) => new FieldSchema(f.Name, $"f{i + 1}", f.DeclaredType!, 1, f.DeclaredType == "geometry" ? f.GeometryEncoding : null))];

    private static FieldSchema Decide(string name, string column, Tally t)
    {
        if (t.NonEmpty == 0)
        {
            return new FieldSchema(name, column, "text", 0);
        }
        // Most specific first: a column of 0/1 stays integer, integers are numbers, dates are not datetimes.
        (string Type, long Count)[] candidates =
        [
            ("geometry", t.Geometry), ("boolean", t.Boolean), ("integer", t.Integer), ("number", t.Number),
            ("date", t.Date), ("datetime", t.DateTime),
        ];
        foreach (var (type, count) in candidates)
        {
            if (type is "integer" or "number" && IsCodeName(name))
            {
                continue; // INSEE, postal and SIRET codes look numeric but are identifiers (2A004, 01000): keep them text
            }
            if (count == t.NonEmpty)
            {
                return new FieldSchema(name, column, type, 1, type == "geometry" ? t.GeometryEncoding : null);
            }
        }
        var best = candidates.Where(c => !(c.Type is "integer" or "number" && IsCodeName(name))).MaxBy(c => c.Count);
        var share = best.Count / (double)t.NonEmpty;
        return share >= MinimumShare
            ? new FieldSchema(name, column, best.Type, Math.Round(share, 4), best.Type == "geometry" ? t.GeometryEncoding : null)
            : new FieldSchema(name, column, "text", Math.Round(1 - share, 4));
    }

    private static bool IsCodeName(string name)
    {
        var n = name.ToLowerInvariant();
        return n.Contains("code", StringComparison.Ordinal) || n.Contains("insee", StringComparison.Ordinal)
            || n.Contains("postal", StringComparison.Ordinal) || n.Contains("siret", StringComparison.Ordinal)
            || n.Contains("siren", StringComparison.Ordinal) || n is "cp" or "uai";
    }

    /// <summary>Applies a Frictionless Table Schema: every field of the file must be described, and nothing else.</summary>
    public static List<FieldSchema> FromTableSchema(ITabularSource source, string tableSchemaJson)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(tableSchemaJson);
        }
        catch (JsonException e)
        {
            throw new UploadFailure($"the Table Schema is not valid JSON: {e.Message}");
        }
        using (doc)
        {
            if (!doc.RootElement.TryGetProperty("fields", out var fields) || fields.ValueKind != JsonValueKind.Array)
            {
                throw new UploadFailure("the Table Schema has no 'fields' array");
            }
            var declared = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var f in fields.EnumerateArray())
            {
                var name = f.TryGetProperty("name", out var n) ? n.GetString() : null;
                var type = f.TryGetProperty("type", out var t) ? t.GetString() : "string";
                if (name is null)
                {
                    throw new UploadFailure("a Table Schema field has no name");
                }
                declared[name] = type switch
                {
                    "string" or "any" or null => "text",
                    "integer" or "number" or "boolean" or "date" or "datetime" => type,
                    "geojson" => "geometry",
                    _ => throw new UploadFailure($"Table Schema field '{name}': type '{type}' is not supported (string, integer, number, boolean, date, datetime, geojson)"),
                };
            }
            var names = source.Fields.Select(f => f.Name).ToList();
            var missing = names.Where(n => !declared.ContainsKey(n)).ToList();
            var extra = declared.Keys.Where(n => !names.Contains(n)).ToList();
            if (missing.Count > 0 || extra.Count > 0)
            {
                throw new UploadFailure($"the Table Schema does not match the file: not described {string.Join(", ", missing.Select(m => $"'{m}'"))}; not in the file {string.Join(", ", extra.Select(m => $"'{m}'"))}");
            }
            return [.. source.Fields.Select((f, i) => new FieldSchema(f.Name, $"f{i + 1}", declared[f.Name], 1,
                declared[f.Name] == "geometry" ? f.GeometryEncoding ?? "geojson" : null))];
        }
    }
}
