namespace SmartRegion.Solar;

/// <summary>Energy of a PV system over the typical year, kWh.</summary>
public sealed record PvYieldResult(double AnnualKwhDc, double AnnualKwhAc, double SpecificYieldKwhPerKwp, double[] MonthlyKwhAc);

/// <summary>PVWatts-style yield of one plane from its hourly plane-of-array irradiance.</summary>
/// <remarks>
/// Per hour: cell temperature by Faiman from the total plane-of-array irradiance; effective irradiance = beam ×
/// IAM(AOI) (physical, or 1) + sky diffuse + ground-reflected (the IAM applies to beam only, as pvlib's ModelChain
/// default); DC by PVWatts with γ; DC after system losses = DC × (1 − losses); AC = that × inverter efficiency.
/// Negative DC (none in practice) is clipped to zero; hours without light are exact zeros.
/// </remarks>
public static class PvYield
{
    public static PvYieldResult Compute(StationSky sky, PlaneHourly poa, PvSystem system)
    {
        var monthlyAc = new double[12];
        double dcYear = 0, acYear = 0;
        var pdc0W = system.Kwp * 1000;
        for (var h = 0; h < sky.Count; h++)
        {
            var beam = poa.BeamWPerM2[h];
            var total = beam + poa.SkyDiffuseWPerM2[h] + poa.GroundReflectedWPerM2[h];
            if (total <= 0)
            {
                continue;
            }
            var cell = CellTemperature.Faiman(total, sky.AirTemperatureC[h], sky.WindSpeedMPerS[h]);
            var iam = system.PhysicalIam && beam > 0 ? IncidenceAngleModifier.Physical(poa.AoiDeg[h]) : 1;
            var effective = beam * iam + poa.SkyDiffuseWPerM2[h] + poa.GroundReflectedWPerM2[h];
            var dc = Math.Max(PvWatts.DcPowerW(effective, cell, pdc0W, system.GammaPdcPerC), 0) * (1 - system.LossesFraction);
            var ac = dc * system.InverterEfficiency;
            dcYear += dc;
            acYear += ac;
            monthlyAc[sky.Month[h]] += ac / 1000;
        }
        return new PvYieldResult(dcYear / 1000, acYear / 1000, system.Kwp > 0 ? acYear / 1000 / system.Kwp : 0, monthlyAc);
    }
}
