using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SmartRegion.Data.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Catalog;

/// <summary>
/// The world of the matrix: an owning organisation with a viewer, an editor and an admin; a grantee organisation
/// (active grant on the restricted and the private dataset — the latter must be ignored); an organisation whose
/// grant expired; an unrelated organisation; a platform admin; and one published dataset per visibility.
/// </summary>
public sealed class MatrixWorld(TestDatabase db) : IAsyncLifetime
{
    public ApiFactory Factory { get; } = new(db.ApiConnectionString);
    public Dictionary<string, string?> Keys { get; } = [];
    public Dictionary<string, string> Datasets { get; } = [];
    public string RevokedKey { get; private set; } = "";
    public string ExpiredKey { get; private set; } = "";
    public string ReadOnlyEditorKey { get; private set; } = "";
    public string GrantTarget { get; private set; } = "";
    public string OwnerSlug { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var kit = new CatalogKit(db, Factory);
        var ct = CancellationToken.None;
        var owner = await kit.OrgAsync("owner");
        OwnerSlug = owner.Slug;
        var grantee = await kit.OrgAsync("grantee", "university");
        var partial = await kit.OrgAsync("partial", "public_agency");
        var expired = await kit.OrgAsync("expired", "association");
        var other = await kit.OrgAsync("other");
        var platform = await kit.OrgAsync("platform", "platform");
        // Grants made by the matrix go to an organisation none of the callers belongs to, so cells stay independent.
        GrantTarget = (await kit.OrgAsync("target", "public_agency")).Slug;
        Keys["anonymous"] = null;
        Keys["other"] = (await kit.UserWithKeyAsync(other, "admin")).Key;
        Keys["grantee"] = (await kit.UserWithKeyAsync(grantee, "admin")).Key;
        Keys["partial"] = (await kit.UserWithKeyAsync(partial, "admin")).Key;
        Keys["expired"] = (await kit.UserWithKeyAsync(expired, "admin")).Key;
        Keys["viewer"] = (await kit.UserWithKeyAsync(owner, "viewer")).Key;
        Keys["editor"] = (await kit.UserWithKeyAsync(owner, "editor")).Key;
        Keys["admin"] = (await kit.UserWithKeyAsync(owner, "admin")).Key;
        Keys["platform"] = (await kit.UserWithKeyAsync(platform, "admin", platformAdmin: true)).Key;
        var (revokedUser, revoked) = await kit.UserWithKeyAsync(owner, "admin");
        await kit.Accounts.RevokeKeyAsync((await kit.Accounts.ListKeysAsync("k.user_id = @u", ct, ("u", revokedUser.Id))).Single().Id, revokedUser.Id, ct);
        RevokedKey = revoked;
        var (expiredUser, expiredKey) = await kit.UserWithKeyAsync(owner, "admin");
        await kit.ExecuteAsync("UPDATE catalog.api_key SET expires_at = now() - interval '1 minute' WHERE user_id = @u", ("u", expiredUser.Id));
        ExpiredKey = expiredKey;
        ReadOnlyEditorKey = (await kit.UserWithKeyAsync(owner, "editor", ["read"])).Key;

        using var admin = kit.Client(Keys["admin"]);
        foreach (var visibility in Vocabulary.Visibilities)
        {
            var id = (await kit.CreateDatasetAsync(admin, owner.Slug, visibility, slug: CatalogKit.Unique($"matrix-{visibility}"))).GetProperty("id").GetString()!;
            Datasets[visibility] = id;
            var job = await Uploads.UploadBytesAndWaitAsync(admin, id, Encoding.UTF8.GetBytes(MatrixCsv), "communes.csv");
            Assert.Equal("done", job.GetProperty("status").GetString());
            Assert.Equal(200, (await CatalogKit.SendAsync(admin, HttpMethod.Post, $"/api/v1/datasets/{id}/versions/1/publish")).Status);
            var (dataset, _) = await kit.Datasets.FindAsync(id, Caller.Anonymous with { IsPlatformAdmin = true }, ct);
            if (visibility != "public")
            {
                await kit.Datasets.CreateGrantAsync(dataset!.Id, grantee.Id, "étude", DateTimeOffset.UtcNow.AddDays(30), null, null, null, ct);
                // Two grants, each with its own fields on its own rows: Saint-Denis's commune and point are in neither.
                await kit.Datasets.CreateGrantAsync(dataset.Id, partial.Id, "n seul", DateTimeOffset.UtcNow.AddDays(30), ["n"],
                    new Dictionary<string, string> { ["commune"] = "Saint-Denis" }, null, ct);
                await kit.Datasets.CreateGrantAsync(dataset.Id, partial.Id, "commune", DateTimeOffset.UtcNow.AddDays(30), ["n", "commune"],
                    new Dictionary<string, string> { ["n"] = "2" }, null, ct);
                var old = await kit.Datasets.CreateGrantAsync(dataset.Id, expired.Id, "ancienne étude", DateTimeOffset.UtcNow.AddDays(1), null, null, null, ct);
                await kit.Datasets.SetGrantExpiryAsync(old.Id, DateTimeOffset.UtcNow.AddSeconds(-1), ct);
            }
        }
    }

