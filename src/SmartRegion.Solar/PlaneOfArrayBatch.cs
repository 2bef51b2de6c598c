using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Runtime.InteropServices;
using Fma3 = System.Runtime.Intrinsics.X86.Fma;

namespace SmartRegion.Solar;

/// <summary>Twelve monthly values, January first (inline: no allocation).</summary>
[InlineArray(12)]
public struct MonthlyValues
{
    private double _january;
}

/// <summary>Plane-of-array irradiation of one plane over the typical year, kWh/m².</summary>
public struct PlaneIrradiation
{
    public double AnnualKwhPerM2;
    public double BeamKwhPerM2;
    public double SkyDiffuseKwhPerM2;
    public double GroundReflectedKwhPerM2;

    /// <summary>Sky-view factor of the plane under its horizon (the open-sky (1 + cos β)/2 without one).</summary>
    public double SkyViewFactor;

    /// <summary>Total (beam + sky diffuse + ground-reflected) per month.</summary>
    public MonthlyValues MonthlyKwhPerM2;
}

/// <summary>
/// Annual and monthly plane-of-array irradiation for many planes at one station, fast: the plane-independent part
/// of every hour is in <see cref="StationSky"/>, so per plane and daylight hour only the incidence projection
/// (three multiply-adds), the horizon test (an interpolated lookup at the hour's precomputed sector and weight,
/// compared with the precomputed sun elevation) and the accumulation remain — eight hours at a time in single
/// precision (sums per month in double). No allocation per plane.
/// </summary>
/// <remarks>Same models and horizon treatment as <see cref="PlaneOfArray.Hourly"/>, which it reproduces to float
/// precision (sky-view factor: midpoint rule over the horizon's sectors).</remarks>
public sealed class PlaneOfArrayBatch
{
    private const int Lanes = 8;
    private readonly StationSky _sky;
    private readonly SkyModel _model;
    private readonly double _albedo;
    private readonly int[] _segmentStart = new int[13];
    private readonly float[] _sE, _sN, _sU, _dni, _iso, _circ, _band, _elevation, _weight;
    private readonly int[] _sector;
    private readonly double[] _monthlyIsotropicHalfWh = new double[12];
    private readonly double[] _monthlyGhiWh;

    public PlaneOfArrayBatch(StationSky sky, SkyModel model, double albedo)
    {
        _sky = sky;
        _model = model;
        _albedo = albedo;
        var (iso, circ, band) = model switch
        {
            SkyModel.Perez => (sky.PerezIsotropicHalf, sky.PerezCircumsolar, sky.PerezHorizon),
            SkyModel.HayDavies => (sky.HayDaviesIsotropicHalf, sky.HayDaviesCircumsolar, new double[sky.Count]),
            _ => (sky.DhiWPerM2.Select(d => d / 2).ToArray(), new double[sky.Count], new double[sky.Count]),
        };
        // Each month's hours start on a multiple of 8 and are padded with zero-irradiance hours (they add nothing).
        var total = 0;
        for (var m = 0; m < 12; m++)
        {
            _segmentStart[m] = total;
            total += (sky.MonthStart[m + 1] - sky.MonthStart[m] + Lanes - 1) / Lanes * Lanes;
        }
        _segmentStart[12] = total;
        _sE = new float[total]; _sN = new float[total]; _sU = new float[total]; _dni = new float[total];
        _iso = new float[total]; _circ = new float[total]; _band = new float[total]; _elevation = new float[total];
        _weight = new float[total]; _sector = new int[total];
        Array.Fill(_elevation, float.MaxValue);
        for (var m = 0; m < 12; m++)
        {
            // Inside a month the order of hours is free: sorted by sun elevation, the hours above a plane's highest
            // skyline point form the tail of the month and skip the horizon lookup.
            var byElevation = Enumerable.Range(sky.MonthStart[m], sky.MonthStart[m + 1] - sky.MonthStart[m])
                .OrderBy(h => sky.SunApparentElevationDeg[h]).ToArray();
            for (var r = 0; r < byElevation.Length; r++)
            {
                var h = byElevation[r];
                var j = _segmentStart[m] + r;
                _sE[j] = (float)sky.SunEast[h];
                _sN[j] = (float)sky.SunNorth[h];
                _sU[j] = (float)sky.SunUp[h];
                _dni[j] = (float)sky.DniWPerM2[h];
                _iso[j] = (float)iso[h];
                _circ[j] = (float)circ[h];
                _band[j] = (float)band[h];
                _elevation[j] = (float)sky.SunApparentElevationDeg[h];
                _weight[j] = (float)sky.SectorWeight[h];
                _sector[j] = sky.Sector[h];
                _monthlyIsotropicHalfWh[m] += iso[h];
            }
        }
        _monthlyGhiWh = sky.MonthlyGhiWh;
    }

