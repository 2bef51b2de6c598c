using System.Text.Json;
using SmartRegion.Api.Tests.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Trust;

/// <summary>
/// Property 6: scopes mean least privilege. Changing visibility and creating or revoking grants need the admin scope;
/// a key never outlives or out-ranks the key that created it, and revoking a key revokes what it created.
/// </summary>
public sealed class ScopeTests(TestDatabase db) : CatalogTest(db)
{
    [Fact]
    public async Task OrgAdminKeyWithoutAdminScope_CannotChangeVisibilityOrGrants_CanEditMetadata()
    {
        var owner = await Kit.OrgAsync("owner");
        var partner = await Kit.OrgAsync("partner");
        var (_, fullKey) = await Kit.UserWithKeyAsync(owner, "admin");
        var (_, publishKey) = await Kit.UserWithKeyAsync(owner, "admin", ["read", "publish"]);
        using var full = Kit.Client(fullKey);
        using var publisher = Kit.Client(publishKey);
        var id = (await Kit.CreateDatasetAsync(full, owner.Slug, "restricted")).GetProperty("id").GetString()!;
        var grant = new { organisation = partner.Slug, purpose = "p", expiresAt = DateTimeOffset.UtcNow.AddDays(1) };

        foreach (var (method, url, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Patch, $"/api/v1/datasets/{id}", new { visibility = "public" }),
            (HttpMethod.Post, $"/api/v1/datasets/{id}/grants", grant),
        })
        {
            var (status, text) = await CatalogKit.SendAsync(publisher, method, url, body);
            Assert.True(status == 403, $"{method} {url}: {status} {text}");
            Assert.Equal("insufficient_scope", JsonDocument.Parse(text).RootElement.GetProperty("code").GetString());
        }
        var (created, grantBody) = await CatalogKit.SendAsync(full, HttpMethod.Post, $"/api/v1/datasets/{id}/grants", grant);
        Assert.Equal(201, created);
        var grantId = JsonDocument.Parse(grantBody).RootElement.GetProperty("id").GetInt64();
        Assert.Equal(403, (await CatalogKit.SendAsync(publisher, HttpMethod.Delete, $"/api/v1/datasets/{id}/grants/{grantId}")).Status);
        // What the publish scope is for still works.
        Assert.Equal(200, (await CatalogKit.SendAsync(publisher, HttpMethod.Patch, $"/api/v1/datasets/{id}", new { title = "Nouveau titre" })).Status);
        Assert.Equal(200, (await CatalogKit.SendAsync(publisher, HttpMethod.Patch, $"/api/v1/datasets/{id}", new { title = "Encore", visibility = "restricted" })).Status);
    }

    [Fact]
    public async Task KeyMadeByKey_ExpiryCappedAtItsCreators()
    {
        var org = await Kit.OrgAsync("org");
        var (user, _) = await Kit.UserWithKeyAsync(org, "admin");
        var parentExpiry = DateTimeOffset.UtcNow.AddDays(2);
        var (_, parentKey) = await Kit.Accounts.CreateKeyAsync(user.Id, org.Id, "parent", ["read", "admin"], parentExpiry, Ct);
        using var parent = Kit.Client(parentKey);

        foreach (var asked in new DateTimeOffset?[] { null, DateTimeOffset.UtcNow.AddDays(30) })
        {
            var (status, body) = await CatalogKit.SendAsync(parent, HttpMethod.Post, "/api/v1/keys",
                new { name = "child", organisation = org.Slug, scopes = new[] { "read" }, expiresAt = asked });
            Assert.True(status == 201, body);
            var expires = JsonDocument.Parse(body).RootElement.GetProperty("info").GetProperty("expiresAt").GetDateTimeOffset();
            Assert.True(expires <= parentExpiry.AddSeconds(1), $"asked {asked}, got {expires}, parent {parentExpiry}");
        }
        // A shorter expiry than the creator's is kept as asked.
        var sooner = DateTimeOffset.UtcNow.AddHours(3);
        var (_, soonBody) = await CatalogKit.SendAsync(parent, HttpMethod.Post, "/api/v1/keys",
            new { name = "child", organisation = org.Slug, scopes = new[] { "read" }, expiresAt = sooner });
        Assert.Equal(sooner.ToUnixTimeSeconds(), JsonDocument.Parse(soonBody).RootElement.GetProperty("info").GetProperty("expiresAt").GetDateTimeOffset().ToUnixTimeSeconds());
    }

    [Fact]
    public async Task KeyMadeByKey_NeverOutranksIt_AndAKeyWithoutAdminMintsNone()
    {
        var org = await Kit.OrgAsync("org");
        var (user, _) = await Kit.UserWithKeyAsync(org, "admin");
        var (_, adminKey) = await Kit.Accounts.CreateKeyAsync(user.Id, org.Id, "admin-read", ["read", "admin"], null, Ct);
        using var admin = Kit.Client(adminKey);
        var (wider, widerBody) = await CatalogKit.SendAsync(admin, HttpMethod.Post, "/api/v1/keys",
            new { name = "wider", organisation = org.Slug, scopes = new[] { "read", "publish" } });
        Assert.True(wider == 403, widerBody);
        Assert.Contains("'publish' scope its creator does not have", widerBody);
        // Within its own scopes it may.
        Assert.NotEmpty(await MintAsync(admin, org.Slug, ["read", "admin"]));

        var (_, publishKey) = await Kit.Accounts.CreateKeyAsync(user.Id, org.Id, "publisher", ["read", "publish"], null, Ct);
        using var publisher = Kit.Client(publishKey);
        var (none, noneBody) = await CatalogKit.SendAsync(publisher, HttpMethod.Post, "/api/v1/keys",
            new { name = "narrower", organisation = org.Slug, scopes = new[] { "read" } });
        Assert.True(none == 403, noneBody);
        Assert.Equal("insufficient_scope", JsonDocument.Parse(noneBody).RootElement.GetProperty("code").GetString());
        Assert.Equal(new[] { "admin-read", "minted", "publisher" },
            (await Kit.Accounts.ListKeysAsync("k.user_id = @u AND k.name <> 'test'", Ct, ("u", user.Id))).Select(k => k.Name).Order().ToArray());
    }

    [Fact]
    public async Task RevokingAKey_RevokesTheKeysItMade_AndTheirs()
    {
        var org = await Kit.OrgAsync("org");
        var (user, _) = await Kit.UserWithKeyAsync(org, "admin");
        var (_, rootKey) = await Kit.Accounts.CreateKeyAsync(user.Id, org.Id, "root", ["read", "admin"], null, Ct);
        using var root = Kit.Client(rootKey);
        var child = await MintAsync(root, org.Slug, ["read", "admin"]);
        using var childClient = Kit.Client(child);
        var grandchild = await MintAsync(childClient, org.Slug, ["read"]);
        var sibling = (await Kit.UserWithKeyAsync(org, "admin")).Key;

        var rootId = (await Kit.Accounts.ListKeysAsync("k.name = 'root' AND k.user_id = @u", Ct, ("u", user.Id))).Single().Id;
        Assert.Equal(204, (await CatalogKit.SendAsync(root, HttpMethod.Delete, $"/api/v1/keys/{rootId}")).Status);

        foreach (var key in new[] { rootKey, child, grandchild })
        {
            using var client = Kit.Client(key);
            var (status, body) = await CatalogKit.SendAsync(client, HttpMethod.Get, "/api/v1/auth/me");
            Assert.True(status == 401, body);
            Assert.Equal("api_key_revoked", JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
        }
        using var other = Kit.Client(sibling);
        Assert.Equal(200, (await CatalogKit.SendAsync(other, HttpMethod.Get, "/api/v1/auth/me")).Status);
    }

    private static async Task<string> MintAsync(HttpClient creator, string org, string[] scopes)
    {
        var (status, body) = await CatalogKit.SendAsync(creator, HttpMethod.Post, "/api/v1/keys", new { name = "minted", organisation = org, scopes });
        Assert.True(status == 201, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("key").GetString()!;
    }
}
