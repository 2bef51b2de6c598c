using System.Text.Json.Nodes;
using SmartRegion.Geo.Crs;

namespace SmartRegion.Geo.Tests;

/// <summary>config/region.json: the one place of the storage CRS, the time zone and the weather-station distance.</summary>
public sealed class RegionSettingsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("region-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Shipped_IsIleDeFranceInLambert93_EveryValueWithSourceAndDate()
    {
        var region = RegionSettings.Current;
        Assert.Equal(KnownCrs.Lambert93, region.StorageSrid);
        Assert.Equal(RegionSettings.Srid, region.StorageSrid);
        Assert.Equal("RGF93 / Lambert-93", region.StorageCrsName);
        Assert.Equal("Europe/Paris", region.TimeZoneId);
        // Summer time in Paris: UTC+2 in July, UTC+1 in January.
        Assert.Equal(TimeSpan.FromHours(2), region.TimeZone.GetUtcOffset(new DateTime(2026, 7, 1, 12, 0, 0, DateTimeKind.Utc)));
        Assert.Equal(TimeSpan.FromHours(1), region.TimeZone.GetUtcOffset(new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc)));
        Assert.Equal(100, region.WeatherStationMaxKm);

        var doc = JsonNode.Parse(File.ReadAllText(RegionSettings.DefaultPath))!.AsObject();
        foreach (var (name, node) in doc.Where(p => p.Key != "$comment"))
        {
            Assert.False(string.IsNullOrWhiteSpace((string?)node!["source"]), $"{name} has no source");
            Assert.Matches(@"^\d{4}-\d{2}$", (string?)node["date"] ?? "");
        }
    }

    [Fact]
    public void Load_AnotherRegion_ReadsItsCrsAndZone()
    {
        var region = RegionSettings.Load(Write("""
            { "name": "Métropole de Lyon", "storageCrs": { "value": 3946 }, "timeZone": "Europe/Paris",
              "standardUtcOffsetHours": 1, "weatherStationMaxKm": 60 }
            """));
        Assert.Equal(3946, region.StorageSrid);
        Assert.Equal("RGF93 / CC46", region.StorageCrsName);
        Assert.Equal(60, region.WeatherStationMaxKm);
        Assert.Equal("Métropole de Lyon", region.Name);
    }

    [Theory]
    [InlineData("""{ "name": "x", "storageCrs": 4326, "timeZone": "Europe/Paris", "standardUtcOffsetHours": 1, "weatherStationMaxKm": 100 }""", "'storageCrs' EPSG:4326 is not a projected CRS in metres")]
    [InlineData("""{ "name": "x", "storageCrs": 27700, "timeZone": "Europe/Paris", "standardUtcOffsetHours": 1, "weatherStationMaxKm": 100 }""", "'storageCrs' EPSG:27700")]
    [InlineData("""{ "name": "x", "storageCrs": 2154, "timeZone": "Europe/Lutece", "standardUtcOffsetHours": 1, "weatherStationMaxKm": 100 }""", "'timeZone' 'Europe/Lutece'")]
    [InlineData("""{ "name": "x", "storageCrs": 2154, "timeZone": "Europe/Paris", "standardUtcOffsetHours": 1, "weatherStationMaxKm": 0 }""", "'weatherStationMaxKm' 0")]
    [InlineData("""{ "name": "x", "storageCrs": "Lambert", "timeZone": "Europe/Paris", "standardUtcOffsetHours": 1, "weatherStationMaxKm": 100 }""", "'storageCrs' must be a number")]
    [InlineData("""{ "name": "x", "timeZone": "Europe/Paris", "standardUtcOffsetHours": 1, "weatherStationMaxKm": 100 }""", "'storageCrs' is missing")]
    [InlineData("""{ "name": "x", """, "cannot read the region's configuration")]
    public void Load_BadFile_SaysWhatAndWhere(string json, string expected)
    {
        var path = Write(json);
        var e = Assert.Throws<RegionConfigurationException>(() => RegionSettings.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    private string Write(string json)
    {
        var path = Path.Combine(_dir, $"region-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }
}