    public StationSky Sky => _sky;

    /// <summary>
    /// Evaluates <paramref name="planes"/>. <paramref name="horizonsDeg"/> is empty (no horizon: nothing masked) or
    /// holds, per plane, <see cref="StationSky.HorizonSectors"/> skyline elevations at azimuths k·360/n.
    /// </summary>
    public void Evaluate(ReadOnlySpan<PlaneOrientation> planes, ReadOnlySpan<double> horizonsDeg, Span<PlaneIrradiation> results)
    {
        var sectors = _sky.HorizonSectors;
        var hasHorizon = !horizonsDeg.IsEmpty;
        if (hasHorizon && horizonsDeg.Length != planes.Length * sectors)
        {
            throw new ArgumentException($"horizonsDeg must hold {sectors} elevations per plane ({planes.Length * sectors}), not {horizonsDeg.Length}", nameof(horizonsDeg));
        }
        if (results.Length < planes.Length)
        {
            throw new ArgumentException("results is shorter than planes", nameof(results));
        }
        Span<float> skyline = sectors <= 1024 ? stackalloc float[sectors + 1] : new float[sectors + 1];
        Span<float> slope = sectors <= 1024 ? stackalloc float[sectors + 1] : new float[sectors + 1];
        Span<double> centres = sectors <= 1024 ? stackalloc double[sectors] : new double[sectors];
        for (var p = 0; p < planes.Length; p++)
        {
            if (hasHorizon)
            {
                var h = horizonsDeg.Slice(p * sectors, sectors);
                for (var k = 0; k < sectors; k++)
                {
                    var next = h[k + 1 == sectors ? 0 : k + 1];
                    skyline[k] = (float)h[k];
                    slope[k] = (float)(next - h[k]);
                    centres[k] = (h[k] + next) / 2;
                }
                skyline[sectors] = skyline[0];
                slope[sectors] = 0;
            }
            var highest = float.MinValue;
            if (hasHorizon)
            {
                foreach (var e in skyline)
                {
                    highest = Math.Max(highest, e);
                }
            }
            results[p] = EvaluateOne(planes[p], hasHorizon, highest, skyline, slope, centres);
        }
    }

