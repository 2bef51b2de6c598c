using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SmartRegion.Api.Catalog;
using SmartRegion.Data.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Catalog;

/// <summary>
/// The catalogue gate's answers kept in memory (<see cref="GateCache"/>) never outlive a change: two API hosts on one database,
/// a revoke (or a visibility change, or a grant revoked by SQL as the CLI would) through one takes effect on the other's very
/// next request; with the other's listening connection ended, no answer from before comes back.
/// </summary>
public sealed class GateCacheTests(TestDatabase db) : CatalogTest(db)
{
    [Fact]
    public async Task Revoke_OnOneHost_TakesEffectOnTheOthersNextRequest()
    {
        await using var other = new ApiFactory(Kit.Db.ApiConnectionString);
        var (id, grantId, admin, grantee) = await RestrictedDatasetGrantedAsync(other);
        var cache = await ListeningCacheAsync(other);

        // Served from memory on the other host: the test would prove nothing if it read PostgreSQL every time.
        await ServedFromCacheAsync(cache, grantee, id);

        Assert.Equal(204, (await CatalogKit.SendAsync(admin, HttpMethod.Delete, $"/api/v1/datasets/{id}/grants/{grantId}")).Status);
        await ReadsAsync(grantee, id, 404);

        // A change by SQL (the CLI, an operator in psql) notifies as well: a grant given back, then the dataset made public.
        await Kit.ExecuteAsync("UPDATE catalog.dataset_grant SET revoked_at = NULL WHERE id = @g", ("g", grantId));
        await ReadsAsync(grantee, id, 200);
        using var anonymous = other.CreateClient();
        await ReadsAsync(anonymous, id, 404);
        Assert.Equal(200, (await CatalogKit.SendAsync(admin, HttpMethod.Patch, $"/api/v1/datasets/{id}", new { visibility = "public" })).Status);
        await ReadsAsync(anonymous, id, 200);
        Assert.Equal(200, (await CatalogKit.SendAsync(admin, HttpMethod.Patch, $"/api/v1/datasets/{id}", new { visibility = "restricted" })).Status);
        await ReadsAsync(anonymous, id, 404);
        await ReadsAsync(grantee, id, 200);
    }

    [Fact]
    public async Task ListenerEnded_NoStaleAnswer_ThenCachesAgainOnceBack()
    {
        await using var other = new ApiFactory(Kit.Db.ApiConnectionString);
        var (id, grantId, admin, grantee) = await RestrictedDatasetGrantedAsync(other);
        var cache = await ListeningCacheAsync(other);
        await ServedFromCacheAsync(cache, grantee, id);

        // The other host's listening connection ended (and gone: pg_terminate_backend waits for it), then the grant revoked:
        // the notification cannot reach that host, whose cache still holds the grant.
        var listener = cache.ListenerProcessId!.Value;
        await Kit.ExecuteAsync("SELECT pg_terminate_backend(@p, 60000)", ("p", listener));
        await Kit.ExecuteAsync("UPDATE catalog.dataset_grant SET revoked_at = now() WHERE id = @g", ("g", grantId));
        await ReadsAsync(grantee, id, 404);

        // Back (a new connection, a new LISTEN, an empty cache), it caches again and still hears the next change.
        await WaitUntilAsync(() => cache.ListenerProcessId is { } pid && pid != listener, "the listening connection to come back");
        await Kit.ExecuteAsync("UPDATE catalog.dataset_grant SET revoked_at = NULL WHERE id = @g", ("g", grantId));
        await ServedFromCacheAsync(cache, grantee, id);
        Assert.Equal(204, (await CatalogKit.SendAsync(admin, HttpMethod.Delete, $"/api/v1/datasets/{id}/grants/{grantId}")).Status);
        await ReadsAsync(grantee, id, 404);
    }

    /// <summary>A published restricted dataset of a new organisation on this test's host, granted to another one whose key reads through <paramref name="other"/>.</summary>
    private async Task<(string Id, long GrantId, HttpClient Admin, HttpClient Grantee)> RestrictedDatasetGrantedAsync(ApiFactory other)
    {
        var owner = await Kit.OrgAsync("owner");
        var partner = await Kit.OrgAsync("partner", "university");
        var (_, adminKey) = await Kit.UserWithKeyAsync(owner, "admin");
        var (_, partnerKey) = await Kit.UserWithKeyAsync(partner, "viewer", ["read"]);
        var admin = Kit.Client(adminKey);
        var id = (await Kit.CreateDatasetAsync(admin, owner.Slug, "restricted")).GetProperty("id").GetString()!;
        await Uploads.UploadBytesAndWaitAsync(admin, id, Encoding.UTF8.GetBytes("n,geom\n1,POINT(2.35 48.93)\n"), "p.csv");
        Assert.Equal(200, (await CatalogKit.SendAsync(admin, HttpMethod.Post, $"/api/v1/datasets/{id}/versions/1/publish")).Status);
        var (created, body) = await CatalogKit.SendAsync(admin, HttpMethod.Post, $"/api/v1/datasets/{id}/grants",
            new { organisation = partner.Slug, purpose = "Étude", expiresAt = DateTimeOffset.UtcNow.AddDays(30) });
        Assert.Equal(201, created);
        var grantee = other.CreateClient();
        grantee.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Apikey", partnerKey);
        return (id, JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64(), admin, grantee);
    }

    private static async Task<GateCache> ListeningCacheAsync(ApiFactory host)
    {
        var cache = host.Services.GetRequiredService<GateCacheHost>().Cache!;
        await WaitUntilAsync(() => cache.IsListening, "the gate cache's listening connection");
        return cache;
    }

    /// <summary>The catalogue's records and the explore API's, both through the gate.</summary>
    private static async Task ReadsAsync(HttpClient client, string id, int expected)
    {
        foreach (var url in new[] { $"/api/v1/datasets/{id}/records", $"/api/explore/v2.1/catalog/datasets/{id}/records?limit=1" })
        {
            var (status, body) = await CatalogKit.SendAsync(client, HttpMethod.Get, url);
            Assert.True(expected == status, $"GET {url}: {status} (expected {expected}) {body}");
        }
    }

    /// <summary>
    /// Reads until one read is answered from the cache: the suite's other tests change the catalogue all the time, and each
    /// change empties every host's cache, so two reads in a row may both go to PostgreSQL.
    /// </summary>
    private static async Task ServedFromCacheAsync(GateCache cache, HttpClient client, string id)
    {
        var served = false;
        for (var deadline = DateTime.UtcNow.AddMinutes(2); !served;)
        {
            Assert.True(DateTime.UtcNow < deadline, "waited 2 minutes for a read answered from the gate's cache");
            var hits = cache.Hits;
            await ReadsAsync(client, id, 200);
            served = cache.Hits > hits;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited 2 minutes for {what}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
