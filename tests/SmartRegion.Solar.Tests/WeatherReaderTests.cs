using SmartRegion.Solar.Weather;
using SmartRegion.Testing;

namespace SmartRegion.Solar.Tests;

/// <summary>The readers on the real files in ../shared/data/weather, and their time conventions checked against the sun.</summary>
public sealed class WeatherReaderTests
{
    internal const string Nsrdb = "weather/nsrdb_msg_tmy_paris_48.85_2.34.csv";
    internal const string PvgisCsv = "weather/pvgis_tmy_45.000_8.000_2005_2023.csv";
    internal const string PvgisEpw = "weather/pvgis_tmy_45.000_8.000_2005_2023.epw";

    internal static WeatherSeries Read(string relative, TimeSpan? shift = null) =>
        WeatherFile.ReadAsync(SharedData.Require(relative), WeatherFormat.Auto, shift, TestContext.Current.CancellationToken).GetAwaiter().GetResult();

    [Fact]
    public void Nsrdb_SpaZenithAtRowInstant_MatchesFileZenithColumn()
    {
        var w = Read(Nsrdb);
        Assert.Equal("nsrdb", w.Format);
        Assert.Equal(8760, w.Count);
        Assert.Equal(new DateTime(2020, 1, 1, 0, 30, 0), w.LabelUtc[0]);
        // The zenith column belongs to HH:15, not to the HH:30 stamps (see NsrdbReader).
        Assert.Equal(TimeSpan.FromMinutes(-15), w.IrradianceOffset);
        Assert.Contains("Solar Zenith Angle", w.TimeConvention);
        double sum = 0;
        var n = 0;
        for (var i = 0; i < w.Count; i++)
        {
            var p = SolarPosition.Spa(w.SunInstantUtc(i), w.LatitudeDeg, w.LongitudeDeg, w.ElevationM);
            if (p.ZenithDeg < 85)
            {
                sum += Math.Abs(p.ZenithDeg - w.FileSolarZenithDeg![i]);
                n++;
            }
        }
        Assert.True(n > 3500, $"{n} daytime rows");
        Assert.True(sum / n < 0.1, $"mean |SPA − file zenith| = {sum / n:F3}° over {n} daytime rows");
        // Shifting by 30 minutes must break the agreement: the check really measures the time convention.
        var shifted = w.WithTimeShift(TimeSpan.FromMinutes(30));
        var p2 = SolarPosition.Spa(shifted.SunInstantUtc(4327), w.LatitudeDeg, w.LongitudeDeg, w.ElevationM);
        Assert.True(Math.Abs(p2.ZenithDeg - w.FileSolarZenithDeg![4327]) > 3);
    }

    [Fact]
    public void PvgisCsv_Header_OffsetAndLocationRead()
    {
        var w = Read(PvgisCsv);
        Assert.Equal("pvgis-csv", w.Format);
        Assert.Equal(45.0, w.LatitudeDeg);
        Assert.Equal(8.0, w.LongitudeDeg);
        Assert.Equal(250.0, w.ElevationM);
        Assert.Equal(0.1761, w.IrradianceOffset.TotalHours, 1e-9);
        Assert.Equal(new DateTime(2018, 1, 1, 0, 0, 0), w.LabelUtc[0]);
        Assert.Equal(new DateTime(2016, 12, 31, 23, 0, 0), w.LabelUtc[^1]);
        Assert.Equal(12, w.Month[^1]);
    }

    [Fact]
    public void PvgisEpw_SameRowsAsCsv_SameIrradianceInstants()
    {
        var csv = Read(PvgisCsv);
        var epw = Read(PvgisEpw);
        Assert.Equal("epw", epw.Format);
        for (var i = 0; i < csv.Count; i++)
        {
            Assert.Equal(csv.GhiWPerM2[i], epw.GhiWPerM2[i], 0.01);
            Assert.Equal(csv.SunInstantUtc(i), epw.SunInstantUtc(i), TimeSpan.FromSeconds(1));
        }
    }

    [Theory]
    [InlineData(PvgisCsv, 0)]
    [InlineData(PvgisEpw, 0)]
    // NSRDB: the fitted offset (−15 min from the :30 stamps) is also where the closure GHI = DNI·cos z + DHI holds.
    [InlineData(Nsrdb, 0)]
    public void Convention_BestFittingShift_IsTheDocumentedOne(string file, int expectedShiftMin)
    {
        // The beam hours' (GHI − DHI)/DNI must match cos(zenith) best at the documented instant: try shifts of
        // −60…+60 min around it and find the best one (5-min steps).
        var w = Read(file);
        var best = double.MaxValue;
        var bestShift = 0;
        var curve = new List<string>();
        for (var shift = -60; shift <= 60; shift += 5)
        {
            var s = w.WithTimeShift(w.IrradianceOffset + TimeSpan.FromMinutes(shift));
            double err = 0;
            for (var i = 0; i < s.Count; i++)
            {
                if (s.DniWPerM2[i] < 300)
                {
                    continue;
                }
                var p = SolarPosition.Spa(s.SunInstantUtc(i), s.LatitudeDeg, s.LongitudeDeg, s.ElevationM);
                var cosZ = Math.Cos(p.ApparentZenithDeg * Angles.DegToRad);
                var implied = (s.GhiWPerM2[i] - s.DhiWPerM2[i]) / s.DniWPerM2[i];
                err += (implied - cosZ) * (implied - cosZ);
            }
            curve.Add($"{shift}:{err:F1}");
            if (err < best)
            {
                best = err;
                bestShift = shift;
            }
        }
        Assert.True(Math.Abs(bestShift - expectedShiftMin) <= 5, $"best shift {bestShift} min: {string.Join(" ", curve)}");
    }
}
