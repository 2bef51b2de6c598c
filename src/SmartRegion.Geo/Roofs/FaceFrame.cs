using NetTopologySuite.Geometries;
using Angles = SmartRegion.Solar.Angles;

namespace SmartRegion.Geo.Roofs;

/// <summary>An axis-aligned box in a <see cref="FaceFrame"/>'s (u, v) coordinates (metres in the plane).</summary>
public readonly record struct LocalBox(double MinU, double MinV, double MaxU, double MaxV)
{
    public double AreaM2 => Math.Max(0, MaxU - MinU) * Math.Max(0, MaxV - MinV);
}

/// <summary>
/// A roof face's own plane coordinates: origin at the face's first vertex, u along the contour (compass azimuth + 90°),
/// v up the slope in true length. The solar sample grid and the panel packer both work in this frame, so that a sample's
/// cell is an axis-aligned box for the packer.
/// </summary>
/// <remarks>
/// A frame with tilt 0 is a plan frame (used for the racks of flat roofs: v then points against the rows' azimuth).
/// </remarks>
public sealed class FaceFrame
{
    private readonly double _hx, _hy;   // unit plan vector along u
    private readonly double _dx, _dy;   // unit plan vector downslope (the way the face looks)
    private readonly double _cosTilt, _sinTilt;

    private FaceFrame(double ox, double oy, double oz, double azimuthDeg, double tiltDeg)
    {
        OriginX = ox;
        OriginY = oy;
        OriginZ = oz;
        AzimuthDeg = azimuthDeg;
        TiltDeg = tiltDeg;
        (_dx, _dy) = Angles.CompassToHorizontalVector(azimuthDeg);
        (_hx, _hy) = Angles.CompassToHorizontalVector(azimuthDeg + 90);
        _cosTilt = Math.Cos(tiltDeg * Angles.DegToRad);
        _sinTilt = Math.Sin(tiltDeg * Angles.DegToRad);
    }

    /// <summary>How many numbers <see cref="WriteNumbers"/> writes.</summary>
    public const int NumberCount = 11;

    /// <summary>The frame as it computes, to the bit (a stored panel layout: <see cref="FromNumbers"/> makes the same frame again).</summary>
    public void WriteNumbers(Span<double> numbers)
    {
        numbers[0] = OriginX;
        numbers[1] = OriginY;
        numbers[2] = OriginZ;
        numbers[3] = AzimuthDeg;
        numbers[4] = TiltDeg;
        numbers[5] = _hx;
        numbers[6] = _hy;
        numbers[7] = _dx;
        numbers[8] = _dy;
        numbers[9] = _cosTilt;
        numbers[10] = _sinTilt;
    }

