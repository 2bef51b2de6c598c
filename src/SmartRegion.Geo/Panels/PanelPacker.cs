using NetTopologySuite.Geometries;
using SmartRegion.Geo.Roofs;
using Angles = SmartRegion.Solar.Angles;

namespace SmartRegion.Geo.Panels;

/// <summary>A PV module's size and rating.</summary>
/// <param name="LengthM">Long side (default 1.72 m).</param>
/// <param name="WidthM">Short side (default 1.13 m).</param>
/// <param name="PeakPowerWp">Rated power at STC (default 425 Wp).</param>
/// <param name="GapM">Gap between neighbouring modules (clamps).</param>
public sealed record ModuleSpec(double LengthM = 1.72, double WidthM = 1.13, double PeakPowerWp = 425, double GapM = 0.02);

/// <summary>One placed module: module <paramref name="Index"/> of <paramref name="Set"/>.</summary>
/// <param name="Portrait">Long side up the slope (or across the row on flat roofs).</param>
/// <param name="TiltDeg">The module's own tilt: the face's on pitched roofs, the rack's on flat roofs.</param>
/// <param name="AzimuthDeg">The module's compass azimuth.</param>
public sealed record PlacedModule(
    PackedModules Set, int Index, GeometryFactory Factory, double CentreX, double CentreY, double CentreZ, bool Portrait, double TiltDeg, double AzimuthDeg)
{
    private Polygon? _polygon;

    /// <summary>
    /// The module's outline in 3D (storage CRS, altitude in Z), made when first asked: a run computes the modules' energy from
    /// their centres and stores them as numbers (<see cref="PackedModules"/>), so it never makes their polygons.
    /// </summary>
    public Polygon Polygon => _polygon ??= Set.Polygon(Index, Factory);
}

/// <summary>The modules placed on one face.</summary>
/// <param name="UsableAreaM2">True area left after setbacks and exclusions (in the face's plane).</param>
public sealed record PanelLayout(IReadOnlyList<PlacedModule> Modules, double UsableAreaM2, bool Portrait)
{
    public static readonly PanelLayout Empty = new([], 0, true);

    /// <summary>The modules as numbers, from which their outlines are made (null for <see cref="Empty"/>).</summary>
    public PackedModules? Packed { get; init; }
}

/// <summary>Cells where no module may go, as boxes in the frame they were made in (the solar sample grid's frame).</summary>
public sealed record CellExclusions(FaceFrame Frame, IReadOnlyList<LocalBox> Boxes);

/// <summary>Packs real module rectangles on a roof face.</summary>
/// <remarks>
/// Work happens in the face's own plane (<see cref="FaceFrame"/>: u along the contour, v up the slope, true lengths), so
/// modules are true rectangles on the roof. A module at [u, u+w]×[v, v+h] is allowed when that rectangle grown by the
/// setback on all sides lies inside the face (a square erosion) and it overlaps no exclusion box. Each row band is solved
/// exactly without geometry predicates: the face's edges clipped to the grown band block u-intervals, each free interval
/// between them is inside or outside the face as a whole (one point-in-polygon test), exclusion boxes cut it further,
/// and modules are laid greedily from the left end of every free piece. Both orientations and four row offsets are
/// tried and the layout with the most modules wins. Flat roofs carry racks tilted towards <c>rowAzimuthDeg</c>, with the
/// row pitch that keeps rows unshaded at solar noon on the winter solstice: pitch = L·cos β + L·sin β / tan(h), with
/// h = 90° − |φ| − 23.44°.
/// </remarks>
public static class PanelPacker
{
    private const double Eps = 1e-9;

    /// <summary>Packs modules flat on a pitched face, in its plane.</summary>
    /// <param name="face">The 3D face polygon.</param>
    /// <param name="plane">Its fitted plane.</param>
    /// <param name="setbackM">Distance kept free along every edge of the face.</param>
    /// <param name="exclusions">Cells where no module may go (poorly lit samples), or null.</param>
    public static PanelLayout PackPitched(Polygon face, RoofPlane plane, ModuleSpec module, double setbackM, CellExclusions? exclusions)
    {
        var frame = FaceFrame.ForFace(face, plane.AzimuthDeg, plane.TiltDeg);
        return Pack(frame, face, module, setbackM, exclusions, rackTiltDeg: null, noonElevationRad: null);
    }

