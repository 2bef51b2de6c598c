using System.Diagnostics;
using System.Security.Cryptography;
using Npgsql;
using SmartRegion.Data.RegionLoading;
using SmartRegion.Data.Solar;
using SmartRegion.Solar.Weather;

namespace SmartRegion.Pipelines.Ingest;

internal sealed record WeatherIngestOptions(string Path, WeatherFormat Format, string? Name, string? Licence, TimeSpan? TimeShift);

/// <summary><c>ingest weather</c>: a typical-year file becomes a station and its hourly series, in one transaction.</summary>
internal static class WeatherIngest
{
    public static async Task<IngestReport> RunAsync(NpgsqlDataSource dataSource, WeatherIngestOptions o, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        WeatherSeries series;
        try
        {
            series = await WeatherFile.ReadAsync(o.Path, o.Format, o.TimeShift, cancellationToken);
        }
        catch (WeatherFileException e)
        {
            throw new Cli.CliFailureException(e.Message);
        }
        var source = series.Format;
        var name = o.Name ?? System.IO.Path.GetFileNameWithoutExtension(o.Path);
        var licence = o.Licence ?? DefaultLicence(series);
        var sha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(o.Path, cancellationToken)));
        var report = new IngestReport { Kind = "weather", File = o.Path, Source = source, Format = series.Format, FileSha256 = sha };
        var runId = await IngestRuns.StartAsync(dataSource,
            new IngestRunStart("weather", source, System.IO.Path.GetFileName(o.Path), new FileInfo(o.Path).Length, series.Format, 4326,
                IngestRunJson.Write(new WeatherRunOptions(name, o.TimeShift?.TotalMinutes))), cancellationToken);
        report.RunId = runId;
        var counts = new IngestRunCounts(series.Count, series.Count, 0, 0, 0, series.Count, 0, 0, 0);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            await WeatherStationStore.SaveAsync(connection, tx, source, name, licence, series, runId, cancellationToken);
            await IngestRuns.FinishAsync(connection, tx, runId, "succeeded", counts, sha, null, cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException)
        {
            await IngestRuns.FailAsync(dataSource, runId, counts, sha, e.Message);
            throw;
        }
        report.Status = "succeeded";
        report.Read = report.Accepted = report.Inserted = series.Count;
        report.DurationS = clock.Elapsed.TotalSeconds;
        report.RowsPerS = series.Count / Math.Max(report.DurationS, 1e-3);
        return report;
    }

    private static string? DefaultLicence(WeatherSeries series) => series.Format switch
    {
        "pvgis-csv" or "pvgis-json" => "PVGIS © European Union, free reuse with acknowledgement of the source",
        "nsrdb" => "NREL NSRDB, freely available; cite Sengupta et al. (2018)",
        _ => null,
    };
}
