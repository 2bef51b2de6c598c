using System.Text;
using System.Text.Json;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Catalog;

/// <summary>Real partner files through upload → report → publish → query → new version → rollback.</summary>
public sealed class PartnerFileTests(TestDatabase db) : CatalogTest(db)
{
    [Fact]
    public async Task ParisTrees_UploadPublishQueryNewVersionRollback()
    {
        var path = SharedData.Require("partners/paris_arbres_plantes.csv");
        var org = await Kit.OrgAsync("ville-de-paris", "public_agency");
        var (_, key) = await Kit.UserWithKeyAsync(org, "editor");
        using var client = Kit.Client(key);
        var id = (await Kit.CreateDatasetAsync(client, org.Slug, "public")).GetProperty("id").GetString()!;

        var job = await Uploads.UploadAndWaitAsync(client, id, path);

        Assert.True(job.GetProperty("status").GetString() == "done", job.ToString());
        var v1 = job.GetProperty("version");
        Assert.Equal("ready", v1.GetProperty("status").GetString());
        var report = v1.GetProperty("report");
        Assert.Equal(";", report.GetProperty("detected").GetProperty("delimiter").GetString());
        Assert.True(report.GetProperty("detected").GetProperty("bom").GetBoolean());
        Assert.Equal("utf-8", report.GetProperty("detected").GetProperty("encoding").GetString());
        Assert.Equal(7263, report.GetProperty("rowsRead").GetInt64());
        Assert.Equal(report.GetProperty("rowsRead").GetInt64(), report.GetProperty("rowsLoaded").GetInt64() + report.GetProperty("rowsRejected").GetInt64());
        var fields = v1.GetProperty("schema").GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f);
        Assert.Equal("integer", fields["Emplacement - Identifiant unique"].GetProperty("type").GetString());
        Assert.Equal("number", fields["Arbre - Hauteur en m"].GetProperty("type").GetString());
        Assert.Equal("geometry", fields["geo_shape"].GetProperty("type").GetString());
        Assert.Equal("text", fields["Emplacement - Arrondissement"].GetProperty("type").GetString());
        Assert.True(v1.GetProperty("hasGeometry").GetBoolean());
        var bbox = v1.GetProperty("bboxWgs84").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.InRange(bbox[0], 2.2, 2.5);
        Assert.InRange(bbox[1], 48.7, 48.91); // Paris also plants trees in its cemeteries outside the city (Thiais)
        var loaded = v1.GetProperty("rowCount").GetInt64();
        Assert.True(loaded > 7000, $"{loaded} rows loaded");

        // Not visible before publishing.
        Assert.Equal(404, (await CatalogKit.SendAsync(client, HttpMethod.Get, $"/api/v1/datasets/{id}/records")).Status);
        Assert.Equal(200, (await CatalogKit.SendAsync(client, HttpMethod.Post, $"/api/v1/datasets/{id}/versions/1/publish")).Status);

