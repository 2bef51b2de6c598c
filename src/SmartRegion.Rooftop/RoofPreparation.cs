using NetTopologySuite.Geometries;
using SmartRegion.Geo;
using SmartRegion.Geo.Buildings;
using SmartRegion.Geo.Roofs;

namespace SmartRegion.Rooftop;

/// <summary>A roof face to compute: its 3D polygon, its plane, and where it comes from (lod2 | inferred).</summary>
public sealed record FaceInput(Polygon Polygon, RoofPlane Plane, string Origin);

/// <summary>A building's roof faces, or why it has none (<see cref="Skip"/>), with the notes made on the way.</summary>
public sealed record PreparedBuilding(List<FaceInput> Faces, SkipReason? Skip, List<ResultNote> Notes, bool Inferred);

/// <summary>
/// A building's roof faces: its LOD2 roof surfaces when it has usable ones, else faces inferred from the footprint and the
/// heights (DESIGN.md, "The solar method", step 3).
/// </summary>
public static class RoofPreparation
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), RegionSettings.Srid);

    /// <summary>The faces of <paramref name="b"/>; <paramref name="groundFallback"/> stands in for an unknown ground altitude.</summary>
    public static PreparedBuilding Prepare(BuildingInput b, double groundFallback, SolarParameters p)
    {
        var notes = new List<ResultNote>();
        var faces = new List<FaceInput>();
        foreach (var f in b.Lod2Faces)
        {
            var plane = RoofPlane.Fit(f.Polygon.ExteriorRing.Coordinates.Select(c => new CoordinateZ(c.X, c.Y, c.Z)).ToArray());
            if (plane is null || plane.Value.AreaM2 < p.Lod2MinAreaM2)
            {
                Note(notes, ResultNote.Lod2DegeneratePolygonIgnored);
                continue;
            }
            if (plane.Value.TiltDeg > p.Lod2MaxTiltDeg)
            {
                Note(notes, ResultNote.Lod2VerticalPolygonIgnored);
                continue;
            }
            faces.Add(new FaceInput(f.Polygon, plane.Value, "lod2"));
        }
        if (faces.Count > 0)
        {
            return new PreparedBuilding(faces, null, notes, false);
        }

        // Every part of a multi-part footprint has a roof (an ingest-repaired bow-tie becomes two triangles); the smallest
        // parts are slivers, not roofs.
        var geometry = b.Footprint;
        if (!geometry.IsValid)
        {
            geometry = NetTopologySuite.Geometries.Utilities.GeometryFixer.Fix(geometry);
            notes.Add(ResultNote.FootprintRepaired);
        }
        var parts = Polygons(geometry).Where(part => part.Area >= p.MinFootprintPartAreaM2).ToList();
        if (parts.Count == 0)
        {
            return new PreparedBuilding(faces, SkipReason.FootprintTooSmall, notes, true);
        }
        if (parts.Count > 1)
        {
            notes.Add(ResultNote.FootprintMultiPart);
        }
        var ground = b.GroundAltitudeM ?? groundFallback;
        if (b.GroundAltitudeM is null)
        {
            notes.Add(ResultNote.GroundAltitudeUnknown);
        }
        var (top, eaves, fromStoreys) = RoofAltitudes(b, ground, p);
        if (fromStoreys)
        {
            notes.Add(ResultNote.HeightFromStoreys);
        }
        if (top is null || eaves is null)
        {
            return new PreparedBuilding(faces, SkipReason.NoHeight, notes, true);
        }
        if (top.Value - ground <= 0)
        {
            return new PreparedBuilding(faces, SkipReason.RoofNotAboveGround, notes, true);
        }
        // The source's altitudes decide when they say anything (a ridge, or eaves below the top); without them a covering
        // laid only on a slope does.
        var altitudesFlat = b.RoofMaxAltitudeM is null && top.Value - Math.Min(eaves.Value, top.Value) < RoofInference.FlatRiseM;
        var pitch = altitudesFlat ? CoveringTiltDeg(b.RoofCovering, p) : null;
        if (pitch is not null)
        {
            notes.Add(ResultNote.RoofPitchFromCovering);
        }
        foreach (var part in parts)
        {
            // Without a ridge altitude the top is the gutter (BD TOPO's hauteur): a covering laid only on a slope rises from it.
            var roof = pitch is { } tilt
                ? RoofInference.InferPitched(part, top.Value, tilt)
                : RoofInference.Infer(part, Math.Min(eaves.Value, top.Value), top.Value);
            faces.AddRange(roof.Faces.Select(f => new FaceInput(f.Polygon, f.Plane, "inferred")));
        }
        return faces.Count == 0
            ? new PreparedBuilding(faces, SkipReason.NoRoofFace, notes, true)
            : new PreparedBuilding(faces, null, notes, true);
    }

    /// <summary>
    /// The altitudes (NGF-IGN69) of the roof's top and eaves from the building's roof altitudes, else its height above
    /// <paramref name="ground"/>, else its storeys (<paramref name="FromStoreys"/>); null when none is known.
    /// </summary>
    public static (double? Top, double? Eaves, bool FromStoreys) RoofAltitudes(BuildingInput b, double ground, SolarParameters p)
    {
        double? top = b.RoofMaxAltitudeM ?? (b.HeightAboveGroundM is { } h ? ground + h : null);
        double? eaves = b.RoofMinAltitudeM ?? top;
        if (top is null && b.Storeys is > 0)
        {
            top = eaves = ground + p.StoreyHeightM * b.Storeys.Value;
            return (top, eaves, true);
        }
        return (top, eaves, false);
    }

    /// <summary>
    /// The slope a covering imposes: the larger minimum of the materials it includes that are laid only on a slope (tiles:
    /// roof.tilesMinTiltDeg, slates: roof.slatesMinTiltDeg); null when it includes neither, or the run has no such setting.
    /// </summary>
    public static double? CoveringTiltDeg(string? covering, SolarParameters p)
    {
        double? tilt = null;
        if (RoofCovering.Includes(covering, RoofCovering.Tiles) && p.TilesMinTiltDeg is { } tiles)
        {
            tilt = tiles;
        }
        if (RoofCovering.Includes(covering, RoofCovering.Slates) && p.SlatesMinTiltDeg is { } slates)
        {
            tilt = Math.Max(tilt ?? 0, slates);
        }
        return tilt;
    }

    /// <summary>A note once, however many polygons it concerns.</summary>
    private static void Note(List<ResultNote> notes, ResultNote note)
    {
        if (!notes.Contains(note))
        {
            notes.Add(note);
        }
    }

    /// <summary>The 2D polygons of a footprint (Z dropped).</summary>
    private static IEnumerable<Polygon> Polygons(Geometry g)
    {
        for (var i = 0; i < g.NumGeometries; i++)
        {
            if (g.GetGeometryN(i) is Polygon { IsEmpty: false } p)
            {
                yield return Factory.CreatePolygon(Factory.CreateLinearRing(p.Shell.Coordinates.Select(c => new Coordinate(c.X, c.Y)).ToArray()),
                    p.Holes.Select(h => Factory.CreateLinearRing(h.Coordinates.Select(c => new Coordinate(c.X, c.Y)).ToArray())).ToArray());
            }
        }
    }
}
