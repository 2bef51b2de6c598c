using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using SmartRegion.Rooftop;

namespace SmartRegion.Api.Solar;

/// <summary>
/// A what-if request checked against its building (the footprint, the roof as computed, the run's parameters) and turned
/// into the <see cref="RoofCorrection"/> the computation takes. Every refusal names its field.
/// </summary>
internal static class WhatIfCorrection
{
    /// <summary>A corrected face may reach this far beyond the footprint (m): eaves overhang the walls by up to about a metre.</summary>
    public const double EavesOverhangM = 1.0;

    /// <summary>Area of a face (m²) beyond the overhang still taken: coordinates rounded to 1e-7° (about 1 cm) leave slivers.</summary>
    public const double OutsideToleranceM2 = 0.01;

    /// <summary>Two faces may overlap in plan by this much (m²) or <see cref="OverlapToleranceFraction"/> of the smaller, whichever is larger: drawing slack, not a second roof.</summary>
    public const double OverlapToleranceM2 = 0.5;

    /// <inheritdoc cref="OverlapToleranceM2"/>
    public const double OverlapToleranceFraction = 0.05;

    /// <summary>
    /// An obstacle's centre may lie this far outside its face (m) in plan: coordinates rounded to 1e-7° (about 1 cm), and a
    /// click on a face's edge. Its top is lifted from the face's plane at that centre, so the centre must be on the face.
    /// </summary>
    public const double ObstacleCentreToleranceM = 0.05;

    /// <summary>Two obstacles may overlap in plan by this much (m²), as slivers of coordinates rounded to about 1 cm: side by side, not one on the other.</summary>
    public const double ObstacleOverlapToleranceM2 = 0.01;

    /// <summary>The correction of <paramref name="target"/> that <paramref name="request"/> asks for, among <paramref name="buildings"/> (its neighbourhood).</summary>
    /// <exception cref="WhatIfInputException">A face or an area to keep free that does not fit the building.</exception>
    public static RoofCorrection For(WhatIfRequest request, BuildingInput target, IReadOnlyList<BuildingInput> buildings, SolarParameters p)
    {
        var groundFallback = TileComputer.GroundFallback(buildings);
        List<CorrectedFace>? faces = null;
        List<Geometry> facePlans;
        if (request.RoofFaces is { } asked)
        {
            CheckFaces(asked, target, groundFallback, p);
            faces = [.. asked.Select(f => new CorrectedFace(f.Plan, f.TiltDeg, f.AzimuthDeg, f.LowestAltitudeM))];
            facePlans = [.. asked.Select(f => (Geometry)f.Plan)];
        }
        else
        {
            facePlans = request.Obstacles.Count == 0 ? [] : [.. RoofPreparation.Prepare(target, groundFallback, p).Faces.Select(f => (Geometry)f.Polygon)];
        }
        var keepFree = new List<KeepFreeArea>(request.Obstacles.Count);
        for (var i = 0; i < request.Obstacles.Count; i++)
        {
            var obstacle = request.Obstacles[i];
            if (obstacle.FaceNo > facePlans.Count)
            {
                throw new WhatIfInputException($"obstacles[{i}].faceNo", facePlans.Count == 0
                    ? $"obstacles[{i}].faceNo {obstacle.FaceNo}: the building has no roof face (give roofFaces)."
                    : $"obstacles[{i}].faceNo {obstacle.FaceNo}: the roof has faces 1 to {facePlans.Count}.");
            }
            CheckObstacleOnFace(i, obstacle, facePlans);
            for (var j = 0; j < i; j++)
            {
                var other = request.Obstacles[j].Plan;
                var overlap = other.EnvelopeInternal.Intersects(obstacle.Plan.EnvelopeInternal) ? obstacle.Plan.Intersection(other).Area : 0;
                if (overlap > ObstacleOverlapToleranceM2)
                {
                    throw new WhatIfInputException($"obstacles[{i}].polygonWgs84",
                        $"obstacles[{i}].polygonWgs84 overlaps obstacles[{j}] by {WhatIfRequest.Text(Math.Round(overlap, 2))} m² (in plan): two obstacles cannot stand in the same place.");
                }
            }
            keepFree.Add(new KeepFreeArea(obstacle.FaceNo, obstacle.Plan, obstacle.HeightM));
        }
        return new RoofCorrection(faces, keepFree);
    }

