using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;
using Angles = SmartRegion.Solar.Angles;

namespace SmartRegion.Geo.Roofs;

/// <summary>How a roof's shape was decided.</summary>
public enum InferredRoofShape
{
    Flat,
    Gable,
    Hipped,
}

/// <summary>One roof face: a planar 3D polygon with its orientation and area.</summary>
/// <param name="Polygon">The face in the storage CRS with Z as altitude (same datum as the inputs).</param>
public sealed record PlanarFace(Polygon Polygon, RoofPlane Plane);

/// <summary>The faces inferred for one footprint, with the shape that was chosen and why.</summary>
public sealed record InferredRoof(InferredRoofShape Shape, IReadOnlyList<PlanarFace> Faces, double RiseM, double WidthM, double LengthM);

/// <summary>
/// Roof faces from a 2D footprint and the roof's lowest and highest altitudes (BD TOPO <c>altitude_minimale_toit</c>,
/// <c>altitude_maximale_toit</c>), for buildings that have no LOD2 model.
/// </summary>
/// <remarks>
/// The footprint's minimum rotated rectangle gives the roof's axes. A roof that rises less than
/// <see cref="FlatRiseM"/> is flat. Otherwise the slope is the rise over half the rectangle's width: a gable roof with
/// its ridge along the long axis, or a hipped roof (equal pitch on all four sides, hips at 45° in plan, the straight
/// skeleton of the rectangle) when the rectangle is nearly square. Each region of the skeleton is intersected with the
/// real footprint, so L-shaped and irregular footprints keep their true outline and area.
/// </remarks>
public static class RoofInference
{
    /// <summary>Below this rise (m) a roof is flat (DESIGN.md: "flat when the roof rises less than ~0.5 m").</summary>
    public const double FlatRiseM = 0.5;

    /// <summary>Rectangles whose length/width is below this ratio get a hipped roof rather than a gable.</summary>
    public const double HippedMaxAspect = 1.3;

    /// <summary>The steepest pitch inferred; a larger rise over a narrow footprint is a tower or bad data, not a roof slope.</summary>
    public const double MaxTiltDeg = 60;

    /// <summary>Infers the roof faces of <paramref name="footprint"/> (2D polygon, metres).</summary>
    /// <param name="eaveAltitudeM">Lowest roof altitude (eaves), same datum as <paramref name="ridgeAltitudeM"/>.</param>
    /// <param name="ridgeAltitudeM">Highest roof altitude (ridge).</param>
    public static InferredRoof Infer(Polygon footprint, double eaveAltitudeM, double ridgeAltitudeM) =>
        Infer(footprint, eaveAltitudeM, ridgeAltitudeM, forceOverlay: false);

    /// <summary>
    /// A pitched roof of slope <paramref name="tiltDeg"/> rising from <paramref name="eaveAltitudeM"/>, for a roof known to be
    /// pitched (its covering) whose ridge altitude is not: the ridge is as high as that slope makes it over the footprint's
    /// half-width (gable, or hipped when nearly square, as <see cref="Infer(Polygon, double, double)"/>).
    /// </summary>
    public static InferredRoof InferPitched(Polygon footprint, double eaveAltitudeM, double tiltDeg)
    {
        ArgumentNullException.ThrowIfNull(footprint);
        if (!(tiltDeg > 0 && tiltDeg <= MaxTiltDeg))
        {
            throw new ArgumentOutOfRangeException(nameof(tiltDeg), tiltDeg, $"a pitched roof's slope is in (0, {MaxTiltDeg}]°");
        }
        var width = Axes(footprint).WidthM;
        return Infer(footprint, eaveAltitudeM, eaveAltitudeM + Math.Tan(tiltDeg * Angles.DegToRad) * width / 2);
    }