    public const string PublicBaseUrl = ApiFactory.PublicBaseUrl;

    public const string MatrixCsv = "n,commune,geom\n1,Saint-Denis,POINT(2.35 48.93)\n2,Aubervilliers,POINT(2.38 48.91)\n";

    public HttpClient Client(string? key)
    {
        var client = Factory.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Apikey", key);
        }
        return client;
    }

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}

/// <summary>Every endpoint × {public, restricted, private} × every kind of caller, with the expected status of each cell.</summary>
public sealed class AccessMatrixTests(MatrixWorld world) : IClassFixture<MatrixWorld>
{
    public static readonly string[] Callers = ["anonymous", "other", "grantee", "partial", "expired", "viewer", "editor", "admin", "platform"];

    // Values the "partial" grantee must never read: Saint-Denis is in its rows only with field n, and no grant gives it a point.
    private static readonly string[] HiddenFromPartial = ["Saint-Denis", "2.35", "48.93", "2.38", "48.91"];

    // Expected status for public / restricted / private, per caller, by what the endpoint needs. "ok" is the endpoint's success status.
    private static readonly Dictionary<string, Dictionary<string, string[]>> Expected = new()
    {
        ["read"] = new()
        {
            ["anonymous"] = ["ok", "404", "404"], ["other"] = ["ok", "404", "404"], ["grantee"] = ["ok", "ok", "404"],
            ["partial"] = ["ok", "ok", "404"],
            ["expired"] = ["ok", "404", "404"], ["viewer"] = ["ok", "ok", "ok"], ["editor"] = ["ok", "ok", "ok"],
            ["admin"] = ["ok", "ok", "ok"], ["platform"] = ["ok", "ok", "ok"],
        },
        // Reading a geometry (OGC API Features, vector tiles): the partial grantee's grants give it no point at all.
        ["geo"] = new()
        {
            ["anonymous"] = ["ok", "404", "404"], ["other"] = ["ok", "404", "404"], ["grantee"] = ["ok", "ok", "404"],
            ["partial"] = ["ok", "404", "404"],
            ["expired"] = ["ok", "404", "404"], ["viewer"] = ["ok", "ok", "ok"], ["editor"] = ["ok", "ok", "ok"],
            ["admin"] = ["ok", "ok", "ok"], ["platform"] = ["ok", "ok", "ok"],
        },
        ["member"] = new()
        {
            ["anonymous"] = ["401", "404", "404"], ["other"] = ["403", "404", "404"], ["grantee"] = ["403", "403", "404"],
            ["partial"] = ["403", "403", "404"],
            ["expired"] = ["403", "404", "404"], ["viewer"] = ["ok", "ok", "ok"], ["editor"] = ["ok", "ok", "ok"],
            ["admin"] = ["ok", "ok", "ok"], ["platform"] = ["ok", "ok", "ok"],
        },
        ["edit"] = new()
        {
            ["anonymous"] = ["401", "404", "404"], ["other"] = ["403", "404", "404"], ["grantee"] = ["403", "403", "404"],
            ["partial"] = ["403", "403", "404"],
            ["expired"] = ["403", "404", "404"], ["viewer"] = ["403", "403", "403"], ["editor"] = ["ok", "ok", "ok"],
            ["admin"] = ["ok", "ok", "ok"], ["platform"] = ["ok", "ok", "ok"],
        },
        ["admin"] = new()
        {
            ["anonymous"] = ["401", "404", "404"], ["other"] = ["403", "404", "404"], ["grantee"] = ["403", "403", "404"],
            ["partial"] = ["403", "403", "404"],
            ["expired"] = ["403", "404", "404"], ["viewer"] = ["403", "403", "403"], ["editor"] = ["403", "403", "403"],
            ["admin"] = ["ok", "ok", "ok"], ["platform"] = ["ok", "ok", "ok"],
        },
    };

