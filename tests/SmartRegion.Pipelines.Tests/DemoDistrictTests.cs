using System.Text.Json;
using SmartRegion.Pipelines.Sample;
using SmartRegion.Solar.Weather;

namespace SmartRegion.Pipelines.Tests;

public sealed class DemoDistrictTests
{
    [Fact]
    public void Generate_SameSeed_SameFilesAndAVariedDistrict()
    {
        var a = Path.Combine(Path.GetTempPath(), "sr-demo-" + Guid.NewGuid().ToString("N"));
        var b = Path.Combine(Path.GetTempPath(), "sr-demo-" + Guid.NewGuid().ToString("N"));
        try
        {
            var ra = DemoDistrict.Generate(a, seed: 42, targetBuildings: 2000);
            var rb = DemoDistrict.Generate(b, seed: 42, targetBuildings: 2000);

            Assert.Equal(File.ReadAllBytes(ra.BuildingsPath), File.ReadAllBytes(rb.BuildingsPath));
            Assert.Equal(File.ReadAllBytes(ra.AddressesPath), File.ReadAllBytes(rb.AddressesPath));
            Assert.InRange(ra.BuildingCount, 1900, 2100);
            Assert.InRange(ra.AddressCount, 1500, ra.BuildingCount);

            using var doc = JsonDocument.Parse(File.ReadAllBytes(ra.BuildingsPath));
            var props = doc.RootElement.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("properties")).ToList();
            var rises = props.Select(p => p.GetProperty("altitude_maximale_toit").GetDouble() - p.GetProperty("altitude_minimale_toit").GetDouble()).ToList();
            Assert.InRange(rises.Count(r => r < 0.5) / (double)rises.Count, 0.2, 0.8);   // both flat and pitched roofs
            var heights = props.Select(p => p.GetProperty("hauteur").GetDouble()).ToList();
            Assert.True(heights.Min() < 4 && heights.Max() > 30, "sheds to towers");
            Assert.Equal(props.Count, props.Select(p => p.GetProperty("cleabs").GetString()).Distinct().Count());

            var other = DemoDistrict.Generate(Path.Combine(a, "other"), seed: 7, targetBuildings: 2000);
            Assert.NotEqual(File.ReadAllBytes(ra.BuildingsPath), File.ReadAllBytes(other.BuildingsPath));
        }
        finally
        {
            Directory.Delete(a, true);
            Directory.Delete(b, true);
        }
    }
}

public sealed class DemoWeatherTests
{
    [Fact]
    public async Task Write_ReadBackByThePvgisReader_MonthlyTotalsAsTargeted()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sr-demo-weather-{Guid.NewGuid():N}.csv");
        try
        {
            var annual = DemoWeather.Write(path, 48.92, 2.36, 40);
            var series = await SmartRegion.Solar.Weather.WeatherFile.ReadAsync(path, SmartRegion.Solar.Weather.WeatherFormat.Auto, null, TestContext.Current.CancellationToken);

            Assert.Equal(1114, annual, 0.5);
            Assert.Equal(8760, series.Count);
            Assert.Equal(TimeSpan.FromMinutes(30), series.IrradianceOffset);
            var june = Enumerable.Range(0, series.Count).Where(i => series.Month[i] == 6).Sum(i => series.GhiWPerM2[i]) / 1000;
            Assert.Equal(156, june, 0.5);
            // Closure: GHI = DNI·cos z + DHI wherever the sun is up.
            Assert.All(Enumerable.Range(0, series.Count).Where(i => series.GhiWPerM2[i] > 50), i =>
            {
                var sun = SmartRegion.Solar.SolarPosition.Spa(series.SunInstantUtc(i), 48.92, 2.36, 40);
                Assert.Equal(series.GhiWPerM2[i], series.DniWPerM2[i] * Math.Cos(sun.ZenithDeg * Math.PI / 180) + series.DhiWPerM2[i], 1.0);
            });
        }
        finally
        {
            File.Delete(path);
        }
    }
}
