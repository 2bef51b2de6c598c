using System.Globalization;

namespace SmartRegion.Solar.Weather;

/// <summary>NREL NSRDB (PSM / TMY) CSV downloads: two metadata lines, a column header, then one row per hour.</summary>
/// <remarks>
/// Time convention: timestamps are written in the "Time Zone" of the metadata line (0 = UTC); NSRDB documents its
/// satellite-derived values as instantaneous at the timestamp. The file also carries the "Solar Zenith Angle" NSRDB
/// itself used, and that column is the authority: the reader fits the offset between the stamps and the instant
/// at which NREL SPA gives that zenith (median of per-row estimates, rounded to the minute) and puts the irradiance
/// there. On the Paris MSG TMY the rows are stamped HH:30 but the zenith column — and the closure
/// GHI = DNI·cos z + DHI — belong to HH:15 (fit −15 min, mean |Δz| 0.04°); at HH:30 the mean |Δz| is 1.7°.
/// Without a zenith column, or when no offset fits within 0.2°, the timestamps are used as written.
/// </remarks>
public static class NsrdbReader
{
    private static readonly string[] Required = ["Year", "Month", "Day", "Hour", "Minute", "GHI", "Temperature", "Wind Speed"];

    public static WeatherSeries Parse(string text, string path)
    {
        var lines = PvgisTmyReader.SplitLines(text);
        if (lines.Length < 3 || !lines[0].StartsWith("Source,", StringComparison.Ordinal))
        {
            throw new WeatherFileException(path, 1, 1, "the first line is not 'Source,…': not an NSRDB CSV file");
        }
        var metaNames = new CsvLine(path, 1, lines[0]);
        var metaValues = new CsvLine(path, 2, lines[1]);
        int Meta(string name)
        {
            for (var c = 0; c < metaNames.Count; c++)
            {
                if (metaNames.Cell(c) == name)
                {
                    return c;
                }
            }
            throw metaNames.Error(metaNames.Count, $"missing metadata column '{name}'");
        }
        var lat = metaValues.Number(Meta("Latitude"), "Latitude");
        var lon = metaValues.Number(Meta("Longitude"), "Longitude");
        var tz = metaValues.Number(Meta("Time Zone"), "Time Zone");
        var elevation = metaValues.Number(Meta("Elevation"), "Elevation");
        TypicalYear.CheckLocation(path, 2, lat, lon);
        var head = new CsvLine(path, 3, lines[2]);
        var index = head.IndexColumns(Required);
        var hasSplit = head.OptionalPair(index, "DNI", "DHI");
        var hasZenith = index.TryGetValue("Solar Zenith Angle", out var zenithColumn);
        var zenith = new List<double>(TypicalYear.Hours);
        var rows = new TypicalYear.Rows();
        var lastLine = 3;
        var clock = TimeSpan.FromHours(tz);
        for (var i = 3; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }
            var line = new CsvLine(path, i + 1, lines[i]);
            lastLine = i + 1;
            var year = line.Integer(index["Year"], "Year", 1, 9999);
            var month = line.Integer(index["Month"], "Month", 1, 12);
            var day = line.Integer(index["Day"], "Day", 1, 31);
            var hour = line.Integer(index["Hour"], "Hour", 0, 23);
            var minute = line.Integer(index["Minute"], "Minute", 0, 59);
            TypicalYear.RejectLeapDay(line, index["Day"], month, day);
            if (day > DateTime.DaysInMonth(2001, month))
            {
                throw line.Error(index["Day"], $"column 'Day': {day} is not a day of month {month}");
            }
            var local = new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Utc);
            rows.Add(local - clock, month, line.Irradiance(index["GHI"], "GHI"), hasSplit ? line.Irradiance(index["DNI"], "DNI") : double.NaN,
                hasSplit ? line.Irradiance(index["DHI"], "DHI") : double.NaN, line.Number(index["Temperature"], "Temperature"),
                line.Number(index["Wind Speed"], "Wind Speed"), i + 1);
            if (hasZenith)
            {
                zenith.Add(line.Number(zenithColumn, "Solar Zenith Angle"));
            }
        }
        TypicalYear.RequireFullYear(path, rows, lastLine);
        var tzText = tz.ToString("+0.##;-0.##", CultureInfo.InvariantCulture);
        var asWritten = TypicalYear.Build(rows, path, "nsrdb", lat, lon, elevation, TimeSpan.Zero,
            $"NSRDB: instantaneous values at the row's timestamp as written (Year…Minute, time zone UTC{tzText})",
            hasZenith ? zenith.ToArray() : null);
        if (FitZenithOffset(asWritten) is not { } fit)
        {
            return asWritten;
        }
        return TypicalYear.Build(rows, path, "nsrdb", lat, lon, elevation, fit.Offset,
            $"NSRDB: rows stamped in UTC{tzText}; the file's own Solar Zenith Angle column matches the sun at timestamp {(fit.Offset >= TimeSpan.Zero ? "+" : "−")} {Math.Abs(fit.Offset.TotalMinutes):0} min (mean |Δzenith| {fit.MeanErrorDeg:0.000}° over {fit.Rows} daytime rows), so the irradiance is taken there",
            asWritten.FileSolarZenithDeg);
    }

    /// <summary>The offset (whole minutes) from the stamps to the instant the file's zenith column describes, or null.</summary>
    internal static (TimeSpan Offset, double MeanErrorDeg, int Rows)? FitZenithOffset(WeatherSeries w)
    {
        if (w.FileSolarZenithDeg is not { } fileZenith)
        {
            return null;
        }
        var estimates = new List<double>();
        for (var i = 0; i < w.Count; i += 7)
        {
            if (fileZenith[i] > 80)
            {
                continue;
            }
            var z0 = SolarPosition.Spa(w.LabelUtc[i], w.LatitudeDeg, w.LongitudeDeg, w.ElevationM).ZenithDeg;
            var z1 = SolarPosition.Spa(w.LabelUtc[i].AddMinutes(10), w.LatitudeDeg, w.LongitudeDeg, w.ElevationM).ZenithDeg;
            var rate = (z1 - z0) / 10.0;
            if (Math.Abs(rate) > 0.05)
            {
                estimates.Add((fileZenith[i] - z0) / rate);
            }
        }
        if (estimates.Count < 50)
        {
            return null;
        }
        estimates.Sort();
        var offset = TimeSpan.FromMinutes(Math.Round(estimates[estimates.Count / 2]));
        double sum = 0;
        var n = 0;
        for (var i = 0; i < w.Count; i += 7)
        {
            if (fileZenith[i] <= 80)
            {
                sum += Math.Abs(SolarPosition.Spa(w.LabelUtc[i] + offset, w.LatitudeDeg, w.LongitudeDeg, w.ElevationM).ZenithDeg - fileZenith[i]);
                n++;
            }
        }
        return sum / n < 0.2 ? (offset, sum / n, n) : null;
    }
}
