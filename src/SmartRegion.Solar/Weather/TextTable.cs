using System.Globalization;

namespace SmartRegion.Solar.Weather;

/// <summary>A comma-separated line split into cells that remember their 1-based character column, for messages.</summary>
internal readonly struct CsvLine
{
    private readonly string _text;
    private readonly List<(int Start, int Length)> _cells;

    public CsvLine(string path, int lineNumber, string text)
    {
        Path = path;
        LineNumber = lineNumber;
        _text = text;
        _cells = [];
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == ',')
            {
                _cells.Add((start, i - start));
                start = i + 1;
            }
        }
    }

    public string Path { get; }

    public int LineNumber { get; }

    public int Count => _cells.Count;

    public string Cell(int index) => _text.Substring(_cells[index].Start, _cells[index].Length).Trim();

    public int Column(int index) => index < _cells.Count ? _cells[index].Start + 1 : _text.Length + 1;

    /// <summary>This header line's column positions by name; fails naming the first required column that is missing.</summary>
    public Dictionary<string, int> IndexColumns(IEnumerable<string> required)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var c = 0; c < Count; c++)
        {
            index[Cell(c)] = c;
        }
        foreach (var name in required)
        {
            if (!index.ContainsKey(name))
            {
                throw Error(Count, $"missing column '{name}' in the header");
            }
        }
        return index;
    }

    /// <summary>Whether both columns of a beam/diffuse pair are present (neither: a GHI-only series; one: an error).</summary>
    public bool OptionalPair(Dictionary<string, int> index, string beam, string diffuse)
    {
        var hasBeam = index.ContainsKey(beam);
        var hasDiffuse = index.ContainsKey(diffuse);
        if (hasBeam != hasDiffuse)
        {
            throw Error(Count, $"missing column '{(hasBeam ? diffuse : beam)}' in the header (give both {beam} and {diffuse}, or neither for a GHI-only series split with Erbs)");
        }
        return hasBeam;
    }

    public WeatherFileException Error(int index, string detail) => new(Path, LineNumber, Column(index), detail);

    /// <summary>A finite number in cell <paramref name="index"/> (named <paramref name="name"/> in messages).</summary>
    public double Number(int index, string name)
    {
        if (index >= _cells.Count)
        {
            throw Error(index, $"missing column '{name}' (the line has {_cells.Count} cells)");
        }
        var s = Cell(index);
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
        {
            throw Error(index, $"column '{name}': '{s}' is not a number");
        }
        if (!double.IsFinite(v))
        {
            throw Error(index, $"column '{name}': '{s}' is not a finite number");
        }
        return v;
    }

    /// <summary>An irradiance: a finite number that is not negative.</summary>
    public double Irradiance(int index, string name)
    {
        var v = Number(index, name);
        if (v < 0)
        {
            throw Error(index, $"column '{name}': negative irradiance {v.ToString(CultureInfo.InvariantCulture)} W/m²");
        }
        return v;
    }

    public int Integer(int index, string name, int min, int max)
    {
        var v = Number(index, name);
        if (v != Math.Floor(v) || v < min || v > max)
        {
            throw Error(index, $"column '{name}': '{Cell(index)}' is not an integer in [{min}, {max}]");
        }
        return (int)v;
    }
}

/// <summary>Checks shared by every typical-year reader.</summary>
internal static class TypicalYear
{
    public const int Hours = 8760;

    /// <summary>Fails on 29 February: a typical year has 365 days (a leap day would shift every later hour).</summary>
    public static void RejectLeapDay(CsvLine line, int cell, int month, int day)
    {
        if (month == 2 && day == 29)
        {
            throw line.Error(cell, "29 February in a typical-year file (a typical year has 365 days, 8,760 hours)");
        }
    }

    public static void RequireFullYear(string path, Rows rows, int lastLine)
    {
        if (rows.Count != Hours)
        {
            throw new WeatherFileException(path, lastLine, 1,
                $"{rows.Count:N0} hourly rows; a typical year needs exactly 8,760 (truncated or extended file?)");
        }
        RequireDistinctHours(rows, path);
    }

    /// <summary>
    /// Fails on an hour given twice (month, day and hour of its UTC label), which with the 8,760-row count also finds a missing
    /// one: a typical year has each hour once, whatever source year each month was taken from.
    /// </summary>
    public static void RequireDistinctHours(Rows rows, string path)
    {
        var firstLine = new int[12 * 31 * 24];
        for (var i = 0; i < rows.Count; i++)
        {
            var t = rows.Label[i];
            var slot = ((t.Month - 1) * 31 + t.Day - 1) * 24 + t.Hour;
            if (firstLine[slot] != 0)
            {
                throw new WeatherFileException(path, rows.Line[i], 1, string.Create(CultureInfo.InvariantCulture,
                    $"the hour {t:MM-dd HH:mm} UTC comes again (first at line {firstLine[slot]}): a typical year has each hour once"));
            }
            firstLine[slot] = rows.Line[i];
        }
    }

    /// <summary>Builds the series from collected rows, once they have been checked to be one of each hour of a year.</summary>
    public static WeatherSeries Build(Rows rows, string path, string format, double lat, double lon, double elevation,
        TimeSpan offset, string convention, double[]? zenith = null) => new()
        {
            SourcePath = path,
            Format = format,
            LatitudeDeg = lat,
            LongitudeDeg = lon,
            ElevationM = elevation,
            LabelUtc = rows.Label.ToArray(),
            Month = rows.Month.ToArray(),
            GhiWPerM2 = rows.Ghi.ToArray(),
            DniWPerM2 = rows.Dni.ToArray(),
            DhiWPerM2 = rows.Dhi.ToArray(),
            AirTemperatureC = rows.Temperature.ToArray(),
            WindSpeedMPerS = rows.Wind.ToArray(),
            LineNumber = rows.Line.ToArray(),
            IrradianceOffset = offset,
            TimeConvention = convention,
            FileSolarZenithDeg = zenith,
        };

    public static void CheckLocation(string path, int line, double lat, double lon)
    {
        if (!(lat is >= -90 and <= 90))
        {
            throw new WeatherFileException(path, line, 1, $"latitude {lat.ToString(CultureInfo.InvariantCulture)} is out of range [-90, 90]");
        }
        if (!(lon is >= -180 and <= 180))
        {
            throw new WeatherFileException(path, line, 1, $"longitude {lon.ToString(CultureInfo.InvariantCulture)} is out of range [-180, 180]");
        }
    }

    /// <summary>Rows as they are read.</summary>
    internal sealed class Rows
    {
        public List<DateTime> Label { get; } = new(Hours);
        public List<int> Month { get; } = new(Hours);
        public List<double> Ghi { get; } = new(Hours);
        public List<double> Dni { get; } = new(Hours);
        public List<double> Dhi { get; } = new(Hours);
        public List<double> Temperature { get; } = new(Hours);
        public List<double> Wind { get; } = new(Hours);
        public List<int> Line { get; } = new(Hours);

        public int Count => Label.Count;

        public void Add(DateTime labelUtc, int month, double ghi, double dni, double dhi, double temperature, double wind, int line)
        {
            Label.Add(labelUtc);
            Month.Add(month);
            Ghi.Add(ghi);
            Dni.Add(dni);
            Dhi.Add(dhi);
            Temperature.Add(temperature);
            Wind.Add(wind);
            Line.Add(line);
        }
    }
}
