using System.Numerics;
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
/// precision (sums per month in double). For a run of samples of one plane (a roof face), the incidence and every
/// plane-only term are computed once per hour for all of them: per sample only the horizon mask and the sky-view
/// ratio. No allocation per plane.
/// </summary>
/// <remarks>Same models and horizon treatment as <see cref="PlaneOfArray.Hourly"/>, which it reproduces to float
/// precision (sky-view factor: midpoint rule over the horizon's sectors).</remarks>
public sealed class PlaneOfArrayBatch
{
    private const int Lanes = 8;

    /// <summary>From this many identical planes in a row, the hours behind the plane are set aside once for all of them.</summary>
    private const int SharedPlaneRun = 4;
    private readonly StationSky _sky;
    private readonly SkyModel _model;
    private readonly double _albedo;
    private readonly double[] _iso, _circ, _band;
    private readonly HourTable _allHours;
    private readonly double[] _monthlyIsotropicHalfWh = new double[12];
    private readonly double[] _monthlyGhiWh;

    public PlaneOfArrayBatch(StationSky sky, SkyModel model, double albedo)
    {
        _sky = sky;
        _model = model;
        _albedo = albedo;
        (_iso, _circ, _band) = model switch
        {
            SkyModel.Perez => (sky.PerezIsotropicHalf, sky.PerezCircumsolar, sky.PerezHorizon),
            SkyModel.HayDavies => (sky.HayDaviesIsotropicHalf, sky.HayDaviesCircumsolar, new double[sky.Count]),
            _ => (sky.DhiWPerM2.Select(d => d / 2).ToArray(), new double[sky.Count], new double[sky.Count]),
        };
        for (var h = 0; h < sky.Count; h++)
        {
            _monthlyIsotropicHalfWh[sky.Month[h]] += _iso[h];
        }
        _allHours = new HourTable(this);
        _monthlyGhiWh = sky.MonthlyGhiWh;
    }

    /// <summary>
    /// Daylight hours laid out for the vector loop: per month, sorted by sun elevation (the hours above a plane's
    /// highest skyline point form the tail of the month and skip the horizon lookup), padded to a multiple of 8 with
    /// zero-irradiance hours. For one plane, only the hours whose sun is in front of it: behind it there is no beam or
    /// circumsolar light to mask, and the rest of the Perez sky, ratio·max(iso·(1 + cos β) + band·sin β, 0) with the
    /// sky-view ratio ≥ 0, is summed per month once (<see cref="MonthlyBehindPerezWh"/>).
    /// </summary>
    private sealed class HourTable
    {
        public readonly int[] SegmentStart = new int[13];
        public readonly float[] SE, SN, SU, Dni, Iso, Circ, Band, Elevation, Weight;
        public readonly int[] Sector;
        public readonly double[] MonthlyBehindPerezWh = new double[12];
        public PlaneOrientation? Plane;

        /// <summary>The batch (station, sky model, albedo) whose hours <see cref="Keep"/> put in this table.</summary>
        public PlaneOfArrayBatch? Batch;

        /// <summary>
        /// For a plane's table (<see cref="Keep"/>), each hour's plane-only terms: beam DNI·cos θ, circumsolar F1-part·cos θ
        /// and the rest of the Perez sky before the sky-view ratio, iso·(1 + cos β) + band·sin β. Per sample only the
        /// horizon mask and the ratio remain.
        /// </summary>
        public readonly float[] PlaneBeam = [], PlaneCircumsolar = [], PlaneSky = [];

