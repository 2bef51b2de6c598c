using System.Globalization;
using System.Runtime.Intrinsics;
using SmartRegion.Solar.Weather;

namespace SmartRegion.Solar;

/// <summary>
/// A horizon profile: the elevation angle of the skyline (degrees above the horizontal) at increasing compass
/// azimuths, linearly interpolated between points and wrapped around north (any resolution, any spacing).
/// </summary>
public sealed class HorizonProfile
{
    private readonly double[] _azimuthsDeg;
    private readonly double[] _elevationsDeg;

    /// <summary>Builds a profile; azimuths must be strictly increasing within [0, 360], elevations within [−90, 90].</summary>
    /// <exception cref="ArgumentException">The message says which point is wrong.</exception>
    public HorizonProfile(IReadOnlyList<double> azimuthsDeg, IReadOnlyList<double> elevationsDeg)
    {
        if (azimuthsDeg.Count != elevationsDeg.Count || azimuthsDeg.Count == 0)
        {
            throw new ArgumentException("a horizon profile needs at least one azimuth:elevation point, as many azimuths as elevations");
        }
        for (var i = 0; i < azimuthsDeg.Count; i++)
        {
            var a = azimuthsDeg[i];
            var e = elevationsDeg[i];
            if (!double.IsFinite(a) || a < 0 || a > 360)
            {
                throw new ArgumentException($"point {i + 1}: azimuth {Format(a)} is outside [0, 360]");
            }
            if (!double.IsFinite(e) || e < -90 || e > 90)
            {
                throw new ArgumentException($"point {i + 1}: elevation {Format(e)} is outside [-90, 90]");
            }
            if (i > 0 && a <= azimuthsDeg[i - 1])
            {
                throw new ArgumentException($"point {i + 1}: azimuth {Format(a)} does not increase (previous {Format(azimuthsDeg[i - 1])}); the profile must be monotonic in azimuth");
            }
        }
        if (azimuthsDeg.Count > 1 && azimuthsDeg[0] == 0 && azimuthsDeg[^1] == 360 && elevationsDeg[0] != elevationsDeg[^1])
        {
            throw new ArgumentException("azimuths 0 and 360 are the same direction but have different elevations");
        }
        _azimuthsDeg = [.. azimuthsDeg];
        _elevationsDeg = [.. elevationsDeg];
    }

    /// <summary>A flat horizon (elevation 0 everywhere).</summary>
    public static HorizonProfile Flat { get; } = new([0.0], [0.0]);

    public IReadOnlyList<double> AzimuthsDeg => _azimuthsDeg;

    public IReadOnlyList<double> ElevationsDeg => _elevationsDeg;

