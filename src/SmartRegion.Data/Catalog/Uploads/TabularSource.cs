namespace SmartRegion.Data.Catalog.Uploads;

/// <summary>The upload cannot be loaded; the message says why and where (line, feature, column). The job fails with it.</summary>
public sealed class UploadFailure(string message) : Exception(message);

/// <summary>
/// One column of a source as the file declares it (geometry columns say how their values are encoded). Typed formats
/// (Parquet) give the catalogue type in <paramref name="DeclaredType"/>, and then no inference is done.
/// </summary>
public sealed record SourceField(string Name, string? GeometryEncoding = null, string? DeclaredType = null);

/// <summary>A row of text values aligned with <see cref="ITabularSource.Fields"/>; <see cref="Line"/> is the file line, feature index or row id; <see cref="Error"/> marks a malformed row.</summary>
public readonly record struct SourceRow(long Line, string?[] Values, string? Error = null);

/// <summary>
/// A tabular view of an uploaded file that can be read more than once (inference, then load), each pass streaming
/// from disk so memory stays bounded whatever the file size.
/// </summary>
public interface ITabularSource
{
    IReadOnlyList<SourceField> Fields { get; }

    /// <summary>What was detected about the file (encoding, delimiter, layer, CRS…), for the report.</summary>
    IReadOnlyDictionary<string, object?> Detected { get; }

    /// <summary>The EPSG code of the geometries in the file (4326 when it says nothing).</summary>
    int Srid { get; }

    /// <summary>How the source writes decimals in text values ('.' or ',').</summary>
    char DecimalSeparator { get; }

    IEnumerable<SourceRow> ReadRows(CancellationToken cancellationToken);
}

/// <summary>
/// Bounds that keep hostile files from exhausting memory or time. <paramref name="JobTimeoutSeconds"/>: how long one job
/// may read its file before it fails with that reason (so one file never holds the queue longer).
/// <paramref name="MaxFeatureBytes"/>: a GeoJSON feature's bytes, a CSV record's characters, a GeoPackage row's bytes.
/// <paramref name="MaxReaderMemoryBytes"/>: what reading a Parquet file may hold at once (its footer, then one row group).
/// </summary>
public sealed record UploadLimits(int MaxColumns = 1_000, int MaxFieldChars = 1_000_000, int MaxFeatureBytes = 64 * 1024 * 1024, int MaxReportedErrors = 100,
    double JobTimeoutSeconds = 900, long MaxReaderMemoryBytes = 512L * 1024 * 1024)
{
    public TimeSpan JobTimeout => TimeSpan.FromSeconds(Math.Max(0.1, JobTimeoutSeconds));
}
