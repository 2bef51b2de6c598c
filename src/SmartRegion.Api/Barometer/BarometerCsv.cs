using System.Globalization;
using System.Text;
using SmartRegion.Api.Infrastructure;
using SmartRegion.Data.Barometer;

namespace SmartRegion.Api.Barometer;

/// <summary>The dashboard's table as CSV: the open dataset's field names (without the boundary), one row per commune.</summary>
internal static class BarometerCsv
{
    public static string Write(IReadOnlyList<AreaFigures> communes, RefreshInfo refresh)
    {
        var classes = communes.Count == 0 ? 5 : communes.Max(c => c.Suitability.Count);
        var header = new List<string>
        {
            "commune_code", "commune_name", "departement_code", "departement_name", "buildings", "buildings_analysed", "buildings_skipped",
            "buildings_failed", "roof_area_m2", "usable_area_m2", "mean_irradiation_kwh_per_m2",
        };
        header.AddRange(Enumerable.Range(1, classes).Select(k => $"buildings_class_{k}"));
        header.AddRange(Enumerable.Range(1, classes).Select(k => $"roof_area_class_{k}_m2"));
        header.AddRange([
            "installable_mwp", "potential_gwh_per_year", "co2_avoidable_t_per_year", "dwellings", "residential_use_gwh_per_year",
            "potential_share_of_residential_use", "installations", "installed_mwp", "installed_share_of_installable", "solar_runs",
            "refreshed_at",
        ]);
        var csv = new StringBuilder();
        csv.AppendJoin(',', header).Append('\n');
        foreach (var c in communes)
        {
            var row = new List<string>
            {
                c.Code, c.Name ?? "", c.DepartementCode ?? "", c.DepartementName ?? "", I(c.Buildings), I(c.BuildingsAnalysed),
                I(c.BuildingsSkipped), I(c.BuildingsFailed), N(c.RoofAreaM2), N(c.UsableAreaM2), N(c.MeanIrradiationKwhPerM2),
            };
            row.AddRange(Enumerable.Range(0, classes).Select(k => k < c.Suitability.Count ? I(c.Suitability[k].Buildings) : "0"));
            row.AddRange(Enumerable.Range(0, classes).Select(k => k < c.Suitability.Count ? N(c.Suitability[k].RoofAreaM2) : "0"));
            row.AddRange([
                N(c.InstallableMwp), N(c.PotentialGwhPerYear), N(c.Co2AvoidableTPerYear), I(c.Dwellings), N(c.ResidentialUseGwhPerYear),
                N(c.PotentialShareOfResidentialUse), c.Installations is { } n ? I(n) : "", N(c.InstalledMwp), N(c.InstalledShareOfInstallable),
                string.Join(' ', c.Runs), refresh.RefreshedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ]);
            csv.AppendJoin(',', row.Select(s => CsvText.Cell(s))).Append('\n');
        }
        return csv.ToString();
    }

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string N(double? value) => BarometerEndpoints.Number(value);
}
