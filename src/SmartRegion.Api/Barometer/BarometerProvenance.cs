using System.Text.Json;
using SmartRegion.Data.Barometer;
using SmartRegion.Data.Catalog;

namespace SmartRegion.Api.Barometer;

/// <summary>One figure's "how was this computed": its formula, the rows it sums, and a query that gives the same number.</summary>
/// <param name="Query">An explore API v2.1 query (when this host serves it and the rows are the buildings dataset's current version), else records API pages to sum.</param>
/// <param name="Value">The figure as stored.</param>
/// <param name="QueryValueDivisor">The query's result ÷ this = the figure (kWh → GWh: 1e6).</param>
internal sealed record HowComputed(string Indicator, string Formula, double? Value, string QueryKind, IReadOnlyList<string> Queries, double QueryValueDivisor);

/// <summary>Provenance of the barometer's figures and the queries that reproduce them.</summary>
internal static class BarometerProvenance
{
    public static object Refresh(RefreshInfo r) => new
    {
        r.Id,
        r.RefreshedAt,
        r.Runs,
        assumptions = r.Parameters,
    };

    public static object Dataset(RefreshInfo r) => new
    {
        id = BarometerDataset.Slug,
        version = r.CurrentDatasetVersion,
        page = $"/catalogue/{BarometerDataset.Slug}",
        metadata = $"/api/v1/datasets/{BarometerDataset.Slug}",
        csv = $"/api/v1/datasets/{BarometerDataset.Slug}/export.csv",
        geojson = $"/api/v1/datasets/{BarometerDataset.Slug}/export.geojson",
        buildings = new { id = SolarDataset.Slug, version = r.CurrentBuildingsDatasetVersion, page = $"/catalogue/{SolarDataset.Slug}" },
    };

    /// <summary>The refresh and the runs this area's buildings come from (id, model version, completion).</summary>
    public static object ForArea(AreaFigures area, RefreshInfo r) => new
    {
        refreshId = r.Id,
        r.RefreshedAt,
        runs = r.Runs.Where(run => area.Runs.Contains(run.RunId)).ToList(),
        datasetVersion = r.CurrentDatasetVersion,
    };

