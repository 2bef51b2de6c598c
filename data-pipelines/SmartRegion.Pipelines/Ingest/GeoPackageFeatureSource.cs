using NetTopologySuite.Geometries;
using SmartRegion.Geo.Buildings;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Pipelines.Ingest;

/// <summary>One layer of a GeoPackage.</summary>
internal sealed class GeoPackageFeatureSource(string path, string? layer) : IFeatureSource
{
    private readonly GeoPackageReader _reader = new(path, layer);
    private long _read;

    public string Format => "gpkg";

    public int? DeclaredEpsg => _reader.DeclaredEpsg;

    public BuildingSchema? Schema => null;

    public long BytesRead => _read;

    public long TotalBytes { get; } = new FileInfo(path).Length;

    public int Filtered => 0;

    public IEnumerable<FeatureWork> Read(CancellationToken cancellationToken)
    {
        // Geometries stay blobs here: the workers decode them (GeoPackageBlob.Decode), polygons straight into flat coordinates.
        foreach (var f in _reader.Read(new GeometryFactory(), cancellationToken, decodeGeometry: false))
        {
            _read = TotalBytes * Math.Min(f.Index, 1000) / 1000; // SQLite reads by page: progress is only indicative
            yield return new FeatureWork(f.Index, null, f);
        }
        _read = TotalBytes;
    }

    public string Sha256()
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(f));
    }

    public void Dispose() => _reader.Dispose();
}
