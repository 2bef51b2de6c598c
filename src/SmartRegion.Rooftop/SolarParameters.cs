using System.Text.Json;
using System.Text.Json.Nodes;
using SmartRegion.Geo;
using SmartRegion.Geo.Panels;
using SmartRegion.Solar.Finance;

namespace SmartRegion.Rooftop;

/// <summary>A solar configuration that cannot be read or is invalid: the message names the file and the value.</summary>
public sealed class SolarConfigurationException(string message) : Exception(message);

/// <summary>Every parameter of a solar run, read from config/solar-defaults.json (each value with its source and date) and an optional override file.</summary>
public sealed record SolarParameters
{
    public required ModuleSpec Module { get; init; }

    public required double EdgeSetbackM { get; init; }

    public required double MinIrradiationKwhPerM2 { get; init; }

    /// <summary>A face that takes fewer modules than this has no usable area and no modules (too small for an installation).</summary>
    public int MinModulesPerFace { get; init; } = 1;

    public required double FlatRoofRackTiltDeg { get; init; }

    public required double FlatRoofRackAzimuthDeg { get; init; }

    /// <summary>Faces flatter than this get tilted racks rather than modules laid on the roof (layout.flatFaceMaxTiltDeg).</summary>
    public double FlatFaceMaxTiltDeg { get; init; } = 5;

    /// <summary>A LOD2 roof polygon smaller than this (true area) is a modelling artefact, not a face (roof.lod2MinAreaM2).</summary>
    public double Lod2MinAreaM2 { get; init; } = 0.5;

    /// <summary>A LOD2 "roof" polygon steeper than this is a wall (roof.lod2MaxTiltDeg).</summary>
    public double Lod2MaxTiltDeg { get; init; } = 75;

    /// <summary>A footprint part smaller than this is a sliver, not a roof (roof.minFootprintPartAreaM2).</summary>
    public double MinFootprintPartAreaM2 { get; init; } = 4;

    /// <summary>Height assumed per storey when a building has a storey count and no height (roof.storeyHeightM).</summary>
    public double StoreyHeightM { get; init; } = 3;

    /// <summary>
    /// The slope of a building's inferred roof when it has no ridge altitude and its covering includes tiles
    /// (roof.tilesMinTiltDeg, NF DTU 40.21's minimum); null (the setting absent, as in runs stored before it, or 0): no covering rule.
    /// </summary>
    public double? TilesMinTiltDeg { get; init; }

    /// <summary>As <see cref="TilesMinTiltDeg"/> for slates (roof.slatesMinTiltDeg, NF DTU 40.11's minimum).</summary>
    public double? SlatesMinTiltDeg { get; init; }

    /// <summary>How wide the band of a building's annual energy is (uncertainty.*).</summary>
    public UncertaintyParameters Uncertainty { get; init; } = UncertaintyParameters.StoredRunDefaults;

    /// <summary>At most this many installation sizes are offered per building, the whole roof last (report.configurationSizes).</summary>
    public int ConfigurationSizes { get; init; } = 20;

    /// <summary>The plane whose hourly production shape stands for every roof in the self-consumption curve (finance.selfConsumptionReferencePlane).</summary>
    public double SelfConsumptionReferenceTiltDeg { get; init; } = 30;

    /// <inheritdoc cref="SelfConsumptionReferenceTiltDeg"/>
    public double SelfConsumptionReferenceAzimuthDeg { get; init; } = 180;

    public required double SampleSpacingM { get; init; }

    public required double HorizonRadiusM { get; init; }

    public required int HorizonSectors { get; init; }

    public required double[] SuitabilityBandsKwhPerM2 { get; init; }

    /// <summary>Buildings farther than this from the run's weather station are skipped (status and reason), not computed.</summary>
    public double StationMaxKm { get; init; } = DefaultStationMaxKm;

    /// <summary>The 100 km, for runs stored before the setting existed (new runs take the region's, <see cref="RegionSettings.WeatherStationMaxKm"/>).</summary>
    public const double DefaultStationMaxKm = 100;

    public required double SystemLosses { get; init; }

    public required double InverterEfficiency { get; init; }

    public required double GammaPdcPerC { get; init; }

    public required double Albedo { get; init; }

    public required FinanceParameters Finance { get; init; }

    /// <summary>The configuration document actually used (defaults merged with overrides), stored with the run as its provenance.</summary>
    public required string DocumentJson { get; init; }

    /// <summary>config/solar-defaults.json, copied beside the binaries of every program that references this library.</summary>
    public static string DefaultsPath => Path.Combine(AppContext.BaseDirectory, "config", "solar-defaults.json");

