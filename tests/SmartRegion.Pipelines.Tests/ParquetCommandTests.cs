using SmartRegion.Parquet;

namespace SmartRegion.Pipelines.Tests;

public sealed class ParquetCommandTests
{
    private static async Task<(int Code, string Error)> RunAsync(params string[] args)
    {
        var error = new StringWriter();
        var code = await Program.RunAsync(args, error, TestContext.Current.CancellationToken);
        return (code, error.ToString());
    }

    [Fact]
    public async Task Sample_ThenRead_EveryColumnAndGeoMetadata()
    {
        var file = Path.Combine(Path.GetTempPath(), $"sample-{Guid.NewGuid():N}.parquet");
        try
        {
            var (code, error) = await RunAsync("parquet", "sample", file, "--rows", "2500", "--row-group-rows", "1000");
            Assert.True(code == 0, error);
            await using var reader = await ParquetReader.OpenAsync(file, TestContext.Current.CancellationToken);
            Assert.Equal(2500, reader.RowCount);
            Assert.Equal(3, reader.RowGroups.Count);
            Assert.Contains("\"code\":2154", reader.Metadata["geo"]);
            var group = await reader.ReadRowGroupAsync(2, ["id", "nothing"], TestContext.Current.CancellationToken);
            Assert.Equal(2000L, group["id"].As<long>()[0]);
            Assert.All(Enumerable.Range(0, group.RowCount), r => Assert.True(group["nothing"].IsNull(r)));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Inspect_MissingFile_ExitsOneNamingTheFile()
    {
        var (code, error) = await RunAsync("parquet", "inspect", "no-such-file.parquet");
        Assert.Equal(1, code);
        Assert.Contains("no-such-file.parquet: no such file", error);
    }

    [Fact]
    public async Task Cat_NotParquet_ExitsOneWithTheReadersMessage()
    {
        var file = Path.Combine(Path.GetTempPath(), $"not-{Guid.NewGuid():N}.parquet");
        await File.WriteAllTextAsync(file, "id,name\n1,Saint-Denis\n2,Montreuil\n", TestContext.Current.CancellationToken);
        try
        {
            var (code, error) = await RunAsync("parquet", "cat", file);
            Assert.Equal(1, code);
            Assert.Contains("not a Parquet file: the magic number PAR1 is missing", error);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("parquet", "cat")]
    [InlineData("parquet", "cat", "a.parquet", "--limit", "-1")]
    [InlineData("parquet", "sample", "a.parquet", "--codec", "lz4")]
    [InlineData("parquet", "frobnicate")]
    public async Task BadArguments_ExitTwo(params string[] args)
    {
        var (code, _) = await RunAsync(args);
        Assert.Equal(2, code);
    }
}
