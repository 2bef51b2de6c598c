using System.Text;
using System.Text.Json;
using NetTopologySuite.Geometries;
using SmartRegion.Geo.Crs;

namespace SmartRegion.Geo.Readers;

/// <summary>
/// Buildings from CityJSON 1.1 / 2.0 (one document) and CityJSONSeq (a header line, then one CityJSONFeature per line):
/// vertices decoded with <c>transform</c>, Solid / MultiSurface / CompositeSurface (and their multi-solid forms),
/// BuildingParts merged into their Building, RoofSurface polygons kept, footprint from GroundSurface or the projection.
/// </summary>
public sealed class CityJsonReader : IDisposable
{
    private readonly string _path;
    private readonly string _fileName;
    private readonly GeometryFactory _factory = new();
    private double[] _scale = [1, 1, 1];
    private double[] _translate = [0, 0, 0];

    public CityJsonReader(string path)
    {
        _path = path;
        _fileName = Path.GetFileName(path);
    }

    /// <summary>The CRS of <c>metadata.referenceSystem</c>, known after the header is read (null when the file has none).</summary>
    public int? DeclaredEpsg { get; private set; }

    /// <summary>CityJSON version from the header.</summary>
    public string? Version { get; private set; }

    public bool IsSequence { get; private set; }

    /// <summary>Bytes consumed so far (for progress).</summary>
    public long BytesRead { get; private set; }

