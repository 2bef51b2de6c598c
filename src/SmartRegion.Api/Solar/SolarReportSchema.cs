using System.Text.Json.Nodes;

namespace SmartRegion.Api.Solar;

// The solar report's shape, for the OpenAPI document (typed schemas a client generator can use): the API serves the
// stored document's text as it is, these records only describe it. Names and units as the report writes them.

/// <summary>A building's rooftop solar report.</summary>
public record SolarBuildingReport(
    SolarBuildingIdentity Building,
    SolarAddress? Address,
    SolarLatLon Centre,
    string Status,
    string? Reason,
    double? RoofAreaM2,
    double? UsableAreaM2,
    double? MeanIrradiationKwhPerM2,
    int? PanelCount,
    double? InstallableKwp,
    double? AnnualKwhAc,
    IReadOnlyList<double>? MonthlyKwhAc,
    IReadOnlyList<SolarConfiguration>? Configurations,
    SolarFinance? Finance,
    double? Co2AvoidedKgPerYear,
    SolarUncertainty? Uncertainty,
    SolarProvenance Provenance,
    IReadOnlyList<SolarRoofFace> RoofFaces,
    IReadOnlyList<SolarPanel> Panels);

/// <summary>The building: platform id, source and source ids (BD TOPO cleabs, RNB), height and roof.</summary>
public sealed record SolarBuildingIdentity(
    long Id, string Source, string SourceId, IReadOnlyDictionary<string, string> SourceIds, double? HeightAboveGroundM, string? RoofShape,
    string? Usage, string? RoofOrigin);

/// <summary>The nearest address within 30 m of the footprint.</summary>
public sealed record SolarAddress(string Label, double DistanceM);

public sealed record SolarLatLon(double Lat, double Lon);

/// <summary>One installation size (best modules first): panels, kWp, kWh/yr, cost, payback, 20-year gain.</summary>
public sealed record SolarConfiguration(
    int PanelCount, double InstallableKwp, double AnnualKwhAc, double SpecificYieldKwhPerKwp, double NetCostEur, double? PaybackYears,
    double NetGainEur, bool Recommended);

public sealed record SolarFinance(SolarFinanceFigures FullRoof, SolarFinanceFigures? Recommended, string Currency, bool PricesIncludeVat);

public sealed record SolarFinanceFigures(
    int PanelCount, double InstallableKwp, double AnnualKwhAc, double InstalledCostEur, double PremiumEur, double NetCostEur,
    double SelfConsumedFraction, double FirstYearSavingsEur, double FirstYearSurplusRevenueEur, double? PaybackYears, double NetGainEur,
    int AnalysisYears);

/// <summary>The production's uncertainty band and why.</summary>
public sealed record SolarUncertainty(
    double RelativeLow, double RelativeHigh, double AnnualKwhAcLow, double AnnualKwhAcHigh, IReadOnlyList<string> Reasons, IReadOnlyList<string> Notes);

/// <summary>Where the numbers come from: the run, the model version, the weather station, the loads read, the parameters.</summary>
public sealed record SolarProvenance(
    long RunId, string ModelVersion, string? ComputedAt, IReadOnlyList<long> IngestRunIds, SolarWeatherStation? WeatherStation, JsonObject? Parameters);

public sealed record SolarWeatherStation(long Id, string Name, string Source, string? Licence, double Lat, double Lon, double? DistanceKm);

/// <summary>A roof face: tilt, azimuth (compass, N 0 E 90), areas, irradiation and its quantiles, shading, modules, production.</summary>
public sealed record SolarRoofFace(
    int FaceNo, string Origin, double TiltDeg, double AzimuthDeg, double AreaM2, double UsableAreaM2, double AnnualIrradiationKwhPerM2,
    IReadOnlyList<double> QuantilesKwhPerM2, double ShadingLossFraction, int SuitabilityClass, int PanelCount, double InstallableKwp,
    double AnnualKwhAc, IReadOnlyList<double> MonthlyKwhAc, JsonObject PolygonWgs84);

/// <summary>A module as placed: its face, number, orientation, production, centre (WGS 84 + altitude NGF-IGN69) and outline.</summary>
public sealed record SolarPanel(int FaceNo, int PanelNo, bool? Portrait, double? AnnualKwhAc, SolarPanelCentre Centre, JsonObject PolygonWgs84);

public sealed record SolarPanelCentre(double Lat, double Lon, double? AltitudeM);

