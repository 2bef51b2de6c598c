using System.Text;
using SmartRegion.Api.Infrastructure;
using SmartRegion.Api.Tests.Explore;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Catalog;

/// <summary>
/// Every CSV the platform writes goes through <see cref="CsvText"/>: the cell rules themselves, and the catalogue's
/// export.csv and the explore API's exports/csv giving the same cells for the same records.
/// </summary>
public sealed class CsvExportTests(TestDatabase db) : CatalogTest(db)
{
    [Theory]
    [InlineData("=1+1", ',', "'=1+1")]
    [InlineData("+33 1 23", ',', "'+33 1 23")]
    [InlineData("-moins", ',', "'-moins")]
    [InlineData("@SUM(A1)", ',', "'@SUM(A1)")]
    [InlineData("\t=cmd", ',', "'\t=cmd")]
    [InlineData("\r=cmd", ',', "\"'\r=cmd\"")]
    [InlineData("-12.5", ',', "-12.5")]
    [InlineData("+1e3", ',', "+1e3")]
    [InlineData("a=b", ',', "a=b")]
    [InlineData("a,b", ',', "\"a,b\"")]
    [InlineData("a,b", ';', "a,b")]
    [InlineData("a;b", ';', "\"a;b\"")]
    [InlineData("say \"hi\"", ',', "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", ',', "\"two\nlines\"")]
    [InlineData("", ',', "")]
    public void Cell_NeutralisesFormulasAndQuotes(string text, char delimiter, string expected) =>
        Assert.Equal(expected, CsvText.Cell(text, delimiter));

    [Fact]
    public void Value_NumbersBare_NonFiniteEmpty_TextNeutralised()
    {
        Assert.Equal("-3", CsvText.Value(-3L));
        Assert.Equal("0.1", CsvText.Value(0.1));
        Assert.Equal("", CsvText.Value(double.NaN));
        Assert.Equal("", CsvText.Value(double.PositiveInfinity));
        Assert.Equal("", CsvText.Value(null));
        Assert.Equal("true", CsvText.Value(true));
        Assert.Equal("2021-03-04", CsvText.Value(new DateOnly(2021, 3, 4)));
        Assert.Equal("2021-03-04T10:00:00Z", CsvText.Value(new DateTime(2021, 3, 4, 10, 0, 0, DateTimeKind.Utc)));
        Assert.Equal("'-x", CsvText.Value("-x"));
        Assert.Equal("\"'=a;b\"", CsvText.Value("=a;b", ';'));
    }

    [Fact]
    public async Task CatalogueExport_AndExploreExport_WriteTheSameCells()
    {
        const string csv = """"
            id,nom,note
            1,"=HYPERLINK(""http://x"")",ok
            2,"	=TAB",-4.5
            3,@mairie,"a,b"
            4,-moins,+33 1
            5,École,"say ""hi"""

            """";
        var published = await ExploreKit.PublishAsync(Kit, csv: csv);
        var client = Kit.Client();
        var ct = TestContext.Current.CancellationToken;

        var catalogue = Lines(await client.GetStringAsync($"/api/v1/datasets/{published.Id}/export.csv", ct));
        var explore = Lines(await client.GetStringAsync(
            $"/api/explore/v2.1/catalog/datasets/{published.Id}/exports/csv?delimiter=,&with_bom=false&order_by=id", ct));

        Assert.Equal("id,nom,note", catalogue[0]);
        Assert.Equal("1,\"'=HYPERLINK(\"\"http://x\"\")\",ok", catalogue[1]);
        Assert.Equal("2,'\t=TAB,-4.5", catalogue[2]); // a number kept as text stays a number in a spreadsheet
        Assert.Equal("3,'@mairie,\"a,b\"", catalogue[3]);
        Assert.Equal("4,'-moins,'+33 1", catalogue[4]);
        Assert.Equal("5,École,\"say \"\"hi\"\"\"", catalogue[5]);
        Assert.Equal(catalogue, explore);
    }

    private static string[] Lines(string text) => text.Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);
}
