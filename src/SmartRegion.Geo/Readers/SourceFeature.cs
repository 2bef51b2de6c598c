using NetTopologySuite.Geometries;

namespace SmartRegion.Geo.Readers;

/// <summary>One feature as a reader found it: position in the file, id, geometry in the file's CRS, attributes as JSON text.</summary>
/// <param name="Index">0-based feature index in the file (or data row index for CSV).</param>
/// <param name="Line">1-based line in the file when the format has lines (CSV, GeoJSONSeq), else null.</param>
/// <param name="Id">The feature's own id (GeoJSON <c>id</c>, CityJSON object id, GeoPackage fid), if any.</param>
/// <param name="Geometry">The geometry in the source CRS (null when the feature has none).</param>
/// <param name="Attributes">Every source attribute as one JSON object, UTF-8 (kept verbatim as jsonb, never decoded to text).</param>
/// <param name="RoofSurfaces">LOD2 roof polygons in the source CRS (CityJSON), empty otherwise.</param>
public sealed record SourceFeature(int Index, long? Line, string? Id, Geometry? Geometry, ReadOnlyMemory<byte> Attributes, IReadOnlyList<Polygon> RoofSurfaces)
{
    /// <summary>A feature whose attributes are JSON text.</summary>
    public SourceFeature(int index, long? line, string? id, Geometry? geometry, string attributesJson, IReadOnlyList<Polygon> roofSurfaces)
        : this(index, line, id, geometry, System.Text.Encoding.UTF8.GetBytes(attributesJson), roofSurfaces)
    {
    }

    /// <summary>The attributes as JSON text (for messages and tests; the loaders use the UTF-8 bytes).</summary>
    public string AttributesJson => System.Text.Encoding.UTF8.GetString(Attributes.Span);

    /// <summary>The full 3D geometry when the footprint is not all of it (CityJSON solids), in the source CRS.</summary>
    public Geometry? Solid3d { get; init; }

    /// <summary>
    /// The geometry's positions when the reader was handed a buffer for them and the geometry is polygonal (<see cref="Geometry"/>
    /// is then null): the caller's buffer, valid until its next feature is read into it.
    /// </summary>
    public PolygonCoordinates? Polygons { get; init; }

    /// <summary>The geometry still encoded as the reader found it (a GeoPackage blob), for the thread that maps the feature to decode (<see cref="GeoPackageBlob.Decode"/>).</summary>
    public GeoPackageGeometry? EncodedGeometry { get; init; }

    /// <summary>When the reader could not read a field: which one.</summary>
    public string? ErrorField { get; init; }

    /// <summary>When the reader could not read a field: why (the feature is rejected with this).</summary>
    public string? Error { get; init; }

    /// <summary>Where this feature is, for messages: "feature 12" or "line 14".</summary>
    public string Where => Line is { } l ? $"line {l}" : $"feature {Index}";
}

/// <summary>The file cannot be read further: the message names the file, the place (feature index, line, byte offset) and what is wrong.</summary>
public sealed class SourceFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A problem with one feature: which feature, which field, what is wrong.</summary>
public sealed record FeatureProblem(int FeatureIndex, long? Line, string? SourceId, string? Field, string Reason);
