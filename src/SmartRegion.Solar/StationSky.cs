using SmartRegion.Solar.Weather;

namespace SmartRegion.Solar;

/// <summary>The sky-diffuse transposition model.</summary>
public enum SkyModel
{
    Isotropic,
    HayDavies,
    Perez,
}

/// <summary>
/// Everything about a weather station's typical year that does not depend on the receiving plane, computed once:
/// per daylight hour the sun's apparent direction (NREL SPA at the row's irradiance instant), DNI/DHI/GHI, the
/// extraterrestrial irradiance and air mass, the Perez F1/F2 and Hay–Davies anisotropy terms, the hour's azimuth
/// sector for horizon lookups, and the hour's air temperature and wind. Hours with zero irradiance are left out:
/// they contribute exact zeros.
/// </summary>
public sealed class StationSky
{
    private StationSky(int count, int horizonSectors)
    {
        RowIndex = new int[count];
        Month = new int[count];
        SunEast = new double[count];
        SunNorth = new double[count];
        SunUp = new double[count];
        SunApparentZenithDeg = new double[count];
        SunAzimuthDeg = new double[count];
        SunApparentElevationDeg = new double[count];
        DniWPerM2 = new double[count];
        DhiWPerM2 = new double[count];
        GhiWPerM2 = new double[count];
        DniExtraWPerM2 = new double[count];
        RelativeAirmass = new double[count];
        PerezIsotropicHalf = new double[count];
        PerezCircumsolar = new double[count];
        PerezHorizon = new double[count];
        HayDaviesIsotropicHalf = new double[count];
        HayDaviesCircumsolar = new double[count];
        Sector = new int[count];
        SectorWeight = new double[count];
        AirTemperatureC = new double[count];
        WindSpeedMPerS = new double[count];
        HorizonSectors = horizonSectors;
    }

    public required WeatherSeries Weather { get; init; }

    /// <summary>Number of daylight hours (rows with any irradiance).</summary>
    public int Count => RowIndex.Length;

    /// <summary>Number of equal azimuth sectors of the horizon layout the batch expects (elevation at k·360/n).</summary>
    public int HorizonSectors { get; }

    /// <summary>Index of the daylight hour's row in <see cref="Weather"/>.</summary>
    public int[] RowIndex { get; }

    /// <summary>The hour's month, 0…11; hours are ordered by month.</summary>
    public int[] Month { get; }

    /// <summary>First daylight hour of each month (13 entries: month m spans [MonthStart[m], MonthStart[m+1])).</summary>
    public int[] MonthStart { get; } = new int[13];

    public double[] SunEast { get; }
    public double[] SunNorth { get; }
    public double[] SunUp { get; }
    public double[] SunApparentZenithDeg { get; }
    public double[] SunAzimuthDeg { get; }
    public double[] SunApparentElevationDeg { get; }
    public double[] DniWPerM2 { get; }
    public double[] DhiWPerM2 { get; }
    public double[] GhiWPerM2 { get; }
    public double[] DniExtraWPerM2 { get; }
    public double[] RelativeAirmass { get; }

    /// <summary>DHI·(1 − F1)/2: times (1 + cos β) gives the Perez isotropic part.</summary>
    public double[] PerezIsotropicHalf { get; }

    /// <summary>DHI·F1 / max(cos z, cos 85°): times max(cos AOI, 0) gives the Perez circumsolar part.</summary>
    public double[] PerezCircumsolar { get; }

    /// <summary>DHI·F2: times sin β gives the Perez horizon band.</summary>
    public double[] PerezHorizon { get; }

    /// <summary>DHI·(1 − DNI/DNIextra)/2 (Hay–Davies isotropic, per (1 + cos β)).</summary>
    public double[] HayDaviesIsotropicHalf { get; }

    /// <summary>DHI·(DNI/DNIextra) / max(cos z, cos 89°) (Hay–Davies circumsolar, per max(cos AOI, 0)).</summary>
    public double[] HayDaviesCircumsolar { get; }

    /// <summary>The horizon sector k with k·360/n ≤ sun azimuth &lt; (k+1)·360/n, and the interpolation weight toward k+1.</summary>
    public int[] Sector { get; }
    public double[] SectorWeight { get; }

    public double[] AirTemperatureC { get; }
    public double[] WindSpeedMPerS { get; }

    /// <summary>Monthly sums of GHI and DHI/2-type terms, Wh/m² (plane-independent parts of the transposition).</summary>
    public double[] MonthlyGhiWh { get; } = new double[12];