        using var anonymous = Kit.Client();
        var (status, body) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get,
            $"/api/v1/datasets/{id}/records?fields=Emplacement%20-%20Identifiant%20unique,Arbre%20-%20Hauteur%20en%20m,geo_shape&limit=2");
        Assert.Equal(200, status);
        var page = JsonDocument.Parse(body).RootElement;
        Assert.Equal(loaded, page.GetProperty("numberMatched").GetInt64());
        var first = page.GetProperty("records")[0];
        Assert.Equal(204318, first.GetProperty("Emplacement - Identifiant unique").GetInt64());
        Assert.Equal(5.0, first.GetProperty("Arbre - Hauteur en m").GetDouble());
        Assert.Equal("Point", first.GetProperty("geo_shape").GetProperty("type").GetString());
        Assert.Equal(2.3212859, first.GetProperty("geo_shape").GetProperty("coordinates")[0].GetDouble(), 6);

        // Version 2: the first 10 rows only; publish, then roll back to version 1.
        var lines = File.ReadLines(path, Encoding.UTF8).Take(11);
        var job2 = await Uploads.UploadBytesAndWaitAsync(client, id, Encoding.UTF8.GetBytes(string.Join("\n", lines)), "arbres-extrait.csv");
        Assert.Equal(10, job2.GetProperty("version").GetProperty("rowCount").GetInt64());
        Assert.Equal(200, (await CatalogKit.SendAsync(client, HttpMethod.Post, $"/api/v1/datasets/{id}/versions/2/publish")).Status);
        Assert.Equal(10, await MatchedAsync(anonymous, id));

        var (rb, _) = await CatalogKit.SendAsync(client, HttpMethod.Post, $"/api/v1/datasets/{id}/rollback", new { version = 1 });
        Assert.Equal(200, rb);
        Assert.Equal(loaded, await MatchedAsync(anonymous, id));
        var (_, history) = await CatalogKit.SendAsync(client, HttpMethod.Get, $"/api/v1/datasets/{id}/versions");
        var versions = JsonDocument.Parse(history).RootElement.EnumerateArray().ToDictionary(v => v.GetProperty("number").GetInt32(), v => v.GetProperty("status").GetString());
        Assert.Equal("published", versions[1]);
        Assert.Equal("superseded", versions[2]);

        // Rolling back to a version that was never published is refused.
        Assert.Equal(409, (await CatalogKit.SendAsync(client, HttpMethod.Post, $"/api/v1/datasets/{id}/rollback", new { version = 1 })).Status);
    }

    [Fact]
    public async Task SeineSaintDenisSchools_GeoJson_LoadsPointsAndExports()
    {
        var path = SharedData.Require("partners/seine-saint-denis_ecoles_potentiel_solaire_d4g.geojson");
        var org = await Kit.OrgAsync("data-for-good", "association");
        var (_, key) = await Kit.UserWithKeyAsync(org, "admin");
        using var client = Kit.Client(key);
        var id = (await Kit.CreateDatasetAsync(client, org.Slug, "public")).GetProperty("id").GetString()!;

        var job = await Uploads.UploadAndWaitAsync(client, id, path);

        var v1 = job.GetProperty("version");
        Assert.Equal("ready", v1.GetProperty("status").GetString());
        Assert.Equal(1130, v1.GetProperty("rowCount").GetInt64());
        var fields = v1.GetProperty("schema").GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("type").GetString());
        Assert.Equal("text", fields["code_commune"]);       // "93077": a code, never an integer
        Assert.Equal("text", fields["code_departement"]);   // "093"
        Assert.Equal("number", fields["potentiel_solaire"]);
        Assert.Equal("boolean", fields["protection"]);
        Assert.Equal("geometry", fields["geometry"]);
        var bbox = v1.GetProperty("bboxWgs84").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.InRange(bbox[0], 2.2, 2.45);
        Assert.InRange(bbox[3], 48.9, 49.1);
        Assert.Equal(200, (await CatalogKit.SendAsync(client, HttpMethod.Post, $"/api/v1/datasets/{id}/versions/1/publish")).Status);

        using var anonymous = Kit.Client();
        var (status, geojson) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"/api/v1/datasets/{id}/export.geojson?fields=nom_etablissement,code_commune,geometry");
        Assert.Equal(200, status);
        var fc = JsonDocument.Parse(geojson).RootElement;
        Assert.Equal(1130, fc.GetProperty("features").GetArrayLength());
        var f0 = fc.GetProperty("features")[0];
        Assert.Equal("Point", f0.GetProperty("geometry").GetProperty("type").GetString());
        Assert.Equal("Collège Jean de Beaumont", f0.GetProperty("properties").GetProperty("nom_etablissement").GetString());

        var (csvStatus, csv) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"/api/v1/datasets/{id}/export.csv?fields=code_commune,geometry");
        Assert.Equal(200, csvStatus);
        var csvLines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1131, csvLines.Length);
        Assert.Equal("code_commune,geometry", csvLines[0]);
        Assert.StartsWith("93077,POINT(2.494679", csvLines[1]);

        var (_, log) = await CatalogKit.SendAsync(client, HttpMethod.Get, $"/api/v1/datasets/{id}/access-log");
        var entries = JsonDocument.Parse(log).RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(entries, e => e.GetProperty("endpoint").GetString() == "export.geojson" && e.GetProperty("rowsReturned").GetInt64() == 1130
            && e.GetProperty("organisation").ValueKind == JsonValueKind.Null);
    }

    private static async Task<long> MatchedAsync(HttpClient client, string id)
    {
        var (status, body) = await CatalogKit.SendAsync(client, HttpMethod.Get, $"/api/v1/datasets/{id}/records?limit=1");
        Assert.Equal(200, status);
        return JsonDocument.Parse(body).RootElement.GetProperty("numberMatched").GetInt64();
    }
}

