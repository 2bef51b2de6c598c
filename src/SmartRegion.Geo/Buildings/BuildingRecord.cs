using NetTopologySuite.Geometries;

namespace SmartRegion.Geo.Buildings;

/// <summary>A building ready for storage: footprint in Lambert-93, heights with their datum in the name, every source attribute.</summary>
public sealed class BuildingRecord
{
    public required int FeatureIndex { get; init; }

    /// <summary>The source's own id (BD TOPO cleabs, OSM id, BAG identificatie…), unique within the source.</summary>
    public required string SourceId { get; init; }

    /// <summary>
    /// 2D footprint as a MultiPolygon in the storage CRS (<see cref="RegionSettings.StorageSrid"/>), little-endian EWKB with its SRID:
    /// the mapper's buffer, valid until it maps its next feature.
    /// </summary>
    public required ReadOnlyMemory<byte> FootprintEwkb { get; init; }

    /// <summary>
    /// The source's 3D geometry in the storage CRS (Z in <see cref="AltitudeDatum"/>), when it has Z, as EWKB with Z: the mapper's
    /// buffer, valid until it maps its next feature.
    /// </summary>
    public ReadOnlyMemory<byte>? Geometry3dEwkb { get; init; }

    public double? HeightAboveGroundM { get; set; }

    /// <summary>Ground altitude, NGF-IGN69 (metres); null for sources in another vertical datum.</summary>
    public double? GroundAltitudeNgfIgn69M { get; set; }

    public double? RoofMinAltitudeNgfIgn69M { get; set; }

    public double? RoofMaxAltitudeNgfIgn69M { get; set; }

    /// <summary>Vertical datum of the Z values of <see cref="Geometry3dEwkb"/> and the roof surfaces (NGF-IGN69, NAP, LN02, unknown).</summary>
    public string? AltitudeDatum { get; init; }

    public int? Storeys { get; set; }

    /// <summary>Normalised roof shape: flat, gabled, hipped, pitched, multiple, dome, other.</summary>
    public string? RoofShape { get; set; }

    public string? Usage { get; set; }

    /// <summary>Roof covering material, normalised (the vocabulary of the RoofCovering class: tiles, slates, metal, concrete, glass, other).</summary>
    public string? RoofCovering { get; set; }

    /// <summary>Every source attribute, as a JSON object (UTF-8).</summary>
    public required ReadOnlyMemory<byte> Attributes { get; init; }

    /// <summary>LOD2 roof faces (CityJSON RoofSurface) in the storage CRS.</summary>
    public IReadOnlyList<RoofFace> RoofFaces { get; init; } = [];

    /// <summary>What GeometryFixer changed, when it did.</summary>
    public string? Repair { get; set; }
}

/// <summary>A roof face: 3D polygon (storage CRS), plane fit tilt and azimuth, true (sloped) area.</summary>
/// <param name="Polygon">PolygonZ in the storage CRS.</param>
/// <param name="TiltDeg">0 = horizontal.</param>
/// <param name="AzimuthDeg">Compass degrees the face looks to (N 0, E 90, S 180, W 270); null when flat.</param>
/// <param name="AreaM2">True 3D area.</param>
public sealed record RoofFace(Polygon Polygon, double TiltDeg, double? AzimuthDeg, double AreaM2);
