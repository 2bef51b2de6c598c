using SmartRegion.Geo.Readers;

namespace SmartRegion.Pipelines.Ingest;

/// <summary>CityJSON / CityJSONSeq buildings with their LOD2 roof surfaces.</summary>
internal sealed class CityJsonFeatureSource(string path, bool srsGiven) : Lod2FeatureSource(path, srsGiven)
{
    private readonly CityJsonReader _reader = new(path);

    public override string Format => _reader.IsSequence ? "cityjsonseq" : "cityjson";

    public override int? DeclaredEpsg => _reader.DeclaredEpsg;

    public override long BytesRead => _reader.BytesRead;

    protected override string NoCrs => "the CityJSON declares no metadata.referenceSystem";

    protected override IEnumerable<SourceFeature> Features(CancellationToken cancellationToken) => _reader.Read(cancellationToken);

    public override void Dispose() => _reader.Dispose();
}
