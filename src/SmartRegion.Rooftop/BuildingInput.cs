using NetTopologySuite.Geometries;

namespace SmartRegion.Rooftop;

/// <summary>A LOD2 roof face as ingested.</summary>
public sealed record Lod2Face(Polygon Polygon, double TiltDeg, double? AzimuthDeg, double AreaM2);

/// <summary>A building of a tile (a target to compute) or of its neighbourhood (it only casts shade).</summary>
/// <param name="Footprint">2D footprint in the storage CRS.</param>
/// <param name="GroundAltitudeM">Ground altitude (NGF-IGN69) when known.</param>
public sealed record BuildingInput(
    long Id, Geometry Footprint, double? HeightAboveGroundM, double? GroundAltitudeM, double? RoofMinAltitudeM, double? RoofMaxAltitudeM,
    int? Storeys, string? RoofShape, bool IsTarget, IReadOnlyList<Lod2Face> Lod2Faces);
