using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using SmartRegion.Api.Tests.Catalog;
using SmartRegion.Testing;
using static SmartRegion.Api.Tests.Explore.ExploreKit;

namespace SmartRegion.Api.Tests.Ogc;

/// <summary>
/// The real host on Kestrel, bound to 127.0.0.1 on a free port, for clients outside the process (GDAL). Its public base
/// URL is that address, as a deployment's is the address its clients use: the documents' links lead back to it.
/// </summary>
public sealed class LiveApi : WebApplicationFactory<Program>
{
    private readonly string _connectionString;
    private readonly int _port;

    public LiveApi(string connectionString)
    {
        _connectionString = connectionString;
        _port = FreePort();
        UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, _port));
        StartServer();
    }

    public string Address => $"http://127.0.0.1:{_port}";

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:SmartRegion", _connectionString);
        builder.UseSetting("PublicBaseUrl", Address);
        builder.UseSetting("Web:Root", Path.Combine(SharedData.RepositoryRoot, "web"));
        builder.UseEnvironment("Testing");
        builder.UseSetting("RateLimits:AnonymousPerMinute", "1000000");
    }
}

public sealed class OgcApiTests(TestDatabase db) : CatalogTest(db)
{
    [Fact]
    public async Task LandingConformanceCollections_LinkEachOtherAndListOnlyVisibleGeoDatasets()
    {
        var published = await PublishAsync(Kit);
        var hidden = await PublishAsync(Kit, "private");
        using var client = Kit.Client();

        var (status, landing, _) = await GetJsonAsync(client, "/ogc");
        Assert.Equal(200, status);
        var rels = landing.GetProperty("links").EnumerateArray().Select(l => l.GetProperty("rel").GetString()).ToList();
        Assert.Equal(["self", "service-desc", "service-doc", "conformance", "data"], rels);
        var (_, conformance, _) = await GetJsonAsync(client, "/ogc/conformance");
        Assert.Contains(conformance.GetProperty("conformsTo").EnumerateArray(), c => c.GetString() == "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs");
        var (apiStatus, api, _) = await GetJsonAsync(client, "/ogc/api");
        Assert.Equal(200, apiStatus);
        Assert.Equal("3.0.3", api.GetProperty("openapi").GetString());

        var (_, collections, _) = await GetJsonAsync(client, "/ogc/collections");
        var ids = collections.GetProperty("collections").EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToList();
        Assert.Contains(published.Id, ids);
        Assert.DoesNotContain(hidden.Id, ids);
        var (_, one, _) = await GetJsonAsync(client, $"/ogc/collections/{published.Id}");
        var bbox = one.GetProperty("extent").GetProperty("spatial").GetProperty("bbox")[0];
        Assert.Equal([2.355, 48.894, 2.405, 48.937], bbox.EnumerateArray().Select(v => Math.Round(v.GetDouble(), 3)));
        Assert.Equal(3, one.GetProperty("crs").GetArrayLength());
        Assert.Equal(404, (await GetJsonAsync(client, $"/ogc/collections/{hidden.Id}")).Status);
        Assert.Equal(404, (await GetJsonAsync(client, $"/ogc/collections/{hidden.Id}/items")).Status);
        using var owner = Kit.Client(hidden.OwnerKey);
        Assert.Equal(200, (await GetJsonAsync(owner, $"/ogc/collections/{hidden.Id}/items")).Status);
    }