    /// <summary>Parses "az:elev,az:elev,…" (degrees).</summary>
    /// <exception cref="ArgumentException">The message names the bad point.</exception>
    public static HorizonProfile Parse(string text)
    {
        var az = new List<double>();
        var el = new List<double>();
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            var pair = parts[i].Split(':');
            if (pair.Length != 2
                || !double.TryParse(pair[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
                || !double.TryParse(pair[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var e))
            {
                throw new ArgumentException($"point {i + 1}: '{parts[i]}' is not azimuth:elevation in degrees");
            }
            az.Add(a);
            el.Add(e);
        }
        return new HorizonProfile(az, el);
    }

    /// <summary>Reads a CSV horizon file (PVGIS: header <c>horizon_azimuth,horizon_elevation</c>; or two numeric columns).</summary>
    /// <exception cref="WeatherFileException">With the file, line and column of the problem.</exception>
    public static HorizonProfile ParseCsv(string text, string path)
    {
        var az = new List<double>();
        var el = new List<double>();
        var lines = PvgisTmyReader.SplitLines(text);
        var lastLine = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var s = lines[i].Trim();
            if (s.Length == 0 || !(char.IsAsciiDigit(s[0]) || s[0] is '-' or '.' or '+'))
            {
                continue;
            }
            var line = new CsvLine(path, i + 1, lines[i].Replace('\t', ','));
            az.Add(line.Number(0, "azimuth"));
            el.Add(line.Number(1, "elevation"));
            lastLine = i + 1;
            try
            {
                _ = new HorizonProfile(az, el);
            }
            catch (ArgumentException e)
            {
                throw line.Error(0, e.Message);
            }
        }
        if (az.Count == 0)
        {
            throw new WeatherFileException(path, Math.Max(lastLine, 1), 1, "no azimuth,elevation rows in the horizon file");
        }
        return new HorizonProfile(az, el);
    }

    /// <summary>The skyline elevation at a compass azimuth, degrees (linear between points, wrapping through north).</summary>
    public double ElevationAtDeg(double azimuthDeg)
    {
        var n = _azimuthsDeg.Length;
        if (n == 1)
        {
            return _elevationsDeg[0];
        }
        var a = Angles.Normalize360Deg(azimuthDeg);
        var i = Array.BinarySearch(_azimuthsDeg, a);
        if (i >= 0)
        {
            return _elevationsDeg[i];
        }
        i = ~i; // first point with a greater azimuth
        double a0, e0, a1, e1;
        if (i == 0)
        {
            a0 = _azimuthsDeg[n - 1] - 360; e0 = _elevationsDeg[n - 1]; a1 = _azimuthsDeg[0]; e1 = _elevationsDeg[0];
        }
        else if (i == n)
        {
            a0 = _azimuthsDeg[n - 1]; e0 = _elevationsDeg[n - 1]; a1 = _azimuthsDeg[0] + 360; e1 = _elevationsDeg[0];
        }
        else
        {
            a0 = _azimuthsDeg[i - 1]; e0 = _elevationsDeg[i - 1]; a1 = _azimuthsDeg[i]; e1 = _elevationsDeg[i];
        }
        return a1 == a0 ? e0 : e0 + (e1 - e0) * (a - a0) / (a1 - a0);
    }

    /// <summary>The profile sampled at <paramref name="sectors"/> equally spaced azimuths k·360/sectors (the batch layout).</summary>
    public double[] ResampleUniform(int sectors)
    {
        var r = new double[sectors];
        for (var k = 0; k < sectors; k++)
        {
            r[k] = ElevationAtDeg(k * 360.0 / sectors);
        }
        return r;
    }

    private static string Format(double v) => v.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The sky-view factor of a tilted plane under a horizon profile.</summary>
/// <remarks>
/// The view factor from a plane with unit normal n to the visible sky is
/// SVF = (1/π) ∫∫ max(n·d, 0) cos e de dφ over the directions d(φ, e) above both the skyline h(φ) and the
/// horizontal (the ground below e = 0 is counted by the ground-reflected term). Without a skyline it equals the
/// isotropic (1 + cos β)/2 exactly. Per azimuth slice the integrand n·d·cos e = A cos² e + n_up sin e cos e, with
/// A = n_east sin φ + n_north cos φ, has the closed-form antiderivative F(e) = A(e/2 + sin 2e/4) + n_up sin² e/2,
/// and the part of the slice the plane itself faces is e ∈ [ψ − 90°, ψ + 90°] with ψ = atan2(n_up, A). The skyline
/// removes F(min(h, top)) − F(bottom) from each slice; the slices are summed with the midpoint rule. This keeps
/// the exact isotropic limit, costs one sin/cos per slice with a skyline above the horizontal, and matches how a
/// diffuse sky is seen through a gap between buildings (a cos-weighted solid angle, not an azimuth average).
/// Why this and not (1 + cos β)/2 × (mean of cos² h): the latter ignores which side of the plane an obstruction
/// is on — a wall behind a roof would wrongly darken it.
/// </remarks>
public static class SkyView
{
    /// <summary>
    /// The sky-view factor (0…1) of a plane of tilt/azimuth under skyline elevations sampled at the centres of
    /// <c>skylineDeg.Length</c> equal azimuth slices (slice k centred on (k + 0.5)·360/n degrees).
    /// </summary>
    public static double TiltedPlane(double tiltDeg, double azimuthDeg, ReadOnlySpan<double> skylineDeg) =>
        skylineDeg.Length == 0
            ? (1 + Angles.PlaneNormal(tiltDeg, azimuthDeg).Up) / 2
            : TiltedPlane(new SkyViewPlane(tiltDeg, azimuthDeg, skylineDeg.Length), skylineDeg);

    /// <summary>
    /// The sky-view factor of a plane under skyline elevations at the centres of <see cref="SkyViewPlane.Slices"/> equal
    /// azimuth slices, with the plane's skyline-independent terms computed once (all the samples of a roof face share them).
    /// </summary>
    public static double TiltedPlane(SkyViewPlane plane, ReadOnlySpan<double> skylineDeg)
    {
        var n = plane.Slices;
        if (skylineDeg.Length != n)
        {
            throw new ArgumentException($"skylineDeg must hold {n} elevations, not {skylineDeg.Length}", nameof(skylineDeg));
        }
        var (nE, nN, nU) = (plane.NormalEast, plane.NormalNorth, plane.NormalUp);
        var unobstructed = (1 + nU) / 2;
        var dPhi = 2 * Math.PI / n;
        var (sinPhi, cosPhi) = SliceDirections(n);
        double loss = 0;
        var k0 = 0;
        if (nU > 0 && Vector256.IsHardwareAccelerated)
        {
            k0 = n / 4 * 4;
            var lossV = Vector256<double>.Zero;
            var vU = Vector256.Create(nU);
            var half = Vector256.Create(0.5);
            for (var k = 0; k < k0; k += 4)
            {
                var h = Vector256.Create(skylineDeg.Slice(k, 4)) * Angles.DegToRad;
                var a = Vector256.Create(plane.SliceProjection.AsSpan(k, 4));
                var (sinH, cosH) = SinCosQuarterTurn(h);
                // Slices whose skyline rises above the horizontal and above the plane's own horizon hide sky.
                var hides = Vector256.GreaterThan(h, Vector256<double>.Zero) & Vector256.GreaterThan(a * cosH + vU * sinH, Vector256<double>.Zero);
                if (hides == Vector256<double>.Zero)
                {
                    continue;
                }
                // Where a < 0 the part below the plane's own horizon was never seen (BehindPlane, 0 where a ≥ 0).
                var hidden = a * (h + sinH * cosH) * half + vU * sinH * sinH * half - Vector256.Create(plane.BehindPlane.AsSpan(k, 4));
                lossV += hidden & hides;
            }
            loss += Vector256.Sum(lossV);
        }
        for (var k = k0; k < n; k++)
        {
            var h = skylineDeg[k] * Angles.DegToRad;
            if (h > 0)
            {
                loss += SliceLoss(nE * sinPhi[k] + nN * cosPhi[k], nU, h);
            }
        }
        return Math.Clamp(unobstructed - loss * dPhi / Math.PI, 0, 1);
    }

    private sealed record SliceTable(double[] Sin, double[] Cos);

    // One reference, swapped atomically: concurrent callers see a whole table, never half of two.
    private static SliceTable _directions = new([], []);

    /// <summary>sin and cos of the slice centres' azimuths for n slices (cached: the batch uses one n).</summary>
    internal static (double[] Sin, double[] Cos) SliceDirections(int n)
    {
        var cached = _directions;
        if (cached.Sin.Length == n)
        {
            return (cached.Sin, cached.Cos);
        }
        var sin = new double[n];
        var cos = new double[n];
        for (var k = 0; k < n; k++)
        {
            (sin[k], cos[k]) = Math.SinCos((k + 0.5) * 2 * Math.PI / n);
        }
        _directions = new SliceTable(sin, cos);
        return (sin, cos);
    }

    /// <summary>The sky-view factor under a profile, integrated over <paramref name="slices"/> azimuth slices.</summary>
    public static double TiltedPlane(double tiltDeg, double azimuthDeg, HorizonProfile horizon, int slices = 720)
    {
        var skyline = new double[slices];
        for (var k = 0; k < slices; k++)
        {
            skyline[k] = horizon.ElevationAtDeg((k + 0.5) * 360.0 / slices);
        }
        return TiltedPlane(tiltDeg, azimuthDeg, skyline);
    }

    /// <summary>∫ of n·d·cos e over the part of one slice hidden by a skyline at elevation h &gt; 0 (radians).</summary>
    internal static double SliceLoss(double a, double nU, double h)
    {
        if (nU > 0)
        {
            var (sinH, cosH) = SinCosQuarterTurn(h);
            // Plane facing up (tilt < 90°): the slice's own visible part starts at e_p = atan(−a/n_up) when a < 0.
            if (a * cosH + nU * sinH <= 0)
            {
                return 0; // the whole band below the skyline is behind the plane
            }
            var hidden = a * (h / 2 + sinH * cosH / 2) + nU * sinH * sinH / 2;
            if (a >= 0)
            {
                return hidden;
            }
            var t = -a / nU;
            var inv = 1 / (1 + t * t);
            return hidden - (a * (Math.Atan(t) / 2 + t * inv / 2) + nU * t * t * inv / 2);
        }
        var psi = Math.Atan2(nU, a);
        var bottom = Math.Max(0, psi - Math.PI / 2);
        var top = Math.Min(Math.PI / 2, psi + Math.PI / 2);
        var upper = Math.Min(h, top);
        return upper <= bottom ? 0 : F(a, nU, upper) - F(a, nU, bottom);
    }

    /// <summary>sin and cos of x ∈ [0, π/2] by their Taylor series to x¹³ (error &lt; 1e-7): a slice's skyline needs no more, and this is several times cheaper than Math.SinCos.</summary>
    private static (Vector256<double> Sin, Vector256<double> Cos) SinCosQuarterTurn(Vector256<double> x)
    {
        var x2 = x * x;
        var one = Vector256<double>.One;
        var sin = x * (one - x2 * (1.0 / 6) * (one - x2 * (1.0 / 20) * (one - x2 * (1.0 / 42) * (one - x2 * (1.0 / 72) * (one - x2 * (1.0 / 110) * (one - x2 * (1.0 / 156)))))));
        var cos = one - x2 * (1.0 / 2) * (one - x2 * (1.0 / 12) * (one - x2 * (1.0 / 30) * (one - x2 * (1.0 / 56) * (one - x2 * (1.0 / 90) * (one - x2 * (1.0 / 132))))));
        return (sin, cos);
    }

    private static (double Sin, double Cos) SinCosQuarterTurn(double x)
    {
        var x2 = x * x;
        var sin = x * (1 - x2 * (1.0 / 6) * (1 - x2 * (1.0 / 20) * (1 - x2 * (1.0 / 42) * (1 - x2 * (1.0 / 72) * (1 - x2 * (1.0 / 110) * (1 - x2 * (1.0 / 156)))))));
        var cos = 1 - x2 * (1.0 / 2) * (1 - x2 * (1.0 / 12) * (1 - x2 * (1.0 / 30) * (1 - x2 * (1.0 / 56) * (1 - x2 * (1.0 / 90) * (1 - x2 * (1.0 / 132))))));
        return (sin, cos);
    }

    private static double F(double a, double nU, double e)
    {
        var (s, c) = Math.SinCos(e);
        return a * (e / 2 + s * c / 2) + nU * s * s / 2;
    }
}

/// <summary>
/// The terms of a plane's sky-view factor that do not depend on the skyline, per azimuth slice: the projection of the
/// plane's normal on the slice's horizontal direction, and the part of the slice below the plane's own horizon.
/// </summary>
public sealed class SkyViewPlane
{
    public SkyViewPlane(double tiltDeg, double azimuthDeg, int slices)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slices, 1);
        TiltDeg = tiltDeg;
        AzimuthDeg = azimuthDeg;
        Slices = slices;
        (NormalEast, NormalNorth, NormalUp) = Angles.PlaneNormal(tiltDeg, azimuthDeg);
        var (sinPhi, cosPhi) = SkyView.SliceDirections(slices);
        SliceProjection = new double[slices];
        BehindPlane = new double[slices];
        for (var k = 0; k < slices; k++)
        {
            var a = NormalEast * sinPhi[k] + NormalNorth * cosPhi[k];
            SliceProjection[k] = a;
            if (a < 0 && NormalUp > 0)
            {
                // The slice's own visible part starts at e_p = atan(−a/n_up): ∫ of n·d·cos e from 0 to e_p.
                var t = -a / NormalUp;
                var inv = 1 / (1 + t * t);
                BehindPlane[k] = a * (Math.Atan(t) / 2 + t * inv / 2) + NormalUp * t * t * inv / 2;
            }
        }
    }

    public double TiltDeg { get; }

    public double AzimuthDeg { get; }

    public int Slices { get; }

    internal double NormalEast { get; }

    internal double NormalNorth { get; }

    internal double NormalUp { get; }

    internal double[] SliceProjection { get; }

    internal double[] BehindPlane { get; }
}