    /// <summary>As <see cref="Infer(Polygon, double, double)"/>; <paramref name="forceOverlay"/> clips every footprint with NTS (the reference for convex ones).</summary>
    public static InferredRoof Infer(Polygon footprint, double eaveAltitudeM, double ridgeAltitudeM, bool forceOverlay)
    {
        ArgumentNullException.ThrowIfNull(footprint);
        if (!double.IsFinite(eaveAltitudeM) || !double.IsFinite(ridgeAltitudeM))
        {
            throw new ArgumentException("roof altitudes must be finite numbers");
        }
        var factory = footprint.Factory;
        var rise = Math.Max(0, ridgeAltitudeM - eaveAltitudeM);
        var (centreX, centreY, ux, uy, length, width) = Axes(footprint);

        if (rise < FlatRiseM || width < 1e-6)
        {
            var top = Math.Max(eaveAltitudeM, ridgeAltitudeM);
            var faces = Parts(footprint).Select(p => Lift(p, (_, _) => top, factory)).Where(f => f is not null).Select(f => f!).ToList();
            return new InferredRoof(InferredRoofShape.Flat, faces, rise, width, length);
        }

        var tanTilt = rise / (width / 2);
        var maxTan = Math.Tan(MaxTiltDeg * Angles.DegToRad);
        if (tanTilt > maxTan)
        {
            tanTilt = maxTan;
        }
        // v: the short axis, 90° counter-clockwise from u.
        double vx = -uy, vy = ux;
        var hipped = length / width < HippedMaxAspect;
        var halfL = length / 2 + 1;  // regions reach a little beyond the rectangle so that no footprint sliver is lost
        var halfW = width / 2 + 1;
        var halfWidth = width / 2;
        var regions = new List<(double[] Local, Func<double, double, double> Z)>();

        double ZFromSide(double distanceToSide) => eaveAltitudeM + tanTilt * Math.Max(0, distanceToSide);

        if (hipped)
        {
            var inner = Math.Max(0, length / 2 - halfWidth); // half the ridge length
            // +v side: trapezoid between the long side and the ridge.
            regions.Add(([-halfL, halfW, halfL, halfW, inner, 0, -inner, 0], (s, t) => ZFromSide(halfWidth - t)));
            regions.Add(([-halfL, -halfW, -inner, 0, inner, 0, halfL, -halfW], (s, t) => ZFromSide(halfWidth + t)));
            // ±u sides: the hip triangles.
            regions.Add(([halfL, -halfW, halfL, halfW, inner, 0], (s, t) => ZFromSide(length / 2 - s)));
            regions.Add(([-halfL, halfW, -halfL, -halfW, -inner, 0], (s, t) => ZFromSide(length / 2 + s)));
        }
        else
        {
            regions.Add(([-halfL, 0, halfL, 0, halfL, halfW, -halfL, halfW], (s, t) => ZFromSide(halfWidth - t)));
            regions.Add(([-halfL, -halfW, halfL, -halfW, halfL, 0, -halfL, 0], (s, t) => ZFromSide(halfWidth + t)));
        }

        // Convex footprints (most buildings) are clipped to the convex skeleton regions by Sutherland–Hodgman, which is
        // exact there and far cheaper than an NTS overlay; concave ones keep the overlay.
        var convexShell = forceOverlay ? null : ConvexShell(footprint);
        var result = new List<PlanarFace>();
        foreach (var (local, z) in regions)
        {
            var ring = new Coordinate[local.Length / 2 + 1];
            for (var i = 0; i < local.Length / 2; i++)
            {
                double s = local[2 * i], t = local[2 * i + 1];
                ring[i] = new Coordinate(centreX + s * ux + t * vx, centreY + s * uy + t * vy);
            }
            ring[^1] = ring[0].Copy();
            var region = factory.CreatePolygon(ring);
            var piece = convexShell is null ? footprint.Intersection(region) : ClipConvex(convexShell, ring, factory);
            foreach (var part in Parts(piece))
            {
                var face = Lift(part, (x, y) =>
                {
                    double dx = x - centreX, dy = y - centreY;
                    return z(dx * ux + dy * uy, dx * vx + dy * vy);
                }, factory);
                if (face is not null)
                {
                    result.Add(face);
                }
            }
        }
        return new InferredRoof(hipped ? InferredRoofShape.Hipped : InferredRoofShape.Gable, result, rise, width, length);
    }

    /// <summary>Centre, long-axis unit vector, length and width of the footprint's minimum rotated rectangle.</summary>
    public static (double CentreX, double CentreY, double UX, double UY, double LengthM, double WidthM) Axes(Geometry footprint)
    {
        var rectangle = MinimumDiameter.GetMinimumRectangle(footprint);
        if (rectangle is not Polygon rect || rect.ExteriorRing.NumPoints < 5)
        {
            var env = footprint.EnvelopeInternal;
            return (env.Centre.X, env.Centre.Y, 1, 0, Math.Max(env.Width, env.Height), Math.Min(env.Width, env.Height));
        }
        var c = rect.ExteriorRing.Coordinates;
        double ax = c[1].X - c[0].X, ay = c[1].Y - c[0].Y, bx = c[2].X - c[1].X, by = c[2].Y - c[1].Y;
        var la = Math.Sqrt(ax * ax + ay * ay);
        var lb = Math.Sqrt(bx * bx + by * by);
        var centre = rect.Centroid;
        return la >= lb
            ? (centre.X, centre.Y, ax / la, ay / la, la, lb)
            : (centre.X, centre.Y, bx / lb, by / lb, lb, la);
    }