/// <summary>A page of roof faces (GeoJSON FeatureCollection) with the next page's link.</summary>
public sealed record SolarRoofFaceCollection(string Type, int NumberReturned, IReadOnlyList<SolarRoofFaceFeature> Features, IReadOnlyList<SolarLink> Links);

public sealed record SolarRoofFaceFeature(string Type, string Id, JsonObject Geometry, SolarRoofFaceProperties Properties);

public sealed record SolarRoofFaceProperties(
    long BuildingId, int FaceNo, double TiltDeg, double AzimuthDeg, double AreaM2, double UsableAreaM2, double AnnualIrradiationKwhPerM2,
    double ShadingLossFraction, int SuitabilityClass, int PanelCount, double InstallableKwp, double AnnualKwhAc, string Origin);

public sealed record SolarLink(string Rel, string Type, string Href);

/// <summary>
/// A what-if (POST /api/v1/solar/buildings/{id}/what-if): every member optional, <c>{}</c> computes the roof as modelled.
/// <c>roofFaces</c> replace the roof; <c>obstacles</c> keep areas of a face free (faces numbered as the request's roofFaces, else as
/// the published report's roofFaces); <c>module</c> and <c>finance</c> replace the run's values.
/// </summary>
public sealed record SolarWhatIfRequest(
    IReadOnlyList<SolarWhatIfFace>? RoofFaces = null, IReadOnlyList<SolarWhatIfObstacle>? Obstacles = null, SolarWhatIfModule? Module = null,
    SolarWhatIfFinance? Finance = null);

/// <summary>
/// A corrected roof face: its outline (GeoJSON Polygon, WGS84 lon/lat; with a third coordinate, altitudes NGF-IGN69 as the
/// report's faces carry them, the lowest sets the face's lowest point, else the building's eaves do), tilt 0–75°, azimuth
/// (compass, 0 ≤ a &lt; 360, the direction the face looks to; optional for a flat face). Within the footprint (1 m of eaves allowed).
/// </summary>
public sealed record SolarWhatIfFace(JsonObject PolygonWgs84, double TiltDeg, double? AzimuthDeg = null);

/// <summary>
/// An area of face <c>faceNo</c> kept free of modules (the box around it in the face's plane): chimney, dormer, window,
/// skylight, vent, antenna, tree or other; with <c>heightM</c> (0–50 m, its top above the face at its centre) it also
/// shades the roof, through the same horizons as the neighbouring buildings.
/// </summary>
public sealed record SolarWhatIfObstacle(int FaceNo, JsonObject PolygonWgs84, string? Kind = null, double? HeightM = null);

/// <summary>The module: rated power (0–1000 Wp, at most 300 Wp/m²), length and width (0.2–3 m), gap between modules (0–0.5 m).</summary>
public sealed record SolarWhatIfModule(double? PeakPowerWp = null, double? LengthM = null, double? WidthM = null, double? GapM = null);

/// <summary>Financial assumptions (VAT included): a value given replaces the run's, a cost or tariff for every installation size.</summary>
public sealed record SolarWhatIfFinance(
    double? ElectricityPriceEurPerKwh = null, double? ElectricityPriceEscalationPerYear = null, double? HouseholdConsumptionKwhPerYear = null,
    double? InstalledCostEurPerKwp = null, double? SelfConsumptionPremiumEurPerKwp = null, double? SurplusTariffEurPerKwh = null,
    double? AnnualMaintenanceFractionOfCost = null, double? ModuleDegradationPerYear = null, int? AnalysisYears = null);

/// <summary>A what-if's report: the stored report's shape with <c>simulation</c> (first in the document).</summary>
public sealed record SolarWhatIfReport : SolarBuildingReport
{
    public SolarWhatIfReport(SolarBuildingReport report, SolarSimulation simulation) : base(report) => Simulation = simulation;

    public SolarSimulation Simulation { get; init; }
}

/// <summary>What the report is: a what-if (<c>official</c> and <c>stored</c> false), what the request corrected, the official report's URL.</summary>
public sealed record SolarSimulation(string Kind, bool Official, bool Stored, string OfficialReport, IReadOnlyList<string> Corrected, IReadOnlyList<SolarSimulationObstacle> Obstacles);

/// <summary>An area kept free: its face, kind, plan area, height above the face (0: it casts no shade) and centre (where its top is lifted from the face).</summary>
public sealed record SolarSimulationObstacle(int FaceNo, string Kind, double PlanAreaM2, double HeightM, SolarLatLon CentreWgs84);
