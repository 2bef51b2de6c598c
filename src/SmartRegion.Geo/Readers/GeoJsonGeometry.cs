using System.Text.Json;
using NetTopologySuite.Geometries;

namespace SmartRegion.Geo.Readers;

/// <summary>A field of one feature is unusable; <see cref="Field"/> names it (e.g. <c>geometry.coordinates[0][3]</c>).</summary>
public sealed class FeatureFieldException(string field, string reason) : Exception(reason)
{
    /// <summary>The JSON path or column of the bad value.</summary>
    public string Field { get; } = field;
}

/// <summary>GeoJSON geometry objects to NetTopologySuite geometries, keeping Z when present.</summary>
public static class GeoJsonGeometry
{
    /// <summary>The geometry of a GeoJSON geometry object; null for JSON null. Coordinates must be finite numbers.</summary>
    public static Geometry? Read(JsonElement element, GeometryFactory factory, string path = "geometry")
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FeatureFieldException(path, $"is a JSON {element.ValueKind}, not a geometry object");
        }
        if (!element.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            throw new FeatureFieldException(path + ".type", "is missing");
        }
        var type = typeElement.GetString();
        if (type == "GeometryCollection")
        {
            if (!element.TryGetProperty("geometries", out var parts) || parts.ValueKind != JsonValueKind.Array)
            {
                throw new FeatureFieldException(path + ".geometries", "is missing");
            }
            var list = new List<Geometry>();
            var i = 0;
            foreach (var part in parts.EnumerateArray())
            {
                if (Read(part, factory, $"{path}.geometries[{i++}]") is { } g)
                {
                    list.Add(g);
                }
            }
            return factory.CreateGeometryCollection([.. list]);
        }
        if (!element.TryGetProperty("coordinates", out var c) || c.ValueKind != JsonValueKind.Array)
        {
            throw new FeatureFieldException(path + ".coordinates", "is missing or not an array");
        }
        var cp = path + ".coordinates";
        return type switch
        {
            "Point" => c.GetArrayLength() == 0 ? factory.CreatePoint() : factory.CreatePoint(Position(c, cp)),
            "MultiPoint" => factory.CreateMultiPoint(Map(c, cp, (e, p) => factory.CreatePoint(Position(e, p)))),
            "LineString" => factory.CreateLineString(Sequence(c, cp, 2)),
            "MultiLineString" => factory.CreateMultiLineString(Map(c, cp, (e, p) => factory.CreateLineString(Sequence(e, p, 2)))),
            "Polygon" => Polygon(c, cp, factory),
            "MultiPolygon" => factory.CreateMultiPolygon(Map(c, cp, (e, p) => Polygon(e, p, factory))),
            _ => throw new FeatureFieldException(path + ".type", $"'{type}' is not a GeoJSON geometry type"),
        };
    }

    private static T[] Map<T>(JsonElement array, string path, Func<JsonElement, string, T> map)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new FeatureFieldException(path, "is not an array");
        }
        var result = new T[array.GetArrayLength()];
        var i = 0;
        foreach (var e in array.EnumerateArray())
        {
            result[i] = map(e, $"{path}[{i}]");
            i++;
        }
        return result;
    }

    private static Polygon Polygon(JsonElement rings, string path, GeometryFactory factory)
    {
        var all = Map(rings, path, (e, p) => Ring(e, p, factory));
        return all.Length == 0 ? factory.CreatePolygon() : factory.CreatePolygon(all[0], all[1..]);
    }

    private static LinearRing Ring(JsonElement e, string path, GeometryFactory factory)
    {
        var seq = Sequence(e, path, 4);
        var n = seq.Count;
        if (seq.GetX(0) != seq.GetX(n - 1) || seq.GetY(0) != seq.GetY(n - 1))
        {
            throw new FeatureFieldException(path, "ring is not closed (first and last positions differ)");
        }
        return factory.CreateLinearRing(seq);
    }

    private static CoordinateSequence Sequence(JsonElement array, string path, int minimum)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new FeatureFieldException(path, "is not an array of positions");
        }
        var n = array.GetArrayLength();
        if (n < minimum)
        {
            throw new FeatureFieldException(path, $"has {n} positions, at least {minimum} needed");
        }
        var hasZ = false;
        foreach (var p in array.EnumerateArray())
        {
            hasZ = p.ValueKind == JsonValueKind.Array && p.GetArrayLength() >= 3;
            break;
        }
        var coords = new Coordinate[n];
        var i = 0;
        foreach (var p in array.EnumerateArray())
        {
            coords[i] = Position(p, $"{path}[{i}]", hasZ);
            i++;
        }
        return new NetTopologySuite.Geometries.Implementation.CoordinateArraySequence(coords, hasZ ? 3 : 2, 0);
    }

    private static Coordinate Position(JsonElement p, string path) => Position(p, path, p.ValueKind == JsonValueKind.Array && p.GetArrayLength() >= 3);

    private static Coordinate Position(JsonElement p, string path, bool withZ)
    {
        if (p.ValueKind != JsonValueKind.Array || p.GetArrayLength() < 2)
        {
            throw new FeatureFieldException(path, "is not a position [x, y] or [x, y, z]");
        }
        var x = Number(p[0], path);
        var y = Number(p[1], path);
        if (!withZ)
        {
            return new Coordinate(x, y);
        }
        var z = p.GetArrayLength() >= 3 ? Number(p[2], path) : double.NaN;
        return new CoordinateZ(x, y, z);
    }

    private static double Number(JsonElement e, string path)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out var v))
        {
            throw new FeatureFieldException(path, $"holds {e.GetRawText()}, not a number");
        }
        if (!double.IsFinite(v))
        {
            throw new FeatureFieldException(path, $"holds {e.GetRawText()}, which is not a finite number (NaN or Infinity)");
        }
        return v;
    }
}
