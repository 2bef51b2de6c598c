using System.Text;
using System.Text.Json;
using SmartRegion.Api.Tests.Catalog;
using SmartRegion.Data.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Explore;

/// <summary>A published dataset of eight schools with every field type, for the explore and OGC tests (read-only once made).</summary>
internal static class ExploreKit
{
    // Names chosen to try the CSV export's neutralisation (=, +, @, -) and quoting.
    public const string Csv = """"
        id,nom,commune,potentiel_kwh,mise_en_service,actif,geom
        1,École Jean Jaurès,Saint-Denis,1200.5,2021-03-04,true,POINT(2.3550 48.9350)
        2,"Collège ""Elsa""",Saint-Denis,800,2020-06-01,false,POINT(2.3600 48.9360)
        3,"=HYPERLINK(""x"")",Aubervilliers,50,2019-01-15,true,POINT(2.3830 48.9140)
        4,Gymnase,Aubervilliers,,2022-11-30,true,POINT(2.3850 48.9150)
        5,+33 1 23,Pantin,300,2021-07-07,false,POINT(2.4000 48.8940)
        6,@mairie,Pantin,450.25,2023-02-02,true,POINT(2.4050 48.8950)
        7,-moins,Saint-Denis,975,2021-03-05,true,POINT(2.3580 48.9370)
        8,Stade de France,Saint-Denis,5000,2018-09-09,false,POINT(2.3601 48.9245)

        """";

    public sealed record Published(string Id, string OwnerKey, string OwnerOrgSlug, long DatasetId);

    /// <summary>Creates an organisation, a dataset with <paramref name="visibility"/>, uploads the schools and publishes them.</summary>
    public static async Task<Published> PublishAsync(CatalogKit kit, string visibility = "public", string? csv = null)
    {
        var org = await kit.OrgAsync("ecoles");
        var (_, key) = await kit.UserWithKeyAsync(org, "admin");
        using var client = kit.Client(key);
        var id = (await kit.CreateDatasetAsync(client, org.Slug, visibility)).GetProperty("id").GetString()!;
        var job = await Uploads.UploadBytesAndWaitAsync(client, id, Encoding.UTF8.GetBytes(csv ?? Csv), "ecoles.csv");
        Assert.Equal("done", job.GetProperty("status").GetString());
        var (status, body) = await CatalogKit.SendAsync(client, HttpMethod.Post, $"/api/v1/datasets/{id}/versions/1/publish");
        Assert.True(status == 200, body);
        var (dataset, _) = await kit.Datasets.FindAsync(id, Caller.Anonymous with { IsPlatformAdmin = true }, TestContext.Current.CancellationToken);
        return new Published(id, key, org.Slug, dataset!.Id);
    }

    public static async Task<(int Status, JsonElement Body, string Text)> GetJsonAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        JsonElement body = default;
        if (text.Length > 0 && text[0] is '{' or '[')
        {
            body = JsonDocument.Parse(text).RootElement.Clone();
        }
        return ((int)response.StatusCode, body, text);
    }

    public static string Q(string s) => Uri.EscapeDataString(s);

    /// <summary>Fails when an answer shows SQL, a stack trace, a file path or a connection string.</summary>
    public static void AssertNoLeak(string body)
    {
        foreach (var leak in new[] { "SELECT ", "records.\"", "ST_", "NpgsqlException", "PostgresException", "   at ", "/work/", ".cs:line", "Password=", "Host=" })
        {
            Assert.DoesNotContain(leak, body, StringComparison.Ordinal);
        }
    }
}
