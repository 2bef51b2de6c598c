namespace SmartRegion.Api.Barometer;

/// <summary>
/// One figure of the barometer and how it is computed from the published building results (<c>solar-potential-buildings</c>):
/// the aggregate of the explore API that gives it (before the unit conversion), on which rows.
/// </summary>
/// <param name="Select">The ODSQL aggregate over the buildings dataset, or null when the figure is not a single aggregate of it.</param>
/// <param name="OkOnly">Counts only the buildings computed (status ok).</param>
/// <param name="Divisor">Select ÷ this = the figure (kWh → GWh: 1e6).</param>
internal sealed record BarometerIndicator(string Key, string Unit, string Formula, string? Select, bool OkOnly, double Divisor, string? ExtraWhere = null);

internal static class BarometerIndicators
{
    public static readonly IReadOnlyList<BarometerIndicator> All =
    [
        new("buildings", "", "number of buildings with a solar result (computed, skipped or failed)", "count(*)", false, 1),
        new("buildingsAnalysed", "", "number of buildings computed (status ok)", "count(*)", true, 1),
        new("roofAreaM2", "m²", "Σ roof_area_m2 of the buildings computed", "sum(roof_area_m2)", true, 1),
        new("usableAreaM2", "m²", "Σ usable_area_m2 of the buildings computed", "sum(usable_area_m2)", true, 1),
        new("meanIrradiationKwhPerM2", "kWh/m²/an", "Σ (mean_irradiation_kwh_per_m2 × roof_area_m2) ÷ Σ roof_area_m2 of the buildings computed", null, true, 1),
        new("installableMwp", "MWc", "Σ installable_kwp of the buildings computed ÷ 1 000", "sum(installable_kwp)", true, 1e3),
        new("potentialGwhPerYear", "GWh/an", "Σ annual_kwh_ac of the buildings computed ÷ 1 000 000", "sum(annual_kwh_ac)", true, 1e6),
        new("co2AvoidableTPerYear", "t/an", "Σ co2_avoided_kg_per_year of the buildings computed ÷ 1 000", "sum(co2_avoided_kg_per_year)", true, 1e3),
        new("residentialUseGwhPerYear", "GWh/an",
            "dwellings of these buildings (BD TOPO nombre_de_logements) × residential electricity use per dwelling (assumption, with its source) ÷ 1 000 000", null, false, 1e6),
        new("potentialShareOfResidentialUse", "%", "potentialGwhPerYear ÷ residentialUseGwhPerYear", null, false, 1),
        new("installedMwp", "MWc", "Σ peak power of the installations dataset's rows in the commune ÷ 1 000", null, false, 1e3),
        new("installedShareOfInstallable", "%", "installedMwp ÷ installableMwp", null, false, 1),
        .. Enumerable.Range(1, 5).Select(k => new BarometerIndicator($"buildingsClass{k}", "",
            $"number of buildings computed whose best roof face is in suitability class {k}", "count(*)", true, 1, $"suitability_class = {k}")),
    ];
}
