using Npgsql;
using SmartRegion.Data.Barometer;
using SmartRegion.Data.Catalog;
using SmartRegion.Pipelines.Cli;

namespace SmartRegion.Pipelines.Commands;

/// <summary>
/// The catalogue side of a finished solar run: a complete run becomes the new version of the platform's solar dataset, and
/// the barometer (sums by commune, département and region, and their dataset) is refreshed.
/// </summary>
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
            foreach (var (publication, unit) in new[] { (p, "buildings"), (p.RoofFaces, "roof faces") })
            {
                if (publication is not null)
                {
                    Console.Error.WriteLine(publication.VersionNumber is { } n
                        ? $"Catalogue: dataset '{publication.DatasetSlug}' version {n} published ({publication.RowCount} {unit} of solar run {runId})."
                        : $"Catalogue: dataset '{publication.DatasetSlug}' unchanged: {publication.SkippedBecause}.");
                }
            }
        }
        catch (CatalogConflictException e)
        {
            throw new CliFailureException($"solar run {runId} is complete, but its results could not be published in the catalogue: {e.Message}");
        }
        var b = await BarometerCommands.RefreshAsync(dataSource, null, cancellationToken);
        Console.Error.WriteLine($"Barometer: refresh {b.RefreshId}: {b.Communes} communes, {b.Departements} départements, {b.Buildings} buildings; " +
            (b.DatasetVersion is { } v ? $"dataset '{BarometerDataset.Slug}' version {v} published." : $"dataset '{BarometerDataset.Slug}' unchanged: {b.DatasetSkippedBecause}."));
    }
}
