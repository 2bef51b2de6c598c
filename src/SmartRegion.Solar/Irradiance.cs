namespace SmartRegion.Solar;

/// <summary>Extraterrestrial irradiance.</summary>
public static class Extraterrestrial
{
    /// <summary>Solar constant used by the Spencer form, W/m².</summary>
    public const double SolarConstantWPerM2 = 1366.1;

    /// <summary>Extraterrestrial normal irradiance for a day of the year (1…366), W/m².</summary>
    /// <remarks>Spencer, J. W. (1971). Fourier series representation of the position of the sun. Search 2(5), 172.
    /// The Earth–Sun distance factor as in pvlib's <c>get_extra_radiation(method='spencer')</c>.</remarks>
    public static double SpencerWPerM2(int dayOfYear)
    {
        var b = 2.0 * Math.PI * (dayOfYear - 1) / 365.0;
        var rOverR0Squared = 1.00011 + 0.034221 * Math.Cos(b) + 0.00128 * Math.Sin(b) + 0.000719 * Math.Cos(2 * b) + 0.000077 * Math.Sin(2 * b);
        return SolarConstantWPerM2 * rOverR0Squared;
    }
}

/// <summary>Relative optical air mass.</summary>
public static class Airmass
{
    /// <summary>Relative air mass for a (refraction-corrected) zenith angle; NaN when the sun is below the horizon.</summary>
    /// <remarks>Kasten, F. and Young, A. T. (1989). Revised optical air mass tables and approximation formula.
    /// Applied Optics 28(22), 4735–4738.</remarks>
    public static double KastenYoung1989(double apparentZenithDeg) =>
        apparentZenithDeg > 90 ? double.NaN
            : 1.0 / (Angles.CosDeg(apparentZenithDeg) + 0.50572 * Math.Pow(6.07995 + (90.0 - apparentZenithDeg), -1.6364));
}

/// <summary>A split of global horizontal irradiance into beam (normal) and diffuse (horizontal), W/m².</summary>
public readonly record struct IrradianceSplit(double DniWPerM2, double DhiWPerM2, double ClearnessIndex);

/// <summary>Decomposition models: beam and diffuse from global horizontal irradiance.</summary>
public static class Decomposition
{
    /// <summary>Hourly DNI and DHI from GHI by the Erbs diffuse-fraction correlation.</summary>
    /// <remarks>Erbs, D. G., Klein, S. A. and Duffie, J. A. (1982). Estimation of the diffuse radiation fraction for
    /// hourly, daily and monthly-average global radiation. Solar Energy 28(4), 293–302. Limits as pvlib's
    /// <c>erbs</c>: clearness index with cos z ≥ 0.065 and kt ≤ 1; no beam above zenith 87°.</remarks>
    public static IrradianceSplit Erbs(double ghiWPerM2, double zenithDeg, double dniExtraWPerM2,
        double minCosZenith = 0.065, double maxZenithDeg = 87)
    {
        var cosZ = Angles.CosDeg(zenithDeg);
        var kt = ghiWPerM2 / (dniExtraWPerM2 * Math.Max(cosZ, minCosZenith));
        kt = Math.Min(Math.Max(kt, 0), 1);
        var diffuseFraction = kt <= 0.22 ? 1.0 - 0.09 * kt
            : kt <= 0.8 ? 0.9511 - 0.1604 * kt + 4.388 * kt * kt - 16.638 * kt * kt * kt + 12.336 * kt * kt * kt * kt
            : 0.165;
        var dhi = diffuseFraction * ghiWPerM2;
        var dni = (ghiWPerM2 - dhi) / cosZ;
        if (zenithDeg > maxZenithDeg || ghiWPerM2 < 0 || dni < 0 || double.IsNaN(dni))
        {
            return new IrradianceSplit(0, ghiWPerM2, kt);
        }
        return new IrradianceSplit(dni, dhi, kt);
    }
}

/// <summary>Sky diffuse irradiance on a tilted plane, split as the Perez/Hay–Davies models define it, W/m².</summary>
public readonly record struct SkyDiffuse(double TotalWPerM2, double IsotropicWPerM2, double CircumsolarWPerM2, double HorizonWPerM2);

