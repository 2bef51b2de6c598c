using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SmartRegion.Data.Barometer;

/// <summary>
/// The barometer's assumptions, read from <c>config/barometer.json</c> (each value with its source and date) and an optional
/// override file of the same shape. The document is stored with every refresh, so each published figure names them.
/// </summary>
public sealed record BarometerParameters
{
    /// <summary>Residential electricity use per dwelling and year: the estimate of a commune's residential use is its dwellings × this.</summary>
    public required double ResidentialKwhPerDwellingPerYear { get; init; }

    /// <summary>Building attributes (first present wins) that hold the number of dwellings, as the source delivered them.</summary>
    public required IReadOnlyList<string> DwellingCountAttributes { get; init; }

    /// <summary>The catalogue dataset of existing installations, its commune-code field and its power field (kWp).</summary>
    public required string InstallationsDatasetSlug { get; init; }

    public required string InstallationsCommuneCodeField { get; init; }

    public required string InstallationsPowerKwField { get; init; }

    /// <summary>The document in force (defaults merged with overrides), sources and dates included.</summary>
    public required string DocumentJson { get; init; }

    /// <summary>config/barometer.json beside the binaries (the Data project copies it there).</summary>
    public static string DefaultPath() => Path.Combine(AppContext.BaseDirectory, "config", "barometer.json");

    /// <summary>Loads <paramref name="defaultsPath"/> and merges <paramref name="overridePath"/> into it; a bad file throws <see cref="BarometerConfigException"/> naming it.</summary>
    public static BarometerParameters Load(string defaultsPath, string? overridePath = null)
    {
        var doc = Read(defaultsPath);
        if (overridePath is not null)
        {
            Merge(doc, Read(overridePath));
        }
        var origin = overridePath ?? defaultsPath;
        try
        {
            var kwh = Value(doc, "residentialElectricityKwhPerDwellingPerYear").GetValue<double>();
            if (!(kwh > 0 && kwh < 1_000_000))
            {
                throw new FormatException($"residentialElectricityKwhPerDwellingPerYear must be in (0, 1000000) kWh, not {kwh.ToString(CultureInfo.InvariantCulture)}");
            }
            var attributes = Value(doc, "dwellingCountAttributes").AsArray().Select(a => a!.GetValue<string>()).ToList();
            return new BarometerParameters
            {
                ResidentialKwhPerDwellingPerYear = kwh,
                DwellingCountAttributes = attributes.Count > 0 ? attributes : throw new FormatException("dwellingCountAttributes is empty"),
                InstallationsDatasetSlug = Text(doc, "installations.datasetSlug"),
                InstallationsCommuneCodeField = Text(doc, "installations.communeCodeField"),
                InstallationsPowerKwField = Text(doc, "installations.powerKwField"),
                DocumentJson = doc.ToJsonString(),
            };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException or NullReferenceException)
        {
            throw new BarometerConfigException($"{origin}: invalid barometer configuration ({e.Message})");
        }
    }

    private static JsonObject Read(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new InvalidOperationException("the file holds null");
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw new BarometerConfigException($"{path}: cannot read the barometer configuration ({e.Message})");
        }
    }

    private static string Text(JsonObject doc, string path)
    {
        var text = Value(doc, path).GetValue<string>();
        return string.IsNullOrWhiteSpace(text) ? throw new FormatException($"'{path}' is empty") : text;
    }

    /// <summary>The <c>value</c> at a dotted path, or the node itself when an override gave a bare value.</summary>
    private static JsonNode Value(JsonObject doc, string path)
    {
        JsonNode node = doc;
        foreach (var part in path.Split('.'))
        {
            node = node[part] ?? throw new KeyNotFoundException($"'{path}' is missing");
        }
        return node is JsonObject o && o["value"] is { } v ? v : node;
    }

    /// <summary>Overrides replace a setting's value (its source becomes "override") or, given whole, the setting.</summary>
    private static void Merge(JsonObject target, JsonObject source)
    {
        foreach (var (key, value) in source.ToList())
        {
            var existing = target[key] as JsonObject;
            if (existing is not null && value is JsonObject group && !group.ContainsKey("value") && !existing.ContainsKey("value"))
            {
                Merge(existing, group);
            }
            else if (existing is not null && existing.ContainsKey("value") && value is not JsonObject)
            {
                existing["value"] = value?.DeepClone();
                existing["source"] = "override";
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }
}

/// <summary>The barometer's configuration file cannot be read or holds a wrong value (the message names the file and the setting).</summary>
public sealed class BarometerConfigException(string message) : Exception(message);