    /// <summary>For each figure of <paramref name="area"/>: its formula and the queries that reproduce it.</summary>
    /// <param name="communes">A département's communes (its rows in the buildings dataset are theirs).</param>
    public static List<HowComputed> HowComputed(AreaFigures area, RefreshInfo refresh, IReadOnlyList<string> communes, bool exploreAvailable)
    {
        var runs = refresh.Runs.Where(run => area.Runs.Contains(run.RunId)).ToList();
        // The explore API reads the buildings dataset's current version: it reproduces the figure when every building counted
        // comes from the run that version holds. Otherwise the records of each run's version are the rows to sum.
        var explore = exploreAvailable && runs.Count == 1 && runs[0].BuildingsDatasetVersion is { } v && v == refresh.CurrentBuildingsDatasetVersion;
        var place = area.Level switch
        {
            "commune" => $"commune_code = \"{area.Code}\"",
            "departement" => communes.Count == 0 ? "false" : $"commune_code in ({string.Join(", ", communes.Select(c => $"\"{c}\""))})",
            _ => null,
        };
        var values = Values(area);
        var list = new List<HowComputed>();
        foreach (var indicator in BarometerIndicators.All)
        {
            values.TryGetValue(indicator.Key, out var value);
            if (indicator.Select is null)
            {
                // Not one aggregate of the buildings dataset: the commune row of the open dataset holds it.
                list.Add(new HowComputed(indicator.Key, FormulaOf(indicator, refresh), value, explore ? "explore" : "records",
                    [ByCommuneRow(area, explore)], 1));
                continue;
            }
            var where = string.Join(" and ", new[] { place, indicator.OkOnly ? "status = \"ok\"" : null, indicator.ExtraWhere }.Where(w => w is not null));
            IReadOnlyList<string> queries = explore
                ? [Explore(SolarDataset.Slug, $"{indicator.Select} as value", where)]
                : runs.Where(run => run.BuildingsDatasetVersion is not null)
                      .Select(run => $"/api/v1/datasets/{SolarDataset.Slug}/records?version={run.BuildingsDatasetVersion}" +
                                     $"&fields=building_id,commune_code,status,suitability_class{FieldOf(indicator.Select)}&limit=10000")
                      .ToList();
            list.Add(new HowComputed(indicator.Key, $"{indicator.Formula}{(where.Length > 0 ? $" — rows where {where}" : "")}", value,
                explore ? "explore" : "records", queries, indicator.Divisor));
        }
        return list;
    }

    private static string FormulaOf(BarometerIndicator indicator, RefreshInfo refresh)
    {
        if (indicator.Key == "residentialUseGwhPerYear"
            && refresh.Parameters.TryGetProperty("residentialElectricityKwhPerDwellingPerYear", out var kwh)
            && kwh.TryGetProperty("value", out var value))
        {
            return $"{indicator.Formula}: {value.GetRawText()} kWh per dwelling and year (value of {Text(kwh, "date")}; its source: refresh.assumptions.residentialElectricityKwhPerDwellingPerYear)";
        }
        if (indicator.Key == "installedMwp" && refresh.Parameters.TryGetProperty("installations", out var installations)
            && installations.TryGetProperty("datasetSlug", out var slug))
        {
            return $"{indicator.Formula} (dataset '{Text(slug, "value")}', when it is published and public)";
        }
        return indicator.Formula;
    }

    private static string Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    private static string ByCommuneRow(AreaFigures area, bool explore)
    {
        var where = area.Level switch
        {
            "commune" => $"commune_code = \"{area.Code}\"",
            "departement" => $"departement_code = \"{area.Code}\"",
            _ => "",
        };
        return explore
            ? Explore(BarometerDataset.Slug, null, where)
            : $"/api/v1/datasets/{BarometerDataset.Slug}/records?limit=10000";
    }

    private static string FieldOf(string select)
    {
        var open = select.IndexOf('(', StringComparison.Ordinal);
        var field = select[(open + 1)..^1];
        return field == "*" ? "" : "," + field;
    }

    /// <summary>An explore API v2.1 records query (ODSQL select and where), its parameters escaped.</summary>
    public static string Explore(string dataset, string? select, string where)
    {
        var query = new List<string>();
        if (select is not null)
        {
            query.Add("select=" + Uri.EscapeDataString(select));
        }
        if (where.Length > 0)
        {
            query.Add("where=" + Uri.EscapeDataString(where));
        }
        return $"{ExploreApiProbe.Prefix}/catalog/datasets/{dataset}/records" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
    }

    private static Dictionary<string, double?> Values(AreaFigures a)
    {
        var values = new Dictionary<string, double?>(StringComparer.Ordinal)
        {
            ["buildings"] = a.Buildings,
            ["buildingsAnalysed"] = a.BuildingsAnalysed,
            ["roofAreaM2"] = a.RoofAreaM2,
            ["usableAreaM2"] = a.UsableAreaM2,
            ["meanIrradiationKwhPerM2"] = a.MeanIrradiationKwhPerM2,
            ["installableMwp"] = a.InstallableMwp,
            ["potentialGwhPerYear"] = a.PotentialGwhPerYear,
            ["co2AvoidableTPerYear"] = a.Co2AvoidableTPerYear,
            ["residentialUseGwhPerYear"] = a.ResidentialUseGwhPerYear,
            ["potentialShareOfResidentialUse"] = a.PotentialShareOfResidentialUse,
            ["installedMwp"] = a.InstalledMwp,
            ["installedShareOfInstallable"] = a.InstalledShareOfInstallable,
        };
        foreach (var c in a.Suitability)
        {
            values[$"buildingsClass{c.Class}"] = c.Buildings;
        }
        return values;
    }
}