/// <summary>Transposition models: irradiance on a tilted plane from horizontal components.</summary>
public static class Transposition
{
    /// <summary>cos of the angle of incidence of the sun on a plane (may be negative: sun behind the plane).</summary>
    public static double AngleOfIncidenceProjection(double tiltDeg, double planeAzimuthDeg, double sunZenithDeg, double sunAzimuthDeg)
    {
        var p = Angles.CosDeg(sunZenithDeg) * Angles.CosDeg(tiltDeg)
                + Angles.SinDeg(tiltDeg) * Angles.SinDeg(sunZenithDeg) * Angles.CosDeg(sunAzimuthDeg - planeAzimuthDeg);
        return Math.Clamp(p, -1, 1);
    }

    /// <summary>Isotropic sky diffuse on a tilted plane, W/m².</summary>
    /// <remarks>Liu, B. Y. H. and Jordan, R. C. (1963). A rational procedure for predicting the long-term average
    /// performance of flat-plate solar-energy collectors. Solar Energy 7(2), 53–74.</remarks>
    public static double Isotropic(double tiltDeg, double dhiWPerM2) => dhiWPerM2 * (1 + Angles.CosDeg(tiltDeg)) / 2;

    /// <summary>Ground-reflected irradiance on a tilted plane from an isotropic ground of given albedo, W/m².</summary>
    public static double GroundReflected(double tiltDeg, double ghiWPerM2, double albedo) =>
        ghiWPerM2 * albedo * (1 - Angles.CosDeg(tiltDeg)) / 2;

    /// <summary>
    /// Reflected irradiance on a plane whose sky is partly hidden by obstructions (neighbouring buildings), W/m²: the
    /// plane sees the sky through <paramref name="skyViewFactor"/> and reflecting surfaces (ground and obstructions)
    /// through the rest, each taken as an isotropic reflector lit like the open ground (GHI·albedo). Without any
    /// obstruction (SVF = (1 + cos β)/2) it is <see cref="GroundReflected"/>.
    /// </summary>
    /// <remarks>The sky-view-factor split of reflected radiation used by urban radiation models, e.g. SEBE: Lindberg, F.,
    /// Jonsson, P., Honjo, T. and Wästberg, D. (2015). Solar energy on building envelopes – 3D modelling in a 2D
    /// environment. Solar Energy 115, 369–378. Simplification: walls are lit like the ground (no wall shading, one albedo).</remarks>
    public static double ReflectedUnderSkyline(double skyViewFactor, double ghiWPerM2, double albedo) =>
        ghiWPerM2 * albedo * Math.Max(0, 1 - skyViewFactor);

    /// <summary>Hay–Davies sky diffuse: an isotropic part plus a circumsolar part weighted by the anisotropy index DNI/DNIextra.</summary>
    /// <remarks>Hay, J. E. and Davies, J. A. (1980). Calculation of the solar radiation incident on an inclined
    /// surface. Proc. First Canadian Solar Radiation Data Workshop, 59–72. Limits as pvlib's <c>haydavies</c>
    /// (cos z floored at cos 89°).</remarks>
    public static SkyDiffuse HayDavies(double tiltDeg, double planeAzimuthDeg, double dhiWPerM2, double dniWPerM2,
        double dniExtraWPerM2, double sunZenithDeg, double sunAzimuthDeg)
    {
        var cosAoi = Math.Max(AngleOfIncidenceProjection(tiltDeg, planeAzimuthDeg, sunZenithDeg, sunAzimuthDeg), 0);
        var rb = cosAoi / Math.Max(Angles.CosDeg(sunZenithDeg), 0.01745);
        var ai = dniWPerM2 / dniExtraWPerM2;
        var iso = Math.Max(dhiWPerM2 * (1 - ai) * (1 + Angles.CosDeg(tiltDeg)) / 2, 0);
        var circ = Math.Max(dhiWPerM2 * ai * rb, 0);
        return new SkyDiffuse(iso + circ, iso, circ, 0);
    }

