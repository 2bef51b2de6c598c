using System.Text.Json;
using System.Text.Json.Serialization;

namespace SmartRegion.Rooftop;

// The result documents of solar.building_result (configurations, finance, uncertainty), serialized by the source-generated
// fast path (web defaults: camelCase names, numbers as the shortest round-trip text): the reflection-based serializer of
// anonymous objects was a fiftieth of a run's CPU. The property order is the documents' key order.
internal sealed record FinanceDocument(FinanceFigures FullRoof, FinanceFigures? Recommended, string Currency, bool PricesIncludeVat);

internal sealed record FinanceFigures(
    int PanelCount, double InstallableKwp, double AnnualKwhAc, double InstalledCostEur, double PremiumEur, double NetCostEur,
    double SelfConsumedFraction, double FirstYearSavingsEur, double FirstYearSurplusRevenueEur, double? PaybackYears, double NetGainEur,
    int AnalysisYears);

internal sealed record ConfigurationDocument(
    int PanelCount, double InstallableKwp, double AnnualKwhAc, double SpecificYieldKwhPerKwp, double NetCostEur, double? PaybackYears,
    double NetGainEur, bool Recommended);

internal sealed record UncertaintyDocument(
    double RelativeLow, double RelativeHigh, double AnnualKwhAcLow, double AnnualKwhAcHigh, List<string> Reasons, List<string> Notes);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(FinanceDocument))]
[JsonSerializable(typeof(List<ConfigurationDocument>))]
[JsonSerializable(typeof(UncertaintyDocument))]
internal sealed partial class SolarResultJson : JsonSerializerContext;
