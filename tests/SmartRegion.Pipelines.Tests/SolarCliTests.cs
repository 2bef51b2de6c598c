using System.Text.Json;
using SmartRegion.Testing;

namespace SmartRegion.Pipelines.Tests;

/// <summary>The <c>solar</c> command group end to end: arguments in, JSON on stdout, precise errors on stderr.</summary>
[Collection(ConsoleCapture.Name)]
public sealed class SolarCliTests
{
    [Fact]
    public async Task Position_SpaReportExample_PrintsPublishedValues()
    {
        var (code, stdout, _) = await ConsoleCapture.RunAsync(
            "solar", "position", "--lat", "39.742476", "--lon", "-105.1786", "--time", "2003-10-17T12:30:30-07:00",
            "--elevation", "1830.14", "--pressure", "820", "--temperature", "11", "--delta-t", "67");
        Assert.Equal(0, code);
        var json = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(50.11162, json.GetProperty("apparentZenithDeg").GetDouble(), 1e-4);
        Assert.Equal(194.34024, json.GetProperty("azimuthDeg").GetDouble(), 1e-4);
        Assert.Equal(39.88838, json.GetProperty("apparentElevationDeg").GetDouble(), 1e-4);
        Assert.Equal("2003-10-17T13:12:43Z", json.GetProperty("sunriseUtc").GetString());
        Assert.Equal("2003-10-18T00:20:19Z", json.GetProperty("sunsetUtc").GetString());
        var transit = DateTime.Parse(json.GetProperty("transitUtc").GetString()!, null, System.Globalization.DateTimeStyles.AdjustToUniversal);
        Assert.True(Math.Abs((transit - new DateTime(2003, 10, 17, 18, 46, 4)).TotalSeconds) <= 1);
    }

    [Theory]
    [InlineData("--lat 91 --lon 0 --time 2003-10-17T12:00:00Z", "--lat: 91 is out of range [-90, 90]")]
    [InlineData("--lat 10 --lon 0 --time yesterday", "--time: 'yesterday' is not an ISO 8601 date and time")]
    [InlineData("--lat 10 --lon 0", "--time is required")]
    public async Task Position_BadArgument_Exit2NamingIt(string line, string message)
    {
        var (code, _, stderr) = await ConsoleCapture.RunAsync(["solar", "position", .. line.Split(' ')]);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
    }

    private static string Pvgis => SharedData.Require("weather/pvgis_tmy_45.000_8.000_2005_2023.csv");

    [Fact]
    public async Task Poa_PvgisSouth35_ContractFieldsAndConsistentSums()
    {
        var (code, stdout, stderr) = await ConsoleCapture.RunAsync("solar", "poa", "--weather", Pvgis, "--tilt", "35", "--azimuth", "180",
            "--model", "perez", "--albedo", "0.2", "--horizon", "0:5,90:10,180:2,270:8");
        Assert.True(code == 0, stderr);
        var json = JsonDocument.Parse(stdout).RootElement;
        var annual = json.GetProperty("annualKwhPerM2").GetDouble();
        var monthly = json.GetProperty("monthlyKwhPerM2").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(12, monthly.Length);
        Assert.Equal(annual, monthly.Sum(), 1e-6);
        Assert.Equal(annual, json.GetProperty("beamKwhPerM2").GetDouble() + json.GetProperty("skyDiffuseKwhPerM2").GetDouble()
            + json.GetProperty("groundReflectedKwhPerM2").GetDouble(), 1e-6);
        Assert.InRange(annual, 1500, 2000);
        Assert.InRange(json.GetProperty("skyViewFactor").GetDouble(), 0.85, (1 + Math.Cos(35 * Math.PI / 180)) / 2);
        Assert.Contains("0.1761 h", json.GetProperty("timeConvention").GetString());
    }

