using System.Globalization;
using SmartRegion.Solar.Weather;
using SmartRegion.Testing;

namespace SmartRegion.Solar.Tests;

/// <summary>Checks against numbers computed by other implementations, shipped in the real data files.</summary>
public sealed class IndependentReferenceTests
{
    [Fact]
    public void Spa_MatchesPvgisSunHeight_InItsHourlyTimeseries()
    {
        // PVGIS's own hourly output (45 N 8 E, 2016) lists H_sun, the sun height it computed for each timestamp.
        var path = SharedData.Require("weather/pvgis_hourly_Timeseries_45.000_8.000_SA_30deg_0deg_2016_2016.csv");
        var compared = 0;
        foreach (var line in File.ReadLines(path))
        {
            var cells = line.Split(',');
            if (cells.Length < 5 || !DateTime.TryParseExact(cells[0], "yyyyMMdd:HHmm", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            {
                continue;
            }
            var hSun = double.Parse(cells[4], CultureInfo.InvariantCulture);
            if (hSun <= 0)
            {
                continue;
            }
            var p = SolarPosition.Spa(t, 45, 8, 250);
            Assert.True(Math.Abs(p.ElevationDeg - hSun) < 0.1, $"{cells[0]}: SPA {p.ElevationDeg:F3}° vs PVGIS {hSun}°");
            compared++;
        }
        Assert.Equal(5, compared);
    }

    [Fact]
    public void Epw_StandardFile_HourEndingLocalStandardTime_MidHour()
    {
        // The PVGIS EPW with its PVGIS comment removed and the time zone set to +1 is a plain EPW: hour 1 of 1 January
        // is 00:00–01:00 local standard time = 23:00–24:00 UTC on 31 December; its irradiance instant is 23:30 UTC.
        var text = File.ReadAllText(SharedData.Require(WeatherReaderTests.PvgisEpw));
        var lines = text.Split('\n');
        lines = lines.Where(l => !l.Contains("Irradiance Time Offset", StringComparison.Ordinal)).ToArray();
        var epw = EpwReader.Parse(string.Join('\n', lines), "plain.epw");
        Assert.Equal(new DateTime(2018, 1, 1, 0, 0, 0), epw.LabelUtc[0]);
        Assert.Equal(new DateTime(2017, 12, 31, 23, 30, 0), epw.SunInstantUtc(0));
        Assert.Equal(1, epw.Month[0]);
        Assert.Contains("N − 30 min", epw.TimeConvention);
    }
}
