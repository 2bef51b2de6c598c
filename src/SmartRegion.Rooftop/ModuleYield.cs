using SmartRegion.Solar;

namespace SmartRegion.Rooftop;

/// <summary>Unshaded PV yield of an orientation (1° tilt, 2° azimuth buckets), computed once per bucket.</summary>
public sealed class PvYieldCache
{
    private readonly Dictionary<(int, int), PvYieldResult> _cache = [];
    private readonly Lock _lock = new();

    public PvYieldResult Get(SolarRunContext run, double tiltDeg, double azimuthDeg)
    {
        var key = ((int)Math.Round(tiltDeg), (int)Math.Round(Angles.Normalize360Deg(azimuthDeg) / 2) % 180);
        lock (_lock)
        {
            if (_cache.TryGetValue(key, out var hit))
            {
                return hit;
            }
        }
        var p = run.Parameters;
        var hourly = PlaneOfArray.Hourly(run.Sky, new PlaneOrientation(key.Item1, key.Item2 * 2), SkyModel.Perez, p.Albedo, null);
        var yield = PvYield.Compute(run.Sky, hourly, new PvSystem(1, p.SystemLosses, p.GammaPdcPerC, p.InverterEfficiency, PhysicalIam: true));
        lock (_lock)
        {
            _cache[key] = yield;
        }
        return yield;
    }
}

/// <summary>The energy of each module of a face and the face's months.</summary>
/// <param name="PanelKwhAc">Per module, in the layout's order: its year (kWh AC).</param>
/// <param name="MonthlyKwhAc">The face's 12 months, summed over its modules.</param>
public sealed record FaceEnergy(float[] PanelKwhAc, double[] MonthlyKwhAc)
{
    /// <summary>The face's year: the sum of its modules' years.</summary>
    public double AnnualKwhAc => PanelKwhAc.Sum(v => (double)v);
}

/// <summary>PV energy of placed modules (DESIGN.md, "The solar method", step 6).</summary>
public static class ModuleYield
{
    /// <summary>
    /// Each module's energy: the unshaded specific yield of its orientation, scaled by the shading its nearest sample sees
    /// (ratio of the face's shaded to unshaded irradiation at that point), month by month.
    /// </summary>
    /// <param name="irradiation">Per sample and, last, the unshaded plane (<see cref="FaceIrradiation.Evaluate"/>).</param>
    public static FaceEnergy Compute(
        IReadOnlyList<SmartRegion.Geo.Panels.PlacedModule> modules, List<(double X, double Y, double Z)> samples,
        ReadOnlySpan<SmartRegion.Solar.PlaneIrradiation> irradiation, PvYieldResult yield, double kwpPerModule)
    {
        var panelKwh = new float[modules.Count];
        var monthlyFaceKwh = new double[12];
        var index = new NearestSample(samples);
        for (var m = 0; m < modules.Count; m++)
        {
            var module = modules[m];
            var s = index.Nearest(module.CentreX, module.CentreY);
            // Month by month, because shading is seasonal: the module's year is the sum of its months, so the
            // monthly and annual figures agree (one annual ratio would weigh winter shade like summer shade).
            double moduleKwh = 0;
            for (var month = 0; month < 12; month++)
            {
                var faceMonthlyUnshaded = irradiation[samples.Count].MonthlyKwhPerM2[month];
                var monthRatio = faceMonthlyUnshaded > 0 ? irradiation[s].MonthlyKwhPerM2[month] / faceMonthlyUnshaded : 0;
                var kwh = yield.MonthlyKwhAc[month] * kwpPerModule * monthRatio;
                monthlyFaceKwh[month] += kwh;
                moduleKwh += kwh;
            }
            panelKwh[m] = (float)moduleKwh;
        }
        return new FaceEnergy(panelKwh, monthlyFaceKwh);
    }

    /// <summary>Nearest sample by brute force: faces have tens to hundreds of samples.</summary>
    private sealed class NearestSample(List<(double X, double Y, double Z)> samples)
    {
        public int Nearest(double x, double y)
        {
            var best = 0;
            var bestD = double.MaxValue;
            for (var i = 0; i < samples.Count; i++)
            {
                var d = (samples[i].X - x) * (samples[i].X - x) + (samples[i].Y - y) * (samples[i].Y - y);
                if (d < bestD)
                {
                    bestD = d;
                    best = i;
                }
            }
            return best;
        }
    }
}