    /// <summary>Loads the defaults file and merges <paramref name="overridePath"/> into it (same shape; bare values allowed).</summary>
    public static SolarParameters Load(string defaultsPath, string? overridePath)
    {
        JsonObject doc;
        try
        {
            doc = JsonNode.Parse(File.ReadAllText(defaultsPath))!.AsObject();
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            throw new SolarConfigurationException($"{defaultsPath}: cannot read the solar defaults ({e.Message})");
        }
        if (overridePath is not null)
        {
            try
            {
                Merge(doc, JsonNode.Parse(File.ReadAllText(overridePath))!.AsObject(), "override");
            }
            catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or InvalidOperationException)
            {
                throw new SolarConfigurationException($"{overridePath}: cannot read the configuration ({e.Message})");
            }
        }
        // The distance to the weather station is the region's (config/region.json) unless this run's configuration sets it.
        if (doc["weather"]?["stationMaxKm"] is null)
        {
            if (doc["weather"] is not JsonObject weather)
            {
                doc["weather"] = weather = [];
            }
            var region = RegionSettings.Current;
            weather["stationMaxKm"] = new JsonObject
            {
                ["value"] = region.WeatherStationMaxKm,
                ["source"] = $"weatherStationMaxKm of the region's configuration ({Path.GetFileName(region.SourcePath)}, {region.Name})",
            };
        }
        return Parse(doc, overridePath ?? defaultsPath);
    }

    /// <summary>The parameters a run stored with itself (its provenance document); <paramref name="origin"/> names it in errors.</summary>
    public static SolarParameters FromJson(string json, string origin)
    {
        try
        {
            return Parse(JsonNode.Parse(json)!.AsObject(), origin);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new SolarConfigurationException($"{origin}: invalid solar configuration ({e.Message})");
        }
    }

    private static SolarParameters Parse(JsonObject doc, string origin)
    {
        try
        {
            return FromDocument(doc);
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException or JsonException or KeyNotFoundException)
        {
            throw new SolarConfigurationException($"{origin}: invalid solar configuration ({e.Message})");
        }
    }

    private static SolarParameters FromDocument(JsonObject doc)
    {
        double D(string path) => Value(doc, path).GetValue<double>();
        // Settings added after runs were stored: such a run resumes with the value it was computed with (the fallback).
        double Or(string path, double fallback) => Find(doc, path) is null ? fallback : D(path);
        var u = UncertaintyParameters.StoredRunDefaults;
        // Absent (runs stored before the setting) or 0 (an override turning the rule off): no slope from the covering.
        double? CoveringTilt(string path) => Find(doc, path) is null || D(path) == 0 ? null : Positive(D(path), path, 60);
        IReadOnlyList<SizeBand> Bands(string path, string field) => Value(doc, path).AsArray()
            .Select(b => new SizeBand(b!["upToKwp"]!.GetValue<double>(), b[field]!.GetValue<double>())).ToList();
        return new SolarParameters
        {
            Module = new ModuleSpec(D("module.lengthM"), D("module.widthM"), D("module.peakPowerWp"), D("module.gapM")),
            EdgeSetbackM = D("layout.edgeSetbackM"),
            MinIrradiationKwhPerM2 = D("layout.minIrradiationKwhPerM2"),
            // Runs stored before the setting existed resume with their own rule: any module makes a face usable.
            MinModulesPerFace = doc["layout"]?["minModulesPerFace"] is null ? 1 : (int)Positive(D("layout.minModulesPerFace"), "layout.minModulesPerFace", 1000),
            FlatRoofRackTiltDeg = D("layout.flatRoofRackTiltDeg"),
            FlatRoofRackAzimuthDeg = D("layout.flatRoofRackAzimuthDeg"),
            FlatFaceMaxTiltDeg = Or("layout.flatFaceMaxTiltDeg", 5),
            Lod2MinAreaM2 = Or("roof.lod2MinAreaM2", 0.5),
            Lod2MaxTiltDeg = Or("roof.lod2MaxTiltDeg", 75),
            MinFootprintPartAreaM2 = Or("roof.minFootprintPartAreaM2", 4),
            StoreyHeightM = Positive(Or("roof.storeyHeightM", 3), "roof.storeyHeightM", 20),
            TilesMinTiltDeg = CoveringTilt("roof.tilesMinTiltDeg"),
            SlatesMinTiltDeg = CoveringTilt("roof.slatesMinTiltDeg"),
            Uncertainty = new UncertaintyParameters(
                Or("uncertainty.weatherAndModelRelative", u.WeatherAndModelRelative),
                Or("uncertainty.inferredRoofRelativeLow", u.InferredRoofRelativeLow),
                Or("uncertainty.inferredRoofRelativeHigh", u.InferredRoofRelativeHigh),
                Or("uncertainty.missingHeightsRelative", u.MissingHeightsRelative),
                Or("uncertainty.stationFreeKm", u.StationFreeKm),
                Or("uncertainty.stationKmPerRelative", u.StationKmPerRelative),
                Or("uncertainty.stationMaxRelative", u.StationMaxRelative),
                Or("uncertainty.maxRelativeLow", u.MaxRelativeLow)),
            ConfigurationSizes = (int)Positive(Or("report.configurationSizes", 20), "report.configurationSizes", 1000),
            SelfConsumptionReferenceTiltDeg = Or("finance.selfConsumptionReferencePlane.tiltDeg", 30),
            SelfConsumptionReferenceAzimuthDeg = Or("finance.selfConsumptionReferencePlane.azimuthDeg", 180),
            SampleSpacingM = Positive(D("layout.sampleSpacingM"), "layout.sampleSpacingM", 2.0),
            HorizonRadiusM = Positive(D("layout.horizonRadiusM"), "layout.horizonRadiusM", 2000),
            HorizonSectors = (int)Positive(D("layout.horizonSectors"), "layout.horizonSectors", 3600),
            StationMaxKm = doc["weather"] is null ? DefaultStationMaxKm : Positive(D("weather.stationMaxKm"), "weather.stationMaxKm", 20_000),
            SuitabilityBandsKwhPerM2 = Value(doc, "suitabilityBandsKwhPerM2").AsArray().Select(v => v!.GetValue<double>()).ToArray(),
            SystemLosses = D("pv.systemLosses"),
            InverterEfficiency = D("pv.inverterEfficiency"),
            GammaPdcPerC = D("pv.gammaPdcPerC"),
            Albedo = D("pv.albedo"),
            Finance = new FinanceParameters
            {
                InstalledCostEurPerKwp = Bands("finance.installedCostEurPerKwpByBand", "eurPerKwp"),
                SelfConsumptionPremiumEurPerKwp = Bands("finance.selfConsumptionPremiumEurPerKwpByBand", "eurPerKwp"),
                ElectricityPriceEurPerKwh = D("finance.electricityPriceEurPerKwh"),
                ElectricityPriceEscalationPerYear = D("finance.electricityPriceEscalationPerYear"),
                SurplusTariffEurPerKwh = Bands("finance.surplusTariffEurPerKwhByBand", "eurPerKwh"),
                AnnualMaintenanceFractionOfCost = D("finance.annualMaintenanceFractionOfCost"),
                ModuleDegradationPerYear = D("finance.moduleDegradationPerYear"),
                HouseholdConsumptionKwhPerYear = D("finance.householdConsumptionKwhPerYear"),
                AnalysisYears = (int)D("finance.analysisYears"),
                GridCo2KgPerKwh = D("climate.gridCo2KgPerKwh"),
            },
            DocumentJson = doc.ToJsonString(),
        };
    }

    /// <summary>These parameters with another <see cref="StationMaxKm"/> (the CLI's --station-max-km), recorded in the provenance document too.</summary>
    public SolarParameters WithStationMaxKm(double km)
    {
        var doc = JsonNode.Parse(DocumentJson)!.AsObject();
        if (doc["weather"] is not JsonObject weather)
        {
            weather = [];
            doc["weather"] = weather;
        }
        weather["stationMaxKm"] = new JsonObject { ["value"] = km, ["source"] = "--station-max-km" };
        return this with { StationMaxKm = km, DocumentJson = doc.ToJsonString() };
    }

    private static double Positive(double value, string name, double max) =>
        value > 0 && value <= max ? value : throw new InvalidOperationException($"{name} must be in (0, {max}], not {value}");

    /// <summary>The node at a dotted path, or null when a part of it is missing.</summary>
    private static JsonNode? Find(JsonObject doc, string path)
    {
        JsonNode? node = doc;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject o ? o[part] : null;
            if (node is null)
            {
                return null;
            }
        }
        return node;
    }

    /// <summary>The <c>value</c> of a dotted path (or the node itself when an override gave a bare value).</summary>
    private static JsonNode Value(JsonObject doc, string path)
    {
        JsonNode node = doc;
        foreach (var part in path.Split('.'))
        {
            node = node[part] ?? throw new KeyNotFoundException($"'{path}' is missing");
        }
        return node is JsonObject o && o.TryGetPropertyValue("value", out var v) && v is not null ? v : node;
    }

    /// <summary>
    /// These parameters with <paramref name="overrides"/> merged in (the shape of config/solar-defaults.json, bare values
    /// allowed), each overridden value's source set to <paramref name="source"/> in the provenance document.
    /// </summary>
    public SolarParameters WithOverrides(JsonObject overrides, string source)
    {
        var doc = JsonNode.Parse(DocumentJson)!.AsObject();
        Merge(doc, overrides, source);
        return Parse(doc, source);
    }

    private static void Merge(JsonObject target, JsonObject source, string sourceName)
    {
        foreach (var (key, value) in source.ToList())
        {
            if (value is JsonObject so && target[key] is JsonObject to && !so.ContainsKey("value") && to.ContainsKey("value") is false)
            {
                Merge(to, so, sourceName);
            }
            else if (target[key] is JsonObject withValue && withValue.ContainsKey("value") && value is not JsonObject)
            {
                withValue["value"] = value?.DeepClone();
                withValue["source"] = sourceName;
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }
}
