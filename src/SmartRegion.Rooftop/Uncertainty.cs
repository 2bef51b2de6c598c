namespace SmartRegion.Rooftop;

/// <summary>The relative band of a building's annual energy, from what is known about it.</summary>
/// <param name="Reasons">What widened the band, each with its share, for people.</param>
public sealed record UncertaintyBand(double RelativeLow, double RelativeHigh, List<string> Reasons);

/// <summary>The widths of the band (relative to the annual energy), each from config/solar-defaults.json's <c>uncertainty</c>.</summary>
/// <param name="WeatherAndModelRelative">Every building: a typical year against any given year, and the PV model.</param>
/// <param name="StationFreeKm">A station this close adds nothing; beyond, 1 (100 %) per <paramref name="StationKmPerRelative"/> km, up to <paramref name="StationMaxRelative"/>.</param>
public sealed record UncertaintyParameters(
    double WeatherAndModelRelative, double InferredRoofRelativeLow, double InferredRoofRelativeHigh, double MissingHeightsRelative,
    double StationFreeKm, double StationKmPerRelative, double StationMaxRelative, double MaxRelativeLow)
{
    /// <summary>The widths of runs stored before they were settings.</summary>
    public static readonly UncertaintyParameters StoredRunDefaults = new(0.07, 0.12, 0.08, 0.08, 30, 700, 0.10, 0.9);
}

/// <summary>How sure the annual energy is: the weather and PV model, the roof's origin, missing heights, the station's distance.</summary>
public static class Uncertainty
{
    /// <summary>The band of <paramref name="prep"/>'s annual energy with its station <paramref name="stationDistanceKm"/> away.</summary>
    public static UncertaintyBand Band(PreparedBuilding prep, double stationDistanceKm, UncertaintyParameters u)
    {
        double low = u.WeatherAndModelRelative, high = u.WeatherAndModelRelative;
        var reasons = new List<string> { $"typical-year weather and PV model: ±{Percent(u.WeatherAndModelRelative)} %" };
        if (prep.Inferred)
        {
            low += u.InferredRoofRelativeLow;
            high += u.InferredRoofRelativeHigh;
            reasons.Add($"roof inferred from footprint and heights (no LOD2 model): −{Percent(u.InferredRoofRelativeLow)} %/+{Percent(u.InferredRoofRelativeHigh)} %");
        }
        if (prep.Notes.Contains(ResultNote.HeightFromStoreys) || prep.Notes.Contains(ResultNote.GroundAltitudeUnknown))
        {
            low += u.MissingHeightsRelative;
            high += u.MissingHeightsRelative;
            reasons.Add($"missing heights or ground altitude: ±{Percent(u.MissingHeightsRelative)} %");
        }
        if (stationDistanceKm > u.StationFreeKm)
        {
            var extra = Math.Min(u.StationMaxRelative, (stationDistanceKm - u.StationFreeKm) / u.StationKmPerRelative);
            low += extra;
            high += extra;
            reasons.Add($"weather station {stationDistanceKm:F0} km away: ±{extra:P0}");
        }
        return new UncertaintyBand(Math.Min(low, u.MaxRelativeLow), high, reasons);
    }

    private static string Percent(double relative) => (relative * 100).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
}