        /// <summary>Every daylight hour of the station.</summary>
        public HourTable(PlaneOfArrayBatch batch)
        {
            var sky = batch._sky;
            var total = 0;
            for (var m = 0; m < 12; m++)
            {
                SegmentStart[m] = total;
                total += (sky.MonthStart[m + 1] - sky.MonthStart[m] + Lanes - 1) / Lanes * Lanes;
            }
            SegmentStart[12] = total;
            (SE, SN, SU, Dni, Iso, Circ, Band, Elevation, Weight, Sector) = Allocate(total);
            for (var m = 0; m < 12; m++)
            {
                var byElevation = Enumerable.Range(sky.MonthStart[m], sky.MonthStart[m + 1] - sky.MonthStart[m])
                    .OrderBy(h => sky.SunApparentElevationDeg[h]).ToArray();
                for (var r = 0; r < byElevation.Length; r++)
                {
                    var h = byElevation[r];
                    var j = SegmentStart[m] + r;
                    SE[j] = (float)sky.SunEast[h];
                    SN[j] = (float)sky.SunNorth[h];
                    SU[j] = (float)sky.SunUp[h];
                    Dni[j] = (float)sky.DniWPerM2[h];
                    Iso[j] = (float)batch._iso[h];
                    Circ[j] = (float)batch._circ[h];
                    Band[j] = (float)batch._band[h];
                    Elevation[j] = (float)sky.SunApparentElevationDeg[h];
                    Weight[j] = (float)sky.SectorWeight[h];
                    Sector[j] = sky.Sector[h];
                }
            }
        }

        /// <summary>Room for the hours of <paramref name="all"/>, filled by <see cref="Keep"/>.</summary>
        public HourTable(HourTable all)
        {
            var n = all.SegmentStart[12];
            (SE, SN, SU, Dni, Iso, Circ, Band) = ([], [], [], [], [], [], []);
            (PlaneBeam, PlaneCircumsolar, PlaneSky) = (new float[n + Lanes], new float[n + Lanes], new float[n + Lanes]);
            (Elevation, Weight, Sector) = (new float[n + Lanes], new float[n + Lanes], new int[n + Lanes]);
        }

        private static (float[], float[], float[], float[], float[], float[], float[], float[], float[], int[]) Allocate(int n)
        {
            var elevation = new float[n];
            Array.Fill(elevation, float.MaxValue);
            return (new float[n], new float[n], new float[n], new float[n], new float[n], new float[n], new float[n], elevation, new float[n], new int[n]);
        }

        /// <summary>
        /// Becomes the hours of <paramref name="all"/> whose sun is in front of <paramref name="plane"/> (same order), with
        /// their plane-only terms. Branch-free: each hour is written at the next place and the place only moves on when it
        /// is kept (the array has room for one more).
        /// </summary>
        public void Keep(PlaneOfArrayBatch batch, HourTable all, PlaneOrientation plane)
        {
            Plane = plane;
            Batch = batch;
            var (nE, nN, nU) = Angles.PlaneNormal(plane.TiltDeg, plane.AzimuthDeg);
            float fE = (float)nE, fN = (float)nN, fU = (float)nU;
            float isoFactor = (float)(1 + nU), bandFactor = (float)Angles.SinDeg(plane.TiltDeg);
            var perez = batch._model == SkyModel.Perez;
            var j = 0;
            for (var m = 0; m < 12; m++)
            {
                SegmentStart[m] = j;
                double behind = 0;
                var end = all.SegmentStart[m + 1];
                var i = all.SegmentStart[m];
                if (Avx2.IsSupported && Fma3.IsSupported)
                {
                    (j, behind) = KeepEight(all, i, end, j, perez, fE, fN, fU, isoFactor, bandFactor);
                    i = end;
                }
                for (; i < end; i++)
                {
                    if (all.Elevation[i] == float.MaxValue)
                    {
                        break; // padding
                    }
                    var c = MathF.FusedMultiplyAdd(all.SE[i], fE, MathF.FusedMultiplyAdd(all.SN[i], fN, all.SU[i] * fU));
                    var sky = MathF.FusedMultiplyAdd(all.Iso[i], isoFactor, all.Band[i] * bandFactor);
                    PlaneBeam[j] = all.Dni[i] * c;
                    PlaneCircumsolar[j] = all.Circ[i] * c;
                    PlaneSky[j] = sky;
                    Elevation[j] = all.Elevation[i];
                    Weight[j] = all.Weight[i];
                    Sector[j] = all.Sector[i];
                    var inFront = c > 0;
                    // Behind the plane: no beam or circumsolar light to mask; the rest of the Perez sky is summed here.
                    behind += inFront || !perez ? 0 : Math.Max(sky, 0);
                    j += inFront ? 1 : 0;
                }
                MonthlyBehindPerezWh[m] = behind;
                for (; j % Lanes != 0; j++)
                {
                    PlaneBeam[j] = PlaneCircumsolar[j] = PlaneSky[j] = Weight[j] = 0;
                    Elevation[j] = float.MaxValue;
                    Sector[j] = 0;
                }
            }
            SegmentStart[12] = j;
        }

