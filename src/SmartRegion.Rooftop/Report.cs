using System.Text.Json;
using NetTopologySuite.Geometries;
using SmartRegion.Solar.Finance;

namespace SmartRegion.Rooftop;

/// <summary>
/// A building's result from its faces (DESIGN.md, "The solar method", step 7): totals, the 12 months, configurations (the
/// best modules first), cost, savings with self-consumption, payback, CO₂ avoided and the uncertainty band.
/// </summary>
public static class Report
{
    /// <summary>The building's result; <paramref name="panelKwhAc"/> holds every module's year, all faces together.</summary>
    public static BuildingResult Build(
        BuildingInput b, PreparedBuilding prep, List<FaceResult> faceRows, List<double> panelKwhAc, Point centre, SolarRunContext run)
    {
        var p = run.Parameters;
        var roofArea = faceRows.Sum(f => f.AreaM2);
        var usableArea = faceRows.Sum(f => f.UsableAreaM2);
        var meanIrradiation = roofArea > 0 ? faceRows.Sum(f => f.AnnualIrradiationKwhPerM2 * f.AreaM2) / roofArea : 0;
        var panelCount = faceRows.Sum(f => f.PanelCount);
        var kwp = faceRows.Sum(f => f.InstallableKwp);
        var annual = faceRows.Sum(f => f.AnnualKwhAc);
        var monthly = Enumerable.Range(0, 12).Select(m => (float)faceRows.Sum(f => f.MonthlyKwhAc[m])).ToArray();

        var configurations = Configurations(panelKwhAc, p, run);
        var fullFinance = FinanceModel.Evaluate(kwp, annual, run.SelfConsumptionCurve.At(annual), p.Finance);
        var recommended = configurations.Count == 0 ? null : configurations.MaxBy(c => c.NetGainEur);
        var financeJson = JsonSerializer.Serialize(new FinanceDocument(
            FinanceJson(fullFinance, panelCount, kwp, annual),
            recommended is null ? null : FinanceJson(recommended.Finance, recommended.PanelCount, recommended.InstallableKwp, recommended.AnnualKwhAc),
            "EUR", PricesIncludeVat: true), SolarResultJson.Default.FinanceDocument);
        var configurationsJson = JsonSerializer.Serialize(configurations.Select(c => new ConfigurationDocument(
            c.PanelCount,
            Math.Round(c.InstallableKwp, 3),
            Math.Round(c.AnnualKwhAc, 1),
            c.InstallableKwp > 0 ? Math.Round(c.AnnualKwhAc / c.InstallableKwp, 1) : 0,
            Math.Round(c.Finance.NetCostEur, 0),
            c.Finance.PaybackYears is { } y ? Math.Round(y, 1) : null,
            Math.Round(c.NetGainEur, 0),
            ReferenceEquals(c, recommended))).ToList(), SolarResultJson.Default.ListConfigurationDocument);

        var distanceKm = run.StationDistanceKm(centre);
        var band = Uncertainty.Band(prep, distanceKm, p.Uncertainty);
        var uncertaintyJson = JsonSerializer.Serialize(new UncertaintyDocument(
            Math.Round(band.RelativeLow, 3),
            Math.Round(band.RelativeHigh, 3),
            Math.Round(annual * (1 - band.RelativeLow), 0),
            Math.Round(annual * (1 + band.RelativeHigh), 0),
            band.Reasons,
            [.. prep.Notes.Select(ResultCodes.Code)]), SolarResultJson.Default.UncertaintyDocument);

        return new BuildingResult(
            b.Id, BuildingStatus.Ok, null, prep.Notes,
            prep.Faces.Select(f => f.Origin).Distinct().Count() > 1 ? "mixed" : prep.Faces[0].Origin,
            centre, roofArea, usableArea, meanIrradiation, panelCount, kwp, annual, monthly,
            configurationsJson, financeJson, annual * p.Finance.GridCo2KgPerKwh, uncertaintyJson, distanceKm, faceRows);
    }

    /// <summary>The smallest installations (1, 2, 3 modules) are always offered: a household's first choice is often the smallest.</summary>
    private const int SmallestSizesAlwaysListed = 3;

    private sealed record Configuration(int PanelCount, double InstallableKwp, double AnnualKwhAc, FinanceResult Finance)
    {
        public double NetGainEur => Finance.NetGainEur;
    }

    /// <summary>
    /// Google-style: the best panels first; n panels → kWh/yr and money, at up to report.configurationSizes sizes (plus the
    /// first <see cref="SmallestSizesAlwaysListed"/>) ending with the whole roof.
    /// </summary>
    private static List<Configuration> Configurations(List<double> panelKwhAc, SolarParameters p, SolarRunContext run)
    {
        var sorted = panelKwhAc.OrderDescending().ToArray();
        var list = new List<Configuration>();
        if (sorted.Length == 0)
        {
            return list;
        }
        var step = Math.Max(1, (int)Math.Ceiling(sorted.Length / (double)p.ConfigurationSizes));
        double cumulative = 0;
        for (var n = 1; n <= sorted.Length; n++)
        {
            cumulative += sorted[n - 1];
            if (n % step == 0 || n == sorted.Length || n <= SmallestSizesAlwaysListed)
            {
                var kwp = n * p.Module.PeakPowerWp / 1000;
                var finance = FinanceModel.Evaluate(kwp, cumulative, run.SelfConsumptionCurve.At(cumulative), p.Finance);
                list.Add(new Configuration(n, kwp, cumulative, finance));
            }
        }
        return list;
    }

    private static FinanceFigures FinanceJson(FinanceResult f, int panels, double kwp, double kwh) => new(
        panels,
        Math.Round(kwp, 3),
        Math.Round(kwh, 1),
        Math.Round(f.InstalledCostEur, 0),
        Math.Round(f.PremiumEur, 0),
        Math.Round(f.NetCostEur, 0),
        Math.Round(f.SelfConsumedFraction, 3),
        Math.Round(f.FirstYearSavingsEur, 0),
        Math.Round(f.FirstYearSurplusRevenueEur, 0),
        f.PaybackYears is { } y ? Math.Round(y, 1) : null,
        Math.Round(f.NetGainEur, 0),
        f.AnalysisYears);
}
