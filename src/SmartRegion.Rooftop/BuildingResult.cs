using NetTopologySuite.Geometries;
using SmartRegion.Geo.Panels;

namespace SmartRegion.Rooftop;

/// <summary>One building's computed result.</summary>
/// <param name="Skip">Why it has no result (status skipped or failed).</param>
/// <param name="Notes">What was assumed or repaired to compute it.</param>
public sealed record BuildingResult(
    long BuildingId, BuildingStatus Status, SkipReason? Skip, IReadOnlyList<ResultNote> Notes, string? RoofOrigin, Point Centre, double? RoofAreaM2, double? UsableAreaM2,
    double? MeanIrradiationKwhPerM2, int? PanelCount, double? InstallableKwp, double? AnnualKwhAc, float[]? MonthlyKwhAc,
    string? ConfigurationsJson, string? FinanceJson, double? Co2AvoidedKgPerYear, string? UncertaintyJson, double? StationDistanceKm,
    IReadOnlyList<FaceResult> Faces)
{
    /// <summary>
    /// The report of this building as the solar API serves it (<see cref="ReportDocument"/>), written once by the
    /// computation; null when the building came without <see cref="BuildingInput.Facts"/>.
    /// </summary>
    public string? ReportJson { get; init; }

    /// <summary>
    /// The modules of the faces as numbers (<see cref="ReportPanels"/>), stored beside a report written without them
    /// (<see cref="ReportJson"/> then has an empty <c>panels</c>); null when the report holds its panels or there are none.
    /// </summary>
    public double[]? PanelLayout { get; init; }

    /// <summary>The status as published (<c>ok</c>, <c>skipped</c>, <c>failed</c>).</summary>
    public string StatusCode => ResultCodes.Code(Status);

    /// <summary>The reason as published: the skip reason's code, else the notes' codes separated by <c>;</c>, else null.</summary>
    public string? ReasonCode => Skip is { } skip
        ? ResultCodes.Code(skip)
        : Notes.Count == 0 ? null : string.Join(';', Notes.Select(ResultCodes.Code));

    /// <summary>Why the computation broke on this building (status failed): for the worker's log, never published.</summary>
    public Exception? Failure { get; init; }
}

/// <summary>One roof face's computed result.</summary>
/// <param name="SampleGrid">[x0, y0, z0, ux, uy, uz, vx, vy, vz]: the sample grid's cell (0, 0) centre and one cell's step along i and j.</param>
/// <param name="SampleIj">Per sample (the order of <paramref name="SampleKwhPerM2"/>), its grid coordinates i, j: point = origin + i·u + j·v.</param>
/// <param name="Modules">The face's modules as numbers, their outlines made from them (<see cref="PackedModules.Polygon"/>); null when it has none.</param>
public sealed record FaceResult(
    int FaceNo, Polygon Polygon, string Origin, double TiltDeg, double AzimuthDeg, double AreaM2, double UsableAreaM2,
    double AnnualIrradiationKwhPerM2, float[] QuantilesKwhPerM2, double ShadingLossFraction, short SuitabilityClass,
    int PanelCount, double InstallableKwp, double AnnualKwhAc, float[] MonthlyKwhAc, double[]? SampleGrid, float[]? SampleIj, float[]? SampleKwhPerM2,
    PackedModules? Modules, float[]? PanelKwhAc, bool? PanelPortrait);