    [Fact]
    public async Task Items_PagesFiltersAndCrs_AxisOrderOfEachCrs()
    {
        var published = await PublishAsync(Kit);
        using var client = Kit.Client();
        var items = $"/ogc/collections/{published.Id}/items";

        var (status, page, text) = await GetJsonAsync(client, $"{items}?limit=3");
        Assert.True(status == 200, text);
        Assert.Equal(8, page.GetProperty("numberMatched").GetInt64());
        Assert.Equal(3, page.GetProperty("numberReturned").GetInt64());
        var all = new List<long>();
        var next = $"{items}?limit=3";
        while (next is not null)
        {
            var (_, p, _) = await GetJsonAsync(client, next);
            all.AddRange(p.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("properties").GetProperty("id").GetInt64()));
            next = p.GetProperty("links").EnumerateArray().Where(l => l.GetProperty("rel").GetString() == "next")
                .Select(l => new Uri(l.GetProperty("href").GetString()!).PathAndQuery).FirstOrDefault();
        }
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8], all);

        // bbox in CRS84 (lon, lat), EPSG:4326 (lat, lon) and Lambert-93 select the same two Pantin schools.
        foreach (var query in new[]
        {
            "bbox=2.39,48.89,2.41,48.90",
            $"bbox=48.89,2.39,48.90,2.41&bbox-crs={Q("http://www.opengis.net/def/crs/EPSG/0/4326")}",
            $"bbox=655500,6866000,656500,6866500&bbox-crs={Q("http://www.opengis.net/def/crs/EPSG/0/2154")}",
        })
        {
            var (s, p, t) = await GetJsonAsync(client, $"{items}?{query}");
            Assert.True(s == 200, t);
            Assert.Equal([5L, 6], p.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("properties").GetProperty("id").GetInt64()));
        }

        using var response = await client.GetAsync($"{items}?commune=Pantin&crs={Q("http://www.opengis.net/def/crs/EPSG/0/4326")}", Ct);
        Assert.Equal("<http://www.opengis.net/def/crs/EPSG/0/4326>", response.Headers.GetValues("Content-Crs").Single());
        using var latFirst = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var coordinates = latFirst.RootElement.GetProperty("features")[0].GetProperty("geometry").GetProperty("coordinates");
        Assert.Equal(48.894, coordinates[0].GetDouble(), 6);
        Assert.Equal(2.4, coordinates[1].GetDouble(), 6);

        var (_, lambert, _) = await GetJsonAsync(client, $"{items}?commune=Pantin&crs={Q("http://www.opengis.net/def/crs/EPSG/0/2154")}");
        var xy = lambert.GetProperty("features")[0].GetProperty("geometry").GetProperty("coordinates");
        Assert.InRange(xy[0].GetDouble(), 655_900, 656_100);
        Assert.InRange(xy[1].GetDouble(), 6_866_100, 6_866_250);

        var (_, dated, _) = await GetJsonAsync(client, $"{items}?datetime=2021-03-04/2021-07-07&limit=100");
        Assert.Equal([1L, 5, 7], dated.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("properties").GetProperty("id").GetInt64()));
        var (_, day, _) = await GetJsonAsync(client, $"{items}?datetime=2021-03-05");
        Assert.Equal(1, day.GetProperty("numberMatched").GetInt64());

        var featureId = page.GetProperty("features")[1].GetProperty("id").GetInt64();
        var (fs, feature, _) = await GetJsonAsync(client, $"{items}/{featureId}");
        Assert.Equal(200, fs);
        Assert.Equal(2, feature.GetProperty("properties").GetProperty("id").GetInt64());
        Assert.Equal(404, (await GetJsonAsync(client, $"{items}/999999")).Status);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=10001", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("bbox=1,2,3", "bbox")]
    [InlineData("bbox=1,2,3,4,5", "bbox")]
    [InlineData("bbox=3,2,1,4", "bbox")]
    [InlineData("bbox=NaN,2,3,4", "bbox")]
    [InlineData("bbox=1e308,2,3,4", "bbox")]
    [InlineData("bbox=-200,2,3,4", "bbox")]
    [InlineData("crs=EPSG:3857", "crs")]
    [InlineData("bbox-crs=EPSG:4326", "bbox-crs")]
    [InlineData("datetime=yesterday", "datetime")]
    [InlineData("datetime=2021-01-01/2020-01-01", "datetime")]
    [InlineData("unknown=1", "unknown")]
    [InlineData("potentiel_kwh=beaucoup", "potentiel_kwh")]
    [InlineData("f=html", "f")]
    [InlineData("offset=1000000000", "offset")]
    public async Task Items_BadParameters_Are400NamingTheParameter(string query, string parameter)
    {
        var published = await PublishAsync(Kit);
        using var client = Kit.Client();
        var (status, body, text) = await GetJsonAsync(client, $"/ogc/collections/{published.Id}/items?{query}");
        Assert.True(status == 400, text);
        Assert.Equal(parameter, body.GetProperty("parameter").GetString());
        AssertNoLeak(text);
    }

    [Fact]
    public async Task Gdal_OgrinfoListsAndOgr2ogrCopiesEveryFeature()
    {
        var ogrinfo = Tool("ogrinfo");
        var ogr2ogr = Tool("ogr2ogr");
        var published = await PublishAsync(Kit);
        var restricted = await PublishAsync(Kit, "private");
        await using var live = new LiveApi(Kit.Db.ConnectionString);
        var url = $"OAPIF:{live.Address}/ogc";

        var (code, listing) = await RunAsync(ogrinfo, "-ro", "-q", url);
        Assert.True(code == 0, listing);
        Assert.Contains(published.Id, listing);
        Assert.DoesNotContain(restricted.Id, listing);

        var dir = Directory.CreateTempSubdirectory("ogc-gdal-");
        try
        {
            var gpkg = Path.Combine(dir.FullName, "out.gpkg");
            var (copied, copyLog) = await RunAsync(ogr2ogr, "-f", "GPKG", gpkg, url, published.Id);
            Assert.True(copied == 0, copyLog);
            var (_, summary) = await RunAsync(ogrinfo, "-ro", "-so", gpkg, published.Id);
            Assert.Contains("Feature Count: 8", summary);
            Assert.Contains("nom: String", summary);
            var (_, features) = await RunAsync(ogrinfo, "-ro", "-q", gpkg, published.Id, "-where", "id = 6");
            Assert.Contains("nom (String) = @mairie", features);
            Assert.Contains("POINT (2.405 48.895)", features);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Tool(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
        if (path is null)
        {
            var message = $"{name} (Debian's gdal-bin) is not installed; ./smartregion test installs it";
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
            {
                Assert.Fail(message);
            }
            Assert.Skip(message);
        }
        return path!;
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        // GDAL must never leave this machine, and never wait on a proxy.
        start.Environment["GDAL_HTTP_TIMEOUT"] = "60";
        start.Environment["NO_PROXY"] = "127.0.0.1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }
}
