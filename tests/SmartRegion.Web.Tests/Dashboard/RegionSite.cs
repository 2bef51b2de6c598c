using SmartRegion.Testing;

namespace SmartRegion.Web.Tests.Dashboard;

/// <summary>The tests on real data share one <see cref="RegionSite"/>.</summary>
[CollectionDefinition(Name)]
public sealed class RealData : ICollectionFixture<RegionSite>
{
    public const string Name = "real data";
}

/// <summary>
/// A second site for the barometer's real-data tests, on its own database: the Île-de-France boundaries (1,276 communes,
/// the Paris arrondissements, 8 départements, the region), the Saint-Denis BD TOPO buildings and the 135 Île-de-France
/// buildings of the national BD TOPO sample (so that several communes of several départements have results), the Paris
/// NSRDB typical year, one solar run over all of them (which refreshes the barometer), and the real Api on Kestrel.
/// Its validation result is a copy of the stored one with other numbers, so a page showing it proves it reads the file.
/// </summary>
public sealed class RegionSite(WebSite site) : IAsyncLifetime
{
    private readonly TestDatabase _database = new();
    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>? _api;

    public TestDatabase Database => _database;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The validation result this site serves (the stored one, headline numbers changed).</summary>
    public string ValidationResultPath { get; } = Path.Combine(Path.GetTempPath(), $"sr-validation-{Guid.NewGuid():N}.json");

    public long RunId { get; private set; }

    public async ValueTask InitializeAsync()
    {
        SharedData.Require("buildings/saint-denis_bdtopo_batiment.geojson");
        await _database.InitializeAsync();
        string Data(string path) => SharedData.Require(path);
        string[][] steps =
        [
            ["ingest", "boundaries", Data("admin/communes-ile-de-france.geojson"), "--level", "commune"],
            ["ingest", "boundaries", Data("admin/paris-arrondissements.geojson"), "--level", "arrondissement", "--code-field", "c_arinsee"],
            ["ingest", "boundaries", Data("admin/departements-ile-de-france.geojson"), "--level", "departement"],
            ["ingest", "boundaries", Data("admin/region-ile-de-france.geojson"), "--level", "region"],
            ["ingest", "buildings", Data("buildings/saint-denis_bdtopo_batiment.geojson"), "--source", "bdtopo"],
            ["ingest", "buildings", Data("buildings/france_bdtopo_batiment_sample_wkt_2154.csv"), "--source", "bdtopo-sample"],
            ["ingest", "weather", Data("weather/nsrdb_msg_tmy_paris_48.85_2.34.csv"), "--name", "paris-nsrdb"],
            ["compute", "solar", "--workers", "2"],
        ];
        foreach (var step in steps)
        {
            await site.RunCliAsync(step, _database.ConnectionString);
        }
        RunId = await ScalarAsync<long>("SELECT max(id) FROM solar.run WHERE status = 'complete'");
        File.WriteAllText(ValidationResultPath, ChangedValidationResult());
        (_api, var baseAddress) = WebSite.StartHost(_database.ApiConnectionString, new Dictionary<string, string?> { ["Validation:ResultPath"] = ValidationResultPath });
        BaseAddress = baseAddress;
    }

    public async ValueTask DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }
        await _database.DisposeAsync();
        File.Delete(ValidationResultPath);
    }

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var cmd = _database.DataSource.CreateCommand(sql);
        foreach (var (n, v) in parameters)
        {
            cmd.Parameters.AddWithValue(n, v);
        }
        return (T)(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    /// <summary>The stored result with its headline numbers replaced (n + 1, the differences shifted).</summary>
    private static string ChangedValidationResult()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "bench", "validation", "result.json")))!;
        var headline = json["headline"]!;
        headline["n"] = headline["n"]!.GetValue<int>() + 1;
        headline["medianAbsDiff"] = 0.0123;
        headline["p90AbsDiff"] = 0.0456;
        headline["bias"] = -0.0078;
        return json.ToJsonString();
    }
}
