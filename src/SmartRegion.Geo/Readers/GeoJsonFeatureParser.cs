using System.Text.Json;
using System.Text.Unicode;
using NetTopologySuite.Geometries;

namespace SmartRegion.Geo.Readers;

/// <summary>Turns one GeoJSON Feature's bytes (from <see cref="GeoJsonFeatureStream"/>) into a <see cref="SourceFeature"/>. Thread-safe.</summary>
public static class GeoJsonFeatureParser
{
    /// <summary>Parses a feature; field-level problems throw <see cref="FeatureFieldException"/>.</summary>
    public static SourceFeature Parse(byte[] json, int index, long? line, GeometryFactory factory)
    {
        if (!Utf8.IsValid(json))
        {
            var bad = FirstInvalidUtf8(json);
            throw new FeatureFieldException("(text)", $"is not valid UTF-8 (byte {bad} of the feature, near \"{GeoJsonFeatureStream.Preview(json[..Math.Min(json.Length, bad)], 60)}\"); GeoJSON must be UTF-8: re-encode the file, e.g. iconv -f latin1 -t utf-8");
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FeatureFieldException("(json)", e.Message);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() != "Feature")
            {
                throw new FeatureFieldException("type", $"is '{t.GetString()}', expected 'Feature'");
            }
            string? id = null;
            if (root.TryGetProperty("id", out var idElement))
            {
                id = idElement.ValueKind switch
                {
                    JsonValueKind.String => idElement.GetString(),
                    JsonValueKind.Number => idElement.GetRawText(),
                    _ => null,
                };
            }
            var attributes = "{}";
            if (root.TryGetProperty("properties", out var props))
            {
                if (props.ValueKind == JsonValueKind.Object)
                {
                    attributes = props.GetRawText();
                }
                else if (props.ValueKind != JsonValueKind.Null)
                {
                    throw new FeatureFieldException("properties", $"is a JSON {props.ValueKind}, not an object");
                }
            }
            Geometry? geometry = null;
            if (root.TryGetProperty("geometry", out var g))
            {
                geometry = GeoJsonGeometry.Read(g, factory);
            }
            return new SourceFeature(index, line, id, geometry, attributes, []);
        }
    }

    private static int FirstInvalidUtf8(byte[] bytes)
    {
        var chars = new char[bytes.Length];
        Utf8.ToUtf16(bytes, chars, out var read, out _, replaceInvalidSequences: false);
        return read;
    }
}
