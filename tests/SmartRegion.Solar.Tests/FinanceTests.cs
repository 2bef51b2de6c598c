using SmartRegion.Solar.Finance;

namespace SmartRegion.Solar.Tests;

public sealed class FinanceTests
{
    private static FinanceParameters Simple(double escalation = 0, double degradation = 0, double maintenance = 0) => new()
    {
        InstalledCostEurPerKwp = [new SizeBand(3, 2000), new SizeBand(9, 1800), new SizeBand(1e9, 1000)],
        SelfConsumptionPremiumEurPerKwp = [new SizeBand(9, 100), new SizeBand(1e9, 0)],
        ElectricityPriceEurPerKwh = 0.20,
        ElectricityPriceEscalationPerYear = escalation,
        SurplusTariffEurPerKwh = [new SizeBand(9, 0.05), new SizeBand(1e9, 0.0)],
        AnnualMaintenanceFractionOfCost = maintenance,
        ModuleDegradationPerYear = degradation,
        HouseholdConsumptionKwhPerYear = 4500,
        AnalysisYears = 20,
        GridCo2KgPerKwh = 0.05,
    };

    [Fact]
    public void Evaluate_FlatPrices_PaybackIsNetCostOverYearlyGain()
    {
        // 3 kWp: cost 6,000 €, premium 300 € → net 5,700 €. 3,600 kWh, half used at home: 1,800 × 0.20 + 1,800 × 0.05 = 450 €/yr.
        var r = FinanceModel.Evaluate(3, 3600, 0.5, Simple());

        Assert.Equal(6000, r.InstalledCostEur, 1e-9);
        Assert.Equal(300, r.PremiumEur, 1e-9);
        Assert.Equal(5700, r.NetCostEur, 1e-9);
        Assert.Equal(360, r.FirstYearSavingsEur, 1e-9);
        Assert.Equal(90, r.FirstYearSurplusRevenueEur, 1e-9);
        Assert.Equal(5700 / 450.0, r.PaybackYears!.Value, 1e-9);
        Assert.Equal(20 * 450 - 5700, r.NetGainEur, 1e-9);
        Assert.Equal(180, r.Co2AvoidedKgPerYear, 1e-9);
    }

    [Fact]
    public void Evaluate_SizeBands_PickTheBandHoldingTheSize()
    {
        Assert.Equal(2000, FinanceParameters.ForSize(Simple().InstalledCostEurPerKwp, 3));
        Assert.Equal(1800, FinanceParameters.ForSize(Simple().InstalledCostEurPerKwp, 3.01));
        Assert.Equal(1000, FinanceParameters.ForSize(Simple().InstalledCostEurPerKwp, 250));
        var big = FinanceModel.Evaluate(100, 110_000, 0.05, Simple());
        Assert.Equal(100_000, big.NetCostEur, 1e-6);   // no premium above 9 kWp in this table
    }

    [Fact]
    public void Evaluate_DegradationAndMaintenance_LowerTheGainAndDelayPayback()
    {
        var plain = FinanceModel.Evaluate(3, 3600, 0.5, Simple());
        var worn = FinanceModel.Evaluate(3, 3600, 0.5, Simple(degradation: 0.01, maintenance: 0.01));
        Assert.True(worn.NetGainEur < plain.NetGainEur);
        Assert.True(worn.PaybackYears > plain.PaybackYears);
        // Year 2 produces 1% less; maintenance is 60 €/yr: year-1 net = 450 − 60.
        var expectedGain = Enumerable.Range(0, 20).Sum(y => 450 * Math.Pow(0.99, y) - 60) - 5700;
        Assert.Equal(expectedGain, worn.NetGainEur, 1e-6);
    }

    [Fact]
    public void Evaluate_NeverRepaid_HasNoPayback()
    {
        var r = FinanceModel.Evaluate(3, 300, 0.5, Simple());
        Assert.Null(r.PaybackYears);
        Assert.True(r.NetGainEur < 0);
    }

    [Fact]
    public void Evaluate_NothingInstalled_IsAllZero()
    {
        var r = FinanceModel.Evaluate(0, 0, 0.5, Simple());
        Assert.Equal(0, r.NetCostEur);
        Assert.Null(r.PaybackYears);
    }

    [Fact]
    public void SelfConsumption_SmallSystem_UsesMostOfItsProductionLargeSystemLittle()
    {
        // A flat daytime production shape over a year of hours, against the household profile.
        var month = new int[8760];
        var hour = new int[8760];
        var shape = new double[8760];
        for (var i = 0; i < 8760; i++)
        {
            var day = i / 24;
            month[i] = Math.Min(12, day / 31 + 1);
            hour[i] = i % 24;
            shape[i] = hour[i] is >= 9 and <= 16 ? 1.0 / (365 * 8) : 0;
        }
        var load = SelfConsumption.HouseholdLoadKwh(month, hour, 4500);
        Assert.Equal(4500, load.Sum(), 1e-6);
        var small = SelfConsumption.Fraction(shape, load, 300);
        var large = SelfConsumption.Fraction(shape, load, 30_000);
        Assert.InRange(small, 0.95, 1.0 + 1e-9);
        Assert.InRange(large, 0.0, 0.1);
        var curve = new SelfConsumption.Curve(shape, load);
        Assert.Equal(SelfConsumption.Fraction(shape, load, 3000), curve.At(3000), 0.01);
    }

    [Theory]
    [InlineData(799.9, 1)]
    [InlineData(800, 2)]
    [InlineData(1199, 3)]
    [InlineData(1400, 5)]
    public void Suitability_Bands_ClassifyLikeTheIssue(double kwhPerM2, int expected) =>
        Assert.Equal(expected, Suitability.Classify(kwhPerM2, Suitability.DefaultBandsKwhPerM2));
}