        /// <summary>
        /// <see cref="Keep"/>'s loop eight hours at a time (a month's hours in <paramref name="all"/> are padded to eight):
        /// the kept hours of each eight are packed to the front (AVX2 permutation) and stored at <paramref name="j"/>, the
        /// place moving on by their count. The same values, and the same sum of the light behind the plane, in the same order.
        /// </summary>
        private (int J, double Behind) KeepEight(HourTable all, int from, int end, int j, bool perez, float fE, float fN, float fU, float isoFactor, float bandFactor)
        {
            double behind = 0;
            var vE = Vector256.Create(fE);
            var vN = Vector256.Create(fN);
            var vU = Vector256.Create(fU);
            var vIso = Vector256.Create(isoFactor);
            var vBand = Vector256.Create(bandFactor);
            Span<float> behindLanes = stackalloc float[Lanes];
            ref var pack = ref MemoryMarshal.GetArrayDataReference(LeftPack);
            for (var i = from; i < end; i += Lanes)
            {
                var c = Fma3.MultiplyAdd(Vector256.Create(all.SE.AsSpan(i, Lanes)), vE,
                    Fma3.MultiplyAdd(Vector256.Create(all.SN.AsSpan(i, Lanes)), vN, Vector256.Create(all.SU.AsSpan(i, Lanes)) * vU));
                var sky = Fma3.MultiplyAdd(Vector256.Create(all.Iso.AsSpan(i, Lanes)), vIso, Vector256.Create(all.Band.AsSpan(i, Lanes)) * vBand);
                var inFront = Vector256.GreaterThan(c, Vector256<float>.Zero);
                if (perez)
                {
                    // Padding hours have no light: their lanes add 0.
                    Vector256.AndNot(Vector256.Max(sky, Vector256<float>.Zero), inFront).CopyTo(behindLanes);
                    foreach (var v in behindLanes)
                    {
                        behind += v;
                    }
                }
                var bits = inFront.ExtractMostSignificantBits();
                if (bits == 0)
                {
                    continue;
                }
                var order = Vector256.LoadUnsafe(ref pack, (nuint)(bits * Lanes));
                Avx2.PermuteVar8x32(Vector256.Create(all.Dni.AsSpan(i, Lanes)) * c, order).CopyTo(PlaneBeam.AsSpan(j));
                Avx2.PermuteVar8x32(Vector256.Create(all.Circ.AsSpan(i, Lanes)) * c, order).CopyTo(PlaneCircumsolar.AsSpan(j));
                Avx2.PermuteVar8x32(sky, order).CopyTo(PlaneSky.AsSpan(j));
                Avx2.PermuteVar8x32(Vector256.Create(all.Elevation.AsSpan(i, Lanes)), order).CopyTo(Elevation.AsSpan(j));
                Avx2.PermuteVar8x32(Vector256.Create(all.Weight.AsSpan(i, Lanes)), order).CopyTo(Weight.AsSpan(j));
                Avx2.PermuteVar8x32(Vector256.Create(all.Sector.AsSpan(i, Lanes)), order).CopyTo(Sector.AsSpan(j));
                j += BitOperations.PopCount(bits);
            }
            return (j, behind);
        }

        /// <summary>For each 8-bit mask, the lanes whose bit is set, in order, then the others: AVX2's left-pack.</summary>
        private static readonly int[] LeftPack = BuildLeftPack();

