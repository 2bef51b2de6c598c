using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SmartRegion.Solar.Weather;

/// <summary>
/// PVGIS typical meteorological year, CSV and JSON outputs of the PVGIS 5.x TMY tool.
/// </summary>
/// <remarks>
/// Time convention: rows are stamped <c>time(UTC)</c> at HH:00. Since December 2024 PVGIS writes an
/// "Irradiance Time Offset (h)" (JSON: <c>irradiance_time_offset</c>) in the header: the irradiance of a row belongs
/// to the instant <c>timestamp + offset</c> (the radiation database's own sampling/averaging instant). When the
/// field is absent the timestamp is used as written, as pvlib's <c>read_pvgis_tmy</c> does. Columns: G(h), Gb(n),
/// Gd(h) in W/m², T2m °C, WS10m m/s. The TMY's months come from different years; each row keeps its real date.
/// </remarks>
public static class PvgisTmyReader
{
    private static readonly string[] Required = ["T2m", "G(h)", "WS10m"];

    public static WeatherSeries ParseCsv(string text, string path)
    {
        var lines = SplitLines(text);
        double? lat = null, lon = null, elevation = null, offsetH = null;
        var header = -1;
        for (var i = 0; i < lines.Length; i++)
        {
            var l = lines[i];
            if (l.StartsWith("time(UTC)", StringComparison.Ordinal) || l.StartsWith("time,", StringComparison.Ordinal))
            {
                header = i;
                break;
            }
            lat ??= HeaderValue(l, "Latitude (decimal degrees):", path, i + 1);
            lon ??= HeaderValue(l, "Longitude (decimal degrees):", path, i + 1);
            elevation ??= HeaderValue(l, "Elevation (m):", path, i + 1);
            offsetH ??= HeaderValue(l, "Irradiance Time Offset (h):", path, i + 1);
        }
        if (header < 0)
        {
            throw new WeatherFileException(path, 1, 1, "no 'time(UTC),…' header line: not a PVGIS TMY CSV file");
        }
        if (lat is null || lon is null)
        {
            throw new WeatherFileException(path, header + 1, 1, "the header block has no 'Latitude (decimal degrees):' / 'Longitude (decimal degrees):' line");
        }
        TypicalYear.CheckLocation(path, 1, lat.Value, lon.Value);
        var head = new CsvLine(path, header + 1, lines[header]);
        var index = head.IndexColumns(Required);
        var hasSplit = head.OptionalPair(index, "Gb(n)", "Gd(h)");
        var rows = new TypicalYear.Rows();
        var lastLine = header + 1;
        for (var i = header + 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0 || !char.IsAsciiDigit(lines[i][0]))
            {
                break;
            }
            var line = new CsvLine(path, i + 1, lines[i]);
            lastLine = i + 1;
            var stamp = line.Cell(0);
            if (stamp.Length >= 8 && stamp[4..8] == "0229")
            {
                TypicalYear.RejectLeapDay(line, 0, 2, 29);
            }
            if (!DateTime.TryParseExact(stamp, "yyyyMMdd:HHmm", CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t))
            {
                throw line.Error(0, $"column 'time(UTC)': '{stamp}' is not a yyyyMMdd:HHmm timestamp");
            }
            TypicalYear.RejectLeapDay(line, 0, t.Month, t.Day);
            rows.Add(t, t.Month, line.Irradiance(index["G(h)"], "G(h)"), hasSplit ? line.Irradiance(index["Gb(n)"], "Gb(n)") : double.NaN,
                hasSplit ? line.Irradiance(index["Gd(h)"], "Gd(h)") : double.NaN, line.Number(index["T2m"], "T2m"), line.Number(index["WS10m"], "WS10m"), i + 1);
        }
        TypicalYear.RequireFullYear(path, rows, lastLine);
        var (offset, convention) = Convention(offsetH, "the header's 'Irradiance Time Offset (h)'");
        return TypicalYear.Build(rows, path, "pvgis-csv", lat.Value, lon.Value, elevation ?? 0, offset, convention);
    }

    public static WeatherSeries ParseJson(string text, string path)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lineStarts.Add(i + 1);
            }
        }
        (int Line, int Column) Position(long offset)
        {
            var l = lineStarts.BinarySearch((int)offset);
            if (l < 0)
            {
                l = ~l - 1;
            }
            return (l + 1, (int)offset - lineStarts[l] + 1);
        }

        double? lat = null, lon = null, elevation = null, offsetH = null;
        var rows = new TypicalYear.Rows();
        var path0 = new List<string>();
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        var record = new Dictionary<string, (double Value, long Offset, string Text)>(StringComparer.Ordinal);
        var recordIndex = -1;
        long recordOffset = 0;
        string? pendingName = null;
        var arrayIndex = new Stack<int>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pendingName = reader.GetString();
                        continue;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        path0.Add(NextSegment(ref pendingName, arrayIndex));
                        if (reader.TokenType == JsonTokenType.StartArray)
                        {
                            arrayIndex.Push(-1);
                        }
                        else if (InTmyRecord(path0))
                        {
                            record.Clear();
                            recordIndex++;
                            recordOffset = reader.TokenStartIndex;
                        }
                        continue;
                    case JsonTokenType.EndArray:
                        arrayIndex.Pop();
                        path0.RemoveAt(path0.Count - 1);
                        continue;
                    case JsonTokenType.EndObject:
                        if (InTmyRecord(path0))
                        {
                            AddJsonRecord(record, rows, path, Position, recordIndex, recordOffset);
                        }
                        path0.RemoveAt(path0.Count - 1);
                        continue;
                    default:
                        var name = NextSegment(ref pendingName, arrayIndex);
                        var valueText = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? "" : Encoding.UTF8.GetString(reader.ValueSpan);
                        double number = double.NaN;
                        if (reader.TokenType == JsonTokenType.Number)
                        {
                            number = reader.GetDouble();
                        }
                        if (InTmyRecord(path0))
                        {
                            record[name] = (number, reader.TokenStartIndex, valueText);
                        }
                        else if (path0.Count >= 2 && path0[^1] == "location")
                        {
                            switch (name)
                            {
                                case "latitude": lat = number; break;
                                case "longitude": lon = number; break;
                                case "elevation": elevation = number; break;
                            }
                        }
                        if (name.Equals("irradiance_time_offset", StringComparison.OrdinalIgnoreCase) && reader.TokenType == JsonTokenType.Number)
                        {
                            offsetH = number;
                        }
                        continue;
                }
            }
        }
        catch (JsonException e)
        {
            throw new WeatherFileException(path, (int)(e.LineNumber ?? 0) + 1, (int)(e.BytePositionInLine ?? 0) + 1, $"invalid JSON: {e.Message}");
        }
        if (lat is null || lon is null || double.IsNaN(lat.Value) || double.IsNaN(lon.Value))
        {
            throw new WeatherFileException(path, 1, 1, "no inputs.location.latitude / longitude: not a PVGIS TMY JSON file");
        }
        TypicalYear.CheckLocation(path, 1, lat.Value, lon.Value);
        TypicalYear.RequireFullYear(path, rows, lineStarts.Count);
        var (offset, convention) = Convention(offsetH, "the file's 'irradiance_time_offset'");
        return TypicalYear.Build(rows, path, "pvgis-json", lat.Value, lon.Value, elevation ?? 0, offset, convention);
    }

    private static void AddJsonRecord(Dictionary<string, (double Value, long Offset, string Text)> record, TypicalYear.Rows rows,
        string path, Func<long, (int Line, int Column)> position, int index, long recordOffset)
    {
        double Get(string name, bool irradiance)
        {
            if (!record.TryGetValue(name, out var v))
            {
                var (l, c) = position(recordOffset);
                throw new WeatherFileException(path, l, c, $"outputs.tmy_hourly[{index}]: missing '{name}'");
            }
            var (line, column) = position(v.Offset);
            if (!double.IsFinite(v.Value))
            {
                throw new WeatherFileException(path, line, column, $"outputs.tmy_hourly[{index}].{name}: '{v.Text}' is not a finite number");
            }
            if (irradiance && v.Value < 0)
            {
                throw new WeatherFileException(path, line, column, $"outputs.tmy_hourly[{index}].{name}: negative irradiance {v.Value.ToString(CultureInfo.InvariantCulture)} W/m²");
            }
            return v.Value;
        }
        if (!record.TryGetValue("time(UTC)", out var stamp))
        {
            var (l, c) = position(recordOffset);
            throw new WeatherFileException(path, l, c, $"outputs.tmy_hourly[{index}]: missing 'time(UTC)'");
        }
        var (sl, sc) = position(stamp.Offset);
        if (stamp.Text.Length >= 8 && stamp.Text[4..8] == "0229")
        {
            throw new WeatherFileException(path, sl, sc, "29 February in a typical-year file (a typical year has 365 days, 8,760 hours)");
        }
        if (!DateTime.TryParseExact(stamp.Text, "yyyyMMdd:HHmm", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t))
        {
            throw new WeatherFileException(path, sl, sc, $"outputs.tmy_hourly[{index}].time(UTC): '{stamp.Text}' is not a yyyyMMdd:HHmm timestamp");
        }
        if (t.Month == 2 && t.Day == 29)
        {
            throw new WeatherFileException(path, sl, sc, "29 February in a typical-year file (a typical year has 365 days, 8,760 hours)");
        }
        rows.Add(t, t.Month, Get("G(h)", true), Get("Gb(n)", true), Get("Gd(h)", true), Get("T2m", false), Get("WS10m", false), sl);
    }

    private static bool InTmyRecord(List<string> path) =>
        path.Count == 4 && path[1] == "outputs" && path[2] == "tmy_hourly";

    private static string NextSegment(ref string? pendingName, Stack<int> arrayIndex)
    {
        if (pendingName is { } n)
        {
            pendingName = null;
            return n;
        }
        if (arrayIndex.Count > 0)
        {
            var i = arrayIndex.Pop() + 1;
            arrayIndex.Push(i);
            return i.ToString(CultureInfo.InvariantCulture);
        }
        return "$";
    }

    private static (TimeSpan Offset, string Convention) Convention(double? offsetH, string source) =>
        offsetH is { } h
            ? (TimeSpan.FromHours(h), $"PVGIS: rows stamped HH:00 UTC; irradiance at timestamp + {h.ToString("0.####", CultureInfo.InvariantCulture)} h ({source})")
            : (TimeSpan.Zero, "PVGIS: rows stamped HH:00 UTC; no irradiance time offset in the file, irradiance taken at the timestamp as written");

    private static double? HeaderValue(string line, string prefix, string path, int lineNumber)
    {
        if (!line.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var s = line[prefix.Length..].Trim().TrimEnd(',');
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
        {
            throw new WeatherFileException(path, lineNumber, prefix.Length + 1, $"'{prefix}' value '{s}' is not a number");
        }
        return v;
    }

    internal static string[] SplitLines(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
}
