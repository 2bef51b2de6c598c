namespace SmartRegion.Pipelines.Commands;

internal static class GeocodeCommand
{
    public const string Usage = """
        geocode "ADDRESS" [--limit N]   top matches from region.address as JSON, with scores
        """;

    public static Task<int> RunAsync(string[] args, CancellationToken cancellationToken) => throw new Cli.CliFailureException("not yet");
}
