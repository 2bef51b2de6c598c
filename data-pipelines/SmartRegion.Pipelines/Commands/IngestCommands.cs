using SmartRegion.Data;
using SmartRegion.Geo.Crs;
using SmartRegion.Geo.Readers;
using SmartRegion.Pipelines.Cli;
using SmartRegion.Pipelines.Ingest;

namespace SmartRegion.Pipelines.Commands;

/// <summary><c>ingest buildings|addresses|boundaries|weather FILE …</c>: load a region's open data into PostGIS (in the storage CRS, config/region.json).</summary>
internal static class IngestCommands
{
    public const string Usage = """
        ingest buildings FILE [--format geojson|gpkg|csv|cityjson|citygml] [--layer NAME] [--srs EPSG:N] [--source NAME]
                              [--id-field NAME] [--wkt-col NAME] [--strict] [--dry-run] [--replace-source] [--report PATH]
                          GeoJSON / GeoJSONSeq, GeoPackage, CSV with WKT, CityJSON / CityJSONSeq → region.building (+ roof_surface)
        ingest addresses FILE [--format ban|bal|csv] [--lat-col NAME] [--lon-col NAME] [--srs EPSG:N] [--source NAME] [--report PATH]
        ingest boundaries FILE --level commune|arrondissement|departement|region [--code-field F] [--name-field F] [--report PATH]
        ingest weather FILE [--format auto|pvgis-csv|pvgis-json|epw|nsrdb] [--name NAME] [--licence TEXT] [--time-shift-min N] [--report PATH]
                          a typical-year weather file → weather.station + weather.hourly (stored at the irradiance instant)
        """;

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var kind = args.FirstOrDefault() ?? throw new CliUsageException("ingest needs a kind: buildings | addresses | boundaries | weather");
        var options = CliArgs.Parse(args.Skip(1), "strict", "dry-run", "replace-source");
        var file = options.Positionals.Count == 1 ? options.Positionals[0] : throw new CliUsageException($"ingest {kind} needs exactly one FILE");
        if (!File.Exists(file))
        {
            throw new CliFailureException(Directory.Exists(file) ? $"{file}: is a directory: give one file" : $"{file}: no such file");
        }
        return kind switch
        {
            "buildings" => await BuildingsAsync(file, options, cancellationToken),
            "addresses" => await AddressesAsync(file, options, cancellationToken),
            "boundaries" => await BoundariesAsync(file, options, cancellationToken),
            "weather" => await WeatherAsync(file, options, cancellationToken),
            _ => throw new CliUsageException($"unknown ingest kind '{kind}' (buildings | addresses | boundaries | weather)"),
        };
    }

    private static async Task<int> BuildingsAsync(string file, CliArgs options, CancellationToken cancellationToken)
    {
        var format = options.String("format") is { } f ? options.Choice("format", "geojson", FeatureSources.Formats) : FeatureSources.Detect(file);
        var source = options.String("source");
        var replace = options.Flag("replace-source");
        if (replace && source is null)
        {
            throw new CliUsageException("--replace-source retires every building of the source that the file lacks: name the source with --source");
        }
        var o = new BuildingIngestOptions(file, format, options.String("layer"), Srs(options), source, options.String("id-field"),
            options.Flag("strict"), options.Flag("dry-run"), replace,
            new CsvSourceOptions(options.String("wkt-col"), options.String("lon-col"), options.String("lat-col"), null),
            Math.Max(1, Environment.ProcessorCount));
        return await RunAsync("buildings", file, options,
            ds => BuildingIngest.RunAsync(ds, o, new ProgressLine("buildings"), cancellationToken));
    }

    private static async Task<int> AddressesAsync(string file, CliArgs options, CancellationToken cancellationToken)
    {
        var o = new AddressIngestOptions(file, options.Choice("format", "auto", "auto", "ban", "bal", "csv"), options.String("lat-col"),
            options.String("lon-col"), Srs(options), options.String("source"));
        return await RunAsync("addresses", file, options, ds => AddressIngest.RunAsync(ds, o, cancellationToken));
    }

    private static async Task<int> WeatherAsync(string file, CliArgs options, CancellationToken cancellationToken)
    {
        var formatName = options.Choice("format", "auto", "auto", "pvgis-csv", "pvgis-json", "epw", "nsrdb");
        var shift = options.Int("time-shift-min", -720, 720);
        var o = new WeatherIngestOptions(file, SmartRegion.Solar.Weather.WeatherFile.ParseFormat(formatName)!.Value, options.String("name"),
            options.String("licence"), shift is { } m ? TimeSpan.FromMinutes(m) : null);
        return await RunAsync("weather", file, options, ds => WeatherIngest.RunAsync(ds, o, cancellationToken));
    }

    private static async Task<int> BoundariesAsync(string file, CliArgs options, CancellationToken cancellationToken)
    {
        var level = options.String("level") is null
            ? throw new CliUsageException("--level is required (commune | arrondissement | departement | region)")
            : options.Choice("level", "commune", "commune", "arrondissement", "departement", "region");
        var o = new BoundaryIngestOptions(file, level, options.String("code-field"), options.String("name-field"), Srs(options));
        return await RunAsync("boundaries", file, options, ds => BoundaryIngest.RunAsync(ds, o, cancellationToken));
    }

    // Shared tail of every ingest: one data source, file problems as user-actionable failures, report file + summary line.
    private static async Task<int> RunAsync(string kind, string file, CliArgs options, Func<Npgsql.NpgsqlDataSource, Task<IngestReport>> run)
    {
        var reportPath = options.String("report") ?? DefaultReportPath(kind, file);
        options.RejectUnknown();
        await using var dataSource = SmartRegionDatabase.CreateDataSource(SmartRegionDatabase.ConnectionStringFromEnvironment(), "smartregion-ingest");
        IngestReport report;
        try
        {
            report = await run(dataSource);
        }
        catch (Exception e) when (e is SourceFormatException or UnsupportedCrsException)
        {
            throw new CliFailureException(e.Message);
        }
        report.WriteTo(reportPath);
        Console.Out.WriteLine(report.SummaryLine() + $"; report {reportPath}");
        return 0;
    }

    private static int? Srs(CliArgs options)
    {
        if (options.String("srs") is not { } srs)
        {
            return null;
        }
        try
        {
            var epsg = KnownCrs.Parse(srs);
            return KnownCrs.IsSupported(epsg) ? epsg : throw new CliUsageException($"--srs: EPSG:{epsg} is not supported ({string.Join(", ", KnownCrs.Supported.Select(s => "EPSG:" + s))})");
        }
        catch (UnsupportedCrsException e)
        {
            throw new CliUsageException("--srs: " + e.Message);
        }
    }

    // Reports go to the project's .smartregion/reports/ (beside its database and logs), never beside the input (data folders
    // are often read-only) nor into whatever directory the command ran from; one file per run, named by time.
    internal static string DefaultReportPath(string kind, string file, string? projectRoot = null, DateTimeOffset? now = null)
    {
        var root = projectRoot ?? ProjectRoot() ?? Environment.CurrentDirectory;
        var stamp = (now ?? DateTimeOffset.UtcNow).ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        return Path.Combine(root, ".smartregion", "reports", $"ingest-{kind}-{Path.GetFileName(file).Split('.')[0]}-{stamp}.json");
    }

    // The checkout the CLI was built in: the first parent of the binary that holds the ./smartregion script.
    private static string? ProjectRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "smartregion")) && File.Exists(Path.Combine(dir.FullName, "SmartRegion.sln")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
