using System.Globalization;

namespace SmartRegion.Solar.Weather;

/// <summary>EnergyPlus weather (EPW) files.</summary>
/// <remarks>
/// Time convention (EnergyPlus Auxiliary Programs, "Weather Converter", data field definitions): hour N (1…24) is
/// the hour ending at N:00 local standard time (LOCATION's time zone), and the irradiance fields are the energy
/// received over that hour, Wh/m² (read here as the hour's mean W/m²). Its representative instant is the middle of
/// the hour: N − 0.5 h local standard time. Files produced by PVGIS say so in a comment — "Irradiance Time Offset
/// (h): X" — and are stamped in UTC whatever the LOCATION time zone says (their rows are the PVGIS CSV's rows, one
/// hour later); for them the irradiance instant is the hour label + X.
/// </remarks>
public static class EpwReader
{
    private const string PvgisOffsetMarker = "Irradiance Time Offset (h):";

    /// <summary>An irradiance field that is not EPW's missing-data code 9999.</summary>
    private static double Present(CsvLine line, int index, string name)
    {
        var v = line.Irradiance(index, name);
        return v >= 9999
            ? throw line.Error(index, $"column '{name}': missing value {line.Cell(index)} (EPW's missing-data code); fill the gap before computing irradiation")
            : v;
    }

    public static WeatherSeries Parse(string text, string path)
    {
        var lines = PvgisTmyReader.SplitLines(text);
        if (lines.Length == 0 || !lines[0].StartsWith("LOCATION,", StringComparison.Ordinal))
        {
            throw new WeatherFileException(path, 1, 1, "the first line is not 'LOCATION,…': not an EPW file");
        }
        var location = new CsvLine(path, 1, lines[0]);
        var lat = location.Number(6, "latitude");
        var lon = location.Number(7, "longitude");
        var tzHours = location.Number(8, "time zone");
        var elevation = location.Number(9, "elevation");
        TypicalYear.CheckLocation(path, 1, lat, lon);
        double? pvgisOffsetH = null;
        var dataStart = -1;
        for (var i = 1; i < Math.Min(lines.Length, 12); i++)
        {
            var marker = lines[i].IndexOf(PvgisOffsetMarker, StringComparison.Ordinal);
            if (marker >= 0 && double.TryParse(lines[i][(marker + PvgisOffsetMarker.Length)..].Trim().TrimEnd(','),
                    NumberStyles.Float, CultureInfo.InvariantCulture, out var h))
            {
                pvgisOffsetH = h;
            }
            if (lines[i].StartsWith("DATA PERIODS", StringComparison.Ordinal))
            {
                dataStart = i + 1;
                break;
            }
        }
        if (dataStart < 0)
        {
            throw new WeatherFileException(path, Math.Min(lines.Length, 8), 1, "no 'DATA PERIODS' line in the 8-line EPW header");
        }
        var clockOffset = pvgisOffsetH is null ? TimeSpan.FromHours(tzHours) : TimeSpan.Zero;
        var rows = new TypicalYear.Rows();
        var lastLine = dataStart;
        for (var i = dataStart; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }
            var line = new CsvLine(path, i + 1, lines[i]);
            lastLine = i + 1;
            if (line.Count < 22)
            {
                throw line.Error(line.Count, $"{line.Count} fields; an EPW data line has at least 22 (missing columns)");
            }
            var year = line.Integer(0, "year", 1, 9999);
            var month = line.Integer(1, "month", 1, 12);
            var day = line.Integer(2, "day", 1, DateTime.DaysInMonth(2001, month) + (month == 2 ? 1 : 0));
            var hour = line.Integer(3, "hour", 1, 24);
            TypicalYear.RejectLeapDay(line, 2, month, day);
            var labelLocal = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc).AddHours(hour);
            rows.Add(labelLocal - clockOffset, month, Present(line, 13, "global horizontal radiation"),
                Present(line, 14, "direct normal radiation"), Present(line, 15, "diffuse horizontal radiation"),
                line.Number(6, "dry bulb temperature"), line.Number(21, "wind speed"), i + 1);
        }
        TypicalYear.RequireFullYear(path, rows, lastLine);
        var tz = tzHours.ToString("+0.##;-0.##", CultureInfo.InvariantCulture);
        return pvgisOffsetH is { } offsetH
            ? TypicalYear.Build(rows, path, "epw", lat, lon, elevation, TimeSpan.FromHours(offsetH),
                $"EPW written by PVGIS: hour N labelled N:00 UTC (the LOCATION time zone {tz} does not apply to its rows); irradiance at the label + {offsetH.ToString("0.####", CultureInfo.InvariantCulture)} h (the file's 'Irradiance Time Offset (h)')")
            : TypicalYear.Build(rows, path, "epw", lat, lon, elevation, TimeSpan.FromMinutes(-30),
                $"EPW: hour N is the hour ending N:00 local standard time (UTC{tz}); irradiance is the hour's mean, taken at its mid-point N − 30 min");
    }
}
