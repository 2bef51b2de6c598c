using SmartRegion.Geo.Roofs;
using SmartRegion.Geo.Shading;
using SmartRegion.Solar;

namespace SmartRegion.Pipelines.Solar;

/// <summary>How a roof face's sample horizons and irradiation are computed.</summary>
public enum ShadingMethod
{
    /// <summary>
    /// The platform's method: each sample's near field through the skyline index, the far field scanned once per face
    /// from its centre and shifted to each sample's height, and the batch kernel (precomputed sky, one plane's
    /// sky-view terms shared by its samples).
    /// </summary>
    Fast,

    /// <summary>
    /// The naive peer of the benchmark and the reference of the tests: every edge within the radius tested for every
    /// sample (no index, no near/far split), and the hour-by-hour transposition (<see cref="PlaneOfArray.Hourly"/>).
    /// </summary>
    Naive,
}

/// <summary>Per-sample horizons and plane-of-array irradiation of a tile's roof faces (one instance per tile and thread).</summary>
public sealed class FaceShading
{
    private readonly SkylineIndex _skyline;
    private readonly SolarRunContext _run;
    private readonly ShadingMethod _method;
    private readonly PlaneOfArrayBatch _batch;
    private readonly HorizonScratch _scratch = new();
    private readonly GatheredEdges _near = new();
    private readonly int _sectors;
    private readonly double[] _farTan, _farDistance, _nearTan, _nearDistance;
    private readonly float[] _horizon;

    // Reused from face to face (a face of a few hundred samples made tens of kilobytes of each per call, the larger ones on
    // the large-object heap, which only a full collection frees).
    private double[] _horizons = [];
    private PlaneOrientation[] _planes = [];
    private PlaneIrradiation[] _irradiation = [];

    public FaceShading(SkylineIndex skyline, SolarRunContext run, ShadingMethod method)
    {
        _skyline = skyline;
        _run = run;
        _method = method;
        _batch = run.Batch;
        _sectors = run.Sky.HorizonSectors;
        _farTan = new double[_sectors];
        _farDistance = new double[_sectors];
        _nearTan = new double[_sectors];
        _nearDistance = new double[_sectors];
        _horizon = new float[_sectors];
    }

    /// <summary>
    /// The irradiation of each sample of a face (index i for sample i) and, last, of the same plane with no horizon
    /// (the reference of the shading loss). Samples sit on the face; their horizon is seen from 0.1 m above it.
    /// The span is valid until the next call.
    /// </summary>
    public ReadOnlySpan<PlaneIrradiation> Evaluate(List<(double X, double Y, double Z)> samples, RoofPlane plane, int faceIndex, TilePhaseTimes times)
    {
        var t0 = TilePhaseTimes.Now();
        var orientation = new PlaneOrientation(plane.TiltDeg, plane.AzimuthDeg);
        if (_method == ShadingMethod.Naive)
        {
            return EvaluateNaive(samples, orientation, faceIndex, times, t0);
        }
        var n = samples.Count + 1;
        if (_planes.Length < n)
        {
            var capacity = Math.Max(n, 2 * _planes.Length);
            (_horizons, _planes, _irradiation) = (new double[capacity * _sectors], new PlaneOrientation[capacity], new PlaneIrradiation[capacity]);
        }
        var horizons = _horizons.AsSpan(0, n * _sectors);
        var planes = _planes.AsSpan(0, n);
        planes.Fill(orientation);
        var radius = _run.Parameters.HorizonRadiusM;
        // The far field (beyond a few face radii) is scanned once from the face's centre; each sample scans only its
        // near field and shifts the far skyline to its own height (SkylineIndex.CombineFarField).
        double cx = 0, cy = 0, cz = 0;
        foreach (var (x, y, z) in samples)
        {
            cx += x / samples.Count;
            cy += y / samples.Count;
            cz += (z + 0.1) / samples.Count;
        }
        var faceRadius = samples.Max(t => Math.Sqrt((t.X - cx) * (t.X - cx) + (t.Y - cy) * (t.Y - cy)));
        var nearRadius = Math.Clamp(4 * faceRadius + 10, 20, radius);
        _skyline.Scan(cx, cy, cz, Math.Max(0, nearRadius - faceRadius), radius, faceIndex, _farTan, _farDistance, _scratch);
        // The edges any sample's near field can reach, gathered once for the face.
        _skyline.Gather(cx, cy, samples.Min(t => t.Z) + 0.1, nearRadius + faceRadius, faceIndex, _near, _scratch);
        for (var s = 0; s < samples.Count; s++)
        {
            var (x, y, z) = samples[s];
            _skyline.ScanGathered(_near, x, y, z + 0.1, nearRadius, faceIndex, _nearTan, _nearDistance, _scratch);
            SkylineIndex.CombineFarField(_nearTan, _farTan, _farDistance, cz, z + 0.1, _horizon);
            for (var k = 0; k < _sectors; k++)
            {
                horizons[s * _sectors + k] = _horizon[k];
            }
        }
        // The last "sample" is the same plane without any horizon: its skyline is 0.
        horizons[(samples.Count * _sectors)..].Clear();
        t0 = times.Add(ref times.HorizonTicks, t0);
        var irradiation = _irradiation.AsSpan(0, n);
        _batch.Evaluate(planes, horizons, irradiation);
        times.Add(ref times.IrradiationTicks, t0);
        return irradiation;
    }

    private PlaneIrradiation[] EvaluateNaive(List<(double X, double Y, double Z)> samples, PlaneOrientation orientation, int faceIndex, TilePhaseTimes times, long t0)
    {
        var p = _run.Parameters;
        var azimuths = Enumerable.Range(0, _sectors).Select(k => k * 360.0 / _sectors).ToArray();
        var profiles = new HorizonProfile?[samples.Count + 1];
        for (var s = 0; s < samples.Count; s++)
        {
            var (x, y, z) = samples[s];
            _skyline.ScanEveryEdge(x, y, z + 0.1, 0, p.HorizonRadiusM, faceIndex, _nearTan, _nearDistance, _scratch);
            profiles[s] = new HorizonProfile(azimuths, _nearTan.Select(t => t > 0 ? Math.Atan(t) * Angles.RadToDeg : 0).ToArray());
        }
        t0 = times.Add(ref times.HorizonTicks, t0);
        var sky = _run.Sky;
        var irradiation = new PlaneIrradiation[samples.Count + 1];
        for (var s = 0; s <= samples.Count; s++)
        {
            var hourly = PlaneOfArray.Hourly(sky, orientation, SkyModel.Perez, p.Albedo, profiles[s]);
            ref var result = ref irradiation[s];
            result.SkyViewFactor = hourly.SkyViewFactor;
            for (var h = 0; h < sky.Count; h++)
            {
                var m = sky.Month[h];
                result.BeamKwhPerM2 += hourly.BeamWPerM2[h] / 1000;
                result.SkyDiffuseKwhPerM2 += hourly.SkyDiffuseWPerM2[h] / 1000;
                result.GroundReflectedKwhPerM2 += hourly.GroundReflectedWPerM2[h] / 1000;
                result.MonthlyKwhPerM2[m] += (hourly.BeamWPerM2[h] + hourly.SkyDiffuseWPerM2[h] + hourly.GroundReflectedWPerM2[h]) / 1000;
            }
            result.AnnualKwhPerM2 = result.BeamKwhPerM2 + result.SkyDiffuseKwhPerM2 + result.GroundReflectedKwhPerM2;
        }
        times.Add(ref times.IrradiationTicks, t0);
        return irradiation;
    }
}
