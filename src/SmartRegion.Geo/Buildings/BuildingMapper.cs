using System.Globalization;
using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using SmartRegion.Geo.Crs;
using SmartRegion.Geo.Readers;
using SmartRegion.Geo.Wkb;

namespace SmartRegion.Geo.Buildings;

/// <summary>Which attribute vocabulary a source uses.</summary>
public enum BuildingSchema
{
    /// <summary>No known attributes: only the geometry and the id.</summary>
    Generic,

    /// <summary>IGN BD TOPO v3 (GeoPackage, lower-case names: cleabs, hauteur, altitude_minimale_sol…).</summary>
    BdTopo,

    /// <summary>IGN BD TOPO shapefile names (ID, HAUTEUR, Z_MIN_SOL…).</summary>
    BdTopoShapefile,

    /// <summary>OpenStreetMap tags (height, building:levels, roof:shape).</summary>
    Osm,

    /// <summary>3DBAG (identificatie, b3_h_maaiveld, b3_h_dak_*, b3_dak_type).</summary>
    Bag3d,

    /// <summary>roofer / BDNB LOD2 reconstruction (rf_h_ground, rf_h_roof_*).</summary>
    Roofer,

    /// <summary>Stadt Zürich 3D-Dachmodell and other CityJSON without height attributes (heights from the geometry).</summary>
    CityJson,
}

/// <summary>The outcome of mapping one feature: a record (possibly repaired, with warnings) or a rejection.</summary>
public sealed record BuildingMapResult(BuildingRecord? Record, FeatureProblem? Rejection, IReadOnlyList<FeatureProblem> Warnings, BuildingSchema Schema = BuildingSchema.Generic);

/// <summary>Maps source features to <see cref="BuildingRecord"/>s: schema detection, attribute mapping, CRS transform, validation and repair.</summary>
/// <remarks>
/// One instance per worker thread (the CRS transform is not shared). A record's EWKB is written into the mapper's buffers:
/// valid until its next <see cref="Map"/>.
/// </remarks>
public sealed class BuildingMapper
{
    private readonly CrsTransform _transform;
    private readonly bool _strict;
    private readonly string? _idField;
    private readonly GeometryFactory _target = new(new PrecisionModel(), RegionSettings.Srid);
    private readonly AttributeView _attributes = new();
    private readonly PolygonCoordinates _loaded = new();
    private readonly EwkbBuffer _wkb2d = new(withZ: false);
    private readonly EwkbBuffer _wkb3d = new(withZ: true);

    /// <param name="sourceEpsg">CRS of the source coordinates</param>
    /// <param name="strict">reject instead of repairing or dropping bad values</param>
    /// <param name="idField">attribute holding the id (overrides detection)</param>
    public BuildingMapper(int sourceEpsg, bool strict, string? idField)
    {
        _transform = CrsTransform.Create(sourceEpsg);
        _strict = strict;
        _idField = idField;
        SourceEpsg = sourceEpsg;
    }

    public int SourceEpsg { get; }

    /// <summary>Detects the attribute vocabulary from a feature's attributes (JSON object text).</summary>
    public static BuildingSchema DetectSchema(string attributesJson)
    {
        using var doc = JsonDocument.Parse(attributesJson);
        return DetectSchema(doc.RootElement);
    }

    /// <summary>Detects the attribute vocabulary from the attribute names of one feature.</summary>
    public static BuildingSchema DetectSchema(JsonElement attributes) =>
        attributes.ValueKind != JsonValueKind.Object ? BuildingSchema.Generic : DetectSchema(name => attributes.TryGetProperty(name, out _));

    private static BuildingSchema DetectSchema(AttributeView attributes) =>
        !attributes.IsObject ? BuildingSchema.Generic : DetectSchema(attributes.Has);

    private static BuildingSchema DetectSchema(Func<string, bool> has)
    {
        if (has("cleabs") || has("hauteur") || has("altitude_minimale_sol"))
        {
            return BuildingSchema.BdTopo;
        }
        if (has("HAUTEUR") || has("Z_MIN_SOL") || (has("ID") && has("NATURE")))
        {
            return BuildingSchema.BdTopoShapefile;
        }
        if (has("b3_h_maaiveld") || has("identificatie"))
        {
            return BuildingSchema.Bag3d;
        }
        if (has("rf_h_roof_max") || has("rf_h_ground"))
        {
            return BuildingSchema.Roofer;
        }
        if (has("building") || has("building:levels") || has("roof:shape") || has("@id") || has("osm_id"))
        {
            return BuildingSchema.Osm;
        }
        return BuildingSchema.Generic;
    }

