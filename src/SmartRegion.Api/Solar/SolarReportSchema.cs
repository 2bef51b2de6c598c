using System.Text.Json.Nodes;

namespace SmartRegion.Api.Solar;

// The solar report's shape, for the OpenAPI document (typed schemas a client generator can use): the API serves the
// stored document's text as it is, these records only describe it. Names and units as the report writes them.

/// <summary>A building's rooftop solar report.</summary>
public sealed record SolarBuildingReport(
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