    /// <summary>As <see cref="PackPitched(Polygon, RoofPlane, ModuleSpec, double, CellExclusions?)"/> with plan (2D) exclusion areas: each becomes the box around its vertices in the face's frame.</summary>
    public static PanelLayout PackPitched(Polygon face, RoofPlane plane, ModuleSpec module, double setbackM, Geometry? exclusionsPlan)
    {
        var frame = FaceFrame.ForFace(face, plane.AzimuthDeg, plane.TiltDeg);
        return Pack(frame, face, module, setbackM, PlanBoxes(frame, exclusionsPlan), rackTiltDeg: null, noonElevationRad: null);
    }

    /// <summary>Packs tilted racks in rows on a flat face.</summary>
    public static PanelLayout PackFlat(
        Polygon face, ModuleSpec module, double setbackM, CellExclusions? exclusions, double rackTiltDeg, double rowAzimuthDeg, double latitudeDeg)
    {
        var z = face.ExteriorRing.Coordinates.Average(c => double.IsFinite(c.Z) ? c.Z : 0);
        var frame = FaceFrame.ForPlan(face, rowAzimuthDeg, z);
        var noonElevation = Math.Max(5, 90 - Math.Abs(latitudeDeg) - 23.44);
        return Pack(frame, face, module, setbackM, exclusions, rackTiltDeg, noonElevation * Angles.DegToRad);
    }

    /// <summary>As <see cref="PackFlat(Polygon, ModuleSpec, double, CellExclusions?, double, double, double)"/> with plan (2D) exclusion areas.</summary>
    public static PanelLayout PackFlat(
        Polygon face, ModuleSpec module, double setbackM, Geometry? exclusionsPlan, double rackTiltDeg, double rowAzimuthDeg, double latitudeDeg)
    {
        var z = face.ExteriorRing.Coordinates.Average(c => double.IsFinite(c.Z) ? c.Z : 0);
        var frame = FaceFrame.ForPlan(face, rowAzimuthDeg, z);
        var noonElevation = Math.Max(5, 90 - Math.Abs(latitudeDeg) - 23.44);
        return Pack(frame, face, module, setbackM, PlanBoxes(frame, exclusionsPlan), rackTiltDeg, noonElevation * Angles.DegToRad);
    }

    private static CellExclusions? PlanBoxes(FaceFrame frame, Geometry? plan)
    {
        if (plan is not { IsEmpty: false })
        {
            return null;
        }
        var boxes = new List<LocalBox>();
        for (var i = 0; i < plan.NumGeometries; i++)
        {
            var corners = plan.GetGeometryN(i).Coordinates;
            var local = new double[2 * corners.Length];
            for (var c = 0; c < corners.Length; c++)
            {
                (local[2 * c], local[2 * c + 1]) = frame.ToLocal(corners[c].X, corners[c].Y);
            }
            boxes.Add(FaceFrame.Bounds(local));
        }
        return new CellExclusions(frame, boxes);
    }

    private static PanelLayout Pack(
        FaceFrame frame, Polygon face, ModuleSpec module, double setbackM, CellExclusions? exclusions, double? rackTiltDeg, double? noonElevationRad)
    {
        double? rackTiltRad = rackTiltDeg is { } t ? t * Angles.DegToRad : null;
        var rings = frame.LocalRings(face);
        var shell = rings[0];
        if (shell.Length < 6)
        {
            return PanelLayout.Empty;
        }
        var (minU, minV, maxU, maxV) = FaceFrame.Bounds(shell);
        var s = Math.Max(0, setbackM);
        var eroded = new LocalBox(minU + s, minV + s, maxU - s, maxV - s);
        var boxes = exclusions is null ? [] : exclusions.Boxes.Select(b => frame.BoxFrom(exclusions.Frame, b)).ToArray();
        var usable = UsableArea(rings, s, eroded, boxes);
        if (usable <= 0 || eroded.MaxU <= eroded.MinU || eroded.MaxV <= eroded.MinV)
        {
            return PanelLayout.Empty;
        }

        List<(double U, double V, double W, double H)>? best = null;
        var bestPortrait = true;
        var bestBalance = double.MaxValue;
        var blocked = new List<(double Lo, double Hi)>();
        var free = new List<(double Lo, double Hi)>();
        foreach (var portrait in new[] { true, false })
        {
            var w = portrait ? module.WidthM : module.LengthM;        // along the contour
            var slopeLength = portrait ? module.LengthM : module.WidthM; // up the slope (in the module's own plane)
            // On a rack the module's plan depth is its slope length × cos β; the rows need extra room for the shadow.
            var h = rackTiltRad is { } beta ? slopeLength * Math.Cos(beta) : slopeLength;
            var pitch = noonElevationRad is { } hNoon && rackTiltRad is { } b
                ? slopeLength * Math.Cos(b) + slopeLength * Math.Sin(b) / Math.Tan(hNoon)
                : h + module.GapM;
            for (var k = 0; k < 4; k++)
            {
                var placed = new List<(double U, double V, double W, double H)>();
                for (var v = eroded.MinV + k * pitch / 4; v + h <= eroded.MaxV + Eps; v += pitch)
                {
                    FreeIntervals(rings, v - s, v + h + s, minU - 1, maxU + 1, blocked, free);
                    foreach (var (g0, g1) in free)
                    {
                        PlaceInInterval(g0 + s, g1 - s, v, w, h, module.GapM, boxes, placed);
                    }
                }
                // Ties (same count, same orientation) go to the offset whose rows sit most centrally between the setback
                // lines, so that the margins above and below the array are balanced.
                var balance = placed.Count == 0 ? 0 : Math.Abs((placed.Min(r => r.V) - eroded.MinV) - (eroded.MaxV - placed.Max(r => r.V + r.H)));
                if (best is null || placed.Count > best.Count || (placed.Count == best.Count && portrait == bestPortrait && balance < bestBalance - 1e-9))
                {
                    best = placed;
                    bestPortrait = portrait;
                    bestBalance = balance;
                }
            }
        }

        var packed = Packed(frame, best!, bestPortrait, rackTiltRad);
        var tilt = rackTiltDeg ?? frame.TiltDeg;
        var modules = Enumerable.Range(0, packed.Count).Select(i => packed.Module(i, face.Factory, tilt)).ToList();
        return new PanelLayout(modules, usable, bestPortrait) { Packed = packed };
    }

