using System.Text.Json;
using SmartRegion.Geo.Crs;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Data.Catalog.Uploads;

/// <summary>
/// An uploaded GeoJSON (FeatureCollection, a single Feature, or GeoJSONSeq) as a table: <see cref="GeoJsonFeatureStream"/>
/// splits it into features, each parsed alone, so memory is bounded by the largest feature, never the file. Properties
/// become columns (union over all features, first-seen order); the geometry becomes a "geometry" column.
/// </summary>
public sealed class GeoJsonTabularSource : ITabularSource
{
    private readonly string _path;
    private readonly UploadLimits _limits;
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public GeoJsonTabularSource(string path, UploadLimits limits)
    {
        _path = path;
        _limits = limits;
        var names = new List<string>();
        var sawGeometry = false;
        long count = 0;
        string? crs = null;
        foreach (var (_, feature, crsName) in Features(CancellationToken.None))
        {
            count++;
            crs = crsName;
            if (feature.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in props.EnumerateObject())
                {
                    if (!_index.ContainsKey(p.Name))
                    {
                        if (names.Count >= limits.MaxColumns)
                        {
                            throw new UploadFailure($"feature {count}: more than {limits.MaxColumns} distinct properties");
                        }
                        _index[p.Name] = names.Count;
                        names.Add(p.Name);
                    }
                }
            }
            sawGeometry |= feature.TryGetProperty("geometry", out var g) && g.ValueKind == JsonValueKind.Object;
        }
        Srid = crs is null ? 4326 : SridOf(crs);
        var geometryField = _index.ContainsKey("geometry") ? "_geometry" : "geometry";
        var fields = names.Select(n => new SourceField(n)).ToList();
        if (sawGeometry)
        {
            fields.Add(new SourceField(geometryField, "geojson"));
        }
        Fields = fields;
        Detected = new Dictionary<string, object?> { ["features"] = count, ["srid"] = Srid, ["rowIs"] = "feature number" };
    }

    public IReadOnlyList<SourceField> Fields { get; }

    public IReadOnlyDictionary<string, object?> Detected { get; }

    public int Srid { get; }

    public char DecimalSeparator => '.';

    public IEnumerable<SourceRow> ReadRows(CancellationToken cancellationToken)
    {
        var width = Fields.Count;
        var geometryIndex = Fields.Count > 0 && Fields[^1].GeometryEncoding is not null ? width - 1 : -1;
        foreach (var (number, feature, _) in Features(cancellationToken))
        {
            var values = new string?[width];
            if (feature.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in props.EnumerateObject())
                {
                    values[_index[p.Name]] = p.Value.ValueKind switch
                    {
                        JsonValueKind.String => p.Value.GetString(),
                        JsonValueKind.Null => null,
                        _ => p.Value.GetRawText(),
                    };
                }
            }
            if (geometryIndex >= 0 && feature.TryGetProperty("geometry", out var g) && g.ValueKind == JsonValueKind.Object)
            {
                values[geometryIndex] = g.GetRawText();
            }
            yield return new SourceRow(number, values);
        }
    }

    /// <summary>Each feature, numbered from 1, parsed alone, with the file's CRS name as known so far.</summary>
    private IEnumerable<(long Number, JsonElement Feature, string? CrsName)> Features(CancellationToken cancellationToken)
    {
        using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var features = new GeoJsonFeatureStream(stream, fileName: null, ownsStream: false, maxFeatureBytes: _limits.MaxFeatureBytes);
        long number = 0;
        while (features.Next() is { } bytes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            number++;
            using var doc = Parse(bytes, $"feature {number}");
            yield return (number, doc.RootElement, features.CrsName);
        }
    }

    private static JsonDocument Parse(byte[] bytes, string what)
    {
        try
        {
            return JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new UploadFailure($"{what} is not valid JSON: {e.Message}");
        }
    }

    private static int SridOf(string crsName)
    {
        try
        {
            return KnownCrs.Parse(crsName);
        }
        catch (UnsupportedCrsException)
        {
            throw new UploadFailure($"crs '{crsName}' is not an EPSG code");
        }
    }
}
