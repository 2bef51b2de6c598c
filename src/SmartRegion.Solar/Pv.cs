namespace SmartRegion.Solar;

/// <summary>PV module temperature models.</summary>
public static class CellTemperature
{
    /// <summary>Module temperature, °C, from plane-of-array irradiance, air temperature and wind speed.</summary>
    /// <remarks>Faiman, D. (2008). Assessing the outdoor operating temperature of photovoltaic modules. Progress in
    /// Photovoltaics 16(4), 307–315. Defaults u0 = 25 W/(m²·K), u1 = 6.84 W·s/(m³·K) as pvlib's <c>faiman</c>.</remarks>
    public static double Faiman(double poaGlobalWPerM2, double airTemperatureC, double windSpeedMPerS, double u0 = 25.0, double u1 = 6.84) =>
        airTemperatureC + poaGlobalWPerM2 / (u0 + u1 * windSpeedMPerS);
}

/// <summary>Incidence-angle modifiers: the fraction of beam light that enters the module at an angle.</summary>
public static class IncidenceAngleModifier
{
    /// <summary>Physical IAM (Fresnel reflection at the air–glass interface, Snell refraction, Bouguer absorption), 0…1.</summary>
    /// <remarks>De Soto, W., Klein, S. A. and Beckman, W. A. (2006). Improvement and validation of a model for
    /// photovoltaic array performance. Solar Energy 80(1), 78–88; Duffie &amp; Beckman, Solar Engineering of Thermal
    /// Processes. Defaults as pvlib's <c>iam.physical</c>: n = 1.526, K = 4 m⁻¹, L = 0.002 m.</remarks>
    public static double Physical(double aoiDeg, double refractiveIndex = 1.526, double extinctionPerM = 4, double glassThicknessM = 0.002)
    {
        if (double.IsNaN(aoiDeg))
        {
            return double.NaN;
        }
        var cos1 = Math.Max(0, Angles.CosDeg(aoiDeg));
        var sin1 = Math.Sqrt(1 - cos1 * cos1);
        var n2 = refractiveIndex;
        var sin2 = sin1 / n2;
        var cos2 = Math.Sqrt(1 - sin2 * sin2);
        var rhoS = Square((cos1 - n2 * cos2) / (cos1 + n2 * cos2));
        var rhoP = Square((cos2 - n2 * cos1) / (cos2 + n2 * cos1));
        var rho0 = Square((1 - n2) / (1 + n2));
        var kl = extinctionPerM * glassThicknessM;
        var tauS = (1 - rhoS) * Math.Exp(-kl / cos2);
        var tauP = (1 - rhoP) * Math.Exp(-kl / cos2);
        var tau0 = (1 - rho0) * Math.Exp(-kl);
        var iam = (tauS + tauP) / 2 / tau0;
        return double.IsNaN(iam) ? 0 : iam;
    }

    private static double Square(double x) => x * x;
}

/// <summary>A PVWatts-style system: DC rating, temperature coefficient, system losses, inverter efficiency.</summary>
/// <param name="Kwp">DC rating at 1000 W/m² and 25 °C cell temperature, kWp.</param>
/// <param name="LossesFraction">System losses (soiling, wiring, mismatch…) applied to DC, 0…1 (default 14%).</param>
/// <param name="GammaPdcPerC">Temperature coefficient of power, 1/°C.</param>
/// <param name="InverterEfficiency">DC→AC efficiency, 0…1.</param>
/// <param name="PhysicalIam">Apply the physical incidence-angle modifier to the beam.</param>
public sealed record PvSystem(double Kwp = 1, double LossesFraction = 0.14, double GammaPdcPerC = -0.0037,
    double InverterEfficiency = 0.96, bool PhysicalIam = true);

/// <summary>PVWatts DC power.</summary>
public static class PvWatts
{
    /// <summary>DC power, W, from effective irradiance and cell temperature.</summary>
    /// <remarks>Dobos, A. P. (2014). PVWatts Version 5 Manual. NREL/TP-6A20-62641:
    /// P_dc = (G_eff / 1000) · P_dc0 · (1 + γ (T_cell − 25 °C)).</remarks>
    public static double DcPowerW(double effectiveIrradianceWPerM2, double cellTemperatureC, double pdc0W, double gammaPdcPerC) =>
        effectiveIrradianceWPerM2 / 1000.0 * pdc0W * (1 + gammaPdcPerC * (cellTemperatureC - 25.0));
}
