using NetTopologySuite.Geometries;
using SmartRegion.Geo;
using SmartRegion.Geo.Roofs;
using SmartRegion.Solar;

namespace SmartRegion.Rooftop;

/// <summary>A face of a resident's corrected roof: its outline seen from above (storage CRS), tilt, azimuth, and lowest point.</summary>
/// <param name="Plan">The face's outline in plan (2D, storage CRS).</param>
/// <param name="AzimuthDeg">Compass direction the face looks to (downslope), clockwise from north.</param>
/// <param name="LowestAltitudeM">Altitude (NGF-IGN69) of the face's lowest point; null: the building's eaves.</param>
public sealed record CorrectedFace(Polygon Plan, double TiltDeg, double AzimuthDeg, double? LowestAltitudeM);

/// <summary>An area of face <paramref name="FaceNo"/> (1-based) to keep free of modules — a chimney, a window — as its plan outline.</summary>
/// <param name="HeightM">How far its top rises above the face, measured at its centre (m); above 0 it casts shade on the roof.</param>
public sealed record KeepFreeArea(int FaceNo, Polygon Plan, double HeightM = 0);

/// <summary>A resident's correction of one building's roof (a what-if): the faces replaced (null: the platform's), areas kept free.</summary>
public sealed record RoofCorrection(IReadOnlyList<CorrectedFace>? Faces, IReadOnlyList<KeepFreeArea> KeepFree)
{
    /// <summary>The roof as the platform computes it.</summary>
    public static readonly RoofCorrection None = new(null, []);
}

/// <summary>Turns a <see cref="RoofCorrection"/> into the roof faces the computation takes.</summary>
public static class RoofCorrections
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), RegionSettings.Srid);

    /// <summary>
    /// Where a corrected face's lowest point sits when the correction does not say: the building's eaves (its lowest roof
    /// altitude, as the roof inference takes it); null when the building has no height at all.
    /// </summary>
    /// <param name="groundFallback">The neighbourhood's median ground altitude, for a building whose own is unknown (<see cref="TileComputer.GroundFallback"/>).</param>
    public static double? DefaultLowestAltitudeM(BuildingInput b, double groundFallback, SolarParameters p)
    {
        var (top, eaves, _) = RoofPreparation.RoofAltitudes(b, b.GroundAltitudeM ?? groundFallback, p);
        return top is { } t && eaves is { } e ? Math.Min(t, e) : null;
    }

    /// <summary>
    /// The face in 3D: its plan outline lifted onto the plane of its tilt and azimuth whose lowest point is at
    /// <paramref name="lowestAltitudeM"/> (a steeper correction raises the ridge, not the eaves).
    /// </summary>
    public static FaceInput Build(CorrectedFace face, double lowestAltitudeM)
    {
        var tan = Math.Tan(face.TiltDeg * Angles.DegToRad);
        double dx = Math.Sin(face.AzimuthDeg * Angles.DegToRad), dy = Math.Cos(face.AzimuthDeg * Angles.DegToRad);
        // Distances along the downslope direction, from the first vertex (Lambert-93 values are ~10^6 m).
        var o = face.Plan.ExteriorRing.GetCoordinateN(0);
        double Down(Coordinate c) => (c.X - o.X) * dx + (c.Y - o.Y) * dy;
        var lowest = face.Plan.ExteriorRing.Coordinates.Max(Down);
        LinearRing Lift(LineString ring) => Factory.CreateLinearRing(
            ring.Coordinates.Select(c => new CoordinateZ(c.X, c.Y, lowestAltitudeM + tan * (lowest - Down(c)))).ToArray());
        var polygon = Factory.CreatePolygon(Lift(face.Plan.ExteriorRing), face.Plan.InteriorRings.Select(Lift).ToArray());
        var plane = RoofPlane.Fit(polygon) ?? throw new ArgumentException("a corrected roof face has no area", nameof(face));
        // The orientation as given (the fit agrees to ~1e-12°, but a face looking north would read 359.99…°); the areas as fitted.
        var azimuth = face.TiltDeg < RoofPlane.FlatTiltDeg ? 180 : Angles.Normalize360Deg(face.AzimuthDeg);
        return new FaceInput(polygon, plane with { TiltDeg = face.TiltDeg, AzimuthDeg = azimuth }, Origin);
    }

    /// <summary>
    /// The tops of <paramref name="correction"/>'s areas that rise above their face (<see cref="KeepFreeArea.HeightM"/> &gt; 0),
    /// as horizontal 3D polygons: joined to the skyline like any roof face, their edges cast shade on the building's faces
    /// through the same horizons as the neighbours' (an obstacle is a box whose walls end at those edges).
    /// </summary>
    /// <param name="faces">The building's faces as computed (the correction's when it gives faces); FaceNo numbers them from 1.</param>
    public static IEnumerable<Polygon> ObstacleTops(RoofCorrection correction, IReadOnlyList<FaceInput> faces)
    {
        foreach (var area in correction.KeepFree)
        {
            if (!(area.HeightM > 0))
            {
                continue;
            }
            if (area.FaceNo < 1 || area.FaceNo > faces.Count)
            {
                throw new ArgumentException($"an area to keep free is on face {area.FaceNo}; the roof has faces 1 to {faces.Count}", nameof(correction));
            }
            var face = faces[area.FaceNo - 1];
            var frame = FaceFrame.ForFace(face.Polygon, face.Plane.AzimuthDeg, face.Plane.TiltDeg);
            var centre = area.Plan.Centroid;
            var (u, v) = frame.ToLocal(centre.X, centre.Y);
            var top = frame.ToWorld(u, v).Z + area.HeightM;
            LinearRing Lift(LineString ring) => Factory.CreateLinearRing(ring.Coordinates.Select(c => new CoordinateZ(c.X, c.Y, top)).ToArray());
            yield return Factory.CreatePolygon(Lift(area.Plan.ExteriorRing), area.Plan.InteriorRings.Select(Lift).ToArray());
        }
    }

    /// <summary>The origin of a corrected face (<see cref="FaceResult.Origin"/>), beside <c>lod2</c> and <c>inferred</c>.</summary>
    public const string Origin = "corrected";

    /// <summary>
    /// The building's roof with <paramref name="correction"/>'s faces in place of <paramref name="computed"/>'s (its notes
    /// kept, with <see cref="ResultNote.RoofCorrected"/>; the uncertainty band of the roof it corrects).
    /// </summary>
    internal static PreparedBuilding Apply(BuildingInput b, PreparedBuilding computed, RoofCorrection correction, double groundFallback, SolarParameters p)
    {
        if (correction.Faces is not { } corrected)
        {
            return computed;
        }
        var eaves = DefaultLowestAltitudeM(b, groundFallback, p);
        var faces = corrected.Select(f => Build(f, f.LowestAltitudeM ?? eaves
            ?? throw new ArgumentException($"building {b.Id} has no height: a corrected face needs its altitude", nameof(correction)))).ToList();
        var notes = computed.Notes.Where(n => n is not (ResultNote.Lod2DegeneratePolygonIgnored or ResultNote.Lod2VerticalPolygonIgnored)).ToList();
        notes.Add(ResultNote.RoofCorrected);
        return new PreparedBuilding(faces, null, notes, computed.Inferred);
    }
}