    /// <summary>Endpoint name → (method, path template, body, what it needs, success status).</summary>
    public static readonly Dictionary<string, (string Method, string Path, object? Body, string Needs, int Ok)> Endpoints = new()
    {
        ["metadata"] = ("GET", "/api/v1/datasets/{id}", null, "read", 200),
        ["versions"] = ("GET", "/api/v1/datasets/{id}/versions", null, "read", 200),
        ["version"] = ("GET", "/api/v1/datasets/{id}/versions/1", null, "read", 200),
        ["records"] = ("GET", "/api/v1/datasets/{id}/records?limit=5", null, "read", 200),
        ["export.csv"] = ("GET", "/api/v1/datasets/{id}/export.csv", null, "read", 200),
        ["export.geojson"] = ("GET", "/api/v1/datasets/{id}/export.geojson", null, "read", 200),
        ["export.parquet"] = ("GET", "/api/v1/datasets/{id}/export.parquet", null, "read", 200),
        ["search"] = ("GET", "/api/v1/datasets?pageSize=100&q=arbres&publisher={owner}", null, "read", 200),
        ["dcat.ttl"] = ("GET", "/api/v1/datasets/{id}/dcat.ttl", null, "read", 200),
        ["dcat.jsonld"] = ("GET", "/api/v1/datasets/{id}/dcat.jsonld", null, "read", 200),
        ["catalog.jsonld"] = ("GET", "/catalog.jsonld?pageSize=500", null, "read", 200),
        // The developers' APIs read through the same gate and grants (the partial grantee's hidden values never show).
        ["explore.dataset"] = ("GET", "/api/explore/v2.1/catalog/datasets/{id}", null, "read", 200),
        ["explore.records"] = ("GET", "/api/explore/v2.1/catalog/datasets/{id}/records?limit=5", null, "read", 200),
        ["explore.group_by"] = ("GET", "/api/explore/v2.1/catalog/datasets/{id}/records?select=commune,count(*)%20as%20c&group_by=commune", null, "read", 200),
        ["explore.facets"] = ("GET", "/api/explore/v2.1/catalog/datasets/{id}/facets?facet=commune", null, "read", 200),
        ["explore.csv"] = ("GET", "/api/explore/v2.1/catalog/datasets/{id}/exports/csv", null, "read", 200),
        ["explore.geojson"] = ("GET", "/api/explore/v2.1/catalog/datasets/{id}/exports/geojson", null, "read", 200),
        ["ogc.collection"] = ("GET", "/ogc/collections/{id}", null, "geo", 200),
        ["ogc.items"] = ("GET", "/ogc/collections/{id}/items", null, "geo", 200),
        ["tiles.mvt"] = ("GET", "/tiles/{id}/0/0/0.mvt", null, "geo", 200),
        ["tiles.tilejson"] = ("GET", "/tiles/{id}/tilejson.json", null, "geo", 200),
        ["access-log"] = ("GET", "/api/v1/datasets/{id}/access-log", null, "member", 200),
        ["patch"] = ("PATCH", "/api/v1/datasets/{id}", new { keywords = new[] { "arbres", "matrice" } }, "edit", 200),
        ["upload"] = ("POST", "/api/v1/datasets/{id}/versions?fileName=communes.csv", "upload", "edit", 202),
        // The matrix host has no server directories: passing the gate shows as 400 server_files_disabled.
        ["from-server-file"] = ("POST", "/api/v1/datasets/{id}/versions/from-server-file", new { path = "/srv/none.csv" }, "edit", 400),
        // Version 1 is already current: passing the gate shows as 409.
        ["publish"] = ("POST", "/api/v1/datasets/{id}/versions/1/publish", null, "edit", 409),
        ["rollback"] = ("POST", "/api/v1/datasets/{id}/rollback", new { version = 1 }, "edit", 409),
        ["grants"] = ("GET", "/api/v1/datasets/{id}/grants", null, "admin", 200),
        ["grant"] = ("POST", "/api/v1/datasets/{id}/grants", "grant", "admin", 201),
    };

