using SmartRegion.Geo.Readers;

namespace SmartRegion.Pipelines.Ingest;

/// <summary>CityGML 2.0 / 1.0 LOD2 buildings with their RoofSurface polygons, streamed one building at a time.</summary>
internal sealed class CityGmlFeatureSource(string path, bool srsGiven) : Lod2FeatureSource(path, srsGiven)
{
    // With --srs the operator's CRS stands, whatever the file's srsName attributes say.
    private readonly CityGmlReader _reader = new(path, ignoreSrsNames: srsGiven);

    public override string Format => "citygml";

    public override int? DeclaredEpsg => _reader.DeclaredEpsg;

    public override long BytesRead => _reader.BytesRead;

    // Lyon's files name none: they are EPSG:3946.
    protected override string NoCrs => "the CityGML names no CRS (no srsName before its first building's end)";

    protected override IEnumerable<SourceFeature> Features(CancellationToken cancellationToken) => _reader.Read(cancellationToken);

    public override void Dispose() => _reader.Dispose();
}
