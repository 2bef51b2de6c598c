using System.Globalization;
using System.Text;
using SmartRegion.Solar;

namespace SmartRegion.Solar.Weather;

/// <summary>
/// A demo typical-year weather series: the Haurwitz clear-sky global irradiance, scaled month by month to realistic
/// monthly totals for Paris, split into beam and diffuse with Erbs, with a daily temperature cycle. Written in the
/// PVGIS TMY CSV format (irradiance stamped for mid-hour through the header's time offset) and labelled as demo data
/// in its header: it is shaped like real weather, it is not a measurement.
/// </summary>
/// <remarks>
/// Haurwitz, B. (1945). Insolation in relation to cloudiness and cloud density. Journal of Meteorology 2, 154–166:
/// GHI = 1098 · cos z · exp(−0.057 / cos z). Monthly targets: approximate PVGIS-SARAH monthly global horizontal
/// irradiation for Paris (kWh/m²); monthly mean temperatures: Météo-France normals 1991–2020, Paris-Montsouris.
/// </remarks>
public static class DemoWeather
{
    private static readonly double[] MonthlyGhiKwhPerM2 = [29, 47, 89, 124, 148, 156, 160, 139, 103, 62, 33, 24];
    private static readonly double[] MonthlyMeanTemperatureC = [5.4, 6.3, 9.5, 12.4, 16.1, 19.4, 21.6, 21.4, 17.8, 13.6, 8.9, 5.9];
    private const int Year = 2019; // any non-leap year: a typical year has 8,760 hours

    /// <summary>Writes the series for a site; returns the annual GHI (kWh/m²).</summary>
    public static double Write(string path, double latitudeDeg, double longitudeDeg, double elevationM)
    {
        var start = new DateTime(Year, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var ghi = new double[8760];
        var zenith = new double[8760];
        var extra = new double[8760];
        var monthSum = new double[12];
        for (var h = 0; h < 8760; h++)
        {
            var mid = start.AddHours(h + 0.5);
            var sun = SolarPosition.Spa(mid, latitudeDeg, longitudeDeg, elevationM);
            zenith[h] = sun.ZenithDeg;
            extra[h] = Extraterrestrial.SpencerWPerM2(mid.DayOfYear);
            var cosZ = Math.Cos(sun.ApparentZenithDeg * Math.PI / 180);
            ghi[h] = cosZ > 0.01 ? 1098 * cosZ * Math.Exp(-0.057 / cosZ) : 0;
            monthSum[mid.Month - 1] += ghi[h] / 1000;
        }
        var sb = new StringBuilder();
        sb.Append("SmartRegion DEMO weather series - synthetic (Haurwitz clear sky scaled to monthly totals for Paris); demo data, not a measurement\n");
        sb.Append(CultureInfo.InvariantCulture, $"Latitude (decimal degrees): {latitudeDeg:F4}\n");
        sb.Append(CultureInfo.InvariantCulture, $"Longitude (decimal degrees): {longitudeDeg:F4}\n");
        sb.Append(CultureInfo.InvariantCulture, $"Elevation (m): {elevationM:F0}\n");
        sb.Append("Irradiance Time Offset (h): 0.5\n");
        sb.Append("time(UTC),T2m,RH,G(h),Gb(n),Gd(h),IR(h),WS10m,WD10m,SP\n");
        double annual = 0;
        for (var h = 0; h < 8760; h++)
        {
            var t = start.AddHours(h);
            var m = t.Month - 1;
            var g = monthSum[m] > 0 ? ghi[h] * MonthlyGhiKwhPerM2[m] / monthSum[m] : 0;
            var split = g > 0 ? Decomposition.Erbs(g, zenith[h], extra[h]) : new IrradianceSplit(0, 0, 0);
            var dhi = g > 0 ? split.DhiWPerM2 : 0;
            // Coldest at 05:00 UTC, warmest at 14:00, ±4 °C around the monthly mean.
            var temperature = MonthlyMeanTemperatureC[m] + 4 * Math.Cos((t.Hour - 14) / 24.0 * 2 * Math.PI);
            annual += g / 1000;
            sb.Append(CultureInfo.InvariantCulture,
                $"{t:yyyyMMdd:HHmm},{temperature:F2},75,{g:F2},{split.DniWPerM2:F2},{dhi:F2},300,3.5,240,101325\n");
        }
        File.WriteAllText(path, sb.ToString(), new UTF8Encoding(false));
        return annual;
    }
}
