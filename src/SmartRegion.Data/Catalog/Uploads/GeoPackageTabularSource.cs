using System.Globalization;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Data.Catalog.Uploads;

/// <summary>
/// An uploaded GeoPackage layer as a table, read by <see cref="GeoPackageReader"/>: its columns become fields, its
/// geometry column a WKB field (the GeoPackage header stripped), its CRS the one gpkg_spatial_ref_sys gives (4326 when none).
/// </summary>
public sealed class GeoPackageTabularSource : ITabularSource
{
    private static readonly GeoPackageLayers Choice = new(AttributeTables: true, FirstWhenSeveral: true, LayerOption: "?layer=");
    private readonly string _path;
    private readonly string _layer;
    private readonly GeoPackageBudget _budget;

    public GeoPackageTabularSource(string path, UploadLimits limits, string? layer)
    {
        _path = path;
        // A row is a feature: the same bound as a GeoJSON feature's; SQLite's memory is the reader's budget.
        _budget = new GeoPackageBudget(limits.MaxFeatureBytes, limits.MaxReaderMemoryBytes);
        using var reader = new GeoPackageReader(path, layer, Choice, _budget);
        if (reader.Columns.Count > limits.MaxColumns)
        {
            throw new UploadFailure($"layer '{reader.Layer}' has more than {limits.MaxColumns} columns");
        }
        _layer = reader.Layer;
        Srid = reader.DeclaredEpsg ?? 4326;
        Fields = reader.Columns.Select((c, i) => new SourceField(c, i == reader.GeometryOrdinal ? "wkb-hex" : null)).ToList();
        Detected = new Dictionary<string, object?> { ["layer"] = reader.Layer, ["layers"] = reader.Layers, ["srid"] = Srid, ["rowIs"] = "row number" };
    }

    public IReadOnlyList<SourceField> Fields { get; }

    public IReadOnlyDictionary<string, object?> Detected { get; }

    public int Srid { get; }

    public char DecimalSeparator => '.';

    public IEnumerable<SourceRow> ReadRows(CancellationToken cancellationToken)
    {
        using var reader = new GeoPackageReader(_path, _layer, Choice, _budget);
        long line = 0;
        foreach (var row in reader.ReadRows(cancellationToken))
        {
            line++;
            var values = new string?[row.Length];
            string? error = null;
            for (var i = 0; i < row.Length; i++)
            {
                if (i == reader.GeometryOrdinal)
                {
                    values[i] = row[i] is byte[] blob ? WkbHex(blob, reader.GeometryColumn!, ref error) : null;
                    continue;
                }
                values[i] = row[i] switch
                {
                    null => null,
                    long l => l.ToString(CultureInfo.InvariantCulture),
                    double d => d.ToString("R", CultureInfo.InvariantCulture),
                    byte[] b => Convert.ToBase64String(b),
                    var v => Convert.ToString(v, CultureInfo.InvariantCulture),
                };
            }
            yield return new SourceRow(line, values, error);
        }
    }

    private static string? WkbHex(byte[] blob, string column, ref string? error)
    {
        try
        {
            return GeoPackageBlob.Wkb(blob, column) is { Length: > 0 } wkb ? Convert.ToHexString(wkb) : null;
        }
        catch (FeatureFieldException e)
        {
            error = $"{e.Field} {e.Message}";
            return null;
        }
    }
}
