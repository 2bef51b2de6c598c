using NetTopologySuite.Geometries;
using SmartRegion.Geo.Roofs;

namespace SmartRegion.Rooftop;

/// <summary>A roof face to compute: its 3D polygon, its plane, and where it comes from (lod2 | inferred).</summary>
public sealed record FaceInput(Polygon Polygon, RoofPlane Plane, string Origin);

/// <summary>A building's roof faces, or why it has none (<see cref="Skip"/>), with the notes made on the way.</summary>
public sealed record PreparedBuilding(List<FaceInput> Faces, string? Skip, List<string> Notes, bool Inferred);

/// <summary>
/// A building's roof faces: its LOD2 roof surfaces when it has usable ones, else faces inferred from the footprint and the
/// heights (DESIGN.md, "The solar method", step 3).
/// </summary>
public static class RoofPreparation
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 2154);

    /// <summary>The faces of <paramref name="b"/>; <paramref name="groundFallback"/> stands in for an unknown ground altitude.</summary>
    public static PreparedBuilding Prepare(BuildingInput b, double groundFallback)
    {
        var notes = new List<string>();
        var faces = new List<FaceInput>();
        foreach (var f in b.Lod2Faces)
        {
            var plane = RoofPlane.Fit(f.Polygon.ExteriorRing.Coordinates.Select(c => new CoordinateZ(c.X, c.Y, c.Z)).ToArray());
            if (plane is null || plane.Value.AreaM2 < 0.5)
            {
                notes.Add("degenerate LOD2 roof polygon ignored");
                continue;
            }
            if (plane.Value.TiltDeg > 75)
            {
                notes.Add("vertical LOD2 roof polygon ignored");
                continue;
            }
            faces.Add(new FaceInput(f.Polygon, plane.Value, "lod2"));
        }
        if (faces.Count > 0)
        {
            return new PreparedBuilding(faces, null, notes, false);
        }

        // Every part of a multi-part footprint has a roof (an ingest-repaired bow-tie becomes two triangles); parts
        // under 4 m² are slivers, not roofs.
        var geometry = b.Footprint;
        if (!geometry.IsValid)
        {
            geometry = NetTopologySuite.Geometries.Utilities.GeometryFixer.Fix(geometry);
            notes.Add("self-intersecting footprint repaired");
        }
        var parts = Polygons(geometry).Where(p => p.Area >= 4).ToList();
        if (parts.Count == 0)
        {
            return new PreparedBuilding(faces, "footprint smaller than 4 m² or empty", notes, true);
        }
        if (parts.Count > 1)
        {
            notes.Add($"footprint of {parts.Count} parts: a roof inferred for each");
        }
        var ground = b.GroundAltitudeM ?? groundFallback;
        if (b.GroundAltitudeM is null)
        {
            notes.Add("ground altitude unknown: the tile's median used");
        }
        double? top = b.RoofMaxAltitudeM ?? (b.HeightAboveGroundM is { } h ? ground + h : null);
        double? eaves = b.RoofMinAltitudeM ?? top;
        if (top is null && b.Storeys is > 0)
        {
            top = eaves = ground + 3.0 * b.Storeys.Value;
            notes.Add("no height: 3 m per storey assumed");
        }
        if (top is null || eaves is null)
        {
            return new PreparedBuilding(faces, "no height, roof altitude or storey count", notes, true);
        }
        if (top.Value - ground <= 0)
        {
            return new PreparedBuilding(faces, "roof not above the ground (zero or negative height)", notes, true);
        }
        foreach (var part in parts)
        {
            var roof = RoofInference.Infer(part, Math.Min(eaves.Value, top.Value), top.Value);
            faces.AddRange(roof.Faces.Select(f => new FaceInput(f.Polygon, f.Plane, "inferred")));
        }
        return faces.Count == 0
            ? new PreparedBuilding(faces, "no roof face could be inferred", notes, true)
            : new PreparedBuilding(faces, null, notes, true);
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
