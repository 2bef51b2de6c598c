using System.Text.Json;
using Npgsql;
using SmartRegion.Data.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Catalog;

/// <summary>
/// The platform's solar dataset through the API: a complete run (made here directly in the database, three buildings
/// near Saint-Denis) is published by <see cref="SolarDataset"/>; the dataset is public, its publisher the platform
/// organisation, its provenance in the JSON and in DCAT, its records and exports like any dataset's.
/// </summary>
public sealed class SolarDatasetApiTests(TestDatabase db) : CatalogTest(db)
{
    private const string Url = $"/api/v1/datasets/{SolarDataset.Slug}";

    private async Task<T> ScalarAsync<T>(string sql, params (string, object)[] parameters)
    {
        await using var conn = await Kit.Db.DataSource.OpenConnectionAsync(Ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (n, v) in parameters)
        {
            cmd.Parameters.AddWithValue(n, v);
        }
        return (T)(await cmd.ExecuteScalarAsync(Ct))!;
    }

    /// <summary>A complete solar run over three new buildings (two computed, one skipped), published; returns its id and version number.</summary>
    private async Task<(long RunId, int Version)> PublishedRunAsync()
    {
        var run = await CompleteRunAsync();
        var published = await new SolarDataset(Kit.Db.DataSource).PublishRunAsync(run, Ct);
        Assert.True(published.VersionNumber is not null, published.SkippedBecause);
        Assert.Equal(3, published.RowCount);
        return (run, published.VersionNumber!.Value);
    }

    /// <summary>A complete solar run over three new buildings (two computed, one skipped), not yet published.</summary>
    private async Task<long> CompleteRunAsync()
    {
        var source = CatalogKit.Unique("solar-api");
        var ingest = await ScalarAsync<long>("""
            INSERT INTO region.ingest_run (kind, source, file_name, file_sha256, status) VALUES ('buildings', @s, 'batiments.geojson', 'abc123', 'succeeded') RETURNING id
            """, ("s", source));
        var station = await ScalarAsync<long>("""
            INSERT INTO weather.station (source, name, location_wgs84, licence) VALUES ('pvgis', @n, ST_SetSRID(ST_MakePoint(2.36, 48.93), 4326), 'PVGIS (EU JRC)') RETURNING id
            """, ("n", source));
        var run = await ScalarAsync<long>("""
            INSERT INTO solar.run (status, model_version, parameters, area, station_id, ingest_run_ids, tile_size_m, building_count, finished_at, timings)
            VALUES ('complete', 'v1.2.3-4-gabcdef0', '{"albedo": 0.2}', '{"commune": "93066"}', @st, ARRAY[@i], 250, 3, now(), '{"jobs": 1, "wallSeconds": 2.5}')
            RETURNING id
            """, ("st", station), ("i", ingest));
        for (var k = 0; k < 3; k++)
        {
            var x = 652_000 + 40 * k;
            var building = await ScalarAsync<long>("""
                INSERT INTO region.building (source, source_id, footprint, height_above_ground_m, attributes, ingest_run_id)
                VALUES (@s, @id, ST_Multi(ST_MakeEnvelope(@x, 6865000, @x + 10, 6865010, 2154)), 9, jsonb_build_object('cleabs', @id), @i)
                RETURNING id
                """, ("s", source), ("id", $"BATIMENT{k}"), ("x", (double)x), ("i", ingest));
            var computed = k < 2;
            await Kit.ExecuteAsync($"""
                INSERT INTO solar.building_result (run_id, building_id, status, reason, centre, roof_area_m2, usable_area_m2,
                    mean_irradiation_kwh_per_m2, panel_count, installable_kwp, annual_kwh_ac, uncertainty)
                VALUES (@r, @b, @status, @reason, ST_SetSRID(ST_MakePoint(@x + 5, 6865005), 2154),
                    {(computed ? "100, 70, 1150.5, 30, 12.5, 13000, '{\"annualKwhAcLow\": 11000, \"annualKwhAcHigh\": 14500}'" : "NULL, NULL, NULL, NULL, NULL, NULL, NULL")})
                """, ("r", run), ("b", building), ("status", computed ? "ok" : "skipped"), ("reason", computed ? "" : "no height"), ("x", (double)x));
            if (computed)
            {
                // One flat roof face over the footprint, 52 m up.
                await Kit.ExecuteAsync("""
                    INSERT INTO solar.face_result (run_id, building_id, face_no, polygon, origin, tilt_deg, azimuth_deg, area_m2, usable_area_m2,
                        annual_irradiation_kwh_per_m2, quantiles_kwh_per_m2, shading_loss_fraction, suitability_class, panel_count,
                        installable_kwp, annual_kwh_ac, monthly_kwh_ac)
                    VALUES (@r, @b, 1, ST_Translate(ST_Force3D(ST_MakeEnvelope(@x, 6865000, @x + 10, 6865010, 2154)), 0, 0, 52), 'inferred', 0, 180,
                        100, 70, 1150.5, '{}', 0.05, 3, 30, 12.5, 13000, '{}')
                    """, ("r", run), ("b", building), ("x", (double)x));
            }
        }
        return run;
    }

