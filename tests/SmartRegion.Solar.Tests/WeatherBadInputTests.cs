using System.Globalization;
using System.Text;
using SmartRegion.Solar.Weather;
using SmartRegion.Testing;

namespace SmartRegion.Solar.Tests;

/// <summary>Malformed weather files each give one error naming the file, line and column.</summary>
public sealed class WeatherBadInputTests
{
    private static string PvgisText() => File.ReadAllText(SharedData.Require(WeatherReaderTests.PvgisCsv));

    private static string NsrdbText() => File.ReadAllText(SharedData.Require(WeatherReaderTests.Nsrdb));

    private static string EpwText() => File.ReadAllText(SharedData.Require(WeatherReaderTests.PvgisEpw));

    /// <summary>Replaces the first occurrence of a line's prefix-matched content.</summary>
    private static string ReplaceLine(string text, int lineNumber, Func<string, string> change)
    {
        var lines = text.Split('\n');
        lines[lineNumber - 1] = change(lines[lineNumber - 1]);
        return string.Join('\n', lines);
    }

    private static WeatherFileException Fails(string text, WeatherFormat format = WeatherFormat.Auto) =>
        Assert.Throws<WeatherFileException>(() => WeatherFile.Parse(text, "bad.csv", format));

    [Fact]
    public void PvgisCsv_NonNumericCell_NamesLineAndColumn()
    {
        // Line 19 is 20180101:0000; G(h) is the 4th cell.
        var text = ReplaceLine(PvgisText(), 19, l => l.Replace("94.38,0.0,", "94.38,abc,", StringComparison.Ordinal));
        var e = Fails(text);
        Assert.Equal("bad.csv:19:26: column 'G(h)': 'abc' is not a number", e.Message);
    }

    [Fact]
    public void PvgisCsv_NegativeIrradiance_Rejected()
    {
        var text = ReplaceLine(PvgisText(), 19, l => l.Replace("94.38,0.0,", "94.38,-5.0,", StringComparison.Ordinal));
        Assert.Equal("bad.csv:19:26: column 'G(h)': negative irradiance -5 W/m²", Fails(text).Message);
    }

    [Fact]
    public void PvgisCsv_NaN_Rejected()
    {
        var text = ReplaceLine(PvgisText(), 19, l => l.Replace("94.38,0.0,", "94.38,NaN,", StringComparison.Ordinal));
        Assert.Equal("bad.csv:19:26: column 'G(h)': 'NaN' is not a finite number", Fails(text).Message);
    }

    [Fact]
    public void PvgisCsv_Truncated_SaysHowManyRows()
    {
        var lines = PvgisText().Split('\n').ToList();
        lines.RemoveRange(1000, 7000);
        var e = Fails(string.Join('\n', lines));
        Assert.Contains("1,760 hourly rows; a typical year needs exactly 8,760", e.Message);
    }

    [Fact]
    public void PvgisCsv_MissingColumn_NamedAtHeader()
    {
        var text = ReplaceLine(PvgisText(), 18, l => l.Replace("Gb(n)", "Gbn", StringComparison.Ordinal));
        var e = Fails(text);
        Assert.Equal(18, e.Line);
        Assert.Contains("missing column 'Gb(n)'", e.Message);
    }

    [Fact]
    public void PvgisCsv_LeapDay_Rejected()
    {
        // Line 19 + 31*24 + 28*24 = first hour of 1 March → make it 29 February.
        var line = 19 + (31 + 28) * 24;
        var text = ReplaceLine(PvgisText(), line, l => "20070229" + l[8..]);
        var e = Fails(text);
        Assert.Equal(line, e.Line);
        Assert.Contains("29 February", e.Message);
    }

    [Fact]
    public void Nsrdb_HourRepeatedAndAnotherMissing_NamesBothLines()
    {
        // 8,760 rows still, but line 503 is written twice and line 600 is gone: the database's key would refuse the repeat.
        var lines = NsrdbText().Split('\n').ToList();
        lines.RemoveAt(600 - 1);
        lines.Insert(503, lines[503 - 1]);
        var e = Fails(string.Join('\n', lines));
        Assert.Equal(504, e.Line);
        Assert.Contains("the hour 01-21 19:30 UTC comes again (first at line 503)", e.Message);
    }

    [Fact]
    public void Nsrdb_MissingCells_NamedWithColumn()
    {
        var text = ReplaceLine(NsrdbText(), 10, l => string.Join(',', l.Split(',').Take(12)));
        var e = Fails(text);
        Assert.Equal(10, e.Line);
        Assert.Contains("missing column 'GHI'", e.Message);
    }

    [Fact]
    public void Nsrdb_LatitudeOutOfRange_Rejected()
    {
        var text = ReplaceLine(NsrdbText(), 2, l => l.Replace(",48.85,", ",98.85,", StringComparison.Ordinal));
        var e = Fails(text);
        Assert.Contains("latitude 98.85 is out of range", e.Message);
    }

    [Fact]
    public void Epw_ShortLine_Rejected()
    {
        var text = ReplaceLine(EpwText(), 20, l => string.Join(',', l.Split(',').Take(10)));
        var e = Fails(text);
        Assert.Equal(20, e.Line);
        Assert.Contains("an EPW data line has at least 22", e.Message);
    }

    [Fact]
    public void Epw_MissingValueCode_Rejected()
    {
        var text = ReplaceLine(EpwText(), 20, l =>
        {
            var cells = l.Split(',');
            cells[14] = "9999";
            return string.Join(',', cells);
        });
        var e = Fails(text);
        Assert.Equal(20, e.Line);
        Assert.Contains("column 'direct normal radiation': missing value 9999", e.Message);
    }