    public static TheoryData<string, string, string> Cells()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var endpoint in Endpoints.Keys)
        {
            foreach (var visibility in Vocabulary.Visibilities)
            {
                foreach (var caller in Callers)
                {
                    data.Add(endpoint, visibility, caller);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Endpoint_VisibilityAndCaller_ExpectedStatus(string endpoint, string visibility, string caller)
    {
        var e = Endpoints[endpoint];
        var expected = Expected[e.Needs][caller][Array.IndexOf([.. Vocabulary.Visibilities], visibility)];
        var expectedStatus = expected == "ok" ? e.Ok : int.Parse(expected, System.Globalization.CultureInfo.InvariantCulture);
        var id = world.Datasets[visibility];
        using var client = world.Client(world.Keys[caller]);

        var (status, body) = await SendAsync(client, e, id);

        if (endpoint is "search" or "catalog.jsonld")
        {
            // A list answers 200 either way: "404" means the dataset is absent from the items and from the facet counts.
            Assert.Equal(200, status);
            var listed = body.Contains(endpoint == "search" ? $"\"id\":\"{id}\"" : $"/api/v1/datasets/{id}\"", StringComparison.Ordinal);
            Assert.True(listed == (expectedStatus == 200), $"{caller} on {visibility}: listed={listed}");
            return;
        }
        Assert.True(expectedStatus == status, $"{endpoint} {visibility} {caller}: expected {expectedStatus}, got {status} {body}");
        if (status == 404)
        {
            // The same 404 as for a dataset that does not exist, in each API's own shape.
            Assert.Contains(endpoint.Split('.')[0] switch
            {
                "explore" => "\"error_code\":\"NoSuchDataset\"",
                "ogc" or "tiles" => "\"code\":\"not_found\"",
                _ => "\"code\":\"dataset_not_found\"",
            }, body);
            // Existence never leaks: the same call on an id nobody uses answers the same status and the same bytes.
            var absent = $"absent-{Guid.NewGuid():N}"[..id.Length];
            var (absentStatus, absentBody) = await SendAsync(client, e, absent);
            Assert.Equal(status, absentStatus);
            // (A request's own trace and request ids, which some problems carry, are not about the dataset.)
            Assert.Equal(WithoutRequestIds(body), WithoutRequestIds(absentBody.Replace(absent, id, StringComparison.Ordinal)));
        }
        if (caller == "partial" && visibility == "restricted")
        {
            // As a value of its own, not inside another number: a timestamp's "…:32.380874" holds "2.38".
            Assert.All(HiddenFromPartial, hidden => Assert.DoesNotMatch($@"(?<![\w.]){Regex.Escape(hidden)}", body));
        }
    }

    [Theory]
    [MemberData(nameof(EndpointNames))]
    public async Task Endpoint_RevokedOrExpiredKey_Is401(string endpoint)
    {
        foreach (var key in new[] { world.RevokedKey, world.ExpiredKey })
        {
            using var client = world.Client(key);
            var (status, _) = await SendAsync(client, Endpoints[endpoint], world.Datasets["private"]);
            Assert.Equal(401, status);
        }
    }

    [Theory]
    [MemberData(nameof(EndpointNames))]
    public async Task Endpoint_ReadOnlyKeyOfEditor_WritesAre403InsufficientScope(string endpoint)
    {
        var e = Endpoints[endpoint];
        using var client = world.Client(world.ReadOnlyEditorKey);
        var (status, body) = await SendAsync(client, e, world.Datasets["private"]);
        if (e.Method == "GET")
        {
            Assert.True(e.Needs == "admin" ? status == 403 : status == e.Ok, $"{endpoint}: {status} {body}");
        }
        else
        {
            Assert.Equal(403, status);
            Assert.Contains("insufficient_scope", body);
        }
    }

    [Fact]
    public async Task Facets_NeverCountInvisibleDatasets()
    {
        using var anonymous = world.Client(null);
        var (_, body) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, "/api/v1/datasets?pageSize=100");
        var facets = JsonDocument.Parse(body).RootElement.GetProperty("facets");
        var visibilities = facets.GetProperty("visibility").EnumerateArray().Select(f => f.GetProperty("value").GetString()).ToList();
        Assert.DoesNotContain("private", visibilities);
        Assert.DoesNotContain("restricted", visibilities);

        using var grantee = world.Client(world.Keys["grantee"]);
        var (_, granted) = await CatalogKit.SendAsync(grantee, HttpMethod.Get, "/api/v1/datasets?pageSize=100&visibility=restricted");
        var doc = JsonDocument.Parse(granted).RootElement;
        Assert.Equal(1, doc.GetProperty("total").GetInt64());
        Assert.Equal(world.Datasets["restricted"], doc.GetProperty("items")[0].GetProperty("id").GetString());
    }

    public static TheoryData<string> EndpointNames() => new(Endpoints.Keys);

    private async Task<(int Status, string Body)> SendAsync(HttpClient client, (string Method, string Path, object? Body, string Needs, int Ok) e, string id)
    {
        var path = e.Path.Replace("{id}", id, StringComparison.Ordinal).Replace("{owner}", world.OwnerSlug, StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(e.Method), path);
        request.Content = e.Body switch
        {
            "upload" => new ByteArrayContent(Encoding.UTF8.GetBytes(MatrixWorld.MatrixCsv)),
            "grant" => System.Net.Http.Json.JsonContent.Create(new { organisation = world.GrantTarget, purpose = "p", expiresAt = DateTimeOffset.UtcNow.AddDays(1) }),
            null => null,
            var body => System.Net.Http.Json.JsonContent.Create(body),
        };
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static string WithoutRequestIds(string body) =>
        System.Text.RegularExpressions.Regex.Replace(body, "\"(traceId|requestId)\":\"[^\"]*\"", "\"$1\":\"\"");
}
