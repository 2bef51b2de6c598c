namespace SmartRegion.Solar.Weather;

/// <summary>
/// An hourly typical-year weather series, one row per hour, with the instant each row's irradiance belongs to made
/// explicit: the row's timestamp as written (converted to UTC) plus <see cref="IrradianceOffset"/>.
/// </summary>
public sealed class WeatherSeries
{
    public required string SourcePath { get; init; }

    /// <summary>pvgis-csv, pvgis-json, epw or nsrdb.</summary>
    public required string Format { get; init; }

    public required double LatitudeDeg { get; init; }

    public required double LongitudeDeg { get; init; }

    public required double ElevationM { get; init; }

    /// <summary>Each row's timestamp exactly as written in the file, converted to UTC with the file's own time zone.</summary>
    public required DateTime[] LabelUtc { get; init; }

    /// <summary>The row's month (1…12) as written: the month of the typical year it stands for.</summary>
    public required int[] Month { get; init; }

    public required double[] GhiWPerM2 { get; init; }

    public required double[] DniWPerM2 { get; init; }

    public required double[] DhiWPerM2 { get; init; }

    public required double[] AirTemperatureC { get; init; }

    public required double[] WindSpeedMPerS { get; init; }

    /// <summary>The file's own solar zenith column when it has one (NSRDB), else null.</summary>
    public double[]? FileSolarZenithDeg { get; init; }

    /// <summary>The file's line number of each row (1-based), for messages.</summary>
    public required int[] LineNumber { get; init; }

    /// <summary>From a row's label to the instant its irradiance represents (the format's documented convention, or the override).</summary>
    public required TimeSpan IrradianceOffset { get; init; }

    /// <summary>A sentence saying which instant a row's irradiance belongs to and why.</summary>
    public required string TimeConvention { get; init; }

    public int Count => LabelUtc.Length;

    /// <summary>The instant at which the sun is computed for row <paramref name="i"/>.</summary>
    public DateTime SunInstantUtc(int i) => LabelUtc[i] + IrradianceOffset;

    /// <summary>A copy whose irradiance instant is the label plus <paramref name="shift"/> (overrides the format's convention).</summary>
    public WeatherSeries WithTimeShift(TimeSpan shift) => new()
    {
        SourcePath = SourcePath,
        Format = Format,
        LatitudeDeg = LatitudeDeg,
        LongitudeDeg = LongitudeDeg,
        ElevationM = ElevationM,
        LabelUtc = LabelUtc,
        Month = Month,
        GhiWPerM2 = GhiWPerM2,
        DniWPerM2 = DniWPerM2,
        DhiWPerM2 = DhiWPerM2,
        AirTemperatureC = AirTemperatureC,
        WindSpeedMPerS = WindSpeedMPerS,
        FileSolarZenithDeg = FileSolarZenithDeg,
        LineNumber = LineNumber,
        IrradianceOffset = shift,
        TimeConvention = $"override: irradiance at the row's timestamp as written (UTC) {(shift >= TimeSpan.Zero ? "+" : "-")} {Math.Abs(shift.TotalMinutes):0.##} min (--time-shift-min)",
    };
}

/// <summary>A weather file that cannot be read: the message names the file, line and column.</summary>
public sealed class WeatherFileException(string path, int line, int column, string detail)
    : Exception($"{path}:{line}:{column}: {detail}")
{
    public string SourcePath { get; } = path;

    public int Line { get; } = line;

    public int Column { get; } = column;

    public string Detail { get; } = detail;
}