    [Fact]
    public void PvgisCsv_GhiOnly_SplitWithErbs()
    {
        // Drop Gb(n) and Gd(h) (cells 4 and 5) from the header and every row: a GHI-only series.
        var lines = PvgisText().Split('\n');
        for (var i = 17; i < 17 + 1 + 8760; i++)
        {
            var cells = lines[i].Split(',').ToList();
            cells.RemoveRange(4, 2);
            lines[i] = string.Join(',', cells);
        }
        var ghiOnly = WeatherFile.Parse(string.Join('\n', lines), "ghi.csv", WeatherFormat.Auto);
        var full = WeatherFile.Parse(PvgisText(), "full.csv", WeatherFormat.Auto);
        Assert.Equal("erbs", ghiOnly.IrradianceSplit);
        Assert.Contains("Erbs", ghiOnly.TimeConvention);
        Assert.Equal(0, ghiOnly.DniWPerM2[0]);
        // Erbs is a statistical split: its annual diffuse is within 25% of the file's.
        Assert.Equal(full.DhiWPerM2.Sum(), ghiOnly.DhiWPerM2.Sum(), full.DhiWPerM2.Sum() * 0.25);
        var a = new PlaneIrradiation[2];
        var b = new PlaneIrradiation[2];
        new PlaneOfArrayBatch(StationSky.Compute(ghiOnly), SkyModel.Perez, 0.2).Evaluate([new(0, 180), new(35, 180)], [], a);
        new PlaneOfArrayBatch(StationSky.Compute(full), SkyModel.Perez, 0.2).Evaluate([new(0, 180), new(35, 180)], [], b);
        var ghi = full.GhiWPerM2.Sum() / 1000;
        Assert.Equal(ghi, a[0].AnnualKwhPerM2, ghi * 0.01); // the split keeps GHI = DNI·cos z + DHI
        Assert.Equal(b[1].AnnualKwhPerM2, a[1].AnnualKwhPerM2, b[1].AnnualKwhPerM2 * 0.08);
    }

    [Fact]
    public void Unknown_Format_AsksForFormat()
    {
        var e = Fails("hello,world\n1,2\n");
        Assert.Contains("unknown weather format", e.Message);
    }

    [Fact]
    public void PvgisJson_SameSeriesAsCsv()
    {
        var csv = WeatherFile.Parse(PvgisText(), "x.csv", WeatherFormat.PvgisCsv);
        var json = WeatherFile.Parse(ToPvgisJson(csv), "x.json", WeatherFormat.Auto);
        Assert.Equal("pvgis-json", json.Format);
        Assert.Equal(csv.IrradianceOffset, json.IrradianceOffset);
        Assert.Equal(csv.LabelUtc, json.LabelUtc);
        Assert.Equal(csv.GhiWPerM2, json.GhiWPerM2);
        Assert.Equal(csv.DniWPerM2, json.DniWPerM2);
    }

    [Fact]
    public void PvgisJson_NegativeValue_NamesLineColumnAndPath()
    {
        var csv = WeatherFile.Parse(PvgisText(), "x.csv", WeatherFormat.PvgisCsv);
        var text = ToPvgisJson(csv).Replace("\"G(h)\": 0,", "\"G(h)\": -1,", StringComparison.Ordinal);
        var e = Fails(text, WeatherFormat.PvgisJson);
        Assert.Equal("bad.csv:9:63: outputs.tmy_hourly[0].G(h): negative irradiance -1 W/m²", e.Message);
    }

    [Fact]
    public void PvgisJson_Syntax_NamesLine()
    {
        var e = Fails("{\"inputs\": {\"location\": {\"latitude\": 45,,}}}", WeatherFormat.PvgisJson);
        Assert.Equal(1, e.Line);
        Assert.Contains("invalid JSON", e.Message);
    }

    /// <summary>The PVGIS TMY JSON layout (inputs.location, inputs.meteo_data, outputs.tmy_hourly), one record per line.</summary>
    internal static string ToPvgisJson(WeatherSeries w)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append("{\n\"inputs\": {\n\"location\": {\"latitude\": ").Append(w.LatitudeDeg.ToString(inv))
          .Append(", \"longitude\": ").Append(w.LongitudeDeg.ToString(inv)).Append(", \"elevation\": ").Append(w.ElevationM.ToString(inv)).Append("},\n");
        sb.Append("\"meteo_data\": {\"radiation_db\": \"PVGIS-ERA5\", \"irradiance_time_offset\": ")
          .Append(w.IrradianceOffset.TotalHours.ToString("0.####", inv)).Append("}\n},\n");
        sb.Append("\"outputs\": {\n\"months_selected\": [{\"month\": 1, \"year\": 2018}],\n\"tmy_hourly\": [\n");
        for (var i = 0; i < w.Count; i++)
        {
            sb.Append("{\"time(UTC)\": \"").Append(w.LabelUtc[i].ToString("yyyyMMdd:HHmm", inv)).Append("\", \"T2m\": ")
              .Append(w.AirTemperatureC[i].ToString(inv)).Append(", \"RH\": 50, \"G(h)\": ").Append(w.GhiWPerM2[i].ToString(inv))
              .Append(", \"Gb(n)\": ").Append(w.DniWPerM2[i].ToString(inv)).Append(", \"Gd(h)\": ").Append(w.DhiWPerM2[i].ToString(inv))
              .Append(", \"IR(h)\": 300, \"WS10m\": ").Append(w.WindSpeedMPerS[i].ToString(inv)).Append(", \"WD10m\": 0, \"SP\": 100000}")
              .Append(i + 1 < w.Count ? ",\n" : "\n");
        }
        sb.Append("]\n},\n\"meta\": {}\n}\n");
        return sb.ToString();
    }
}