        private static int[] BuildLeftPack()
        {
            var table = new int[256 * Lanes];
            for (var mask = 0; mask < 256; mask++)
            {
                var k = 0;
                for (var lane = 0; lane < Lanes; lane++)
                {
                    if ((mask & (1 << lane)) != 0)
                    {
                        table[mask * Lanes + k++] = lane;
                    }
                }
                for (var lane = 0; lane < Lanes; lane++)
                {
                    if ((mask & (1 << lane)) == 0)
                    {
                        table[mask * Lanes + k++] = lane;
                    }
                }
            }
            return table;
        }
    }

    /// <summary>One reusable table per thread for the hours in front of the current plane.</summary>
    [ThreadStatic]
    private static HourTable? t_planeHours;

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
        SkyViewPlane? skyView = null;
        var hours = _allHours;
        for (var p = 0; p < planes.Length; p++)
        {
            if (hasHorizon && Vector512.IsHardwareAccelerated)
            {
                // A roof face's samples (a run of one plane): sixteen samples at a time, hour by hour (EvaluateSamples).
                var run = 1;
                while (p + run < planes.Length && planes[p + run] == planes[p])
                {
                    run++;
                }
                if (run >= SharedPlaneRun)
                {
                    EvaluateSamples(planes[p], PlaneHours(planes[p]), horizonsDeg.Slice(p * sectors, run * sectors), results.Slice(p, run));
                    p += run - 1;
                    continue;
                }
            }
            // A roof face's samples share one plane: its sky-view terms, and the hours whose sun is in front of it, are
            // found once for all of them (when at least a few planes in a row are the same).
            if (hasHorizon && (skyView is null || skyView.TiltDeg != planes[p].TiltDeg || skyView.AzimuthDeg != planes[p].AzimuthDeg))
            {
                skyView = new SkyViewPlane(planes[p].TiltDeg, planes[p].AzimuthDeg, sectors);
            }
            if (hours.Plane != planes[p])
            {
                var same = 1;
                while (same < SharedPlaneRun && p + same < planes.Length && planes[p + same] == planes[p])
                {
                    same++;
                }
                hours = same >= SharedPlaneRun ? PlaneHours(planes[p]) : _allHours;
            }
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
            results[p] = EvaluateOne(planes[p], hours, skyView, highest, skyline, slope, centres);
        }
    }

    /// <summary>The thread's table of the hours in front of <paramref name="plane"/>, with their plane-only terms.</summary>
    private HourTable PlaneHours(PlaneOrientation plane)
    {
        var reused = t_planeHours is { } table && table.Elevation.Length == _allHours.SegmentStart[12] + Lanes && ReferenceEquals(table.Batch, this) ? table : null;
        var hours = reused ?? (t_planeHours = new HourTable(_allHours));
        // The thread's table may already hold this plane's hours from the previous call (the flat roofs of a tile, one
        // after another, share one plane).
        if (reused is null || reused.Plane != plane)
        {
            hours.Keep(this, _allHours, plane);
        }
        return hours;
    }

    /// <summary>Per-thread working memory of <see cref="EvaluateSamples"/>: the skylines transposed (sector-major).</summary>
    private sealed class SampleBuffers
    {
        public float[] Skyline = [], Slope = [], Ratio = [];
        public double[] SkyViewFactor = [], Highest = [];

        public void Ensure(int rows, int stride)
        {
            if (Skyline.Length < rows * stride)
            {
                (Skyline, Slope) = (new float[rows * stride * 2], new float[rows * stride * 2]);
            }
            if (Ratio.Length < stride)
            {
                (Ratio, SkyViewFactor, Highest) = (new float[stride * 2], new double[stride * 2], new double[stride * 2]);
            }
        }
    }

    [ThreadStatic]
    private static SampleBuffers? t_sampleBuffers;

    /// <summary>Hours summed in single precision before they are added to the double sums (as the eight-lane path: ~50 per lane).</summary>
    private const int SampleBlockHours = 32;

    /// <summary>
    /// <see cref="EvaluateOne"/> for many samples of one plane (a roof face), the other way round: sixteen samples in the
    /// lanes and the hours one by one, so that each hour's skyline point is a plain load from the skylines laid out
    /// sector-major (no gather) and every hour term is one broadcast. Same formulas; each sample's monthly sums are
    /// accumulated in single precision over blocks of <see cref="SampleBlockHours"/> hours, then in double.
    /// </summary>
    private void EvaluateSamples(PlaneOrientation plane, HourTable hours, ReadOnlySpan<double> horizonsDeg, Span<PlaneIrradiation> results)
    {
        const int L = 16;
        var sectors = _sky.HorizonSectors;
        var count = results.Length;
        var stride = (count + L - 1) / L * L;
        var rows = sectors + 1;
        var buffers = t_sampleBuffers ??= new SampleBuffers();
        buffers.Ensure(rows, stride);
        var skyView = new SkyViewPlane(plane.TiltDeg, plane.AzimuthDeg, sectors);
        var (_, _, nU) = Angles.PlaneNormal(plane.TiltDeg, plane.AzimuthDeg);
        var openSky = (1 + nU) / 2;
        Span<double> centres = sectors <= 1024 ? stackalloc double[sectors] : new double[sectors];
        var skyT = buffers.Skyline;
        var slopeT = buffers.Slope;
        for (var s = 0; s < stride; s++)
        {
            if (s >= count)
            {
                // Lanes past the last sample: an open sky, never read back.
                for (var k = 0; k < rows; k++)
                {
                    skyT[k * stride + s] = slopeT[k * stride + s] = 0;
                }
                buffers.Ratio[s] = 0;
                continue;
            }
            results[s] = default;
            var h = horizonsDeg.Slice(s * sectors, sectors);
            var highest = float.MinValue;
            for (var k = 0; k < sectors; k++)
            {
                var next = h[k + 1 == sectors ? 0 : k + 1];
                var e = (float)h[k];
                skyT[k * stride + s] = e;
                slopeT[k * stride + s] = (float)(next - h[k]);
                centres[k] = (h[k] + next) / 2;
                highest = Math.Max(highest, e);
            }
            skyT[sectors * stride + s] = (float)h[0];
            slopeT[sectors * stride + s] = 0;
            var svf = SkyView.TiltedPlane(skyView, centres);
            var ratio = openSky > 0 ? svf / openSky : 0;
            buffers.SkyViewFactor[s] = svf;
            buffers.Highest[s] = highest;
            buffers.Ratio[s] = (float)ratio;
        }
        var perez = _model == SkyModel.Perez;
        var circumsolar = _model != SkyModel.Isotropic;
        ref var planeBeam = ref MemoryMarshal.GetArrayDataReference(hours.PlaneBeam);
        ref var planeCircumsolar = ref MemoryMarshal.GetArrayDataReference(hours.PlaneCircumsolar);
        ref var planeSky = ref MemoryMarshal.GetArrayDataReference(hours.PlaneSky);
        ref var elevation = ref MemoryMarshal.GetArrayDataReference(hours.Elevation);
        ref var weight = ref MemoryMarshal.GetArrayDataReference(hours.Weight);
        ref var sector = ref MemoryMarshal.GetArrayDataReference(hours.Sector);
        Span<double> beamLanes = stackalloc double[L];
        Span<double> skyLanes = stackalloc double[L];
        for (var g = 0; g < stride; g += L)
        {
            var lanes = Math.Min(L, count - g);
            var groupHighest = float.MinValue;
            for (var s = g; s < g + lanes; s++)
            {
                groupHighest = Math.Max(groupHighest, (float)buffers.Highest[s]);
            }
            ref var skyRef = ref MemoryMarshal.GetArrayDataReference(skyT);
            ref var slopeRef = ref MemoryMarshal.GetArrayDataReference(slopeT);
            var vRatio = Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(buffers.Ratio), (nuint)g);
            for (var m = 0; m < 12; m++)
            {
                int start = hours.SegmentStart[m], end = hours.SegmentStart[m + 1];
                // Hours from the first whose sun is above every skyline point of the sixteen samples need no mask.
                var split = FirstAtOrAbove(hours.Elevation, start, end, groupHighest);
                Vector512<double> beamLo = default, beamHi = default, skyLo = default, skyHi = default;
                for (var j0 = start; j0 < end; j0 += SampleBlockHours)
                {
                    var j1 = Math.Min(end, j0 + SampleBlockHours);
                    var beamAcc = Vector512<float>.Zero;
                    var skyAcc = Vector512<float>.Zero;
                    var j = j0;
                    for (; j < Math.Min(j1, split); j++)
                    {
                        var row = (nuint)(Unsafe.Add(ref sector, j) * stride + g);
                        var line = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref weight, j)), Vector512.LoadUnsafe(ref slopeRef, row), Vector512.LoadUnsafe(ref skyRef, row));
                        var seen = Vector512.GreaterThanOrEqual(Vector512.Create(Unsafe.Add(ref elevation, j)), line);
                        beamAcc += Vector512.Create(Unsafe.Add(ref planeBeam, j)) & seen;
                        var circumsolarPart = Vector512.Create(Unsafe.Add(ref planeCircumsolar, j)) & seen;
                        if (perez)
                        {
                            skyAcc += Vector512.Max(Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref planeSky, j)), vRatio, circumsolarPart), Vector512<float>.Zero);
                        }
                        else if (circumsolar)
                        {
                            skyAcc += circumsolarPart;
                        }
                    }
                    for (; j < j1; j++)
                    {
                        var circumsolarPart = Vector512.Create(Unsafe.Add(ref planeCircumsolar, j));
                        beamAcc += Vector512.Create(Unsafe.Add(ref planeBeam, j));
                        if (perez)
                        {
                            skyAcc += Vector512.Max(Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref planeSky, j)), vRatio, circumsolarPart), Vector512<float>.Zero);
                        }
                        else if (circumsolar)
                        {
                            skyAcc += circumsolarPart;
                        }
                    }
                    beamLo += Vector512.WidenLower(beamAcc);
                    beamHi += Vector512.WidenUpper(beamAcc);
                    skyLo += Vector512.WidenLower(skyAcc);
                    skyHi += Vector512.WidenUpper(skyAcc);
                }
                beamLo.CopyTo(beamLanes);
                beamHi.CopyTo(beamLanes[8..]);
                skyLo.CopyTo(skyLanes);
                skyHi.CopyTo(skyLanes[8..]);
                for (var l = 0; l < lanes; l++)
                {
                    var svf = buffers.SkyViewFactor[g + l];
                    var ratio = openSky > 0 ? svf / openSky : 0;
                    var kIso = (1 + nU) * ratio;
                    var groundFactor = _albedo * Math.Max(0, 1 - svf);
                    ref var result = ref results[g + l];
                    double beam = beamLanes[l], diffuse = skyLanes[l] + hours.MonthlyBehindPerezWh[m] * ratio;
                    if (!perez)
                    {
                        diffuse += _monthlyIsotropicHalfWh[m] * kIso;
                    }
                    var ground = _monthlyGhiWh[m] * groundFactor;
                    result.MonthlyKwhPerM2[m] = (beam + diffuse + ground) / 1000;
                    result.BeamKwhPerM2 += beam;
                    result.SkyDiffuseKwhPerM2 += diffuse;
                    result.GroundReflectedKwhPerM2 += ground;
                }
            }
            for (var l = 0; l < lanes; l++)
            {
                ref var result = ref results[g + l];
                result.SkyViewFactor = buffers.SkyViewFactor[g + l];
                var (beamWh, skyWh, groundWh) = (result.BeamKwhPerM2, result.SkyDiffuseKwhPerM2, result.GroundReflectedKwhPerM2);
                result.BeamKwhPerM2 = beamWh / 1000;
                result.SkyDiffuseKwhPerM2 = skyWh / 1000;
                result.GroundReflectedKwhPerM2 = groundWh / 1000;
                result.AnnualKwhPerM2 = (beamWh + skyWh + groundWh) / 1000;
            }
        }
    }

    private PlaneIrradiation EvaluateOne(PlaneOrientation plane, HourTable hours, SkyViewPlane? skyView, float highestSkylineDeg, ReadOnlySpan<float> skyline,
        ReadOnlySpan<float> slope, ReadOnlySpan<double> skylineCentres)
    {
        var hasHorizon = skyView is not null;
        var (nE, nN, nU) = Angles.PlaneNormal(plane.TiltDeg, plane.AzimuthDeg);
        var openSky = (1 + nU) / 2;
        var svf = skyView is not null ? SkyView.TiltedPlane(skyView, skylineCentres) : openSky;
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
        ref var sE = ref MemoryMarshal.GetArrayDataReference(hours.SE);
        ref var sN = ref MemoryMarshal.GetArrayDataReference(hours.SN);
        ref var sU = ref MemoryMarshal.GetArrayDataReference(hours.SU);
        ref var dni = ref MemoryMarshal.GetArrayDataReference(hours.Dni);
        ref var iso = ref MemoryMarshal.GetArrayDataReference(hours.Iso);
        ref var circ = ref MemoryMarshal.GetArrayDataReference(hours.Circ);
        ref var band = ref MemoryMarshal.GetArrayDataReference(hours.Band);
        ref var elevation = ref MemoryMarshal.GetArrayDataReference(hours.Elevation);
        ref var weight = ref MemoryMarshal.GetArrayDataReference(hours.Weight);
        ref var sector = ref MemoryMarshal.GetArrayDataReference(hours.Sector);
        var planeTerms = hours.PlaneBeam.Length > 0;
        ref var planeBeam = ref MemoryMarshal.GetArrayDataReference(hours.PlaneBeam);
        ref var planeCircumsolar = ref MemoryMarshal.GetArrayDataReference(hours.PlaneCircumsolar);
        ref var planeSky = ref MemoryMarshal.GetArrayDataReference(hours.PlaneSky);
        var vRatio = Vector256.Create((float)ratio);
        ref var skylineRef = ref MemoryMarshal.GetReference(skyline);
        ref var slopeRef = ref MemoryMarshal.GetReference(slope);
        for (var m = 0; m < 12; m++)
        {
            var beamAcc = Vector256<float>.Zero;
            var skyAcc = Vector256<float>.Zero;
            int start = hours.SegmentStart[m], end = hours.SegmentStart[m + 1], split = start;
            if (hasHorizon)
            {
                // First hour whose sun is above every skyline point (hours are sorted by elevation), rounded up to 8.
                split = FirstAtOrAbove(hours.Elevation, start, end, highestSkylineDeg);
                split = start + (split - start + Lanes - 1) / Lanes * Lanes;
            }
            if (planeTerms)
            {
                // The plane's own table: its terms are precomputed per hour, only the mask and the sky-view ratio remain.
                for (var j = start; j < end; j += Lanes)
                {
                    var beamPart = Vector256.LoadUnsafe(ref planeBeam, (nuint)j);
                    var circumsolarPart = Vector256.LoadUnsafe(ref planeCircumsolar, (nuint)j);
                    if (j < split)
                    {
                        var k = Vector256.LoadUnsafe(ref sector, (nuint)j);
                        var line = Fma(Vector256.LoadUnsafe(ref weight, (nuint)j), Gather(ref slopeRef, k), Gather(ref skylineRef, k));
                        var seen = Vector256.GreaterThanOrEqual(Vector256.LoadUnsafe(ref elevation, (nuint)j), line);
                        beamPart &= seen;
                        circumsolarPart &= seen;
                    }
                    beamAcc += beamPart;
                    if (perez)
                    {
                        skyAcc += Vector256.Max(Fma(Vector256.LoadUnsafe(ref planeSky, (nuint)j), vRatio, circumsolarPart), Vector256<float>.Zero);
                    }
                    else if (circumsolar)
                    {
                        skyAcc += circumsolarPart;
                    }
                }
            }
            else
            {
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
            }
            double beam = Sum(beamAcc), diffuse = Sum(skyAcc) + hours.MonthlyBehindPerezWh[m] * ratio;
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

    /// <summary>The first index in [start, end) whose value is at least <paramref name="value"/> (values ascending), else end.</summary>
    private static int FirstAtOrAbove(float[] sorted, int start, int end, float value)
    {
        int lo = start, hi = end;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
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
