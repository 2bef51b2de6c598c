using SmartRegion.Geo.Buildings;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Pipelines.Ingest;

/// <summary>
/// A 3D building model file (CityJSON, CityGML) whose reader builds the features itself, footprint and LOD2 roof surfaces:
/// what the formats' adapters share.
/// </summary>
internal abstract class Lod2FeatureSource(string path, bool srsGiven) : IFeatureSource
{
    public abstract string Format { get; }

    public abstract int? DeclaredEpsg { get; }

    public BuildingSchema? Schema => null;

    public abstract long BytesRead { get; }

    public long TotalBytes { get; } = new FileInfo(path).Length;

    public int Filtered => 0;

    /// <summary>What to tell the operator when the file names no CRS.</summary>
    protected abstract string NoCrs { get; }

    protected abstract IEnumerable<SourceFeature> Features(CancellationToken cancellationToken);

    public IEnumerable<FeatureWork> Read(CancellationToken cancellationToken)
    {
        var any = false;
        foreach (var f in Features(cancellationToken))
        {
            if (!any && DeclaredEpsg is null && !srsGiven)
            {
                // Without a declared CRS the coordinates could be anything; guessing would put buildings in the wrong country.
                throw new SourceFormatException($"{Path.GetFileName(path)}: {NoCrs}: pass --srs EPSG:N");
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

    public abstract void Dispose();
}
