namespace SmartRegion.Parquet;

/// <summary>Page compression codecs this library writes.</summary>
public enum ParquetCodec { Uncompressed, Snappy, Gzip, Zstd }

/// <summary>How a <see cref="ParquetWriter"/> lays out the file.</summary>
public sealed class ParquetWriterOptions
{
    /// <summary>SNAPPY by default, the ecosystem's default.</summary>
    public ParquetCodec Codec { get; init; } = ParquetCodec.Snappy;

    /// <summary>Rows per row group (DuckDB's default); memory use is bounded by one row group.</summary>
    public int RowGroupRows { get; init; } = 122_880;

    /// <summary>A row group is also closed early when its buffered values reach this size.</summary>
    public long RowGroupBytes { get; init; } = 128L << 20;

    /// <summary>Target uncompressed size of a data page.</summary>
    public int PageBytes { get; init; } = 1 << 20;

    /// <summary>Write DATA_PAGE_V2 (levels uncompressed, outside the values) instead of the more widely read v1 pages.</summary>
    public bool DataPageV2 { get; init; }

    /// <summary>Use RLE_DICTIONARY when it is smaller than PLAIN and the dictionary fits <see cref="DictionaryMaxBytes"/>.</summary>
    public bool Dictionary { get; init; } = true;

    public int DictionaryMaxBytes { get; init; } = 1 << 20;

    /// <summary>String min/max statistics longer than this are left out (they would bloat the footer).</summary>
    public int MaxStatisticsBytes { get; init; } = 4096;

    /// <summary>Threads that encode a row group's column chunks side by side (the file is the same whatever the number).</summary>
    public int MaxThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>Key-value metadata added to the footer.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>When set, the file is GeoParquet 1.1 with this geometry column.</summary>
    public GeoParquetOptions? Geo { get; init; }
}

/// <summary>Coordinate reference systems the writer can declare in GeoParquet metadata.</summary>
public enum GeoCrs
{
    /// <summary>OGC:CRS84 (WGS 84, longitude/latitude): the GeoParquet default, so <c>crs</c> is omitted.</summary>
    Crs84,

    /// <summary>EPSG:2154, RGF93 v1 / Lambert-93: the storage CRS for mainland France.</summary>
    Lambert93,
}

/// <summary>GeoParquet 1.1 output: which column holds WKB, its CRS, and whether to add a bbox covering column.</summary>
public sealed class GeoParquetOptions
{
    public string GeometryColumn { get; init; } = "geometry";

    public GeoCrs Crs { get; init; } = GeoCrs.Crs84;

    /// <summary>Adds a <c>bbox</c> struct column (xmin, ymin, xmax, ymax) declared as the geometry's covering.</summary>
    public bool BboxCovering { get; init; }
}
