namespace SmartRegion.Solar.Weather;

/// <summary>The weather formats the readers understand.</summary>
public enum WeatherFormat
{
    Auto,
    PvgisCsv,
    PvgisJson,
    Epw,
    Nsrdb,
}

/// <summary>Reads a typical-year weather file of any supported format.</summary>
public static class WeatherFile
{
    /// <summary>Parses a format name as the CLI spells it (auto, pvgis-csv, pvgis-json, epw, nsrdb).</summary>
    public static WeatherFormat? ParseFormat(string name) => name.ToLowerInvariant() switch
    {
        "auto" => WeatherFormat.Auto,
        "pvgis-csv" => WeatherFormat.PvgisCsv,
        "pvgis-json" => WeatherFormat.PvgisJson,
        "epw" => WeatherFormat.Epw,
        "nsrdb" => WeatherFormat.Nsrdb,
        _ => null,
    };

    /// <summary>Reads and validates <paramref name="path"/>; <paramref name="timeShift"/> overrides the format's time convention.</summary>
    public static async Task<WeatherSeries> ReadAsync(string path, WeatherFormat format, TimeSpan? timeShift, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WeatherFileException(path, 0, 0, $"cannot read the file ({e.Message})");
        }
        var series = Parse(text, path, format);
        return timeShift is { } shift ? series.WithTimeShift(shift) : series;
    }

    /// <summary>Parses weather text; <paramref name="path"/> only names the source in messages.</summary>
    public static WeatherSeries Parse(string text, string path, WeatherFormat format)
    {
        if (format == WeatherFormat.Auto)
        {
            format = Detect(text, path);
        }
        return format switch
        {
            WeatherFormat.PvgisCsv => PvgisTmyReader.ParseCsv(text, path),
            WeatherFormat.PvgisJson => PvgisTmyReader.ParseJson(text, path),
            WeatherFormat.Epw => EpwReader.Parse(text, path),
            WeatherFormat.Nsrdb => NsrdbReader.Parse(text, path),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
    }

    private static WeatherFormat Detect(string text, string path)
    {
        var start = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (start.StartsWith('{'))
        {
            return WeatherFormat.PvgisJson;
        }
        if (start.StartsWith("LOCATION,", StringComparison.Ordinal))
        {
            return WeatherFormat.Epw;
        }
        if (start.StartsWith("Source,", StringComparison.Ordinal))
        {
            return WeatherFormat.Nsrdb;
        }
        if (start.StartsWith("Latitude (decimal degrees):", StringComparison.Ordinal) || start.Contains("\ntime(UTC),", StringComparison.Ordinal))
        {
            return WeatherFormat.PvgisCsv;
        }
        throw new WeatherFileException(path, 1, 1, "unknown weather format (expected PVGIS TMY CSV or JSON, EPW or NSRDB CSV); give --format");
    }
}