    /// <summary>The obstacle's centre (its plan's centroid, where its top is lifted from) on its face, else which face it is on, if any.</summary>
    private static void CheckObstacleOnFace(int i, WhatIfObstacle obstacle, List<Geometry> facePlans)
    {
        var centre = obstacle.Plan.Centroid;
        var distance = facePlans[obstacle.FaceNo - 1].Distance(centre);
        if (distance <= ObstacleCentreToleranceM)
        {
            return;
        }
        var on = facePlans.FindIndex(f => f.Distance(centre) <= ObstacleCentreToleranceM);
        throw new WhatIfInputException($"obstacles[{i}].polygonWgs84", on >= 0
            ? $"obstacles[{i}].polygonWgs84 stands on face {on + 1}, not on face {obstacle.FaceNo}: its centre must lie on its face (faceNo {on + 1})."
            : $"obstacles[{i}].polygonWgs84 is off the roof: its centre is {WhatIfRequest.Text(Math.Round(distance, 1))} m from face {obstacle.FaceNo} and on no face of the building.");
    }

    private static void CheckFaces(IReadOnlyList<WhatIfFace> faces, BuildingInput target, double groundFallback, SolarParameters p)
    {
        var footprint = target.Footprint.IsValid ? target.Footprint : GeometryFixer.Fix(target.Footprint);
        var allowed = footprint.Buffer(EavesOverhangM);
        var eaves = RoofCorrections.DefaultLowestAltitudeM(target, groundFallback, p);
        for (var i = 0; i < faces.Count; i++)
        {
            var face = faces[i];
            var path = $"roofFaces[{i}]";
            if (face.TiltDeg > p.Lod2MaxTiltDeg)
            {
                throw new WhatIfInputException($"{path}.tiltDeg",
                    $"{path}.tiltDeg {WhatIfRequest.Text(face.TiltDeg)} is a wall, not a roof face: {WhatIfRequest.Text(p.Lod2MaxTiltDeg)}° at most (roof.lod2MaxTiltDeg).");
            }
            var outside = face.Plan.Difference(allowed).Area;
            if (outside > OutsideToleranceM2)
            {
                throw new WhatIfInputException($"{path}.polygonWgs84",
                    $"{path}.polygonWgs84 lies outside the building's footprint: {WhatIfRequest.Text(Math.Round(outside, 1))} m² of its {WhatIfRequest.Text(Math.Round(face.Plan.Area, 1))} m² (in plan) are more than {WhatIfRequest.Text(EavesOverhangM)} m beyond it.");
            }
            var trueAreaM2 = face.Plan.Area / Math.Cos(face.TiltDeg * Math.PI / 180);
            if (trueAreaM2 < p.Lod2MinAreaM2)
            {
                throw new WhatIfInputException($"{path}.polygonWgs84",
                    $"{path}.polygonWgs84 is {WhatIfRequest.Text(Math.Round(trueAreaM2, 2))} m²: a roof face has at least {WhatIfRequest.Text(p.Lod2MinAreaM2)} m² (roof.lod2MinAreaM2).");
            }
            if (face.LowestAltitudeM is null && eaves is null)
            {
                throw new WhatIfInputException($"{path}.polygonWgs84",
                    $"{path}.polygonWgs84: the building's height is unknown, so give the face's altitudes (a third coordinate, NGF-IGN69 metres, in every position).");
            }
            for (var j = 0; j < i; j++)
            {
                var overlap = face.Plan.Intersection(faces[j].Plan).Area;
                if (overlap > Math.Max(OverlapToleranceM2, OverlapToleranceFraction * Math.Min(face.Plan.Area, faces[j].Plan.Area)))
                {
                    throw new WhatIfInputException($"{path}.polygonWgs84",
                        $"{path}.polygonWgs84 overlaps roofFaces[{j}] by {WhatIfRequest.Text(Math.Round(overlap, 1))} m² (in plan): faces of one roof do not cover each other.");
                }
            }
        }
    }
}