    /// <summary>Maps one feature (its geometry in the source CRS) to a record in Lambert-93, or says why not.</summary>
    public BuildingMapResult Map(SourceFeature feature, BuildingSchema? forcedSchema = null, string? altitudeDatum = null)
    {
        var attributes = _attributes.Read(feature.Attributes);
        try
        {
            var schema = forcedSchema ?? DetectSchema(attributes);
            return MapParsed(feature, attributes, schema, altitudeDatum) with { Schema = schema };
        }
        finally
        {
            attributes.Dispose();
        }
    }

    private BuildingMapResult MapParsed(SourceFeature feature, AttributeView a, BuildingSchema schema, string? altitudeDatum)
    {
        var warnings = new List<FeatureProblem>();

        var sourceId = SourceIdOf(feature, a, schema);
        FeatureProblem Reject(string? field, string reason) => new(feature.Index, feature.Line, sourceId, field, reason);
        if (string.IsNullOrWhiteSpace(sourceId))
        {
            return new(null, Reject(_idField ?? "id", $"has no id ({IdFieldsOf(schema)}); pass --id-field NAME"), warnings);
        }

        // The footprint's checks, transform and EWKB work on flat coordinates: the reader's (GeoJSON), else the geometry's copied.
        var flat = feature.Polygons;
        if (flat is null)
        {
            var geometry = feature.Geometry;
            if (geometry is null)
            {
                return new(null, Reject("geometry", "is null: a building needs a footprint"), warnings);
            }
            if (geometry.IsEmpty)
            {
                return new(null, Reject("geometry", "is empty"), warnings);
            }
            if (!_loaded.TryLoad(geometry))
            {
                return new(null, Reject("geometry.type", $"is {geometry.GeometryType}: a building footprint must be a Polygon or MultiPolygon"), warnings);
            }
            flat = _loaded;
        }
        else if (flat.IsEmpty)
        {
            return new(null, Reject("geometry", "is empty"), warnings);
        }
        var xyz = flat.Ordinates;
        double minX = double.PositiveInfinity, minY = double.PositiveInfinity, maxX = double.NegativeInfinity, maxY = double.NegativeInfinity;
        for (var at = 0; at < xyz.Length; at += PolygonCoordinates.Stride)
        {
            double x = xyz[at], y = xyz[at + 1], z = xyz[at + 2];
            if (!double.IsFinite(x) || !double.IsFinite(y) || double.IsInfinity(z))
            {
                return new(null, Reject("geometry.coordinates", $"has a non-finite coordinate ({x}, {y}, {z})"), warnings);
            }
            (minX, minY, maxX, maxY) = (Math.Min(minX, x), Math.Min(minY, y), Math.Max(maxX, x), Math.Max(maxY, y));
        }
        if (!_transform.IsInAreaOfUse(minX, minY) || !_transform.IsInAreaOfUse(maxX, maxY))
        {
            // Name the first vertex that is out, not a corner of the envelope (which may pair an x and a y of two vertices).
            var outside = -1;
            for (var i = 0; i < flat.PositionCount && outside < 0; i++)
            {
                outside = _transform.IsInAreaOfUse(xyz[i * PolygonCoordinates.Stride], xyz[i * PolygonCoordinates.Stride + 1]) ? -1 : i;
            }
            var (x, y, where) = outside >= 0 ? (xyz[outside * PolygonCoordinates.Stride], xyz[outside * PolygonCoordinates.Stride + 1], $"vertex {outside} ") : (minX, minY, "");
            return new(null, Reject("geometry.coordinates",
                $"{where}({x.ToString("G10", CultureInfo.InvariantCulture)}, {y.ToString("G10", CultureInfo.InvariantCulture)}) is far outside the area of EPSG:{SourceEpsg}: is the declared CRS right? (use --srs)"), warnings);
        }

        var hasZ = feature.Solid3d is { } solid ? HasZ(solid) : flat.HasZ();
        // In place: the flat coordinates are the reader's buffer for this feature, or the mapper's copy of the geometry.
        _transform.Apply(flat.OrdinatesToChange, PolygonCoordinates.Stride);
        Geometry? copy3d = null;
        ReadOnlyMemory<byte>? geometry3d = null;
        if (hasZ)
        {
            if (feature.Solid3d is { } s)
            {
                copy3d = s.Copy();
                _transform.Apply(copy3d);
                geometry3d = _wkb3d.Write(copy3d);
            }
            else
            {
                geometry3d = _wkb3d.Write(flat, RegionSettings.Srid);
            }
        }
        var roofFaces = new List<RoofFace>();
        foreach (var roof in feature.RoofSurfaces)
        {
            var r = (Polygon)roof.Copy();
            _transform.Apply(r);
            if (Roofs.RoofPlane.Fit(r) is { } plane)
            {
                roofFaces.Add(new RoofFace(r, plane.TiltDeg, plane.TiltDeg < Roofs.RoofPlane.FlatTiltDeg ? null : plane.AzimuthDeg, plane.AreaM2));
            }
        }
        string? repair = null;
        ReadOnlyMemory<byte> footprintEwkb;
        // Most footprints are one simple ring: proven valid on the flat coordinates, with no NetTopologySuite object at all.
        if (SimpleFootprint.IsCertainlyValid(flat))
        {
            footprintEwkb = _wkb2d.WriteMultiPolygon(flat, RegionSettings.Srid);
        }
        else
        {
            var footprint = flat.ToFootprint2d(_target);
            if (!footprint.IsValid)
            {
                var reason = new NetTopologySuite.Operation.Valid.IsValidOp(footprint).ValidationError;
                var what = reason is null ? "invalid" : $"{reason.Message} at ({reason.Coordinate.X:F2}, {reason.Coordinate.Y:F2})";
                if (_strict)
                {
                    return new(null, Reject("geometry", $"is invalid: {what} (--strict: not repaired)"), warnings);
                }
                var fixedGeometry = GeometryFixer.Fix(footprint);
                var polygons = fixedGeometry switch
                {
                    MultiPolygon mp => mp,
                    Polygon p => _target.CreateMultiPolygon([p]),
                    GeometryCollection g => _target.CreateMultiPolygon(g.Geometries.OfType<Polygon>().Concat(g.Geometries.OfType<MultiPolygon>().SelectMany(m => m.Geometries.Cast<Polygon>())).ToArray()),
                    _ => _target.CreateMultiPolygon(),
                };
                if (polygons.IsEmpty || polygons.Area <= 0)
                {
                    return new(null, Reject("geometry", $"is invalid ({what}) and nothing polygonal is left after repair"), warnings);
                }
                repair = $"{what}; repaired by GeometryFixer (area {footprint.Area:F1} → {polygons.Area:F1} m²)";
                footprint = polygons;
            }
            footprint.SRID = RegionSettings.Srid;
            footprintEwkb = _wkb2d.Write(footprint);
        }

        var record = new BuildingRecord
        {
            FeatureIndex = feature.Index,
            SourceId = sourceId,
            FootprintEwkb = footprintEwkb,
            Geometry3dEwkb = geometry3d,
            RoofFaces = roofFaces,
            Attributes = feature.Attributes,
            AltitudeDatum = hasZ ? altitudeDatum ?? DefaultDatum(schema) : null,
            Repair = repair,
        };
        MapAttributes(record, a, schema, feature, warnings);
        if (feature.Solid3d is not null && copy3d is not null)
        {
            // A 3D model without height attributes (Zürich, Montréal) still has its heights in the geometry.
            var zs = copy3d.Coordinates.Select(c => c.Z).Where(z => !double.IsNaN(z)).ToArray();
            var zMin = zs.Min();
            var zMax = zs.Max();
            record.HeightAboveGroundM ??= zMax - zMin > 0 ? zMax - zMin : null;
            if (record.AltitudeDatum == "NGF-IGN69")
            {
                record.GroundAltitudeNgfIgn69M ??= zMin;
                record.RoofMaxAltitudeNgfIgn69M ??= zMax;
            }
        }
        if (_strict && warnings.Count > 0)
        {
            var w = warnings[0];
            return new(null, Reject(w.Field, w.Reason + " (--strict)"), []);
        }
        return new(record, null, warnings);
    }

