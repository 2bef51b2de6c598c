using System.Text.Json;

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
