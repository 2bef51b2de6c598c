using SmartRegion.Data;
using SmartRegion.Data.Geocoding;
using SmartRegion.Pipelines.Cli;

namespace SmartRegion.Pipelines.Commands;

/// <summary><c>geocode "ADDRESS"</c>: the best matches in region.address, as JSON.</summary>
internal static class GeocodeCommand
{
    public const string Usage = """
        geocode "ADDRESS" [--limit N]   best matches from region.address as JSON (score, Lambert-93 and lon/lat)
        """;

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var options = CliArgs.Parse(args);
        var query = options.Positionals.Count == 1 && !string.IsNullOrWhiteSpace(options.Positionals[0]) ? options.Positionals[0]
            : throw new CliUsageException("geocode needs one quoted, non-empty ADDRESS");
        var limit = options.Int("limit", 1, 100) ?? 5;
        options.RejectUnknown();
        await using var dataSource = SmartRegionDatabase.CreateDataSource(SmartRegionDatabase.ConnectionStringFromEnvironment(), "smartregion-geocode");
        var matches = await AddressSearch.GeocodeAsync(dataSource, query, limit, cancellationToken);
        CliJson.Write(new { query, parsed = AddressSearch.Parse(query), matches });
        return matches.Count > 0 ? 0 : 1;
    }
}