    [Fact]
    public async Task Pv_PvgisSouth35_ContractFields()
    {
        var (code, stdout, stderr) = await ConsoleCapture.RunAsync("solar", "pv", "--weather", Pvgis, "--tilt", "35", "--azimuth", "180", "--kwp", "3");
        Assert.True(code == 0, stderr);
        var json = JsonDocument.Parse(stdout).RootElement;
        var ac = json.GetProperty("annualKwhAc").GetDouble();
        Assert.Equal(ac, json.GetProperty("annualKwhDc").GetDouble() * 0.96, 1e-6);
        Assert.Equal(ac / 3, json.GetProperty("specificYieldKwhPerKwp").GetDouble(), 1e-9);
        Assert.Equal(ac, json.GetProperty("monthlyKwhAc").EnumerateArray().Sum(e => e.GetDouble()), 1e-6);
    }

    [Fact]
    public async Task Poa_TimeShiftZero_UsesStampsAsWritten()
    {
        var (_, a, _) = await ConsoleCapture.RunAsync("solar", "poa", "--weather", Pvgis, "--tilt", "90", "--azimuth", "90");
        var (_, b, _) = await ConsoleCapture.RunAsync("solar", "poa", "--weather", Pvgis, "--tilt", "90", "--azimuth", "90", "--time-shift-min", "0");
        var withOffset = JsonDocument.Parse(a).RootElement.GetProperty("annualKwhPerM2").GetDouble();
        var asWritten = JsonDocument.Parse(b).RootElement;
        Assert.Contains("--time-shift-min", asWritten.GetProperty("timeConvention").GetString());
        // An east-facing wall sees the 10.6-minute offset.
        Assert.NotEqual(withOffset, asWritten.GetProperty("annualKwhPerM2").GetDouble(), 1);
    }

    [Theory]
    [InlineData("--tilt 200 --azimuth 180", "--tilt: 200 is out of range [0, 180]")]
    [InlineData("--tilt 30 --azimuth 180 --model klucher", "--model: 'klucher' is not one of isotropic, haydavies, perez")]
    [InlineData("--tilt 30 --azimuth 180 --horizon 0:5,90:3,45:2", "--horizon: point 3: azimuth 45 does not increase")]
    [InlineData("--tilt 30", "--azimuth is required")]
    public async Task Poa_BadArgument_Exit2NamingIt(string line, string message)
    {
        var (code, _, stderr) = await ConsoleCapture.RunAsync(["solar", "poa", "--weather", Pvgis, .. line.Split(' ')]);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public async Task Poa_MalformedWeather_Exit1WithFileLineColumn()
    {
        var lines = File.ReadAllLines(Pvgis);
        lines[18] = lines[18].Replace("94.38,0.0,", "94.38,x,", StringComparison.Ordinal);
        var path = Path.Combine(Path.GetTempPath(), $"smartregion-bad-{Guid.NewGuid():N}.csv");
        await File.WriteAllLinesAsync(path, lines, TestContext.Current.CancellationToken);
        try
        {
            var (code, _, stderr) = await ConsoleCapture.RunAsync("solar", "poa", "--weather", path, "--tilt", "30", "--azimuth", "180");
            Assert.Equal(1, code);
            Assert.Contains($"{path}:19:26: column 'G(h)': 'x' is not a number", stderr);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Poa_HorizonFileNotMonotonic_Exit1WithLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"smartregion-horizon-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, "horizon_azimuth,horizon_elevation\n0,5\n90,7\n45,3\n", TestContext.Current.CancellationToken);
        try
        {
            var (code, _, stderr) = await ConsoleCapture.RunAsync("solar", "poa", "--weather", Pvgis, "--tilt", "30", "--azimuth", "180", "--horizon-file", path);
            Assert.Equal(1, code);
            Assert.Contains($"{path}:4:1: point 3: azimuth 45 does not increase (previous 90)", stderr);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Poa_MissingWeatherFile_Exit1()
    {
        var (code, _, stderr) = await ConsoleCapture.RunAsync("solar", "poa", "--weather", "/nonexistent/tmy.csv", "--tilt", "30", "--azimuth", "180");
        Assert.Equal(1, code);
        Assert.Contains("--weather: /nonexistent/tmy.csv does not exist", stderr);
    }
}

/// <summary>Runs the CLI with stdout captured; tests that swap Console.Out must not run in parallel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCapture
{
    public const string Name = "console";

    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var original = Console.Out;
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Console.SetOut(stdout);
        try
        {
            var code = await Program.RunAsync(args, stderr, TestContext.Current.CancellationToken);
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(original);
        }
    }
}
