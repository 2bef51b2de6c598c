using NetTopologySuite.Geometries;

namespace SmartRegion.Rooftop;

/// <summary>One building's computed result.</summary>
public sealed record BuildingResult(
    long BuildingId, string Status, string? Reason, string? RoofOrigin, Point Centre, double? RoofAreaM2, double? UsableAreaM2,
    double? MeanIrradiationKwhPerM2, int? PanelCount, double? InstallableKwp, double? AnnualKwhAc, float[]? MonthlyKwhAc,
    string? ConfigurationsJson, string? FinanceJson, double? Co2AvoidedKgPerYear, string? UncertaintyJson, double? StationDistanceKm,
    IReadOnlyList<FaceResult> Faces)
{
    /// <summary>
    /// The report of this building as the solar API serves it (<see cref="ReportDocument"/>), written once by the
    /// computation; null when the building came without <see cref="BuildingInput.Facts"/>.
    /// </summary>
    public string? ReportJson { get; init; }
}

/// <summary>One roof face's computed result.</summary>
/// <param name="SampleGrid">[x0, y0, z0, ux, uy, uz, vx, vy, vz]: the sample grid's cell (0, 0) centre and one cell's step along i and j.</param>
/// <param name="SampleIj">Per sample (the order of <paramref name="SampleKwhPerM2"/>), its grid coordinates i, j: point = origin + i·u + j·v.</param>
public sealed record FaceResult(
    int FaceNo, Polygon Polygon, string Origin, double TiltDeg, double AzimuthDeg, double AreaM2, double UsableAreaM2,
    double AnnualIrradiationKwhPerM2, float[] QuantilesKwhPerM2, double ShadingLossFraction, short SuitabilityClass,
    int PanelCount, double InstallableKwp, double AnnualKwhAc, float[] MonthlyKwhAc, double[]? SampleGrid, float[]? SampleIj, float[]? SampleKwhPerM2,
    MultiPolygon? Panels, float[]? PanelKwhAc, bool? PanelPortrait);
