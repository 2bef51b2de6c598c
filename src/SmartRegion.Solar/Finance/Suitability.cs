namespace SmartRegion.Solar.Finance;

/// <summary>Suitability classes of a roof face by its annual irradiation.</summary>
public static class Suitability
{
    /// <summary>Issue 5's bands: &lt; 800, 800–1000, 1000–1200, 1200–1400, ≥ 1400 kWh/m²/yr.</summary>
    public static readonly double[] DefaultBandsKwhPerM2 = [800, 1000, 1200, 1400];

    /// <summary>Class 1 (poorest) to bands+1 (best) for an annual irradiation.</summary>
    public static int Classify(double annualIrradiationKwhPerM2, ReadOnlySpan<double> bandsKwhPerM2)
    {
        var c = 1;
        foreach (var b in bandsKwhPerM2)
        {
            if (annualIrradiationKwhPerM2 >= b)
            {
                c++;
            }
        }
        return c;
    }
}
