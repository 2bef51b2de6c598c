using Npgsql;

namespace SmartRegion.Pipelines.Ingest;

internal sealed record BoundaryIngestOptions(string Path, string Level, string? CodeField, string? NameField, int? Epsg);

internal static class BoundaryIngest
{
    public static Task<IngestReport> RunAsync(NpgsqlDataSource dataSource, BoundaryIngestOptions o, CancellationToken cancellationToken) =>
        throw new Cli.CliFailureException("not yet");
}
