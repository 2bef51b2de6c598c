using SmartRegion.Geo.Buildings;

namespace SmartRegion.Pipelines.Ingest;

/// <summary>CityJSON / CityJSONSeq.</summary>
internal sealed class CityJsonSource(string path) : IFeatureSource
{
    public string Format => "cityjson";

    public int? DeclaredEpsg => null;

    public BuildingSchema? Schema => BuildingSchema.CityJson;

    public long BytesRead => 0;

    public long TotalBytes { get; } = new FileInfo(path).Length;

    public int Filtered => 0;

    public IEnumerable<FeatureWork> Read(CancellationToken cancellationToken) => throw new Cli.CliFailureException("CityJSON is not supported yet");

    public string Sha256() => "";

    public void Dispose()
    {
    }
}