    private string DefaultDatum(BuildingSchema schema) => schema switch
    {
        BuildingSchema.BdTopo or BuildingSchema.BdTopoShapefile or BuildingSchema.Roofer => "NGF-IGN69",
        BuildingSchema.Bag3d => "NAP",
        _ => KnownCrs.Horizontal(SourceEpsg) switch
        {
            KnownCrs.Lambert93 or 3946 => "NGF-IGN69",
            28992 => "NAP",
            2056 => "LN02",
            _ => "unknown",
        },
    };

    // Per-vertex checks read the coordinate sequences in place (Geometry.Coordinates copies them all into a new array).
    private static IEnumerable<CoordinateSequence> Sequences(Geometry g)
    {
        switch (g)
        {
            case Point p:
                yield return p.CoordinateSequence;
                break;
            case LineString l:
                yield return l.CoordinateSequence;
                break;
            case Polygon p:
                yield return p.ExteriorRing.CoordinateSequence;
                foreach (var hole in p.InteriorRings)
                {
                    yield return hole.CoordinateSequence;
                }
                break;
            case GeometryCollection c:
                foreach (var part in c.Geometries)
                {
                    foreach (var seq in Sequences(part))
                    {
                        yield return seq;
                    }
                }
                break;
        }
    }

    private static bool HasZ(Geometry g)
    {
        foreach (var seq in Sequences(g))
        {
            if (!seq.HasZ)
            {
                continue;
            }
            for (var i = 0; i < seq.Count; i++)
            {
                if (!double.IsNaN(seq.GetZ(i)))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private string? SourceIdOf(SourceFeature feature, AttributeView a, BuildingSchema schema)
    {
        if (_idField is not null)
        {
            return Text(a, _idField);
        }
        var fromAttributes = schema switch
        {
            // Joined exports rename it (cleabs_left__bat in the Saint-Denis GeoPackage): take the first cleabs* column.
            BuildingSchema.BdTopo => Text(a, "cleabs") ?? a.Names().Where(n => n.StartsWith("cleabs", StringComparison.Ordinal)).Select(n => Text(a, n)).FirstOrDefault(t => t is not null),
            BuildingSchema.BdTopoShapefile => Text(a, "ID"),
            BuildingSchema.Bag3d => Text(a, "identificatie"),
            // roofer numbers buildings per file ("1", "2"): the BDNB or Overture id it carries is the stable one.
            BuildingSchema.Roofer => Text(a, "batiment_construction_id") ?? Text(a, "id"),
            BuildingSchema.Osm => Text(a, "@id") ?? Text(a, "osm_id") ?? Text(a, "id"),
            _ => null,
        };
        return fromAttributes ?? feature.Id ?? Text(a, "id") ?? Text(a, "objectid") ?? Text(a, "fid");
    }

    private static string IdFieldsOf(BuildingSchema schema) => schema switch
    {
        BuildingSchema.BdTopo => "no cleabs, no feature id",
        BuildingSchema.BdTopoShapefile => "no ID, no feature id",
        BuildingSchema.Bag3d => "no identificatie",
        _ => "no feature id, no id/objectid/fid attribute",
    };

    private static void MapAttributes(BuildingRecord r, AttributeView a, BuildingSchema schema, SourceFeature f, List<FeatureProblem> warnings)
    {
        void Warn(string field, string reason) => warnings.Add(new FeatureProblem(f.Index, f.Line, r.SourceId, field, reason));
        double? Height(string field)
        {
            var v = Number(a, field, Warn);
            if (v is <= 0)
            {
                Warn(field, $"is {v.Value.ToString(CultureInfo.InvariantCulture)} m: a height must be positive; ignored");
                return null;
            }
            return v;
        }
        int? Count(string field)
        {
            var v = Number(a, field, Warn);
            if (v is null)
            {
                return null;
            }
            if (v < 0 || v > 300 || v != Math.Floor(v.Value))
            {
                Warn(field, $"is {v.Value.ToString(CultureInfo.InvariantCulture)}: not a number of storeys; ignored");
                return null;
            }
            return (int)v.Value;
        }
        switch (schema)
        {
            case BuildingSchema.BdTopo:
                r.HeightAboveGroundM = Height("hauteur");
                r.GroundAltitudeNgfIgn69M = Number(a, "altitude_minimale_sol", Warn);
                r.RoofMinAltitudeNgfIgn69M = Number(a, "altitude_minimale_toit", Warn);
                r.RoofMaxAltitudeNgfIgn69M = Number(a, "altitude_maximale_toit", Warn);
                r.Storeys = Count("nombre_d_etages");
                r.Usage = Text(a, "usage_1");
                r.RoofCovering = RoofCovering.FromBdTopoCode(Text(a, "materiaux_de_la_toiture"));
                break;
            case BuildingSchema.BdTopoShapefile:
                r.HeightAboveGroundM = Height("HAUTEUR");
                r.GroundAltitudeNgfIgn69M = Number(a, "Z_MIN_SOL", Warn);
                r.RoofMinAltitudeNgfIgn69M = Number(a, "Z_MIN_TOIT", Warn);
                r.RoofMaxAltitudeNgfIgn69M = Number(a, "Z_MAX_TOIT", Warn);
                r.Storeys = Count("NB_ETAGES");
                r.Usage = Text(a, "USAGE1");
                r.RoofCovering = RoofCovering.FromBdTopoCode(Text(a, "MAT_TOITS"));
                break;
            case BuildingSchema.Osm:
                r.HeightAboveGroundM = OsmLength(a, "height", Warn) ?? OsmLength(a, "building:height", Warn);
                r.Storeys = Count("building:levels");
                r.RoofShape = OsmRoofShape(Text(a, "roof:shape"));
                r.RoofCovering = RoofCovering.FromOsm(Text(a, "roof:material"));
                r.Usage = Text(a, "building");
                break;
            case BuildingSchema.Bag3d:
            {
                var ground = Number(a, "b3_h_maaiveld", Warn);
                var roof70 = Number(a, "b3_h_dak_70p", Warn);
                if (ground is not null && roof70 is not null)
                {
                    var h = roof70.Value - ground.Value;
                    if (h > 0)
                    {
                        r.HeightAboveGroundM = h;
                    }
                    else
                    {
                        Warn("b3_h_dak_70p", $"is not above b3_h_maaiveld ({roof70} ≤ {ground}); height ignored");
                    }
                }
                r.RoofShape = Text(a, "b3_dak_type") switch
                {
                    "slanted" => "pitched",
                    "horizontal" or "only horizontal" => "flat",
                    "multiple horizontal" => "multiple",
                    null => null,
                    var other => "other:" + other,
                };
                r.Usage = Text(a, "status");
                break;
            }
            case BuildingSchema.Roofer:
            {
                // rf_h_ground is float max (3.4e38) when roofer had no ground points: treat as unknown.
                var ground = Number(a, "rf_h_ground", Warn) is { } g && g < 1e4 ? g : (double?)null;
                var roofMax = Number(a, "rf_h_roof_max", Warn);
                var roofMin = Number(a, "rf_h_roof_min", Warn);
                r.GroundAltitudeNgfIgn69M = ground;
                r.RoofMaxAltitudeNgfIgn69M = roofMax;
                r.RoofMinAltitudeNgfIgn69M = roofMin;
                if (ground is not null && Number(a, "rf_h_roof_70p", Warn) is { } r70 && r70 > ground)
                {
                    r.HeightAboveGroundM = r70 - ground.Value;
                }
                r.RoofShape = Text(a, "rf_roof_type") switch
                {
                    "horizontal" => "flat",
                    "slanted" => "pitched",
                    "multiple horizontal" => "multiple",
                    null => null,
                    var other => "other:" + other,
                };
                break;
            }
        }
    }

    private static string? Text(AttributeView a, string name)
    {
        if (!a.TryGet(name, out var v))
        {
            return null;
        }
        return v.Kind switch
        {
            JsonValueKind.String => v.GetString() is { Length: > 0 } s ? s : null,
            JsonValueKind.Number => v.RawText,
            _ => null,
        };
    }

    private static double? Number(AttributeView a, string name, Action<string, string> warn)
    {
        if (!a.TryGet(name, out var v))
        {
            return null;
        }
        switch (v.Kind)
        {
            case JsonValueKind.Number when v.TryGetDouble(out var d) && double.IsFinite(d):
                return d;
            case JsonValueKind.String when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d):
                return d;
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String when string.IsNullOrWhiteSpace(v.GetString()):
                return null;
            default:
                warn(name, $"holds {v.RawText}, not a number; ignored");
                return null;
        }
    }

    // OSM lengths: "12", "12.5 m", "12m"; feet ("40'") converted.
    private static double? OsmLength(AttributeView a, string name, Action<string, string> warn)
    {
        var s = Text(a, name);
        if (s is null)
        {
            return null;
        }
        var t = s.Trim();
        var factor = 1.0;
        if (t.EndsWith('\''))
        {
            factor = 0.3048;
            t = t[..^1];
        }
        else if (t.EndsWith('m'))
        {
            t = t[..^1].Trim();
        }
        if (double.TryParse(t.Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v))
        {
            if (v <= 0)
            {
                warn(name, $"is {s}: a height must be positive; ignored");
                return null;
            }
            return v * factor;
        }
        warn(name, $"'{s}' is not a length; ignored");
        return null;
    }

    private static string? OsmRoofShape(string? tag) => tag switch
    {
        null => null,
        "flat" => "flat",
        "gabled" or "saltbox" or "gambrel" => "gabled",
        "hipped" or "half-hipped" or "pyramidal" or "mansard" => "hipped",
        "skillion" or "lean_to" => "pitched",
        "dome" or "onion" or "round" => "dome",
        _ => "other:" + tag,
    };
}
