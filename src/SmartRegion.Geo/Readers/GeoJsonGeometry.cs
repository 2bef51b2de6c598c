using System.Text;
using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Implementation;

namespace SmartRegion.Geo.Readers;

/// <summary>A field of one feature is unusable; <see cref="Field"/> names it (e.g. <c>geometry.coordinates[0][3]</c>).</summary>
public sealed class FeatureFieldException(string field, string reason) : Exception(reason)
{
    /// <summary>The JSON path or column of the bad value.</summary>
    public string Field { get; } = field;
}

/// <summary>GeoJSON geometry objects to NetTopologySuite geometries, keeping Z when present.</summary>
/// <remarks>
/// Read straight from the feature's UTF-8 bytes with <see cref="Utf8JsonReader"/>: coordinates go from the text into
/// coordinate arrays without a DOM (a JsonDocument per feature cost more than the rest of the parse). Members may come in
/// any order: <c>coordinates</c> and <c>geometries</c> are located first and read once the <c>type</c> is known.
/// </remarks>
public static class GeoJsonGeometry
{
    // One growing buffer per thread for a sequence's ordinates (copied out once at the end): no resizing per ring.
    [ThreadStatic]
    private static double[]? Scratch;

    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 };

    /// <summary>The geometry of the GeoJSON value at <paramref name="json"/> (null for JSON null). Coordinates must be finite numbers.</summary>
    public static Geometry? Read(ReadOnlySpan<byte> json, GeometryFactory factory, string path = "geometry")
    {
        var reader = new Utf8JsonReader(json, Options);
        reader.Read();
        return Read(json, ref reader, factory, path);
    }

    /// <summary>The geometry whose first token <paramref name="reader"/> (over <paramref name="json"/>) is on; leaves it on the last token.</summary>
    public static Geometry? Read(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, GeometryFactory factory, string path = "geometry") =>
        Read(json, ref reader, factory, null, path);

    /// <summary>
    /// As <see cref="Read(ReadOnlySpan{byte}, ref Utf8JsonReader, GeometryFactory, string)"/>, except that a Polygon or a
    /// MultiPolygon is read into <paramref name="polygons"/> (when given) instead of NetTopologySuite objects: null is returned
    /// and <see cref="PolygonCoordinates.Kind"/> says which it was (<see cref="PolygonalKind.None"/> for any other geometry).
    /// The checks and their messages are the same either way.
    /// </summary>
    public static Geometry? Read(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, GeometryFactory factory, PolygonCoordinates? polygons, string path = "geometry")
    {
        polygons?.Reset(PolygonalKind.None);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FeatureFieldException(path, $"is a JSON {KindOf(reader.TokenType)}, not a geometry object");
        }
        string? type = null;
        Range? coordinates = null, geometries = null;
        JsonTokenType coordinatesToken = JsonTokenType.None, geometriesToken = JsonTokenType.None;
        Geometry? built = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueTextEquals("type"u8) ? 1 : reader.ValueTextEquals("coordinates"u8) ? 2 : reader.ValueTextEquals("geometries"u8) ? 3 : 0;
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            var token = reader.TokenType;
            if (name == 2 && token == JsonTokenType.StartArray && type is not null and not "GeometryCollection")
            {
                // The usual order (type first): the coordinates are read where they are, in one pass.
                coordinatesToken = token;
                built = Coordinates(type, json, ref reader, path, factory, polygons);
                coordinates = start..(int)reader.BytesConsumed;
                continue;
            }
            reader.Skip();
            switch (name)
            {
                case 1:
                    type = token == JsonTokenType.String ? reader.GetString() : null;
                    break;
                case 2:
                    (coordinates, coordinatesToken, built) = (start..(int)reader.BytesConsumed, token, null);
                    break;
                case 3:
                    (geometries, geometriesToken) = (start..(int)reader.BytesConsumed, token);
                    break;
            }
        }
        if (type is null)
        {
            throw new FeatureFieldException(path + ".type", "is missing");
        }
        if (type == "GeometryCollection")
        {
            if (geometries is not { } g || geometriesToken != JsonTokenType.StartArray)
            {
                throw new FeatureFieldException(path + ".geometries", "is missing");
            }
            var parts = new List<Geometry>();
            var inner = Nested(json, g);
            var i = 0;
            while (inner.Read() && inner.TokenType != JsonTokenType.EndArray)
            {
                if (Read(json[g], ref inner, factory, $"{path}.geometries[{i++}]") is { } part)
                {
                    parts.Add(part);
                }
            }
            return factory.CreateGeometryCollection([.. parts]);
        }
        if (coordinates is not { } c || coordinatesToken != JsonTokenType.StartArray)
        {
            throw new FeatureFieldException(path + ".coordinates", "is missing or not an array");
        }
        if (built is not null || polygons is { Kind: not PolygonalKind.None })
        {
            return built;
        }
        var r = Nested(json, c);
        return Coordinates(type, json[c], ref r, path, factory, polygons);
    }

    // Polygons and MultiPolygons are read into flat coordinates (the caller's, else this thread's), then built when asked for.
    [ThreadStatic]
    private static PolygonCoordinates? PolygonScratch;

    private static Geometry? Coordinates(string type, ReadOnlySpan<byte> json, ref Utf8JsonReader r, string path, GeometryFactory factory, PolygonCoordinates? polygons)
    {
        var cp = path + ".coordinates";
        switch (type)
        {
            case "Polygon" or "MultiPolygon":
                var into = polygons ?? (PolygonScratch ??= new PolygonCoordinates());
                if (type == "Polygon")
                {
                    into.Reset(PolygonalKind.Polygon);
                    Polygon(json, ref r, cp, -1, into);
                }
                else
                {
                    into.Reset(PolygonalKind.MultiPolygon);
                    if (r.TokenType != JsonTokenType.StartArray)
                    {
                        throw new FeatureFieldException(cp, "is not an array");
                    }
                    var p = 0;
                    while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                    {
                        Polygon(json, ref r, cp, p++, into);
                    }
                }
                return polygons is null ? into.ToGeometry(factory) : null;
            case "Point":
                return Point(json, ref r, cp, factory);
            case "MultiPoint":
                return factory.CreateMultiPoint(Map(json, ref r, cp, factory, static (t, ref x, p, f) => f.CreatePoint(Position(t, ref x, p))));
            case "LineString":
                return factory.CreateLineString(Sequence(json, ref r, new SequencePath(cp), 2));
            case "MultiLineString":
                return factory.CreateMultiLineString(Map(json, ref r, cp, factory, static (t, ref x, p, f) => f.CreateLineString(Sequence(t, ref x, new SequencePath(p), 2))));
            default:
                throw new FeatureFieldException(path + ".type", $"'{type}' is not a GeoJSON geometry type");
        }
    }

    // Where a sequence is, spelled out only for a message: "coordinates", "coordinates[r]" (a Polygon's ring r) or
    // "coordinates[p][r]" (ring r of a MultiPolygon's polygon p). A string per ring cost more than its closing check.
    private readonly record struct SequencePath(string Parent, int Polygon = -1, int Ring = -1)
    {
        public override string ToString() => Ring < 0 ? Parent : Polygon < 0 ? $"{Parent}[{Ring}]" : $"{Parent}[{Polygon}][{Ring}]";
    }

    // A polygon (element <paramref name="index"/> of a MultiPolygon's coordinates, -1: the Polygon's own) and its rings.
    private static void Polygon(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, string coordinates, int index, PolygonCoordinates into)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new FeatureFieldException(index < 0 ? coordinates : $"{coordinates}[{index}]", "is not an array");
        }
        into.StartPolygon();
        var ring = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var path = index < 0 ? new SequencePath(coordinates, -1, ring) : new SequencePath(coordinates, index, ring);
            var count = Positions(json, ref reader, path, 4, out var dimension);
            var ordinates = Scratch!;
            var last = (count - 1) * dimension;
            if (ordinates[0] != ordinates[last] || ordinates[1] != ordinates[last + 1])
            {
                throw new FeatureFieldException(path.ToString(), "ring is not closed (first and last positions differ)");
            }
            into.AddRing(ordinates, count, dimension);
            ring++;
        }
    }

    // A reader over a member located earlier, on its first token.
    private static Utf8JsonReader Nested(ReadOnlySpan<byte> json, Range value)
    {
        var reader = new Utf8JsonReader(json[value], Options);
        reader.Read();
        return reader;
    }

    private delegate T Element<T>(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, string path, GeometryFactory factory);

    private static Point Point(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, string path, GeometryFactory factory)
    {
        var probe = reader;
        probe.Read();
        if (probe.TokenType == JsonTokenType.EndArray)
        {
            reader.Skip(); // to the end of the empty array, like every other reader here
            return factory.CreatePoint();
        }
        return factory.CreatePoint(Position(json, ref reader, path));
    }

    private static T[] Map<T>(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, string path, GeometryFactory factory, Element<T> map)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new FeatureFieldException(path, "is not an array");
        }
        var result = new List<T>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            result.Add(map(json, ref reader, $"{path}[{result.Count}]", factory));
        }
        return [.. result];
    }

    private static CoordinateSequence Sequence(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, SequencePath path, int minimum)
    {
        var count = Positions(json, ref reader, path, minimum, out var dimension);
        return new PackedDoubleCoordinateSequence(Scratch.AsSpan(0, count * dimension).ToArray(), dimension, 0);
    }

    // A sequence's positions straight into this thread's packed ordinate array (x, y[, z] per position; <paramref name="dimension"/>
    // doubles each, from the first position): no object per vertex. Returns how many.
    private static int Positions(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, SequencePath path, int minimum, out int dimension)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new FeatureFieldException(path.ToString(), "is not an array of positions");
        }
        var ordinates = Scratch ??= new double[256];
        var count = 0;
        dimension = 2;
        bool? hasZ = null;
        FeatureFieldException? firstError = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            // The first position decides whether the sequence has Z (as RFC 7946 readers do).
            if (hasZ is null)
            {
                var probe = reader;
                hasZ = probe.TokenType == JsonTokenType.StartArray && CountValues(ref probe) >= 3;
                dimension = hasZ.Value ? 3 : 2;
            }
            if ((count + 1) * dimension > ordinates.Length)
            {
                Array.Resize(ref ordinates, ordinates.Length * 2);
                Scratch = ordinates;
            }
            try
            {
                var (x, y, z) = Ordinates(json, ref reader, path, count, hasZ.Value);
                var at = count * dimension;
                ordinates[at] = x;
                ordinates[at + 1] = y;
                if (dimension == 3)
                {
                    ordinates[at + 2] = z;
                }
            }
            catch (FeatureFieldException e)
            {
                // Too few positions is reported before a bad one (both would be wrong); keep counting.
                firstError ??= e;
                reader.Skip();
            }
            count++;
        }
        if (count < minimum)
        {
            throw new FeatureFieldException(path.ToString(), $"has {count} positions, at least {minimum} needed");
        }
        if (firstError is not null)
        {
            throw firstError;
        }
        return count;
    }

    private static int CountValues(ref Utf8JsonReader reader)
    {
        var n = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            reader.Skip();
            n++;
        }
        return n;
    }

    private static Coordinate Position(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, string path)
    {
        var probe = reader;
        var withZ = probe.TokenType == JsonTokenType.StartArray && CountValues(ref probe) >= 3;
        return Position(json, ref reader, new SequencePath(path), -1, withZ);
    }

    // A position's path ("…coordinates[0][3]") is only spelled out for a message: one string per vertex cost more than its numbers.
    private static string PathOf(SequencePath parent, int index) => index < 0 ? parent.ToString() : $"{parent}[{index}]";

    // On the position's StartArray (element <paramref name="index"/> of <paramref name="parent"/>, -1: the parent itself);
    // leaves the reader on its EndArray.
    private static Coordinate Position(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, SequencePath parent, int index, bool withZ)
    {
        var (x, y, z) = Ordinates(json, ref reader, parent, index, withZ);
        return withZ ? new CoordinateZ(x, y, z) : new Coordinate(x, y);
    }

    private static (double X, double Y, double Z) Ordinates(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, SequencePath parent, int index, bool withZ)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new FeatureFieldException(PathOf(parent, index), "is not a position [x, y] or [x, y, z]");
        }
        double x = 0, y = 0, z = double.NaN;
        var n = 0;
        FeatureFieldException? bad = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (n < 2 || (n == 2 && withZ))
            {
                var value = Number(json, ref reader, parent, index, ref bad);
                if (n == 0)
                {
                    x = value;
                }
                else if (n == 1)
                {
                    y = value;
                }
                else
                {
                    z = value;
                }
            }
            else
            {
                reader.Skip();
            }
            n++;
        }
        if (n < 2)
        {
            throw new FeatureFieldException(PathOf(parent, index), "is not a position [x, y] or [x, y, z]");
        }
        if (bad is not null)
        {
            throw bad;
        }
        return (x, y, z);
    }

    // The first bad value of a position is kept in <paramref name="bad"/> (its shape is checked first).
    private static double Number(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, SequencePath parent, int index, ref FeatureFieldException? bad)
    {
        var start = (int)reader.TokenStartIndex;
        var v = 0.0;
        if (reader.TokenType != JsonTokenType.Number || (!JsonNumber.TryParse(reader.ValueSpan, out v) && !reader.TryGetDouble(out v)))
        {
            reader.Skip();
            bad ??= new FeatureFieldException(PathOf(parent, index), $"holds {Raw(json, start, ref reader)}, not a number");
            return double.NaN;
        }
        if (!double.IsFinite(v))
        {
            bad ??= new FeatureFieldException(PathOf(parent, index), $"holds {Raw(json, start, ref reader)}, which is not a finite number (NaN or Infinity)");
        }
        return v;
    }

    private static string Raw(ReadOnlySpan<byte> json, int start, ref Utf8JsonReader reader) =>
        Encoding.UTF8.GetString(json[start..(int)reader.BytesConsumed]);

    /// <summary>The name <see cref="JsonValueKind"/> gives the value starting with this token (for messages).</summary>
    public static JsonValueKind KindOf(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => JsonValueKind.Object,
        JsonTokenType.StartArray => JsonValueKind.Array,
        JsonTokenType.String => JsonValueKind.String,
        JsonTokenType.Number => JsonValueKind.Number,
        JsonTokenType.True => JsonValueKind.True,
        JsonTokenType.False => JsonValueKind.False,
        JsonTokenType.Null => JsonValueKind.Null,
        _ => JsonValueKind.Undefined,
    };
}
