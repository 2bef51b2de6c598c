using SmartRegion.Pipelines.Cli;

namespace SmartRegion.Pipelines.Commands;

/// <summary><c>solar poa</c> and <c>solar pv</c>: one plane over a weather file.</summary>
internal static class SolarYieldCommands
{
    public static void PlaneOfArray(CliArgs options, CancellationToken cancellationToken) =>
        throw new CliFailureException("solar poa is not available yet");

    public static void Pv(CliArgs options, CancellationToken cancellationToken) =>
        throw new CliFailureException("solar pv is not available yet");
}