    /// <summary>
    /// The u-intervals of the open band (v0, v1) that lie inside the face with no edge crossing them: a rectangle
    /// [a, b]×[v0, v1] is inside the face iff [a, b] fits in one of them.
    /// </summary>
    private static void FreeIntervals(
        List<double[]> rings, double v0, double v1, double uLo, double uHi, List<(double Lo, double Hi)> blocked, List<(double Lo, double Hi)> free)
    {
        blocked.Clear();
        free.Clear();
        foreach (var ring in rings)
        {
            var n = ring.Length / 2;
            for (var i = 0; i < n; i++)
            {
                var j = (i + 1) % n;
                double pu = ring[2 * i], pv = ring[2 * i + 1], qu = ring[2 * j], qv = ring[2 * j + 1];
                if ((pv <= v0 + Eps && qv <= v0 + Eps) || (pv >= v1 - Eps && qv >= v1 - Eps))
                {
                    continue; // the edge only touches the band from outside
                }
                double a, b;
                if (Math.Abs(qv - pv) < Eps)
                {
                    (a, b) = (pu, qu);
                }
                else
                {
                    // Clip the segment to v in [v0, v1].
                    var t0 = (v0 - pv) / (qv - pv);
                    var t1 = (v1 - pv) / (qv - pv);
                    var tLo = Math.Max(0, Math.Min(t0, t1));
                    var tHi = Math.Min(1, Math.Max(t0, t1));
                    a = pu + tLo * (qu - pu);
                    b = pu + tHi * (qu - pu);
                }
                blocked.Add((Math.Min(a, b), Math.Max(a, b)));
            }
        }
        blocked.Sort();
        var cursor = uLo;
        var vm = (v0 + v1) / 2;
        foreach (var (lo, hi) in blocked.Append((uHi, uHi)))
        {
            if (lo > cursor + Eps && Inside(rings, (cursor + lo) / 2, vm))
            {
                free.Add((cursor, lo));
            }
            cursor = Math.Max(cursor, hi);
        }
    }

    /// <summary>Even–odd point in polygon over all rings.</summary>
    private static bool Inside(List<double[]> rings, double u, double v)
    {
        var inside = false;
        foreach (var ring in rings)
        {
            var n = ring.Length / 2;
            for (int i = 0, j = n - 1; i < n; j = i++)
            {
                double ui = ring[2 * i], vi = ring[2 * i + 1], uj = ring[2 * j], vj = ring[2 * j + 1];
                if ((vi > v) != (vj > v) && u < (uj - ui) * (v - vi) / (vj - vi) + ui)
                {
                    inside = !inside;
                }
            }
        }
        return inside;
    }

