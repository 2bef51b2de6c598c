using System.Globalization;
using System.Text.Json;
using System.Xml;
using NetTopologySuite.Geometries;
using SmartRegion.Geo.Crs;

namespace SmartRegion.Geo.Readers;

/// <summary>
/// Buildings from CityGML 2.0 (and 1.0) LOD2 files, streamed: one <see cref="SourceFeature"/> per <c>bldg:Building</c>, read
/// with an <see cref="XmlReader"/> and never more than one building in memory, whatever the file's size. The surfaces are
/// those of the building's and its <c>bldg:BuildingPart</c>s' <c>boundedBy</c> (RoofSurface, WallSurface, GroundSurface…,
/// their <c>lod2MultiSurface</c>) and of their <c>lod2Solid</c> / <c>lod2MultiSurface</c>; polygons shared by
/// <c>xlink:href</c> are counted once.
/// </summary>
/// <remarks>
/// What is refused, and how: a file that is not XML, is cut, is not a CityGML 1.0/2.0 <c>CityModel</c>, or names a CRS that
/// is not known stops the read (<see cref="SourceFormatException"/> naming the file, the line and what); a building whose
/// geometry cannot be read (a ring of fewer than 4 positions or not closed, a coordinate that is not a number, 2D
/// coordinates, an <c>xlink:href</c> to no polygon of the building) or that has no LOD2 geometry is returned with its
/// <see cref="SourceFeature.Error"/> (the ingest rejects it with that reason and goes on). Appearances (textures) are
/// skipped unread; LOD3/LOD4 geometry, openings and building installations are not read.
/// </remarks>
public sealed class CityGmlReader : IDisposable
{
    private const string GmlNs = "http://www.opengis.net/gml";
    private const string XlinkNs = "http://www.w3.org/1999/xlink";

    // The semantic surfaces of a building's boundary (CityGML 2.0 §10.3.3; 1.0 has the first six).
    private static readonly HashSet<string> BoundarySurfaces =
        ["RoofSurface", "WallSurface", "GroundSurface", "ClosureSurface", "FloorSurface", "CeilingSurface", "OuterCeilingSurface", "OuterFloorSurface"];

    // The building's own properties kept as attributes (bldg:_AbstractBuilding), beside the generic attributes.
    private static readonly HashSet<string> SimpleProperties =
        ["class", "function", "usage", "yearOfConstruction", "yearOfDemolition", "roofType", "measuredHeight", "storeysAboveGround", "storeysBelowGround"];

    private static readonly HashSet<string> NumberProperties = ["measuredHeight", "storeysAboveGround", "storeysBelowGround"];

    private readonly string _path;
    private readonly string _fileName;
    private readonly bool _ignoreSrsNames;
    private readonly GeometryFactory _factory = new();
    private FileStream? _file;
    private XmlReader? _reader;
    private IXmlLineInfo? _lines;
    private string _bldgNs = "";
    private string _genNs = "";
    private string? _srsName;
    private long _srsLine;
    private long _bytesRead;

    /// <param name="path">the .gml file (or .gml.gz)</param>
    /// <param name="ignoreSrsNames">the operator gave the CRS (<c>--srs</c>): the file's srsName attributes are not read</param>
    public CityGmlReader(string path, bool ignoreSrsNames = false)
    {
        _path = path;
        _fileName = Path.GetFileName(path);
        _ignoreSrsNames = ignoreSrsNames;
    }

    /// <summary>The CRS of the file's <c>srsName</c> attributes (known once the first one is read; null when the file has none).</summary>
    public int? DeclaredEpsg { get; private set; }

    /// <summary>The CityGML version of the root element's namespace ("2.0" or "1.0").</summary>
    public string? Version { get; private set; }

    /// <summary>Bytes of the file consumed so far (for progress; the compressed ones for a gzip file).</summary>
    public long BytesRead => _file is { CanSeek: true } f ? f.Position : _bytesRead;

