using SmartRegion.Geo.Roofs;
using SmartRegion.Geo.Shading;
using SmartRegion.Solar;

namespace SmartRegion.Rooftop;

/// <summary>A face's irradiation over its samples: what is published per face.</summary>
/// <param name="SampleKwhPerM2">Annual irradiation of each sample.</param>
/// <param name="MeanKwhPerM2">Mean over the samples.</param>
/// <param name="QuantilesKwhPerM2">0, 10, …, 100 % of the samples (11 values, linear interpolation).</param>
/// <param name="ShadingLossFraction">1 − mean / the same plane's irradiation without any horizon, in [0, 1].</param>
public sealed record FaceIrradiationSummary(float[] SampleKwhPerM2, double MeanKwhPerM2, float[] QuantilesKwhPerM2, double ShadingLossFraction);

/// <summary>Plane-of-array irradiation of a face's samples under their horizons (one instance per tile and thread).</summary>
public sealed class FaceIrradiation
{
    private readonly SolarRunContext _run;
    private readonly ShadingMethod _method;
    private readonly PlaneOfArrayBatch _batch;
    private readonly SampleHorizons _horizonsOf;
    private readonly int _sectors;

    // Reused from face to face (a face of a few hundred samples made tens of kilobytes of each per call, the larger ones on
    // the large-object heap, which only a full collection frees).
    private double[] _horizons = [];
    private PlaneOrientation[] _planes = [];
    private PlaneIrradiation[] _irradiation = [];

    public FaceIrradiation(SkylineIndex skyline, SolarRunContext run, ShadingMethod method)
    {
        _run = run;
        _method = method;
        _batch = run.Batch;
        _sectors = run.Sky.HorizonSectors;
        _horizonsOf = new SampleHorizons(skyline, run.Parameters.HorizonRadiusM, _sectors);
    }

    /// <summary>
    /// The irradiation of each sample of a face (index i for sample i) and, last, of the same plane with no horizon
    /// (the reference of the shading loss). The span is valid until the next call.
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
        _horizonsOf.Compute(samples, faceIndex, horizons);
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
        var profiles = _horizonsOf.ComputeNaive(samples, faceIndex);
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

    /// <summary>The face's figures from <see cref="Evaluate"/>'s answer for <paramref name="sampleCount"/> samples.</summary>
    public static FaceIrradiationSummary Summarize(ReadOnlySpan<PlaneIrradiation> irradiation, int sampleCount)
    {
        var unshaded = irradiation[sampleCount].AnnualKwhPerM2;
        var values = new float[sampleCount];
        for (var s = 0; s < sampleCount; s++)
        {
            values[s] = (float)irradiation[s].AnnualKwhPerM2;
        }
        var mean = values.Average(v => (double)v);
        var shadingLoss = unshaded > 0 ? Math.Clamp(1 - mean / unshaded, 0, 1) : 0;
        return new FaceIrradiationSummary(values, mean, Quantiles(values), shadingLoss);
    }

    private static float[] Quantiles(float[] values)
    {
        var sorted = values.Order().ToArray();
        var q = new float[11];
        for (var k = 0; k <= 10; k++)
        {
            var pos = k / 10.0 * (sorted.Length - 1);
            var lo = (int)Math.Floor(pos);
            var hi = Math.Min(lo + 1, sorted.Length - 1);
            q[k] = (float)(sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]));
        }
        return q;
    }
}
