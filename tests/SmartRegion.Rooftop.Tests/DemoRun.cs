using SmartRegion.Solar;
using SmartRegion.Solar.Finance;
using SmartRegion.Solar.Weather;

namespace SmartRegion.Rooftop.Tests;

/// <summary>A run context over the demo weather at 48.92 N, 2.36 E (ground 40 m) with the default parameters, for computations without a database.</summary>
internal static class DemoRun
{
    public const double Ground = 40;

    private static readonly Lazy<SolarRunContext> Run = new(() =>
    {
        var folder = Path.Combine(Path.GetTempPath(), "sr-tile-tests", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "demo-weather.csv");
        DemoWeather.Write(path, 48.92, 2.36, Ground);
        var series = WeatherFile.ReadAsync(path, WeatherFormat.Auto, null, CancellationToken.None).GetAwaiter().GetResult();
        var parameters = SolarParameters.Load(SolarParameters.DefaultsPath, null);
        var flat = Enumerable.Repeat(1.0 / series.Count, series.Count).ToArray();
        var load = Enumerable.Repeat(4500.0 / series.Count, series.Count).ToArray();
        return new SolarRunContext
        {
            Parameters = parameters,
            Sky = StationSky.Compute(series, parameters.HorizonSectors),
            StationLatitudeDeg = 48.92,
            StationLongitudeDeg = 2.36,
            StationName = "demo",
            SelfConsumptionCurve = new SelfConsumption.Curve(flat, load),
        };
    });

    public static SolarRunContext Value => Run.Value;
}