    private async Task<string> OwnerSlugAsync() => await ScalarAsync<string>("""
        SELECT o.slug FROM catalog.dataset d JOIN catalog.organisation o ON o.id = d.owner_org_id WHERE d.slug = @s AND o.kind = 'platform'
        """, ("s", SolarDataset.Slug));

    [Fact]
    public async Task SolarRun_Published_PublicDatasetWithProvenanceRecordsAndExports()
    {
        var (runId, version) = await PublishedRunAsync();
        using var anonymous = Kit.Client();

        var (status, body) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, Url);
        Assert.Equal(200, status);
        var doc = JsonDocument.Parse(body).RootElement;
        Assert.Equal("public", doc.GetProperty("visibility").GetString());
        Assert.Equal(await OwnerSlugAsync(), doc.GetProperty("publisher").GetProperty("id").GetString());
        Assert.Equal(version, doc.GetProperty("currentVersion").GetInt32());
        Assert.Equal("solar-run", doc.GetProperty("format").GetString());
        Assert.DoesNotContain("<br>", doc.GetProperty("description").GetProperty("html").GetString()); // paragraphs, not hard-wrapped lines
        var provenance = doc.GetProperty("provenance");
        Assert.Equal(runId, provenance.GetProperty("runId").GetInt64());
        Assert.Equal("v1.2.3-4-gabcdef0", provenance.GetProperty("modelVersion").GetString());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("{\"albedo\": 0.2}"u8)), provenance.GetProperty("parametersSha256").GetString());
        Assert.Equal("pvgis", provenance.GetProperty("weatherStation").GetProperty("source").GetString());
        Assert.Equal("batiments.geojson", provenance.GetProperty("ingestRuns")[0].GetProperty("fileName").GetString());
        Assert.Equal(2.5, provenance.GetProperty("timings").GetProperty("wallSeconds").GetDouble());
        Assert.Equal(JsonValueKind.String, provenance.GetProperty("startedAt").ValueKind);
        Assert.Equal(2, provenance.GetProperty("buildings").GetProperty("ok").GetInt32());
        Assert.Equal(JsonValueKind.String, provenance.GetProperty("completedAt").ValueKind);

        (status, body) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"{Url}/versions/{version}");
        Assert.Equal(200, status);
        var v = JsonDocument.Parse(body).RootElement;
        Assert.Equal(runId, v.GetProperty("provenance").GetProperty("runId").GetInt64());
        Assert.Equal(3, v.GetProperty("rowCount").GetInt64());
        Assert.Matches("^[0-9a-f]{64}$", v.GetProperty("checksumSha256").GetString());

        // Records: one per building, the footprint served in WGS 84 (stored in Lambert-93), fields selectable.
        (status, body) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"{Url}/records?fields=cleabs,status,annual_kwh_ac,annual_kwh_ac_low,footprint");
        Assert.Equal(200, status);
        var records = JsonDocument.Parse(body).RootElement;
        Assert.Equal(3, records.GetProperty("numberMatched").GetInt64());
        var first = records.GetProperty("records")[0];
        Assert.Equal("BATIMENT0", first.GetProperty("cleabs").GetString());
        Assert.Equal("ok", first.GetProperty("status").GetString());
        Assert.Equal(13000, first.GetProperty("annual_kwh_ac").GetDouble());
        Assert.Equal(11000, first.GetProperty("annual_kwh_ac_low").GetDouble());
        var corner = first.GetProperty("footprint").GetProperty("coordinates")[0][0][0];
        Assert.InRange(corner[0].GetDouble(), 2.2, 2.5);
        Assert.InRange(corner[1].GetDouble(), 48.8, 49.0);
        Assert.Equal("skipped", records.GetProperty("records")[2].GetProperty("status").GetString());
        (status, body) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"{Url}/records?fields=suitability_class&limit=1");
        Assert.Equal(3, JsonDocument.Parse(body).RootElement.GetProperty("records")[0].GetProperty("suitability_class").GetInt64());

        // The roof faces: a dataset of their own, same run, same provenance, polygons in 3D.
        (status, body) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"/api/v1/datasets/{SolarDataset.RoofFacesSlug}");
        Assert.Equal(200, status);
        var faces = JsonDocument.Parse(body).RootElement;
        Assert.Equal(runId, faces.GetProperty("provenance").GetProperty("runId").GetInt64());
        Assert.Equal(doc.GetProperty("publisher").GetProperty("id").GetString(), faces.GetProperty("publisher").GetProperty("id").GetString());
        (status, body) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"/api/v1/datasets/{SolarDataset.RoofFacesSlug}/records");
        Assert.Equal(200, status);
        var faceRecords = JsonDocument.Parse(body).RootElement;
        Assert.Equal(2, faceRecords.GetProperty("numberMatched").GetInt64());
        var face = faceRecords.GetProperty("records")[0];
        Assert.Equal("BATIMENT0", face.GetProperty("cleabs").GetString());
        Assert.Equal(0, face.GetProperty("tilt_deg").GetDouble());
        Assert.Equal(1150.5, face.GetProperty("annual_irradiation_kwh_per_m2").GetDouble());
        var vertex = face.GetProperty("polygon").GetProperty("coordinates")[0][0];
        Assert.InRange(vertex[0].GetDouble(), 2.2, 2.5);
        Assert.Equal(52, vertex[2].GetDouble());

        (status, body) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"{Url}/export.csv");
        Assert.Equal(200, status);
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("building_id,source,source_id,cleabs,rnb_id,commune_code,", lines[0]);
        Assert.Contains("MULTIPOLYGON(((2.", lines[1]);
        (status, body) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"{Url}/export.geojson");
        Assert.Equal(200, status);
        Assert.Equal(3, JsonDocument.Parse(body).RootElement.GetProperty("features").GetArrayLength());
        using var parquet = await anonymous.GetAsync($"{Url}/export.parquet", Ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, parquet.StatusCode);
        Assert.Equal("PAR1"u8.ToArray(), (await parquet.Content.ReadAsByteArrayAsync(Ct))[..4]);
    }

    [Fact]
    public async Task SolarRun_FinishedByTwoProcessesAtOnce_OneVersion()
    {
        var run = await CompleteRunAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => new SolarDataset(Kit.Db.DataSource).PublishRunAsync(run, Ct)));
        Assert.Single(results, r => r.VersionNumber is not null && r.RoofFaces?.VersionNumber is not null);
        Assert.All(results.Where(r => r.VersionNumber is null), r => Assert.Equal($"solar run {run} is already published", r.SkippedBecause));
        Assert.All(results.Where(r => r.VersionNumber is null), r => Assert.Equal($"solar run {run} is already published", r.RoofFaces!.SkippedBecause));
        // One version per dataset.
        Assert.Equal(2L, await ScalarAsync<long>(
            "SELECT count(*) FROM catalog.dataset_version WHERE format = 'solar-run' AND (provenance ->> 'runId')::bigint = @r", ("r", run)));
    }

    [Fact]
    public async Task SolarRun_Dcat_ProvenanceAndThePlatformAsPublisher()
    {
        var (runId, version) = await PublishedRunAsync();
        var owner = await OwnerSlugAsync();
        using var anonymous = Kit.Client();
        var (status, ttl) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"{Url}/dcat.ttl");
        Assert.Equal(200, status);
        Assert.Contains($"dct:publisher <{ApiFactory.PublicBaseUrl}/organisations/{owner}>", ttl);
        Assert.Contains("dct:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC>", ttl);
        Assert.Contains($"dcat:version \"{version}\"", ttl);
        Assert.Contains("adms:versionNotes \"Calcul solaire SmartRegion n° " + runId, ttl);
        Assert.Contains(" UTC : modèle v1.2.3-4-gabcdef0, paramètres sha256 ", ttl);
        Assert.Contains("dct:provenance _:", ttl);
        Assert.Contains("a dct:ProvenanceStatement", ttl);
        Assert.Contains("prov:wasGeneratedBy _:", ttl);
        Assert.Contains($"dct:identifier \"solar-run-{runId}\"", ttl);
        Assert.Contains("prov:endedAtTime \"", ttl);
        Assert.Contains("dcat:version \"v1.2.3-4-gabcdef0\"", ttl);
        Assert.Contains("spdx:checksumValue \"" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("{\"albedo\": 0.2}"u8)), ttl);
        Assert.Contains("dct:identifier \"ingest-run-", ttl);
        Assert.Contains("dct:format <http://publications.europa.eu/resource/authority/file-type/PARQUET>", ttl);
        Assert.Contains($"dcat:downloadURL <{ApiFactory.PublicBaseUrl}{Url}/export.parquet>", ttl);

        var (jsonStatus, jsonld) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"{Url}/dcat.jsonld");
        Assert.Equal(200, jsonStatus);
        var graph = JsonDocument.Parse(jsonld).RootElement;
        Assert.Equal("http://www.w3.org/ns/prov#", graph.GetProperty("@context").GetProperty("prov").GetString());
        var activity = graph.GetProperty("@graph").EnumerateArray().Single(n => n.TryGetProperty("@type", out var t) && t[0].GetString() == "prov:Activity");
        Assert.Equal($"solar-run-{runId}", activity.GetProperty("dct:identifier")[0].GetProperty("@value").GetString());

        // In the whole catalogue too, for anyone.
        var (catalogStatus, catalog) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, "/catalog.ttl?pageSize=500");
        Assert.Equal(200, catalogStatus);
        Assert.Contains($"<{ApiFactory.PublicBaseUrl}{Url}>", catalog);
        Assert.Contains($"dct:identifier \"solar-run-{runId}\"", catalog);
    }

    [Fact]
    public async Task SolarDataset_CatalogueSearch_FoundByAnyoneWithItsFacets()
    {
        await PublishedRunAsync();
        var owner = await OwnerSlugAsync();
        using var anonymous = Kit.Client();
        var (status, body) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"/api/v1/datasets?q=photovoltaique%20toitures&publisher={owner}");
        Assert.Equal(200, status);
        var result = JsonDocument.Parse(body).RootElement;
        Assert.Equal(new[] { SolarDataset.Slug, SolarDataset.RoofFacesSlug },
            result.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()).Order());
        var facets = result.GetProperty("facets");
        long Count(string facet, string value) => facets.GetProperty(facet).EnumerateArray()
            .Where(f => f.GetProperty("value").GetString() == value).Select(f => f.GetProperty("count").GetInt64()).SingleOrDefault();
        Assert.Equal(2, Count("publisher", owner));
        Assert.Equal(2, Count("format", "solar-run"));
        Assert.Equal(2, Count("visibility", "public"));
        Assert.Equal(2, Count("theme", "ENER"));
        Assert.Equal(2, Count("licence", "etalab-2.0"));
        Assert.Equal(2, Count("hasGeometry", "true"));
        (status, body) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, "/api/v1/datasets?format=solar-run");
        Assert.Equal(200, status);
        Assert.Equal(2, JsonDocument.Parse(body).RootElement.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task SolarDataset_NextRun_NewVersionAndOnlyThePlatformMayRollBack()
    {
        var (_, older) = await PublishedRunAsync();
        var (newer, latest) = await PublishedRunAsync();
        Assert.Equal(older + 1, latest);
        var platform = await Kit.Accounts.FindOrganisationAsync(await OwnerSlugAsync(), Ct);
        var (_, adminKey) = await Kit.UserWithKeyAsync(platform!, "admin");
        var (_, outsiderKey) = await Kit.UserWithKeyAsync(await Kit.OrgAsync("other"), "admin");
        using var admin = Kit.Client(adminKey);
        using var outsider = Kit.Client(outsiderKey);
        using var anonymous = Kit.Client();

        var (status, body) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"{Url}/versions");
        Assert.Equal(200, status);
        var versions = JsonDocument.Parse(body).RootElement.EnumerateArray().ToList();
        Assert.Equal("published", versions.Single(v => v.GetProperty("number").GetInt32() == latest).GetProperty("status").GetString());
        Assert.Equal("superseded", versions.Single(v => v.GetProperty("number").GetInt32() == older).GetProperty("status").GetString());

        Assert.Equal(401, (await CatalogKit.SendAsync(anonymous, HttpMethod.Post, $"{Url}/rollback", new { version = older })).Status);
        Assert.Equal(403, (await CatalogKit.SendAsync(outsider, HttpMethod.Post, $"{Url}/rollback", new { version = older })).Status);
        (status, body) = await CatalogKit.SendAsync(admin, HttpMethod.Post, $"{Url}/rollback", new { version = older });
        Assert.True(status == 200, body);
        var (_, doc) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, Url);
        Assert.Equal(older, JsonDocument.Parse(doc).RootElement.GetProperty("currentVersion").GetInt32());
        Assert.NotEqual(newer, JsonDocument.Parse(doc).RootElement.GetProperty("provenance").GetProperty("runId").GetInt64());
        Assert.Equal(200, (await CatalogKit.SendAsync(admin, HttpMethod.Post, $"{Url}/rollback", new { version = latest })).Status);
    }
}
