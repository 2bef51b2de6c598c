using SmartRegion.Geo.Buildings;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Pipelines.Ingest;

/// <summary>One unit of work for the parsing threads: raw GeoJSON bytes to parse, or a feature a reader already built.</summary>
internal readonly record struct FeatureWork(int Index, byte[]? Json, SourceFeature? Parsed);

/// <summary>A file opened for ingestion, whatever its format.</summary>
internal interface IFeatureSource : IDisposable
{
    string Format { get; }

    /// <summary>The CRS the file declares (known after the first feature for GeoJSON), or null.</summary>
    int? DeclaredEpsg { get; }

    /// <summary>The attribute vocabulary when the format implies it (CityJSON), else null (detected per feature).</summary>
    BuildingSchema? Schema { get; }

    long BytesRead { get; }

    long TotalBytes { get; }

    /// <summary>Rows the reader skipped on purpose (e.g. destroyed BD TOPO versions).</summary>
    int Filtered { get; }

    IEnumerable<FeatureWork> Read(CancellationToken cancellationToken);

    /// <summary>SHA-256 of the file (hex).</summary>
    string Sha256();
}

/// <summary>Opens a file with the reader its format needs.</summary>
internal static class FeatureSources
{
    public static readonly string[] Formats = ["geojson", "gpkg", "csv", "cityjson", "citygml"];

    /// <summary>The format of <paramref name="path"/> from its name (and first bytes when the name is ambiguous).</summary>
    public static string Detect(string path)
    {
        var name = SourceFile.InnerName(path).ToLowerInvariant();
        if (name.EndsWith(".gpkg", StringComparison.Ordinal))
        {
            return "gpkg";
        }
        if (name.EndsWith(".csv", StringComparison.Ordinal) || name.EndsWith(".tsv", StringComparison.Ordinal))
        {
            return "csv";
        }
        if (name.Contains(".city.", StringComparison.Ordinal) || name.EndsWith(".cityjson", StringComparison.Ordinal))
        {
            return "cityjson";
        }
        if (name.EndsWith(".gml", StringComparison.Ordinal) || name.EndsWith(".citygml", StringComparison.Ordinal))
        {
            return "citygml";
        }
        if (name.EndsWith(".xml", StringComparison.Ordinal) && Head(path).Contains("<CityModel", StringComparison.Ordinal))
        {
            return "citygml";
        }
        if (name.EndsWith(".json", StringComparison.Ordinal) || name.EndsWith(".jsonl", StringComparison.Ordinal))
        {
            // A CityJSON file not named .city.json still says so in its first bytes.
            if (Head(path).Contains("\"CityJSON", StringComparison.Ordinal))
            {
                return "cityjson";
            }
        }
        return "geojson";
    }

    // The first 4 kB of the file's content, as text.
    private static string Head(string path)
    {
        using var f = SourceFile.OpenContent(path);
        var head = new byte[4096];
        var n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return System.Text.Encoding.UTF8.GetString(head, 0, n);
    }

    public static IFeatureSource Open(string path, string format, string? layer, CsvSourceOptions csv, bool srsGiven) => format switch
    {
        "geojson" => new GeoJsonFeatureSource(path),
        "gpkg" => SourceFile.IsGzip(path)
            ? throw new SourceFormatException($"{Path.GetFileName(path)} is gzip-compressed: a GeoPackage is an SQLite database, read in place; gunzip it first")
            : new GeoPackageFeatureSource(path, layer),
        "csv" => new CsvFeatureSource(path, csv),
        "cityjson" => new CityJsonFeatureSource(path, srsGiven),
        "citygml" => new CityGmlFeatureSource(path, srsGiven),
        _ => throw new Cli.CliUsageException($"--format: '{format}' is not one of {string.Join(", ", Formats)}"),
    };
}
