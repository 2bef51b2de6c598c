using Npgsql;

namespace SmartRegion.Pipelines.Ingest;

internal sealed record AddressIngestOptions(string Path, string Format, string? LatColumn, string? LonColumn, int? Epsg, string? Source);

internal static class AddressIngest
{
    public static Task<IngestReport> RunAsync(NpgsqlDataSource dataSource, AddressIngestOptions o, CancellationToken cancellationToken) =>
        throw new Cli.CliFailureException("not yet");
}
