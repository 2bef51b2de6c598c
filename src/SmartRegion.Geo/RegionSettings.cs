using System.Text.Json;
using System.Text.Json.Nodes;
using SmartRegion.Geo.Crs;

namespace SmartRegion.Geo;

/// <summary>The region's configuration cannot be read or is invalid: the message names the file and the value.</summary>
public sealed class RegionConfigurationException(string message) : Exception(message);

/// <summary>
/// The region the platform serves (config/region.json): the storage CRS of every geometry in the database and in the engine,
/// the time zone of local hours, the default distance to a weather station. The one place these are decided: everything reads
/// <see cref="Current"/>.
/// </summary>
public sealed record RegionSettings
{
    /// <summary>The environment variable naming another region file than config/region.json beside the program.</summary>
    public const string PathVariable = "SMARTREGION_REGION_CONFIG";

    /// <summary>The region's name, for documents and logs.</summary>
    public required string Name { get; init; }

    /// <summary>EPSG code of the projected CRS (metres) every geometry is stored and computed in.</summary>
    public required int StorageSrid { get; init; }

    /// <summary>The storage CRS's name (its definition's, e.g. "RGF93 / Lambert-93"), for documents.</summary>
    public required string StorageCrsName { get; init; }

    /// <summary>IANA id of the region's legal time.</summary>
    public required string TimeZoneId { get; init; }

    /// <summary>The region's time zone; without a tz database on the machine, its standard offset without daylight saving.</summary>
    public required TimeZoneInfo TimeZone { get; init; }

    /// <summary>Buildings farther than this from a solar run's weather station are skipped, unless the run's parameters say otherwise.</summary>
    public required double WeatherStationMaxKm { get; init; }

    /// <summary>The file this was read from.</summary>
    public required string SourcePath { get; init; }

    private static readonly Lazy<RegionSettings> Loaded = new(() => Load(DefaultPath));

    /// <summary>The region of this process, read once from <see cref="DefaultPath"/>.</summary>
    public static RegionSettings Current => Loaded.Value;

    /// <summary>The storage CRS's EPSG code (<see cref="Current"/>'s), the SRID of every stored geometry.</summary>
    public static int Srid => Current.StorageSrid;

    /// <summary><see cref="PathVariable"/>'s file when set, else config/region.json beside the program.</summary>
    public static string DefaultPath =>
        Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } path ? path : Path.Combine(AppContext.BaseDirectory, "config", "region.json");

    /// <summary>Reads and checks a region file.</summary>
    public static RegionSettings Load(string path)
    {
        JsonObject doc;
        try
        {
            doc = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new JsonException("the file is empty");
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw new RegionConfigurationException($"{path}: cannot read the region's configuration ({e.Message})");
        }
        JsonNode Value(string key) =>
            (doc[key] is JsonObject o ? o["value"] : doc[key]) ?? throw new RegionConfigurationException($"{path}: '{key}' is missing");
        T Get<T>(string key)
        {
            try
            {
                return Value(key).GetValue<T>();
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                throw new RegionConfigurationException($"{path}: '{key}' must be a {(typeof(T) == typeof(string) ? "string" : "number")}");
            }
        }

        var srid = Get<int>("storageCrs");
        if (!KnownCrs.IsSupported(srid) || KnownCrs.Get(srid) is not ProjNet.CoordinateSystems.ProjectedCoordinateSystem projected
            || projected.LinearUnit.MetersPerUnit != 1)
        {
            throw new RegionConfigurationException(
                $"{path}: 'storageCrs' EPSG:{srid} is not a projected CRS in metres that SmartRegion.Geo.Crs.KnownCrs defines " +
                $"({string.Join(", ", KnownCrs.Supported.Select(s => "EPSG:" + s))})");
        }
        var zoneId = Get<string>("timeZone");
        var offsetHours = Get<double>("standardUtcOffsetHours");
        if (!(offsetHours is >= -14 and <= 14))
        {
            throw new RegionConfigurationException($"{path}: 'standardUtcOffsetHours' {offsetHours} is not between -14 and 14");
        }
        TimeZoneInfo zone;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        }
        catch (TimeZoneNotFoundException) when (!Directory.Exists("/usr/share/zoneinfo") && !OperatingSystem.IsWindows())
        {
            zone = TimeZoneInfo.CreateCustomTimeZone(zoneId, TimeSpan.FromHours(offsetHours), zoneId, zoneId);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new RegionConfigurationException($"{path}: 'timeZone' '{zoneId}' is not a time zone of the tz database (e.g. Europe/Paris)");
        }
        var stationKm = Get<double>("weatherStationMaxKm");
        if (!(stationKm is > 0 and <= 20_000))
        {
            throw new RegionConfigurationException($"{path}: 'weatherStationMaxKm' {stationKm} is not between 0 and 20,000 km");
        }
        return new RegionSettings
        {
            Name = Get<string>("name"),
            StorageSrid = srid,
            StorageCrsName = projected.Name,
            TimeZoneId = zoneId,
            TimeZone = zone,
            WeatherStationMaxKm = stationKm,
            SourcePath = path,
        };
    }
}