    /// <summary>Precomputes the station's sky. The sun is computed at each row's irradiance instant (its real date).</summary>
    /// <param name="weather">The typical year.</param>
    /// <param name="horizonSectors">Sector count of the horizon layout used by <see cref="PlaneOfArrayBatch"/>.</param>
    /// <param name="deltaTSeconds">ΔT for SPA.</param>
    public static StationSky Compute(WeatherSeries weather, int horizonSectors = 72, double deltaTSeconds = 69)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizonSectors, 1);
        var daylight = new List<int>(weather.Count / 2);
        for (var i = 0; i < weather.Count; i++)
        {
            if (weather.GhiWPerM2[i] > 0 || weather.DniWPerM2[i] > 0 || weather.DhiWPerM2[i] > 0)
            {
                daylight.Add(i);
            }
        }
        // Monthly sums need hours grouped by month; a stable sort keeps the file's order inside a month.
        var ordered = daylight.OrderBy(i => weather.Month[i]).ToArray();
        var sky = new StationSky(ordered.Length, horizonSectors) { Weather = weather };
        // pvlib's alt2pres: standard-atmosphere pressure at the site, for refraction.
        var pressureHpa = 100 * Math.Pow((44331.514 - weather.ElevationM) / 11880.516, 1 / 0.1902632) / 100;
        var sectorWidth = 360.0 / horizonSectors;
        for (var h = 0; h < ordered.Length; h++)
        {
            var i = ordered[h];
            var instant = weather.SunInstantUtc(i);
            var sun = SolarPosition.Spa(instant, weather.LatitudeDeg, weather.LongitudeDeg, weather.ElevationM,
                pressureHpa, weather.AirTemperatureC[i], deltaTSeconds);
            var (e, n, u) = Angles.CompassToVector(sun.AzimuthDeg, sun.ApparentElevationDeg);
            var dni = weather.DniWPerM2[i];
            var dhi = weather.DhiWPerM2[i];
            var dniExtra = Extraterrestrial.SpencerWPerM2(instant.DayOfYear);
            var airmass = Airmass.KastenYoung1989(sun.ApparentZenithDeg);
            var cosZ = Angles.CosDeg(sun.ApparentZenithDeg);

            sky.RowIndex[h] = i;
            sky.Month[h] = weather.Month[i] - 1;
            sky.SunEast[h] = e;
            sky.SunNorth[h] = n;
            sky.SunUp[h] = u;
            sky.SunApparentZenithDeg[h] = sun.ApparentZenithDeg;
            sky.SunAzimuthDeg[h] = sun.AzimuthDeg;
            sky.SunApparentElevationDeg[h] = sun.ApparentElevationDeg;
            sky.DniWPerM2[h] = dni;
            sky.DhiWPerM2[h] = dhi;
            sky.GhiWPerM2[h] = weather.GhiWPerM2[i];
            sky.DniExtraWPerM2[h] = dniExtra;
            sky.RelativeAirmass[h] = airmass;
            sky.AirTemperatureC[h] = weather.AirTemperatureC[i];
            sky.WindSpeedMPerS[h] = weather.WindSpeedMPerS[i];
            sky.MonthlyGhiWh[weather.Month[i] - 1] += weather.GhiWPerM2[i];

            if (dhi > 0 && !double.IsNaN(airmass))
            {
                var (f1, f2) = PerezCoefficients.Brightness(dhi, dni, dniExtra, sun.ApparentZenithDeg, airmass);
                sky.PerezIsotropicHalf[h] = dhi * (1 - f1) / 2;
                sky.PerezCircumsolar[h] = dhi * f1 / Math.Max(cosZ, PerezCoefficients.CosZenithFloor);
                sky.PerezHorizon[h] = dhi * f2;
            }
            var ai = dni / dniExtra;
            sky.HayDaviesIsotropicHalf[h] = Math.Max(dhi * (1 - ai) / 2, 0);
            sky.HayDaviesCircumsolar[h] = Math.Max(dhi * ai / Math.Max(cosZ, 0.01745), 0);

            var s = sun.AzimuthDeg / sectorWidth;
            var k = Math.Min((int)Math.Floor(s), horizonSectors - 1);
            sky.Sector[h] = k;
            sky.SectorWeight[h] = s - k;
        }
        for (var m = 0; m < 12; m++)
        {
            var start = Array.FindIndex(sky.Month, x => x >= m);
            sky.MonthStart[m] = start < 0 ? ordered.Length : start;
        }
        sky.MonthStart[12] = ordered.Length;
        return sky;
    }
}