    /// <summary>One <see cref="SourceFeature"/> per Building (or other top-level city object that has geometry).</summary>
    public IEnumerable<SourceFeature> Read(CancellationToken cancellationToken)
    {
        using var file = File.OpenRead(_path);
        using var stream = SourceFile.Content(file, _path);
        var gzip = !ReferenceEquals(stream, file);
        using var reader = new StreamReader(stream, new UTF8Encoding(false, true));
        var first = ReadLineSafe(reader, 1) ?? throw new SourceFormatException($"{_fileName}: the file is empty");
        // A CityJSONSeq starts with a complete one-line header whose CityObjects are empty; anything else is one document.
        IsSequence = IsCompleteJson(first) && IsSequenceHeader(first);
        var index = 0;
        if (!IsSequence)
        {
            var text = first + "\n" + reader.ReadToEnd();
            using var doc = Parse(text, 1);
            ReadHeader(doc.RootElement, 1);
            if (!doc.RootElement.TryGetProperty("CityObjects", out var objects) || objects.ValueKind != JsonValueKind.Object)
            {
                throw new SourceFormatException($"{_fileName}: no CityObjects member");
            }
            var vertices = Vertices(doc.RootElement, 1);
            BytesRead = file.Length;
            foreach (var f in Buildings(objects, vertices, null, ref index))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return f;
            }
            yield break;
        }
        using (var header = Parse(first, 1))
        {
            ReadHeader(header.RootElement, 1);
        }
        var line = 1L;
        while (ReadLineSafe(reader, line + 1) is { } raw)
        {
            line++;
            // Progress is measured in the file's bytes: the compressed ones for a gzip file.
            BytesRead = gzip ? file.Position : BytesRead + Encoding.UTF8.GetByteCount(raw) + 1;
            if (string.IsNullOrWhiteSpace(raw))
            {
                continue;
            }
            cancellationToken.ThrowIfCancellationRequested();
            using var doc = Parse(raw, line);
            var root = doc.RootElement;
            if (!root.TryGetProperty("CityObjects", out var objects) || objects.ValueKind != JsonValueKind.Object)
            {
                throw new SourceFormatException($"{_fileName}: line {line}: a CityJSONFeature without CityObjects");
            }
            var vertices = Vertices(root, line);
            foreach (var f in Buildings(objects, vertices, line, ref index))
            {
                yield return f;
            }
        }
    }

    private List<SourceFeature> Buildings(JsonElement objects, double[][] vertices, long? line, ref int index)
    {
        var list = new List<SourceFeature>();
        foreach (var o in objects.EnumerateObject())
        {
            var obj = o.Value;
            if (obj.TryGetProperty("parents", out var parents) && parents.ValueKind == JsonValueKind.Array && parents.GetArrayLength() > 0)
            {
                continue; // parts are read with their building
            }
            var type = obj.TryGetProperty("type", out var t) ? t.GetString() : null;
            if (type is not ("Building" or "BuildingPart"))
            {
                continue;
            }
            var attributes = obj.TryGetProperty("attributes", out var a) && a.ValueKind == JsonValueKind.Object ? a.GetRawText() : "{}";
            try
            {
                var members = new List<(string Id, JsonElement Obj)> { (o.Name, obj) };
                if (obj.TryGetProperty("children", out var children) && children.ValueKind == JsonValueKind.Array)
                {
                    foreach (var c in children.EnumerateArray())
                    {
                        if (c.GetString() is { } cid && objects.TryGetProperty(cid, out var child))
                        {
                            members.Add((cid, child));
                        }
                    }
                }
                var surfaces = new List<Lod2Surface>();
                var lod0 = new List<Polygon>();
                foreach (var (id, m) in members)
                {
                    Collect(m, id, vertices, surfaces, lod0);
                }
                list.Add(Lod2Building.Feature(_factory, index++, line, o.Name, System.Text.Encoding.UTF8.GetBytes(attributes), surfaces, lod0));
            }
            catch (FeatureFieldException e)
            {
                list.Add(new SourceFeature(index++, line, o.Name, null, attributes, []) { ErrorField = e.Field, Error = e.Message });
            }
        }
        return list;
    }

    // The highest LoD geometry of one city object, as polygons with their semantic surface type.
    private void Collect(JsonElement obj, string id, double[][] vertices, List<Lod2Surface> surfaces, List<Polygon> lod0)
    {
        if (!obj.TryGetProperty("geometry", out var geometries) || geometries.ValueKind != JsonValueKind.Array)
        {
            return;
        }
        JsonElement? best = null;
        var bestLod = -1.0;
        var gi = 0;
        var bestIndex = 0;
        foreach (var g in geometries.EnumerateArray())
        {
            var lod = g.TryGetProperty("lod", out var l) ? (l.ValueKind == JsonValueKind.Number ? l.GetDouble() : double.TryParse(l.GetString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d : 0) : 0;
            var gtype = g.TryGetProperty("type", out var gt) ? gt.GetString() : null;
            if (lod == 0 && gtype is "MultiSurface" or "CompositeSurface")
            {
                lod0.AddRange(Surfaces(g, $"CityObjects.{id}.geometry[{gi}]", vertices).Select(s => s.Polygon));
            }
            if (lod > bestLod && gtype != "GeometryInstance")
            {
                best = g;
                bestLod = lod;
                bestIndex = gi;
            }
            gi++;
        }
        if (best is { } b && bestLod > 0)
        {
            surfaces.AddRange(Surfaces(b, $"CityObjects.{id}.geometry[{bestIndex}]", vertices));
        }
    }

    private List<Lod2Surface> Surfaces(JsonElement g, string path, double[][] vertices)
    {
        var type = g.GetProperty("type").GetString();
        var boundaries = g.GetProperty("boundaries");
        string[] semanticTypes = [];
        JsonElement? values = null;
        if (g.TryGetProperty("semantics", out var sem) && sem.ValueKind == JsonValueKind.Object)
        {
            semanticTypes = sem.GetProperty("surfaces").EnumerateArray().Select(s => s.GetProperty("type").GetString() ?? "").ToArray();
            values = sem.TryGetProperty("values", out var v) ? v : null;
        }
        var result = new List<Lod2Surface>();
        string? SemanticOf(JsonElement? v) =>
            v is { ValueKind: JsonValueKind.Number } n && n.GetInt32() >= 0 && n.GetInt32() < semanticTypes.Length ? semanticTypes[n.GetInt32()] : null;
        void Surface(JsonElement surface, JsonElement? value, string p) => result.Add(new Lod2Surface(Polygon(surface, p, vertices), SemanticOf(value)));
        void Shell(JsonElement shell, JsonElement? shellValues, string p)
        {
            var i = 0;
            foreach (var s in shell.EnumerateArray())
            {
                Surface(s, shellValues is { ValueKind: JsonValueKind.Array } sv && i < sv.GetArrayLength() ? sv[i] : null, $"{p}[{i}]");
                i++;
            }
        }
        void Solid(JsonElement solid, JsonElement? solidValues, string p)
        {
            var i = 0;
            foreach (var shell in solid.EnumerateArray())
            {
                Shell(shell, solidValues is { ValueKind: JsonValueKind.Array } sv && i < sv.GetArrayLength() ? sv[i] : null, $"{p}[{i}]");
                i++;
            }
        }
        switch (type)
        {
            case "MultiSurface" or "CompositeSurface":
                Shell(boundaries, values, path + ".boundaries");
                break;
            case "Solid":
                Solid(boundaries, values, path + ".boundaries");
                break;
            case "MultiSolid" or "CompositeSolid":
            {
                var i = 0;
                foreach (var solid in boundaries.EnumerateArray())
                {
                    Solid(solid, values is { ValueKind: JsonValueKind.Array } sv && i < sv.GetArrayLength() ? sv[i] : null, $"{path}.boundaries[{i}]");
                    i++;
                }
                break;
            }
        }
        return result;
    }

    private Polygon Polygon(JsonElement surface, string path, double[][] vertices)
    {
        var rings = new List<LinearRing>();
        var r = 0;
        foreach (var ring in surface.EnumerateArray())
        {
            var coords = new List<Coordinate>();
            foreach (var idx in ring.EnumerateArray())
            {
                var i = idx.GetInt32();
                if (i < 0 || i >= vertices.Length)
                {
                    throw new FeatureFieldException($"{path}[{r}]", $"vertex index {i} is out of range (the file has {vertices.Length} vertices)");
                }
                var v = vertices[i];
                coords.Add(new CoordinateZ(v[0], v[1], v[2]));
            }
            if (coords.Count < 3)
            {
                throw new FeatureFieldException($"{path}[{r}]", $"a ring has {coords.Count} vertices");
            }
            coords.Add(coords[0].Copy()); // CityJSON rings are implicitly closed
            rings.Add(_factory.CreateLinearRing(coords.ToArray()));
            r++;
        }
        return _factory.CreatePolygon(rings[0], rings.Skip(1).ToArray());
    }

    private void ReadHeader(JsonElement root, long line)
    {
        if (!root.TryGetProperty("type", out var type) || type.GetString() != "CityJSON")
        {
            throw new SourceFormatException($"{_fileName}: line {line}: not a CityJSON document (type is not \"CityJSON\")");
        }
        Version = root.TryGetProperty("version", out var v) ? v.GetString() : null;
        if (Version is not ("1.1" or "2.0" or "1.0"))
        {
            throw new SourceFormatException($"{_fileName}: CityJSON version '{Version}' is not supported (1.1, 2.0)");
        }
        if (root.TryGetProperty("transform", out var t))
        {
            _scale = t.GetProperty("scale").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            _translate = t.GetProperty("translate").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        }
        if (root.TryGetProperty("metadata", out var m) && m.TryGetProperty("referenceSystem", out var rs) && rs.GetString() is { } name)
        {
            DeclaredEpsg = KnownCrs.Parse(name);
        }
    }

    private double[][] Vertices(JsonElement root, long line)
    {
        if (!root.TryGetProperty("vertices", out var vs) || vs.ValueKind != JsonValueKind.Array)
        {
            throw new SourceFormatException($"{_fileName}: line {line}: no vertices array");
        }
        var result = new double[vs.GetArrayLength()][];
        var i = 0;
        foreach (var v in vs.EnumerateArray())
        {
            if (v.GetArrayLength() < 3)
            {
                throw new SourceFormatException($"{_fileName}: line {line}: vertex {i} has {v.GetArrayLength()} values, 3 expected");
            }
            result[i++] = [(v[0].GetDouble() * _scale[0]) + _translate[0], (v[1].GetDouble() * _scale[1]) + _translate[1], (v[2].GetDouble() * _scale[2]) + _translate[2]];
        }
        return result;
    }

    private JsonDocument Parse(string text, long line)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new SourceFormatException($"{_fileName}: line {line}: invalid JSON ({e.Message.Split(" LineNumber:")[0]}); truncated file?", e);
        }
    }

    private static bool IsSequenceHeader(string text)
    {
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        return root.ValueKind == JsonValueKind.Object
            && (!root.TryGetProperty("CityObjects", out var o) || (o.ValueKind == JsonValueKind.Object && !o.EnumerateObject().Any()));
    }

    private static bool IsCompleteJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private string? ReadLineSafe(StreamReader reader, long line)
    {
        try
        {
            return reader.ReadLine();
        }
        catch (DecoderFallbackException e)
        {
            throw new SourceFormatException($"{_fileName}: line {line}: not valid UTF-8", e);
        }
    }

    public void Dispose()
    {
    }
}
