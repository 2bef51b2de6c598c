using SmartRegion.Geo.Buildings;
using SmartRegion.Geo.Crs;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Pipelines.Ingest;

/// <summary>GeoJSON / GeoJSONSeq, streamed.</summary>
internal sealed class GeoJsonFeatureSource : IFeatureSource
{
    private readonly HashingStream _stream;
    private readonly Stream _content;
    private readonly GeoJsonFeatureStream _features;

    public GeoJsonFeatureSource(string path)
    {
        TotalBytes = new FileInfo(path).Length;
        _stream = new HashingStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan));
        _content = SourceFile.Content(_stream, path);
        _features = new GeoJsonFeatureStream(_content, Path.GetFileName(path), ownsStream: false);
    }

    public string Format => _features.IsSequence ? "geojsonseq" : "geojson";

    public int? DeclaredEpsg => _features.CrsName is { } name ? KnownCrs.Parse(name) : null;

    public BuildingSchema? Schema => null;

    public long BytesRead => _stream.Position2;

    public long TotalBytes { get; }

    public int Filtered => 0;

    public IEnumerable<FeatureWork> Read(CancellationToken cancellationToken)
    {
        var index = 0;
        while (_features.Next() is { } bytes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new FeatureWork(index++, bytes, null);
        }
    }

    public string Sha256() => _stream.HashHex();

    public void Dispose()
    {
        _features.Dispose();
        _content.Dispose();
        _stream.Dispose();
    }
}