    /// <summary>The footprint's shell as a counter-clockwise flat ring when it is convex and has no holes, else null.</summary>
    private static double[]? ConvexShell(Polygon footprint)
    {
        if (footprint.NumInteriorRings > 0)
        {
            return null;
        }
        var c = footprint.ExteriorRing.Coordinates;
        var n = c.Length - 1;
        if (n < 3)
        {
            return null;
        }
        int positive = 0, negative = 0;
        for (var i = 0; i < n; i++)
        {
            Coordinate a = c[(i + n - 1) % n], b = c[i], d = c[(i + 1) % n];
            var cross = (b.X - a.X) * (d.Y - b.Y) - (b.Y - a.Y) * (d.X - b.X);
            if (cross > 1e-9)
            {
                positive++;
            }
            else if (cross < -1e-9)
            {
                negative++;
            }
        }
        if (positive > 0 && negative > 0)
        {
            return null;
        }
        var ring = new double[2 * n];
        for (var i = 0; i < n; i++)
        {
            var k = negative > 0 ? n - 1 - i : i;
            (ring[2 * i], ring[2 * i + 1]) = (c[k].X, c[k].Y);
        }
        return ring;
    }

    /// <summary>The convex footprint cut to a convex region; shell clockwise, as NTS overlays return it.</summary>
    private static Geometry ClipConvex(double[] shell, Coordinate[] region, GeometryFactory factory)
    {
        var n = region.Length - 1;
        var window = new double[2 * n];
        for (var i = 0; i < n; i++)
        {
            (window[2 * i], window[2 * i + 1]) = (region[i].X, region[i].Y);
        }
        if (ConvexClip.SignedArea(window) < 0)
        {
            window = Reverse(window);
        }
        var clipped = ConvexClip.Clip(shell, window);
        var points = new List<Coordinate>();
        for (var i = clipped.Length - 2; i >= 0; i -= 2)
        {
            var p = new Coordinate(clipped[i], clipped[i + 1]);
            if (points.Count == 0 || points[^1].Distance(p) > 1e-9)
            {
                points.Add(p);
            }
        }
        while (points.Count > 1 && points[0].Distance(points[^1]) <= 1e-9)
        {
            points.RemoveAt(points.Count - 1);
        }
        if (points.Count < 3)
        {
            return factory.CreatePolygon();
        }
        points.Add(points[0].Copy());
        return factory.CreatePolygon([.. points]);
    }

    private static double[] Reverse(double[] ring)
    {
        var n = ring.Length / 2;
        var r = new double[ring.Length];
        for (var i = 0; i < n; i++)
        {
            (r[2 * i], r[2 * i + 1]) = (ring[2 * (n - 1 - i)], ring[2 * (n - 1 - i) + 1]);
        }
        return r;
    }

    private static IEnumerable<Polygon> Parts(Geometry g)
    {
        for (var i = 0; i < g.NumGeometries; i++)
        {
            if (g.GetGeometryN(i) is Polygon { IsEmpty: false, Area: > 0.01 } p)
            {
                yield return p;
            }
        }
    }

    private static PlanarFace? Lift(Polygon polygon, Func<double, double, double> z, GeometryFactory factory)
    {
        LinearRing LiftRing(LineString ring) =>
            factory.CreateLinearRing(ring.Coordinates.Select(c => (Coordinate)new CoordinateZ(c.X, c.Y, z(c.X, c.Y))).ToArray());
        var shell = LiftRing(polygon.ExteriorRing);
        var holes = polygon.InteriorRings.Select(LiftRing).ToArray();
        var lifted = factory.CreatePolygon(shell, holes);
        var plane = RoofPlane.Fit(shell.Coordinates.Select(c => new CoordinateZ(c.X, c.Y, c.Z)).ToArray());
        if (plane is null)
        {
            return null;
        }
        // Holes reduce the area; Newell on the shell alone does not know them.
        var p = plane.Value;
        var planArea = polygon.Area;
        var cos = Math.Cos(p.TiltDeg * Angles.DegToRad);
        return new PlanarFace(lifted, p with { PlanAreaM2 = planArea, AreaM2 = cos > 1e-9 ? planArea / cos : p.AreaM2 });
    }
}
