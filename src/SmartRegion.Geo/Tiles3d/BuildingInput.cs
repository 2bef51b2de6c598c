using NetTopologySuite.Geometries;

namespace SmartRegion.Geo.Tiles3d;

/// <summary>Where a building's solar result stands, as the 3D tiles carry it (the <c>resultStatus</c> enum).</summary>
public enum ResultStatus : byte
{
    /// <summary>No solar run has computed this building.</summary>
    None = 0,
    Ok = 1,
    Skipped = 2,
    Failed = 3,
}

/// <summary>One roof face with its published result; <paramref name="PolygonZ"/> in the storage CRS, Z in NGF-IGN69 metres.</summary>
public sealed record RoofFaceInput(
    int FaceNo, Polygon PolygonZ, double AnnualIrradiationKwhPerM2, short SuitabilityClass, double TiltDeg, double AzimuthDeg, double AreaM2);

/// <summary>
/// A building as a 3D tile draws it: footprint (storage CRS, Lambert-93), ground and roof-top altitudes (NGF-IGN69 m) and
/// the roof faces of its latest complete solar run (none when it has no result: the footprint is drawn as a flat roof).
/// </summary>
public sealed record BuildingInput(
    long Id, MultiPolygon Footprint, double GroundAltitudeM, double RoofTopAltitudeM, ResultStatus Status, IReadOnlyList<RoofFaceInput> Faces);
