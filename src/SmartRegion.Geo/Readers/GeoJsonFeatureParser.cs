using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using NetTopologySuite.Geometries;

namespace SmartRegion.Geo.Readers;

/// <summary>Turns one GeoJSON Feature's bytes (from <see cref="GeoJsonFeatureStream"/>) into a <see cref="SourceFeature"/>. Thread-safe.</summary>
public static class GeoJsonFeatureParser
{
    /// <summary>Parses a feature; field-level problems throw <see cref="FeatureFieldException"/>.</summary>
    /// <param name="polygons">when given, a Polygon or MultiPolygon geometry is read into it (<see cref="SourceFeature.Polygons"/>)
    /// rather than into NetTopologySuite objects: the caller's buffer, valid until it parses its next feature</param>
    public static SourceFeature Parse(byte[] json, int index, long? line, GeometryFactory factory, PolygonCoordinates? polygons = null)
    {
        if (!Utf8.IsValid(json))
        {
            var bad = FirstInvalidUtf8(json);
            throw new FeatureFieldException("(text)", $"is not valid UTF-8 (byte {bad} of the feature, near \"{GeoJsonFeatureStream.Preview(json[..Math.Min(json.Length, bad)], 60)}\"); GeoJSON must be UTF-8: re-encode the file, e.g. iconv -f latin1 -t utf-8");
        }
        try
        {
            return Read(json, index, line, factory, polygons);
        }
        catch (JsonException e)
        {
            throw new FeatureFieldException("(json)", e.Message);
        }
    }

    // One pass over the feature's members with Utf8JsonReader (no DOM): properties are kept as their raw JSON text.
    private static SourceFeature Read(byte[] json, int index, long? line, GeometryFactory factory, PolygonCoordinates? polygons)
    {
        polygons?.Reset(PolygonalKind.None);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FeatureFieldException("(json)", "the feature is not a JSON object");
        }
        string? id = null;
        ReadOnlyMemory<byte> attributes = EmptyObject;
        Geometry? geometry = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueTextEquals("type"u8) ? 1 : reader.ValueTextEquals("id"u8) ? 2
                : reader.ValueTextEquals("properties"u8) ? 3 : reader.ValueTextEquals("geometry"u8) ? 4 : 0;
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            var token = reader.TokenType;
            switch (name)
            {
                case 1 when token == JsonTokenType.String && !reader.ValueTextEquals("Feature"u8):
                    throw new FeatureFieldException("type", $"is '{reader.GetString()}', expected 'Feature'");
                case 2:
                    id = token switch
                    {
                        JsonTokenType.String => reader.GetString(),
                        JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
                        _ => null,
                    };
                    break;
                case 3 when token == JsonTokenType.StartObject:
                    reader.Skip();
                    // Kept as the feature's own bytes: no text decoding, the loader writes them as jsonb as they are.
                    attributes = json.AsMemory(start, (int)reader.BytesConsumed - start);
                    break;
                case 3 when token == JsonTokenType.Null:
                    attributes = EmptyObject;
                    break;
                case 3:
                    throw new FeatureFieldException("properties", $"is a JSON {GeoJsonGeometry.KindOf(token)}, not an object");
                case 4:
                    geometry = GeoJsonGeometry.Read(json, ref reader, factory, polygons);
                    break;
            }
            reader.Skip();
        }
        return new SourceFeature(index, line, id, geometry, attributes, [])
        {
            Polygons = polygons is { Kind: not PolygonalKind.None } ? polygons : null,
        };
    }

    private static readonly byte[] EmptyObject = "{}"u8.ToArray();

    private static int FirstInvalidUtf8(byte[] bytes)
    {
        var chars = new char[bytes.Length];
        Utf8.ToUtf16(bytes, chars, out var read, out _, replaceInvalidSequences: false);
        return read;
    }
}
