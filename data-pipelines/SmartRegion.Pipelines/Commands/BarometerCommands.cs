using Npgsql;
using SmartRegion.Data;
using SmartRegion.Data.Barometer;
using SmartRegion.Data.Catalog;
using SmartRegion.Pipelines.Cli;

namespace SmartRegion.Pipelines.Commands;

/// <summary><c>barometer refresh</c>: the solar results summed by commune, département and region, and their open dataset.</summary>
internal static class BarometerCommands
{
    public const string Usage = """
        barometer refresh [--config FILE]
                          sum the latest solar results by commune, département and region (barometer.area) and publish the
                          commune rows as the dataset solar-potential-by-commune; a complete compute solar does it itself.
                          --config: overrides of config/barometer.json (consumption per dwelling, installations dataset)
        """;

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var verb = args.FirstOrDefault() ?? throw new CliUsageException("barometer needs a subcommand: refresh");
        var options = CliArgs.Parse(args.Skip(1));
        switch (verb)
        {
            case "refresh":
            {
                var config = options.String("config");
                options.RejectUnknown();
                await using var dataSource = SmartRegionDatabase.CreateDataSource(SmartRegionDatabase.ConnectionStringFromEnvironment(), "smartregion-cli");
                var result = await RefreshAsync(dataSource, config, cancellationToken);
                CliJson.Write(result);
                return 0;
            }
            default:
                throw new CliUsageException($"unknown barometer subcommand '{verb}' (expected refresh)");
        }
    }

    /// <summary>Refreshes with config/barometer.json (and <paramref name="overridePath"/>); a bad file or a conflict is a CLI failure naming it.</summary>
    internal static async Task<BarometerRefreshResult> RefreshAsync(NpgsqlDataSource dataSource, string? overridePath, CancellationToken cancellationToken)
    {
        try
        {
            var parameters = BarometerParameters.Load(BarometerParameters.DefaultPath(), overridePath);
            return await new BarometerRefresh(dataSource).RefreshAsync(parameters, cancellationToken);
        }
        catch (Exception e) when (e is BarometerConfigException or CatalogConflictException)
        {
            throw new CliFailureException(e.Message);
        }
    }
}