/// <summary>GeoPackage uploads: a named layer of the real Saint-Denis reference file, and an SQLite file that is not a GeoPackage.</summary>
public sealed class GeoPackageUploadTests(TestDatabase db) : CatalogTest(db)
{
    [Fact]
    public async Task SaintDenisGpkg_LayerAnnuaireEducation_Loads87Schools()
    {
        var path = SharedData.Require("buildings/saint-denis_potentiel-solaire_reference.gpkg");
        var org = await Kit.OrgAsync("ville-de-saint-denis", "public_agency");
        var (_, key) = await Kit.UserWithKeyAsync(org, "editor");
        using var client = Kit.Client(key);
        var id = (await Kit.CreateDatasetAsync(client, org.Slug, "public")).GetProperty("id").GetString()!;

        var job = await Uploads.UploadAndWaitAsync(client, id, path, "&layer=annuaire_education");

        Assert.True(job.GetProperty("status").GetString() == "done", job.ToString());
        var v = job.GetProperty("version");
        Assert.Equal("gpkg", v.GetProperty("format").GetString());
        Assert.Equal(87, v.GetProperty("rowCount").GetInt64());
        Assert.Equal("annuaire_education", v.GetProperty("report").GetProperty("detected").GetProperty("layer").GetString());
        Assert.True(v.GetProperty("hasGeometry").GetBoolean());
        var bbox = v.GetProperty("bboxWgs84").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.InRange(bbox[0], 2.3, 2.4);   // Saint-Denis, whatever CRS the layer is stored in
        Assert.InRange(bbox[1], 48.9, 48.95);

        var (status, accepted) = await Uploads.UploadAsync(client, id, path, "&layer=no_such_layer");
        Assert.Equal(202, status);
        var failed = await Uploads.WaitAsync(client, accepted);
        Assert.Contains("no layer 'no_such_layer'", failed.GetProperty("error").GetString());
    }

    [Fact]
    public async Task TruncatedSqlite_FailsWithReason()
    {
        var org = await Kit.OrgAsync("org");
        var (_, key) = await Kit.UserWithKeyAsync(org, "editor");
        using var client = Kit.Client(key);
        var id = (await Kit.CreateDatasetAsync(client, org.Slug, "private")).GetProperty("id").GetString()!;
        var bytes = System.Text.Encoding.ASCII.GetBytes("SQLite format 3\0").Concat(new byte[200]).ToArray();
        var job = await Uploads.UploadBytesAndWaitAsync(client, id, bytes, "lies.gpkg");
        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Contains("GeoPackage", job.GetProperty("error").GetString());
    }

    [Fact]
    public async Task SqliteThatIsNotGeoPackage_FailsWithReason()
    {
        var org = await Kit.OrgAsync("org");
        var (_, key) = await Kit.UserWithKeyAsync(org, "editor");
        using var client = Kit.Client(key);
        var id = (await Kit.CreateDatasetAsync(client, org.Slug, "private")).GetProperty("id").GetString()!;
        var file = Path.Combine(Path.GetTempPath(), $"plain-{Guid.NewGuid():N}.gpkg");
        try
        {
            using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False"))
            {
                connection.Open();
                using var cmd = connection.CreateCommand();
                cmd.CommandText = "CREATE TABLE t (a integer); INSERT INTO t VALUES (1);";
                cmd.ExecuteNonQuery();
            }
            var job = await Uploads.UploadAndWaitAsync(client, id, file);
            Assert.Equal("failed", job.GetProperty("status").GetString());
            Assert.Contains("not a GeoPackage", job.GetProperty("error").GetString());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
