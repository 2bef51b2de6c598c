using Npgsql;
using SmartRegion.Data;
using SmartRegion.Pipelines.Cli;
using SmartRegion.Pipelines.Sample;
using SmartRegion.Solar.Weather;

namespace SmartRegion.Pipelines.Commands;

/// <summary><c>sample district</c> (write the demo district's files) and <c>sample demo</c> (load and compute it, once).</summary>
internal static class SampleCommands
{
    public const string Usage = """
        sample district [--out DIR] [--seed 42] [--buildings 2000]
                          write the demo district (buildings, addresses, commune, weather; synthetic, labelled demo data)
        sample demo [--out DIR] [--seed 42] [--buildings 2000] [--workers N]
                          generate, ingest and compute the demo district unless it is already computed, and build its 3D tiles
        sample partners [--from DIR]
                          publish the two partner example files (DIR, default $SMARTREGION_SHARED_DATA/partners or
                          ../shared/data/partners) as open datasets of their organisations, unless already published
        """;

    private const double DemoLatitudeDeg = 48.925;
    private const double DemoLongitudeDeg = 2.357;

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var verb = args.FirstOrDefault() ?? throw new CliUsageException("sample needs a subcommand: district | demo | partners");
        var a = CliArgs.Parse(args.Skip(1));
        if (verb == "partners")
        {
            var from = a.String("from") ?? DefaultPartnersFolder();
            a.RejectUnknown();
            await using var dataSource = SmartRegionDatabase.CreateDataSource(SmartRegionDatabase.ConnectionStringFromEnvironment(), "smartregion-sample");
            CliJson.Write(await PartnerDatasets.PublishAsync(dataSource, from, Console.Error, cancellationToken));
            return 0;
        }
        var outDir = a.String("out") ?? Path.Combine(Directory.GetCurrentDirectory(), ".smartregion", "sample");
        var seed = a.Int("seed", 0) ?? 42;
        var buildings = a.Int("buildings", 10, 1_000_000) ?? 2000;
        var workers = verb == "demo" ? a.Int("workers", 1, 64) : null;
        a.RejectUnknown();
        switch (verb)
        {
            case "district":
                var result = Write(outDir, seed, buildings);
                CliJson.Write(result);
                return 0;
            case "demo":
                return await DemoAsync(outDir, seed, buildings, workers, cancellationToken);
            default:
                throw new CliUsageException($"unknown sample subcommand '{verb}' (district | demo | partners)");
        }
    }

    /// <summary>Where the shared real data keeps the partner files: $SMARTREGION_SHARED_DATA/partners, else ../shared/data/partners.</summary>
    private static string DefaultPartnersFolder() =>
        Environment.GetEnvironmentVariable("SMARTREGION_SHARED_DATA") is { Length: > 0 } shared
            ? Path.Combine(shared, "partners")
            : Path.GetFullPath(Path.Combine(Directory.GetCurrentDirectory(), "..", "shared", "data", "partners"));

    private static DemoDistrict.Result Write(string outDir, int seed, int buildings)
    {
        var result = DemoDistrict.Generate(outDir, seed, buildings);
        DemoWeather.Write(Path.Combine(outDir, "demo-weather.csv"), DemoLatitudeDeg, DemoLongitudeDeg, 40);
        return result;
    }

    private static async Task<int> DemoAsync(string outDir, int seed, int buildings, int? workers, CancellationToken cancellationToken)
    {
        await using (var dataSource = SmartRegionDatabase.CreateDataSource(SmartRegionDatabase.ConnectionStringFromEnvironment(), "smartregion-sample"))
        {
            if (await new SmartRegion.Data.Solar.SolarRunStore(dataSource).LatestCompleteCommuneRunAsync(DemoDistrict.CommuneCode, cancellationToken) is { } run)
            {
                Console.Error.WriteLine($"Demo district already computed (solar run {run}).");
                return await Program.RunAsync(["tiles", "build", "--if-stale"], Console.Error, cancellationToken);
            }
        }
        Console.Error.WriteLine($"Generating the demo district (seed {seed}, {buildings} buildings) in {outDir}…");
        var files = Write(outDir, seed, buildings);
        string[][] steps =
        [
            ["ingest", "boundaries", files.BoundaryPath, "--level", "commune"],
            ["ingest", "buildings", files.BuildingsPath, "--source", "demo", "--replace-source"],
            ["ingest", "addresses", files.AddressesPath, "--format", "ban", "--source", "demo"],
            ["ingest", "weather", Path.Combine(outDir, "demo-weather.csv"), "--name", "SmartRegion demo weather (synthetic)", "--licence", "demo data, generated"],
            ["compute", "solar", "--commune", DemoDistrict.CommuneCode, .. (workers is { } w ? new[] { "--workers", w.ToString(System.Globalization.CultureInfo.InvariantCulture) } : [])],
            ["tiles", "build", "--if-stale"],
        ];
        foreach (var step in steps)
        {
            Console.Error.WriteLine($"> smartregion {string.Join(' ', step.Select(s => s.Contains(' ') ? $"\"{s}\"" : s))}");
            var code = await Program.RunAsync(step, Console.Error, cancellationToken);
            if (code != 0)
            {
                Console.Error.WriteLine($"sample demo: step '{step[0]} {step[1]}' failed (exit {code}).");
                return code;
            }
        }
        return 0;
    }
}
