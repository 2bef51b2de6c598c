using Npgsql;
using SmartRegion.Data.Catalog;
using SmartRegion.Pipelines.Cli;

namespace SmartRegion.Pipelines.Commands;

/// <summary>The catalogue side of a finished solar run: a complete run becomes the new version of the platform's solar dataset.</summary>
internal static class SolarDatasetPublishing
{
    /// <summary>Publishes the run when <paramref name="status"/> is complete (any other status never publishes); says what it did on stderr.</summary>
    public static async Task PublishIfCompleteAsync(NpgsqlDataSource dataSource, long runId, string status, CancellationToken cancellationToken)
    {
        if (status != "complete")
        {
            return;
        }
        try
        {
            var p = await new SolarDataset(dataSource).PublishRunAsync(runId, cancellationToken);
            Console.Error.WriteLine(p.VersionNumber is { } n
                ? $"Catalogue: dataset '{p.DatasetSlug}' version {n} published ({p.RowCount} buildings of solar run {runId})."
                : $"Catalogue: dataset '{p.DatasetSlug}' unchanged: {p.SkippedBecause}.");
        }
        catch (CatalogConflictException e)
        {
            throw new CliFailureException($"solar run {runId} is complete, but its results could not be published in the catalogue: {e.Message}");
        }
    }
}