    private PlaneIrradiation EvaluateOne(PlaneOrientation plane, bool hasHorizon, float highestSkylineDeg, ReadOnlySpan<float> skyline,
        ReadOnlySpan<float> slope, ReadOnlySpan<double> skylineCentres)
    {
        var (nE, nN, nU) = Angles.PlaneNormal(plane.TiltDeg, plane.AzimuthDeg);
        var openSky = (1 + nU) / 2;
        var svf = hasHorizon ? SkyView.TiltedPlane(plane.TiltDeg, plane.AzimuthDeg, skylineCentres) : openSky;
        var ratio = openSky > 0 ? svf / openSky : 0;
        var kIso = (1 + nU) * ratio;
        var kHorizon = Angles.SinDeg(plane.TiltDeg) * ratio;
        // Reflected light from everything the plane sees that is not sky: the ground and, under a skyline, the obstructions
        // (Transposition.ReflectedUnderSkyline); with the open sky this is the ground's (1 − cos β)/2.
        var groundFactor = hasHorizon ? _albedo * Math.Max(0, 1 - svf) : _albedo * (1 - nU) / 2;
        var perez = _model == SkyModel.Perez;
        var circumsolar = _model != SkyModel.Isotropic;

        var vE = Vector256.Create((float)nE);
        var vN = Vector256.Create((float)nN);
        var vU = Vector256.Create((float)nU);
        var vIso = Vector256.Create((float)kIso);
        var vBand = Vector256.Create((float)kHorizon);

        var result = new PlaneIrradiation { SkyViewFactor = svf };
        double beamYear = 0, skyYear = 0, groundYear = 0;
        ref var sE = ref MemoryMarshal.GetArrayDataReference(_sE);
        ref var sN = ref MemoryMarshal.GetArrayDataReference(_sN);
        ref var sU = ref MemoryMarshal.GetArrayDataReference(_sU);
        ref var dni = ref MemoryMarshal.GetArrayDataReference(_dni);
        ref var iso = ref MemoryMarshal.GetArrayDataReference(_iso);
        ref var circ = ref MemoryMarshal.GetArrayDataReference(_circ);
        ref var band = ref MemoryMarshal.GetArrayDataReference(_band);
        ref var elevation = ref MemoryMarshal.GetArrayDataReference(_elevation);
        ref var weight = ref MemoryMarshal.GetArrayDataReference(_weight);
        ref var sector = ref MemoryMarshal.GetArrayDataReference(_sector);
        ref var skylineRef = ref MemoryMarshal.GetReference(skyline);
        ref var slopeRef = ref MemoryMarshal.GetReference(slope);
        for (var m = 0; m < 12; m++)
        {
            var beamAcc = Vector256<float>.Zero;
            var skyAcc = Vector256<float>.Zero;
            int start = _segmentStart[m], end = _segmentStart[m + 1], split = start;
            if (hasHorizon)
            {
                // First hour whose sun is above every skyline point (hours are sorted by elevation), rounded up to 8.
                var index = Array.BinarySearch(_elevation, start, end - start, highestSkylineDeg);
                split = index >= 0 ? index : ~index;
                split = start + (split - start + Lanes - 1) / Lanes * Lanes;
            }
            for (var j = start; j < end; j += Lanes)
            {
                var c = Incidence(ref sE, ref sN, ref sU, j, vE, vN, vU);
                if (j < split)
                {
                    var k = Vector256.LoadUnsafe(ref sector, (nuint)j);
                    var line = Fma(Vector256.LoadUnsafe(ref weight, (nuint)j), Gather(ref slopeRef, k), Gather(ref skylineRef, k));
                    c &= Vector256.GreaterThanOrEqual(Vector256.LoadUnsafe(ref elevation, (nuint)j), line);
                }
                Accumulate(perez, circumsolar, ref dni, ref iso, ref circ, ref band, j, c, vIso, vBand, ref beamAcc, ref skyAcc);
            }
            double beam = Sum(beamAcc), diffuse = Sum(skyAcc);
            if (!perez)
            {
                // Isotropic and Hay–Davies isotropic parts are never negative: their sum is precomputed per month.
                diffuse += _monthlyIsotropicHalfWh[m] * kIso;
            }
            var ground = _monthlyGhiWh[m] * groundFactor;
            result.MonthlyKwhPerM2[m] = (beam + diffuse + ground) / 1000;
            beamYear += beam;
            skyYear += diffuse;
            groundYear += ground;
        }
        result.BeamKwhPerM2 = beamYear / 1000;
        result.SkyDiffuseKwhPerM2 = skyYear / 1000;
        result.GroundReflectedKwhPerM2 = groundYear / 1000;
        result.AnnualKwhPerM2 = (beamYear + skyYear + groundYear) / 1000;
        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Incidence(ref float sE, ref float sN, ref float sU, int j,
        Vector256<float> vE, Vector256<float> vN, Vector256<float> vU) =>
        Vector256.Max(
            Fma(Vector256.LoadUnsafe(ref sE, (nuint)j), vE, Fma(Vector256.LoadUnsafe(ref sN, (nuint)j), vN, Vector256.LoadUnsafe(ref sU, (nuint)j) * vU)),
            Vector256<float>.Zero);

    /// <summary>Adds eight hours' beam (DNI·c) and sky diffuse (model-specific) for incidence projections c (0 where masked).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(bool perez, bool circumsolar, ref float dni, ref float iso, ref float circ, ref float band, int j,
        Vector256<float> c, Vector256<float> vIso, Vector256<float> vBand, ref Vector256<float> beamAcc, ref Vector256<float> skyAcc)
    {
        beamAcc = Fma(Vector256.LoadUnsafe(ref dni, (nuint)j), c, beamAcc);
        if (perez)
        {
            var d = Fma(Vector256.LoadUnsafe(ref iso, (nuint)j), vIso,
                Fma(Vector256.LoadUnsafe(ref circ, (nuint)j), c, Vector256.LoadUnsafe(ref band, (nuint)j) * vBand));
            skyAcc += Vector256.Max(d, Vector256<float>.Zero);
        }
        else if (circumsolar)
        {
            skyAcc = Fma(Vector256.LoadUnsafe(ref circ, (nuint)j), c, skyAcc);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma3.IsSupported ? Fma3.MultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> Gather(ref float table, Vector256<int> index)
    {
        if (Avx2.IsSupported)
        {
            fixed (float* t = &table)
            {
                return Avx2.GatherVector256(t, index, 4);
            }
        }
        return Vector256.Create(
            Unsafe.Add(ref table, index[0]), Unsafe.Add(ref table, index[1]), Unsafe.Add(ref table, index[2]), Unsafe.Add(ref table, index[3]),
            Unsafe.Add(ref table, index[4]), Unsafe.Add(ref table, index[5]), Unsafe.Add(ref table, index[6]), Unsafe.Add(ref table, index[7]));
    }

    private static double Sum(Vector256<float> v)
    {
        double s = 0;
        for (var i = 0; i < Vector256<float>.Count; i++)
        {
            s += v[i];
        }
        return s;
    }
}