    /// <summary>Lays modules of width w from the left of [a, c] in the row at v, skipping exclusion boxes the row overlaps.</summary>
    private static void PlaceInInterval(double a, double c, double v, double w, double h, double gap, LocalBox[] boxes, List<(double, double, double, double)> placed)
    {
        var u = a;
        while (u + w <= c + Eps)
        {
            var blockedUntil = double.NaN;
            foreach (var box in boxes)
            {
                if (box.MinV < v + h - Eps && box.MaxV > v + Eps && box.MinU < u + w - Eps && box.MaxU > u + Eps)
                {
                    blockedUntil = double.IsNaN(blockedUntil) ? box.MaxU : Math.Max(blockedUntil, box.MaxU);
                }
            }
            if (double.IsNaN(blockedUntil))
            {
                placed.Add((u, v, w, h));
                u += w + gap;
            }
            else
            {
                u = blockedUntil; // the first position past the box (which may reveal another one: looped)
            }
        }
    }

    /// <summary>
    /// Usable area without overlay operations: the face's area minus its setback zone, taken as the mitred inward offset
    /// A − P·s + s²·Σ tan(φᵢ/2) (φᵢ the turning angle at each vertex; exact for any polygon whose edges all survive the
    /// offset, e.g. rectangles and L-shapes), minus each exclusion box's overlap with the face, the box first cut to the
    /// eroded face's bounding box (exact when the face is a rectangle in its frame; boxes are taken as disjoint, as the
    /// sample grid's cells are).
    /// </summary>
    private static double UsableArea(List<double[]> rings, double s, LocalBox erodedBounds, LocalBox[] boxes)
    {
        double area = 0, perimeter = 0, corners = 0;
        for (var r = 0; r < rings.Count; r++)
        {
            var ring = rings[r];
            var signed = ConvexClip.SignedArea(ring);
            area += r == 0 ? Math.Abs(signed) : -Math.Abs(signed);
            // Orient so that the face's interior is on the left: shell counter-clockwise, holes clockwise.
            var flip = (r == 0 ? signed < 0 : signed > 0) ? -1.0 : 1.0;
            var n = ring.Length / 2;
            for (var i = 0; i < n; i++)
            {
                int prev = (i + n - 1) % n, next = (i + 1) % n;
                double e1u = ring[2 * i] - ring[2 * prev], e1v = ring[2 * i + 1] - ring[2 * prev + 1];
                double e2u = ring[2 * next] - ring[2 * i], e2v = ring[2 * next + 1] - ring[2 * i + 1];
                perimeter += Math.Sqrt(e2u * e2u + e2v * e2v);
                var phi = flip * Math.Atan2(e1u * e2v - e1v * e2u, e1u * e2u + e1v * e2v);
                corners += Math.Tan(Math.Clamp(phi, -3.0, 3.0) / 2);
            }
        }
        var usable = Math.Clamp(area - perimeter * s + s * s * corners, 0, area);
        foreach (var box in boxes)
        {
            var cut = new LocalBox(
                Math.Max(box.MinU, erodedBounds.MinU), Math.Max(box.MinV, erodedBounds.MinV),
                Math.Min(box.MaxU, erodedBounds.MaxU), Math.Min(box.MaxV, erodedBounds.MaxV));
            if (cut.MaxU <= cut.MinU || cut.MaxV <= cut.MinV)
            {
                continue;
            }
            var window = ConvexClip.Window(cut);
            var overlap = Math.Abs(ConvexClip.SignedArea(ConvexClip.Clip(rings[0], window)));
            for (var r = 1; r < rings.Count; r++)
            {
                overlap -= Math.Abs(ConvexClip.SignedArea(ConvexClip.Clip(rings[r], window)));
            }
            usable -= Math.Max(0, overlap);
        }
        return Math.Max(0, usable);
    }

    /// <summary>The placed modules as numbers (<see cref="PackedModules"/>); every module of a layout has the same size.</summary>
    private static PackedModules Packed(FaceFrame frame, List<(double U, double V, double W, double H)> placed, bool portrait, double? rackTiltRad)
    {
        double w = placed.Count == 0 ? 0 : placed[0].W, h = placed.Count == 0 ? 0 : placed[0].H;
        // On a rack the module's back edge rises by slope length × sin β above the roof.
        var rise = rackTiltRad is { } beta ? h / Math.Cos(beta) * Math.Sin(beta) : 0;
        var uv = new double[2 * placed.Count];
        for (var i = 0; i < placed.Count; i++)
        {
            uv[2 * i] = placed[i].U;
            uv[2 * i + 1] = placed[i].V;
        }
        return new PackedModules(frame, w, h, rise, portrait, uv);
    }
}
