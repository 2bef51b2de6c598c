using SmartRegion.Pipelines.Cli;

namespace SmartRegion.Pipelines.Tests;

public sealed class CliArgsTests
{
    [Fact]
    public void Parse_OptionsFlagsAndPositionals_ReadBack()
    {
        var a = CliArgs.Parse(["file.geojson", "--srs", "EPSG:2154", "--strict", "--lat=48.5", "--", "--literal"], "strict");
        Assert.Equal(["file.geojson", "--literal"], a.Positionals);
        Assert.Equal("EPSG:2154", a.String("srs"));
        Assert.True(a.Flag("strict"));
        Assert.Equal(48.5, a.Double("lat"));
        a.RejectUnknown();
    }

    [Theory]
    [InlineData("--lat abc", "--lat: 'abc' is not a number")]
    [InlineData("--lat 91", "--lat: 91 is out of range [-90, 90]")]
    [InlineData("--lat NaN", "--lat: 'NaN' is not a number")]
    public void Double_BadValue_NamesTheArgument(string line, string message)
    {
        var a = CliArgs.Parse(line.Split(' '));
        var e = Assert.Throws<CliUsageException>(() => a.Double("lat", -90, 90));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Parse_MissingValue_Fails()
    {
        var e = Assert.Throws<CliUsageException>(() => CliArgs.Parse(["--tilt"]));
        Assert.Equal("--tilt needs a value", e.Message);
    }

    [Fact]
    public void RejectUnknown_Typo_NamesIt()
    {
        var a = CliArgs.Parse(["--tlit", "30"]);
        a.Double("tilt");
        var e = Assert.Throws<CliUsageException>(a.RejectUnknown);
        Assert.Equal("unknown option(s): --tlit", e.Message);
    }

    [Fact]
    public void Choice_UnknownModel_ListsAllowed()
    {
        var a = CliArgs.Parse(["--model", "klucher"]);
        var e = Assert.Throws<CliUsageException>(() => a.Choice("model", "perez", "isotropic", "haydavies", "perez"));
        Assert.Equal("--model: 'klucher' is not one of isotropic, haydavies, perez", e.Message);
    }

    [Fact]
    public async Task Run_UnknownCommand_Exit2WithUsage()
    {
        var err = new StringWriter();
        var code = await Program.RunAsync(["frobnicate"], err, TestContext.Current.CancellationToken);
        Assert.Equal(2, code);
        Assert.Contains("unknown command 'frobnicate'", err.ToString());
        Assert.Contains("db migrate", err.ToString());
    }

    [Fact]
    public async Task Run_Help_ListsEachCommandOnce()
    {
        var err = new StringWriter();
        var code = await Program.RunAsync(["help"], err, TestContext.Current.CancellationToken);
        Assert.Equal(0, code);
        var lines = err.ToString().Split('\n');
        foreach (var command in new[] { "compute solar [", "worker [", "ingest buildings FILE", "db migrate" })
        {
            Assert.Single(lines, l => l.StartsWith(command, StringComparison.Ordinal));
        }
    }
}

/// <summary>Tests that change process environment variables run alone.</summary>
[CollectionDefinition("process-environment", DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection;

[Collection("process-environment")]
public sealed class ProgramErrorTests
{
    [Fact]
    public async Task Run_DatabaseMissing_ClearMessageNotAStackTrace()
    {
        var server = Environment.GetEnvironmentVariable("SMARTREGION_DB");
        Assert.SkipWhen(string.IsNullOrEmpty(server), "SMARTREGION_DB is not set (run through ./smartregion test)");
        var missing = new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = "sr_no_such_db_" + Guid.NewGuid().ToString("N")[..8] }.ConnectionString;
        var err = new StringWriter();
        var previous = Environment.GetEnvironmentVariable("SMARTREGION_DB");
        try
        {
            Environment.SetEnvironmentVariable("SMARTREGION_DB", missing);
            var code = await Program.RunAsync(["db", "migrate"], err, TestContext.Current.CancellationToken);
            Assert.Equal(1, code);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SMARTREGION_DB", previous);
        }
        Assert.Contains("the database refused", err.ToString());
        Assert.Contains("does not exist", err.ToString());
        Assert.DoesNotContain("   at ", err.ToString());
    }
}