    /// <summary>The frame <see cref="WriteNumbers"/> wrote: its axes as they were, not computed again from the angles.</summary>
    public static FaceFrame FromNumbers(ReadOnlySpan<double> n) => new(n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8], n[9], n[10]);

    private FaceFrame(double ox, double oy, double oz, double azimuthDeg, double tiltDeg, double hx, double hy, double dx, double dy, double cosTilt, double sinTilt)
    {
        OriginX = ox;
        OriginY = oy;
        OriginZ = oz;
        AzimuthDeg = azimuthDeg;
        TiltDeg = tiltDeg;
        (_hx, _hy, _dx, _dy, _cosTilt, _sinTilt) = (hx, hy, dx, dy, cosTilt, sinTilt);
    }

    public double OriginX { get; }

    public double OriginY { get; }

    public double OriginZ { get; }

    /// <summary>Compass azimuth the face (or the rack rows) look to.</summary>
    public double AzimuthDeg { get; }

    /// <summary>Tilt of the plane the frame maps to (0 for a plan frame).</summary>
    public double TiltDeg { get; }

    /// <summary>The frame of a face in its fitted plane (origin: the shell's first vertex).</summary>
    public static FaceFrame ForFace(Polygon face, double azimuthDeg, double tiltDeg)
    {
        var o = face.ExteriorRing.GetCoordinateN(0);
        return new FaceFrame(o.X, o.Y, double.IsFinite(o.Z) ? o.Z : 0, azimuthDeg, tiltDeg);
    }

    /// <summary>A horizontal frame at altitude <paramref name="altitudeM"/>, v pointing against <paramref name="azimuthDeg"/>.</summary>
    public static FaceFrame ForPlan(Polygon face, double azimuthDeg, double altitudeM)
    {
        var o = face.ExteriorRing.GetCoordinateN(0);
        return new FaceFrame(o.X, o.Y, altitudeM, azimuthDeg, 0);
    }

    /// <summary>True when both frames map (u, v) to the same plan points.</summary>
    public bool SameAs(FaceFrame other) =>
        OriginX == other.OriginX && OriginY == other.OriginY && AzimuthDeg == other.AzimuthDeg && TiltDeg == other.TiltDeg;

    public (double U, double V) ToLocal(double x, double y)
    {
        double px = x - OriginX, py = y - OriginY;
        return (px * _hx + py * _hy, -(px * _dx + py * _dy) / _cosTilt);
    }

    public (double X, double Y, double Z) ToWorld(double u, double v) =>
        (OriginX + u * _hx - v * _cosTilt * _dx, OriginY + u * _hy - v * _cosTilt * _dy, OriginZ + v * _sinTilt);

    /// <summary>The polygon's rings (shell first) in local coordinates, closing vertex dropped: [u0, v0, u1, v1, …].</summary>
    public List<double[]> LocalRings(Polygon polygon)
    {
        var rings = new List<double[]>(1 + polygon.NumInteriorRings) { Ring(polygon.ExteriorRing) };
        for (var i = 0; i < polygon.NumInteriorRings; i++)
        {
            rings.Add(Ring(polygon.GetInteriorRingN(i)));
        }
        return rings;
    }

    /// <summary>The box of <paramref name="box"/> (given in <paramref name="from"/>) in this frame: exact when the frames share axes, else the box around its four corners.</summary>
    public LocalBox BoxFrom(FaceFrame from, LocalBox box)
    {
        if (SameAs(from))
        {
            return box;
        }
        double minU = double.MaxValue, minV = double.MaxValue, maxU = double.MinValue, maxV = double.MinValue;
        foreach (var (cu, cv) in new[] { (box.MinU, box.MinV), (box.MaxU, box.MinV), (box.MaxU, box.MaxV), (box.MinU, box.MaxV) })
        {
            var (x, y, _) = from.ToWorld(cu, cv);
            var (u, v) = ToLocal(x, y);
            minU = Math.Min(minU, u);
            maxU = Math.Max(maxU, u);
            minV = Math.Min(minV, v);
            maxV = Math.Max(maxV, v);
        }
        return new LocalBox(minU, minV, maxU, maxV);
    }

    /// <summary>The box around a flat [u0, v0, u1, v1, …] ring.</summary>
    public static LocalBox Bounds(double[] ring)
    {
        double minU = double.MaxValue, minV = double.MaxValue, maxU = double.MinValue, maxV = double.MinValue;
        for (var i = 0; i < ring.Length; i += 2)
        {
            minU = Math.Min(minU, ring[i]);
            maxU = Math.Max(maxU, ring[i]);
            minV = Math.Min(minV, ring[i + 1]);
            maxV = Math.Max(maxV, ring[i + 1]);
        }
        return new LocalBox(minU, minV, maxU, maxV);
    }

    private double[] Ring(LineString ring)
    {
        var seq = ring.CoordinateSequence;
        var n = seq.Count - 1;
        var a = new double[2 * n];
        for (var i = 0; i < n; i++)
        {
            (a[2 * i], a[2 * i + 1]) = ToLocal(seq.GetX(i), seq.GetY(i));
        }
        return a;
    }
}
