using SmartRegion.Pipelines.Cli;
using SmartRegion.Pipelines.Commands;

namespace SmartRegion.Pipelines.Tests;

public sealed class IngestCliTests
{
    [Fact]
    public void DefaultReportPath_InsideCheckout_GoesToProjectReportsWithRunTime()
    {
        var path = IngestCommands.DefaultReportPath("buildings", "/data/ro/lyon-1er_bdtopo.geojson", "/work/project",
            new DateTimeOffset(2026, 11, 22, 6, 30, 5, TimeSpan.Zero));
        Assert.Equal("/work/project/.smartregion/reports/ingest-buildings-lyon-1er_bdtopo-20261122T063005Z.json", path);
    }

    [Fact]
    public void DefaultReportPath_FromTheBuiltCli_IsUnderThisCheckoutNotTheCurrentDirectory()
    {
        var path = IngestCommands.DefaultReportPath("weather", "x.csv");
        // The test binary lives in artifacts/ of the checkout, like the CLI's: the checkout holds ./smartregion.
        var root = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(path)))!;
        Assert.True(File.Exists(Path.Combine(root, "smartregion")), path);
        Assert.EndsWith(Path.Combine(".smartregion", "reports"), Path.GetDirectoryName(path));
    }

    [Fact]
    public void ProgressLine_NotATerminal_PrintsPlainLinesAtMostEveryFewSecondsAndTheLast()
    {
        var output = new StringWriter();
        var progress = new ProgressLine("buildings", output);
        for (var mb = 0; mb <= 100; mb++)
        {
            progress.Report(mb, 100, "MB", $"{mb * 1000:N0} features");
        }
        progress.Done();
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length); // the first and the finished one: the loop takes far less than 5 s
        Assert.StartsWith("buildings 100/100 MB (100", lines[1]);
        Assert.EndsWith("100,000 features", lines[1].TrimEnd());
    }

    [Theory]
    [InlineData(714_886, "buildings 698/698 kB (100 %)")]
    [InlineData(105_004_676, "buildings 100/100 MB (100 %)")]
    public void ProgressLine_FileRead_CountsInKilobytesUnderTenMegabytes(long size, string expected)
    {
        var output = new StringWriter();
        new ProgressLine("buildings", output).ReportBytes(size, size, "436 features");
        Assert.StartsWith(expected, output.ToString());
    }
}
