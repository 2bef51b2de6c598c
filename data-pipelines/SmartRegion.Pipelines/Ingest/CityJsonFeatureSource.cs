using SmartRegion.Geo.Buildings;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Pipelines.Ingest;

/// <summary>CityJSON / CityJSONSeq buildings with their LOD2 roof surfaces.</summary>
internal sealed class CityJsonFeatureSource(string path, bool srsGiven) : IFeatureSource
{
    private readonly CityJsonReader _reader = new(path);

    public string Format => _reader.IsSequence ? "cityjsonseq" : "cityjson";

    public int? DeclaredEpsg => _reader.DeclaredEpsg;

    public BuildingSchema? Schema => null;

    public long BytesRead => _reader.BytesRead;

    public long TotalBytes { get; } = new FileInfo(path).Length;

    public int Filtered => 0;

    public IEnumerable<FeatureWork> Read(CancellationToken cancellationToken)
    {
        var any = false;
        foreach (var f in _reader.Read(cancellationToken))
        {
            if (!any && _reader.DeclaredEpsg is null && !srsGiven)
            {
                // Without referenceSystem the coordinates could be anything; guessing would put buildings in the wrong country.
                throw new SourceFormatException($"{Path.GetFileName(path)}: the CityJSON declares no metadata.referenceSystem: pass --srs EPSG:N");
            }
            any = true;
            yield return new FeatureWork(f.Index, null, f);
        }
    }

    public string Sha256()
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(f));
    }

    public void Dispose() => _reader.Dispose();
}