    /// <summary>One feature per <c>bldg:Building</c>, in file order.</summary>
    public IEnumerable<SourceFeature> Read(CancellationToken cancellationToken)
    {
        _file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var content = SourceFile.Content(_file, _path);
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit, // no entity expansion, no external fetches
            IgnoreComments = true,
            IgnoreWhitespace = true,
            IgnoreProcessingInstructions = true,
            CloseInput = false,
        };
        using var reader = _reader = XmlReader.Create(content, settings);
        _lines = (IXmlLineInfo)reader;
        try
        {
            Guard(ReadRoot);
            var index = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var feature = Guard(() => NextBuilding(index));
                if (feature is null)
                {
                    yield break;
                }
                index++;
                yield return feature;
            }
        }
        finally
        {
            _bytesRead = _file.Position; // progress asks after the file is closed
        }
    }

    private XmlReader R => _reader!;

    private long Line => _lines!.LineNumber;

    // Every XML error names the file, the line and the position; a cut file says so.
    private T Guard<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (XmlException e)
        {
            // XmlException's message repeats the line and lists every unclosed element: its first sentence says what.
            var what = e.Message.Split(" Line ")[0].Split(". ")[0].TrimEnd('.');
            var cut = what.StartsWith("Unexpected end of file", StringComparison.Ordinal) ? " (the file is truncated?)" : "";
            var notXml = e.LineNumber <= 1 && !(_reader?.Depth > 0) && R.NodeType == XmlNodeType.None ? "not XML: " : "";
            throw new SourceFormatException($"{_fileName}: line {e.LineNumber}, position {e.LinePosition}: {notXml}{what}{cut}", e);
        }
    }

    private bool ReadRoot()
    {
        R.MoveToContent();
        if (R.NodeType != XmlNodeType.Element || R.LocalName != "CityModel")
        {
            throw new SourceFormatException($"{_fileName}: line {Line}: not a CityGML document: the root element is <{R.Name}>, not <CityModel>");
        }
        Version = R.NamespaceURI switch
        {
            "http://www.opengis.net/citygml/2.0" => "2.0",
            "http://www.opengis.net/citygml/1.0" => "1.0",
            var ns => throw new SourceFormatException(
                $"{_fileName}: line {Line}: the CityModel's namespace '{ns}' is not CityGML 2.0 or 1.0 (http://www.opengis.net/citygml/2.0)"),
        };
        _bldgNs = $"http://www.opengis.net/citygml/building/{Version}";
        _genNs = $"http://www.opengis.net/citygml/generics/{Version}";
        R.Read();
        return true;
    }

    // Moves through the city model to the next Building and reads it; null at the end of the file. Everything else (other
    // city objects, appearances, the model's envelope after its srsName is checked) is skipped unread.
    private SourceFeature? NextBuilding(int index)
    {
        while (true)
        {
            if (R.NodeType == XmlNodeType.Element)
            {
                if (R.LocalName == "Building" && R.NamespaceURI == _bldgNs)
                {
                    return Building(index);
                }
                CheckSrs();
                if (R.LocalName is "cityObjectMember" or "featureMember" or "featureMembers" || (R.NamespaceURI == GmlNs && R.LocalName is "boundedBy" or "Envelope"))
                {
                    // Containers of buildings (and the envelope that may carry the file's srsName): go in.
                    if (!R.Read())
                    {
                        throw Truncated();
                    }
                    continue;
                }
                R.Skip();
                continue;
            }
            if (R.NodeType == XmlNodeType.EndElement)
            {
                if (R.Depth == 0)
                {
                    R.Read();
                    if (!R.EOF)
                    {
                        R.MoveToContent(); // anything but whitespace and comments after the root is an XML error
                    }
                    return null;
                }
                R.Read();
                continue;
            }
            if (!R.Read())
            {
                return null; // a cut file fails in Read with an XmlException, so this is the well-formed end
            }
        }
    }

    private SourceFormatException Truncated() =>
        new($"{_fileName}: line {Line}: the XML ends before the CityModel is closed (the file is truncated?)");

    // --- one building --------------------------------------------------------------------------------------------------

    private sealed class BuildingState
    {
        public readonly Dictionary<string, Polygon> PolygonsById = new(StringComparer.Ordinal);
        public readonly List<Entry> Entries = [];
        public readonly SortedSet<string> OtherLods = new(StringComparer.Ordinal);
        public readonly Dictionary<string, (string Value, bool Number)> Attributes = new(StringComparer.Ordinal);
        public readonly List<string> Parts = [];
    }

    // A surface of the building as found: a polygon, or a reference to one (xlink:href), with its semantic type (null for
    // the unsemantic lod2Solid / lod2MultiSurface of the building itself) and the line it is on.
    private readonly record struct Entry(Polygon? Polygon, string? Href, string? Semantic, long Line);

    private sealed class FeatureError(string field, string message) : Exception(message)
    {
        public string Field { get; } = field;
    }

    private SourceFeature Building(int index)
    {
        var line = Line;
        var depth = R.Depth;
        var id = R.GetAttribute("id", GmlNs) ?? R.GetAttribute("id");
        var state = new BuildingState();
        CheckSrs();
        try
        {
            Children(() => BuildingMember(state));
        }
        catch (FeatureError e)
        {
            // The rest of the building is passed over so that the next one is read from its start.
            while (!(R.NodeType == XmlNodeType.EndElement && R.Depth == depth))
            {
                if (!R.Read())
                {
                    throw Truncated();
                }
            }
            R.Read();
            return Rejected(index, line, id, state, e.Field, e.Message);
        }
        var attributes = AttributesJson(state);
        var surfaces = new List<Lod2Surface>();
        var seen = new HashSet<Polygon>(ReferenceEqualityComparer.Instance);
        try
        {
            // Semantic surfaces first: a lod2Solid that references (or repeats by id) the boundedBy polygons adds nothing.
            foreach (var e in state.Entries.Where(e => e.Semantic is not null))
            {
                var p = Resolve(e, state);
                if (seen.Add(p))
                {
                    surfaces.Add(new Lod2Surface(p, e.Semantic));
                }
            }
            foreach (var e in state.Entries.Where(e => e.Semantic is null))
            {
                var p = Resolve(e, state);
                if (seen.Add(p))
                {
                    surfaces.Add(new Lod2Surface(p, null));
                }
            }
        }
        catch (FeatureError e)
        {
            return new SourceFeature(index, line, id, null, attributes, []) { ErrorField = e.Field, Error = e.Message };
        }
        if (surfaces.Count == 0)
        {
            var found = state.OtherLods.Count == 0 ? "no geometry" : "only " + string.Join(", ", state.OtherLods);
            return new SourceFeature(index, line, id, null, attributes, [])
            {
                ErrorField = "lod2",
                Error = $"line {line}: has no LOD2 geometry ({found}); a building is read from its lod2Solid, lod2MultiSurface or boundedBy surfaces' lod2MultiSurface",
            };
        }
        return Lod2Building.Feature(_factory, index, line, id, attributes, surfaces, []);
    }

    private SourceFeature Rejected(int index, long line, string? id, BuildingState state, string field, string message) =>
        new(index, line, id, null, AttributesJson(state), []) { ErrorField = field, Error = message };

    private static Polygon Resolve(Entry e, BuildingState state)
    {
        if (e.Polygon is { } p)
        {
            return p;
        }
        var target = e.Href!.StartsWith('#') ? e.Href[1..] : e.Href;
        return state.PolygonsById.TryGetValue(target, out var found)
            ? found
            : throw new FeatureError("xlink:href", $"line {e.Line}: xlink:href=\"{e.Href}\" points to no LOD2 polygon of this building (references to other buildings or files are not followed)");
    }

    // Reads the element the reader is on, child by child (each handler consumes its element whole), and moves past its end.
    private void Children(Action child)
    {
        if (R.IsEmptyElement)
        {
            R.Read();
            return;
        }
        var depth = R.Depth;
        if (!R.Read())
        {
            throw Truncated();
        }
        while (!(R.NodeType == XmlNodeType.EndElement && R.Depth == depth))
        {
            if (R.NodeType == XmlNodeType.Element)
            {
                child();
            }
            else if (!R.Read())
            {
                throw Truncated();
            }
        }
        R.Read();
    }

    // A child of a Building or BuildingPart.
    private void BuildingMember(BuildingState state)
    {
        var ns = R.NamespaceURI;
        var name = R.LocalName;
        if (ns == _bldgNs)
        {
            switch (name)
            {
                case "consistsOfBuildingPart":
                    Children(() => BuildingMember(state));
                    return;
                case "BuildingPart":
                    state.Parts.Add(R.GetAttribute("id", GmlNs) ?? "");
                    CheckSrs();
                    Children(() => BuildingMember(state));
                    return;
                case "boundedBy":
                    Children(() => BoundarySurface(state));
                    return;
                case "lod2Solid" or "lod2MultiSurface":
                    Geometry(state, null, 3);
                    return;
                case "lod1Solid" or "lod1MultiSurface" or "lod3Solid" or "lod3MultiSurface" or "lod4Solid" or "lod4MultiSurface" or "lod0FootPrint" or "lod0RoofEdge":
                    state.OtherLods.Add(name);
                    R.Skip();
                    return;
                case var simple when SimpleProperties.Contains(simple):
                    var text = R.ReadElementContentAsString().Trim();
                    state.Attributes.TryAdd(simple, (text, NumberProperties.Contains(simple) && IsNumber(text)));
                    return;
            }
        }
        else if (ns == _genNs && name.EndsWith("Attribute", StringComparison.Ordinal))
        {
            GenericAttribute(state);
            return;
        }
        else if (ns == _genNs && name == "genericAttributeSet")
        {
            Children(() => BuildingMember(state));
            return;
        }
        else if (ns == GmlNs && name == "name")
        {
            state.Attributes.TryAdd("name", (R.ReadElementContentAsString().Trim(), false));
            return;
        }
        else if (ns == GmlNs && name == "boundedBy")
        {
            Children(() => { CheckSrs(); R.Skip(); });
            return;
        }
        // Appearances, addresses, installations, rooms, terrain intersections, external references: not read.
        R.Skip();
    }

    // gen:stringAttribute / intAttribute / doubleAttribute / measureAttribute / dateAttribute / uriAttribute with its gen:value.
    private void GenericAttribute(BuildingState state)
    {
        var key = R.GetAttribute("name");
        var numeric = R.LocalName is "intAttribute" or "doubleAttribute" or "measureAttribute";
        string? value = null;
        Children(() =>
        {
            if (R.LocalName == "value" && R.NamespaceURI == _genNs)
            {
                value = R.ReadElementContentAsString();
            }
            else
            {
                R.Skip();
            }
        });
        if (key is not null && value is not null)
        {
            var text = numeric ? value.Trim() : value;
            state.Attributes.TryAdd(key, (text, numeric && IsNumber(text)));
        }
    }

    // bldg:boundedBy's child: a RoofSurface, WallSurface, GroundSurface…
    private void BoundarySurface(BuildingState state)
    {
        if (R.NamespaceURI != _bldgNs || !BoundarySurfaces.Contains(R.LocalName))
        {
            R.Skip();
            return;
        }
        var semantic = R.LocalName;
        CheckSrs();
        Children(() =>
        {
            switch (R.LocalName)
            {
                case "lod2MultiSurface" when R.NamespaceURI == _bldgNs:
                    Geometry(state, semantic, 3);
                    break;
                case "lod3MultiSurface" or "lod4MultiSurface" when R.NamespaceURI == _bldgNs:
                    state.OtherLods.Add($"{semantic}/{R.LocalName}");
                    R.Skip();
                    break;
                default:
                    R.Skip(); // openings (windows, doors), names, appearances
                    break;
            }
        });
    }

    // A geometry property and everything in it: solids, shells, composite and multi surfaces, orientable surfaces, polygons,
    // triangles, polygon patches, and xlink:href references to polygons. Curves and points are not surfaces: skipped.
    private void Geometry(BuildingState state, string? semantic, int dimension)
    {
        if (R.GetAttribute("href", XlinkNs) is { } href)
        {
            state.Entries.Add(new Entry(null, href, semantic, Line));
            R.Skip();
            return;
        }
        if (R.NamespaceURI == GmlNs)
        {
            CheckSrs();
            dimension = Dimension(dimension);
            if (R.LocalName is "Polygon" or "Triangle" or "PolygonPatch" or "Rectangle")
            {
                var at = Line;
                var polygon = Polygon(semantic, dimension, out var polygonId);
                if (polygonId is not null)
                {
                    state.PolygonsById.TryAdd(polygonId, polygon);
                }
                state.Entries.Add(new Entry(polygon, null, semantic, at));
                return;
            }
            if (R.LocalName is "LineString" or "MultiCurve" or "CompositeCurve" or "Curve" or "Point" or "MultiPoint" or "Envelope")
            {
                R.Skip();
                return;
            }
        }
        else if (!R.LocalName.StartsWith("lod2", StringComparison.Ordinal))
        {
            R.Skip();
            return;
        }
        Children(() => Geometry(state, semantic, dimension));
    }

    private Polygon Polygon(string? semantic, int dimension, out string? id)
    {
        id = R.GetAttribute("id", GmlNs);
        var what = $"{semantic ?? "lod2 geometry"} polygon{(id is null ? "" : " " + id)}";
        LinearRing? shell = null;
        var holes = new List<LinearRing>();
        Children(() =>
        {
            var exterior = R.LocalName is "exterior" or "outerBoundaryIs";
            var interior = R.LocalName is "interior" or "innerBoundaryIs";
            if (R.NamespaceURI != GmlNs || !(exterior || interior))
            {
                R.Skip();
                return;
            }
            var part = exterior ? "exterior" : $"interior {holes.Count}";
            var ring = Ring(what, part, dimension);
            if (ring is null)
            {
                return;
            }
            if (exterior)
            {
                shell = ring;
            }
            else
            {
                holes.Add(ring);
            }
        });
        if (shell is null)
        {
            throw new FeatureError(what, $"line {Line}: the {what} has no exterior ring");
        }
        return _factory.CreatePolygon(shell, holes.ToArray());
    }

    // gml:exterior / gml:interior holding one gml:LinearRing of gml:posList, gml:pos… or gml:coordinates.
    private LinearRing? Ring(string what, string part, int dimension)
    {
        CheckSrs();
        dimension = Dimension(dimension);
        LinearRing? ring = null;
        Children(() =>
        {
            if (R.NamespaceURI != GmlNs || R.LocalName != "LinearRing")
            {
                throw new FeatureError($"{what}/{part}", $"line {Line}: <{R.Name}> in the {part} ring: only gml:LinearRing is read");
            }
            var line = Line; // the ring's, until its first coordinates' own
            var first = true;
            CheckSrs();
            var ringDimension = Dimension(dimension);
            var values = new List<double>();
            Children(() =>
            {
                if (R.NamespaceURI != GmlNs)
                {
                    R.Skip();
                    return;
                }
                var d = Dimension(ringDimension);
                var at = Line;
                if (first)
                {
                    (line, first) = (at, false);
                }
                switch (R.LocalName)
                {
                    case "posList":
                        ringDimension = d;
                        Numbers(R.ReadElementContentAsString(), values, what, part, at, ' ');
                        break;
                    case "pos":
                        ringDimension = d;
                        var before = values.Count;
                        Numbers(R.ReadElementContentAsString(), values, what, part, at, ' ');
                        if (values.Count - before != d)
                        {
                            throw new FeatureError($"{what}/{part}", $"line {at}: a gml:pos has {values.Count - before} values, srsDimension is {d}");
                        }
                        break;
                    case "coordinates":
                        // GML 2's "x,y,z x,y,z" (comma between values, space between positions).
                        Numbers(R.ReadElementContentAsString().Replace(',', ' '), values, what, part, at, ' ');
                        break;
                    default:
                        throw new FeatureError($"{what}/{part}", $"line {at}: <{R.Name}> in a LinearRing: only gml:posList, gml:pos and gml:coordinates are read");
                }
            });
            ring = MakeRing(values, ringDimension, what, part, line);
        });
        return ring;
    }

    private LinearRing MakeRing(List<double> values, int dimension, string what, string part, long line)
    {
        var field = $"{what}/{part}";
        if (dimension != 3)
        {
            throw new FeatureError(field, $"line {line}: srsDimension is {dimension}: a LOD2 surface needs 3D coordinates (x y z)");
        }
        if (values.Count % 3 != 0)
        {
            throw new FeatureError(field, $"line {line}: the ring has {values.Count} values, not a multiple of srsDimension 3");
        }
        var n = values.Count / 3;
        if (n < 4)
        {
            throw new FeatureError(field, $"line {line}: the ring has {n} position{(n == 1 ? "" : "s")}: a ring needs at least 4 (3 corners, then the first again)");
        }
        var coordinates = new CoordinateZ[n];
        for (var i = 0; i < n; i++)
        {
            coordinates[i] = new CoordinateZ(values[3 * i], values[(3 * i) + 1], values[(3 * i) + 2]);
        }
        if (!coordinates[0].Equals3D(coordinates[n - 1]))
        {
            throw new FeatureError(field, string.Create(CultureInfo.InvariantCulture,
                $"line {line}: the ring is not closed: its first position ({coordinates[0].X} {coordinates[0].Y} {coordinates[0].Z}) is not its last ({coordinates[n - 1].X} {coordinates[n - 1].Y} {coordinates[n - 1].Z}); wrong srsDimension?"));
        }
        return _factory.CreateLinearRing(coordinates);
    }

    private static void Numbers(string text, List<double> values, string what, string part, long line, char separator)
    {
        foreach (var token in text.Split((char[])[separator, '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            {
                throw new FeatureError($"{what}/{part}", $"line {line}: '{(token.Length > 40 ? token[..40] + "…" : token)}' is not a number");
            }
            values.Add(v);
        }
    }

    // srsDimension on the current element, else the inherited one.
    private int Dimension(int inherited)
    {
        if (R.GetAttribute("srsDimension") is not { } text)
        {
            return inherited;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var d) && d is >= 1 and <= 4
            ? d
            : throw new FeatureError($"{R.Name}@srsDimension", $"line {Line}: srsDimension=\"{text}\" is not 2 or 3");
    }

    // A srsName names the file's CRS: the first one is the file's, a known CRS; any other must name the same.
    private void CheckSrs()
    {
        if (_ignoreSrsNames || R.GetAttribute("srsName") is not { Length: > 0 } name || name == _srsName)
        {
            return;
        }
        int epsg;
        try
        {
            epsg = KnownCrs.Parse(name);
        }
        catch (UnsupportedCrsException)
        {
            throw new SourceFormatException($"{_fileName}: line {Line}: srsName=\"{name}\" is not a CRS this reader knows "
                + $"(supported: {string.Join(", ", KnownCrs.Supported.Select(s => "EPSG:" + s))}); reproject the file, or pass --srs EPSG:N if it is one of them");
        }
        if (!KnownCrs.IsSupported(epsg))
        {
            throw new SourceFormatException($"{_fileName}: line {Line}: srsName=\"{name}\" is EPSG:{epsg}, which is not supported "
                + $"(supported: {string.Join(", ", KnownCrs.Supported.Select(s => "EPSG:" + s))}); reproject the file");
        }
        if (DeclaredEpsg is { } declared && declared != epsg)
        {
            throw new SourceFormatException($"{_fileName}: line {Line}: srsName=\"{name}\" (EPSG:{epsg}) differs from \"{_srsName}\" (EPSG:{declared}) at line {_srsLine}: one CRS per file");
        }
        if (DeclaredEpsg is null)
        {
            (DeclaredEpsg, _srsName, _srsLine) = (epsg, name, Line);
        }
    }

    private static bool IsNumber(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v);

    // The attributes as one JSON object: the building's properties, its generic attributes and its parts' ids.
    private static byte[] AttributesJson(BuildingState state)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (key, (value, number)) in state.Attributes)
            {
                if (number)
                {
                    json.WritePropertyName(key);
                    json.WriteRawValue(double.Parse(value, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture));
                }
                else
                {
                    json.WriteString(key, value);
                }
            }
            if (state.Parts.Count > 0)
            {
                json.WriteStartArray("buildingParts");
                foreach (var p in state.Parts)
                {
                    json.WriteStringValue(p);
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public void Dispose()
    {
        _file?.Dispose();
    }
}