    /// <summary>Perez 1990 sky diffuse: isotropic background, circumsolar disc and horizon band.</summary>
    /// <remarks>Perez, R., Ineichen, P., Seals, R., Michalsky, J. and Stewart, R. (1990). Modeling daylight
    /// availability and irradiance components from direct and global irradiance. Solar Energy 44(5), 271–289.
    /// Coefficients: the "allsitescomposite1990" set; limits as pvlib's <c>perez</c> (cos z floored at cos 85°,
    /// F1 ≥ 0, total ≥ 0, zero when the air mass is undefined).</remarks>
    public static SkyDiffuse Perez(double tiltDeg, double planeAzimuthDeg, double dhiWPerM2, double dniWPerM2,
        double dniExtraWPerM2, double sunZenithDeg, double sunAzimuthDeg, double relativeAirmass)
    {
        if (!(dhiWPerM2 > 0) || double.IsNaN(relativeAirmass))
        {
            return default;
        }
        var (f1, f2) = PerezCoefficients.Brightness(dhiWPerM2, dniWPerM2, dniExtraWPerM2, sunZenithDeg, relativeAirmass);
        var a = Math.Max(AngleOfIncidenceProjection(tiltDeg, planeAzimuthDeg, sunZenithDeg, sunAzimuthDeg), 0);
        var b = Math.Max(Angles.CosDeg(sunZenithDeg), PerezCoefficients.CosZenithFloor);
        var iso = dhiWPerM2 * (1 - f1) * (1 + Angles.CosDeg(tiltDeg)) / 2;
        var circ = dhiWPerM2 * f1 * a / b;
        var horizon = dhiWPerM2 * f2 * Angles.SinDeg(tiltDeg);
        var total = Math.Max(iso + circ + horizon, 0);
        return new SkyDiffuse(total, iso, circ, horizon);
    }
}

/// <summary>The Perez 1990 circumsolar (F1) and horizon-brightening (F2) coefficients for one sky condition.</summary>
public static class PerezCoefficients
{
    /// <summary>cos 85°: the floor pvlib puts under cos z in the circumsolar term.</summary>
    public static readonly double CosZenithFloor = Angles.CosDeg(85);

    private static readonly double[] EpsilonBinUpperBounds = [1.065, 1.23, 1.5, 1.95, 2.8, 4.5, 6.2];

    // allsitescomposite1990: per clearness bin, F11 F12 F13 F21 F22 F23.
    private static readonly double[,] AllSitesComposite1990 =
    {
        { -0.0080, 0.5880, -0.0620, -0.0600, 0.0720, -0.0220 },
        { 0.1300, 0.6830, -0.1510, -0.0190, 0.0660, -0.0290 },
        { 0.3300, 0.4870, -0.2210, 0.0550, -0.0640, -0.0260 },
        { 0.5680, 0.1870, -0.2950, 0.1090, -0.1520, -0.0140 },
        { 0.8730, -0.3920, -0.3620, 0.2260, -0.4620, 0.0010 },
        { 1.1320, -1.2370, -0.4120, 0.2880, -0.8230, 0.0560 },
        { 1.0600, -1.6000, -0.3590, 0.2640, -1.1270, 0.1310 },
        { 0.6780, -0.3270, -0.2500, 0.1560, -1.3770, 0.2510 },
    };

    /// <summary>F1 (≥ 0) and F2 from the sky's clearness ε and brightness Δ; both depend on the sky and the sun only, not on the plane.</summary>
    public static (double F1, double F2) Brightness(double dhiWPerM2, double dniWPerM2, double dniExtraWPerM2,
        double sunZenithDeg, double relativeAirmass)
    {
        const double kappa = 1.041;
        var z = sunZenithDeg * Angles.DegToRad;
        var delta = dhiWPerM2 * relativeAirmass / dniExtraWPerM2;
        var z3 = kappa * z * z * z;
        var eps = ((dhiWPerM2 + dniWPerM2) / dhiWPerM2 + z3) / (1 + z3);
        var bin = 0;
        while (bin < EpsilonBinUpperBounds.Length && eps >= EpsilonBinUpperBounds[bin])
        {
            bin++;
        }
        var c = AllSitesComposite1990;
        var f1 = Math.Max(c[bin, 0] + c[bin, 1] * delta + c[bin, 2] * z, 0);
        var f2 = c[bin, 3] + c[bin, 4] * delta + c[bin, 5] * z;
        return (f1, f2);
    }
}
