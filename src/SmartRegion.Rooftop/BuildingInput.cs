using NetTopologySuite.Geometries;

namespace SmartRegion.Rooftop;

/// <summary>A LOD2 roof face as ingested.</summary>
public sealed record Lod2Face(Polygon Polygon, double TiltDeg, double? AzimuthDeg, double AreaM2);

/// <summary>A building of a tile (a target to compute) or of its neighbourhood (it only casts shade).</summary>
/// <param name="Footprint">2D footprint in the storage CRS.</param>
/// <param name="GroundAltitudeM">Ground altitude (NGF-IGN69) when known.</param>
/// <param name="Facts">What the report says of the building beside its results (targets only); without them no report document is written.</param>
/// <param name="RoofCovering">The roof's covering material (SmartRegion.Geo.Buildings.RoofCovering's vocabulary: tiles, slates…), when the source says.</param>
public sealed record BuildingInput(
    long Id, Geometry Footprint, double? HeightAboveGroundM, double? GroundAltitudeM, double? RoofMinAltitudeM, double? RoofMaxAltitudeM,
    int? Storeys, string? RoofShape, bool IsTarget, IReadOnlyList<Lod2Face> Lod2Faces, BuildingFacts? Facts = null, string? RoofCovering = null);

/// <summary>The building as its report names it: source and ids, height, roof shape, use, and the nearest address.</summary>
/// <param name="SourceIds">The source's own id under the source's name, then the other known ids (cleabs, rnb), in that order.</param>
public sealed record BuildingFacts(
    string Source, string SourceId, IReadOnlyList<KeyValuePair<string, string>> SourceIds, double? HeightAboveGroundM, string? RoofShape,
    string? Usage, NearestAddress? Address);

/// <summary>The address nearest a building (within the report's search distance), and how far it is from the footprint.</summary>
public sealed record NearestAddress(string Label, decimal DistanceM);
