namespace SmartRegion.Solar.Finance;

/// <summary>A value that depends on the installation's size: it applies up to and including <see cref="UpToKwp"/>.</summary>
public readonly record struct SizeBand(double UpToKwp, double Value);

/// <summary>Money and climate parameters of a rooftop installation (all prices VAT included).</summary>
/// <remarks>The French defaults, each with its source and date, are in config/solar-defaults.json.</remarks>
public sealed record FinanceParameters
{
    public required IReadOnlyList<SizeBand> InstalledCostEurPerKwp { get; init; }

    public required IReadOnlyList<SizeBand> SelfConsumptionPremiumEurPerKwp { get; init; }

    public required double ElectricityPriceEurPerKwh { get; init; }

    public required double ElectricityPriceEscalationPerYear { get; init; }

    public required IReadOnlyList<SizeBand> SurplusTariffEurPerKwh { get; init; }

    public required double AnnualMaintenanceFractionOfCost { get; init; }

    public required double ModuleDegradationPerYear { get; init; }

    public required double HouseholdConsumptionKwhPerYear { get; init; }

    public required int AnalysisYears { get; init; }

    public required double GridCo2KgPerKwh { get; init; }

    /// <summary>The value of the band that holds <paramref name="kwp"/> (bands sorted by their upper bound).</summary>
    public static double ForSize(IReadOnlyList<SizeBand> bands, double kwp)
    {
        foreach (var band in bands)
        {
            if (kwp <= band.UpToKwp)
            {
                return band.Value;
            }
        }
        return bands.Count > 0 ? bands[^1].Value : 0;
    }
}

/// <summary>What an installation costs, saves and avoids.</summary>
/// <param name="SelfConsumedFraction">Share of the production used in the home.</param>
/// <param name="PaybackYears">Years until cumulative savings repay the net cost; null when not within the analysis period.</param>
/// <param name="NetGainEur">Savings over the analysis period minus the net cost.</param>
public sealed record FinanceResult(
    double InstalledCostEur,
    double PremiumEur,
    double NetCostEur,
    double SelfConsumedFraction,
    double FirstYearSavingsEur,
    double FirstYearSurplusRevenueEur,
    double? PaybackYears,
    double NetGainEur,
    int AnalysisYears,
    double Co2AvoidedKgPerYear);

/// <summary>Cost, savings with self-consumption, payback, net gain and CO₂ avoided of a rooftop installation.</summary>
public static class FinanceModel
{
    /// <summary>Evaluates an installation of <paramref name="kwp"/> producing <paramref name="annualKwhAc"/> in its first year.</summary>
    /// <param name="selfConsumedFraction">Share of production consumed on site (see <see cref="SelfConsumption"/>).</param>
    /// <remarks>
    /// Year y (1-based): production × (1 − degradation)^(y−1); the self-consumed part saves the retail price, which grows
    /// by the escalation rate; the surplus earns the feed-in tariff, fixed for the contract; maintenance is a fixed share
    /// of the installed cost. Payback is interpolated within the year the cumulative balance turns positive.
    /// </remarks>
    public static FinanceResult Evaluate(double kwp, double annualKwhAc, double selfConsumedFraction, FinanceParameters p)
    {
        if (kwp <= 0 || annualKwhAc <= 0)
        {
            return new FinanceResult(0, 0, 0, 0, 0, 0, null, 0, p.AnalysisYears, 0);
        }
        var fraction = Math.Clamp(selfConsumedFraction, 0, 1);
        var cost = kwp * FinanceParameters.ForSize(p.InstalledCostEurPerKwp, kwp);
        var premium = kwp * FinanceParameters.ForSize(p.SelfConsumptionPremiumEurPerKwp, kwp);
        var netCost = Math.Max(0, cost - premium);
        var tariff = FinanceParameters.ForSize(p.SurplusTariffEurPerKwh, kwp);
        var maintenance = cost * p.AnnualMaintenanceFractionOfCost;

        double cumulative = -netCost, total = 0, firstSavings = 0, firstSurplus = 0;
        double? payback = null;
        for (var year = 1; year <= p.AnalysisYears; year++)
        {
            var production = annualKwhAc * Math.Pow(1 - p.ModuleDegradationPerYear, year - 1);
            var price = p.ElectricityPriceEurPerKwh * Math.Pow(1 + p.ElectricityPriceEscalationPerYear, year - 1);
            var saved = production * fraction * price;
            var surplus = production * (1 - fraction) * tariff;
            var net = saved + surplus - maintenance;
            if (year == 1)
            {
                firstSavings = saved;
                firstSurplus = surplus;
            }
            if (payback is null && net > 0 && cumulative + net >= 0)
            {
                payback = year - 1 + (-cumulative) / net;
            }
            cumulative += net;
            total += net;
        }
        return new FinanceResult(
            cost, premium, netCost, fraction, firstSavings, firstSurplus, payback, total - netCost, p.AnalysisYears,
            annualKwhAc * p.GridCo2KgPerKwh);
    }
}
