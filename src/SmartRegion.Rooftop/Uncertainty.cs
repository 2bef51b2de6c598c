namespace SmartRegion.Rooftop;

/// <summary>The relative band of a building's annual energy, from what is known about it.</summary>
/// <param name="Reasons">What widened the band, each with its share, for people.</param>
public sealed record UncertaintyBand(double RelativeLow, double RelativeHigh, List<string> Reasons);

/// <summary>How sure the annual energy is: the weather and PV model, the roof's origin, missing heights, the station's distance.</summary>
public static class Uncertainty
{
    /// <summary>The band of <paramref name="prep"/>'s annual energy with its station <paramref name="stationDistanceKm"/> away.</summary>
    public static UncertaintyBand Band(PreparedBuilding prep, double stationDistanceKm)
    {
        // Base: typical-year weather vs any given year and the PV model (≈ ±7 %).
        double low = 0.07, high = 0.07;
        var reasons = new List<string> { "typical-year weather and PV model: ±7 %" };
        if (prep.Inferred)
        {
            low += 0.12;
            high += 0.08;
            reasons.Add("roof inferred from footprint and heights (no LOD2 model): −12 %/+8 %");
        }
        if (prep.Notes.Any(n => n.StartsWith("no height", StringComparison.Ordinal) || n.StartsWith("ground altitude unknown", StringComparison.Ordinal)))
        {
            low += 0.08;
            high += 0.08;
            reasons.Add("missing heights or ground altitude: ±8 %");
        }
        if (stationDistanceKm > 30)
        {
            var extra = Math.Min(0.10, (stationDistanceKm - 30) / 700);
            low += extra;
            high += extra;
            reasons.Add($"weather station {stationDistanceKm:F0} km away: ±{extra:P0}");
        }
        return new UncertaintyBand(Math.Min(low, 0.9), high, reasons);
    }
}
