using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Catalog;

public sealed class AuthTests(TestDatabase db) : CatalogTest(db)
{
    [Theory]
    [InlineData("apikey")]
    [InlineData("api_key")]
    [InlineData("APIKEY")]
    [InlineData("token")]
    public async Task KeyInQueryString_IsRefusedWith400(string parameter)
    {
        using var client = Kit.Client();
        var (status, body) = await CatalogKit.SendAsync(client, HttpMethod.Get, $"/api/v1/datasets?{parameter}=srk_abc");
        Assert.Equal(400, status);
        Assert.Equal("api_key_in_url", JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("Apikey")]
    [InlineData("Bearer")]
    public async Task ValidKey_BothSchemes_Authenticate(string scheme)
    {
        var org = await Kit.OrgAsync("org");
        var (_, key) = await Kit.UserWithKeyAsync(org, "viewer", ["read"]);
        using var client = Kit.Client();
        client.DefaultRequestHeaders.Authorization = new(scheme, key);
        var (status, body) = await CatalogKit.SendAsync(client, HttpMethod.Get, "/api/v1/auth/me");
        Assert.Equal(200, status);
        var me = JsonDocument.Parse(body).RootElement;
        Assert.Equal(["read"], me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("viewer", me.GetProperty("memberships")[0].GetProperty("role").GetString());
    }

    [Fact]
    public async Task RevokedExpiredUnknownKeys_Answer401WithReason()
    {
        var org = await Kit.OrgAsync("org");
        var (user, revoked) = await Kit.UserWithKeyAsync(org, "admin");
        var (_, expired) = await Kit.UserWithKeyAsync(org, "admin");
        var keys = await Kit.Accounts.ListKeysAsync("k.user_id = @u", Ct, ("u", user.Id));
        await Kit.Accounts.RevokeKeyAsync(keys.Single().Id, user.Id, Ct);
        await Kit.ExecuteAsync("UPDATE catalog.api_key SET expires_at = now() - interval '1 second' WHERE prefix = @p", ("p", expired[..12]));

        foreach (var (key, code) in new[] { (revoked, "api_key_revoked"), (expired, "api_key_expired"), ("srk_" + new string('A', 43), "invalid_api_key"), ("nonsense", "invalid_api_key") })
        {
            using var client = Kit.Client(key);
            var (status, body) = await CatalogKit.SendAsync(client, HttpMethod.Get, "/api/v1/datasets");
            Assert.Equal(401, status);
            Assert.Equal(code, JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task CookieSession_StateChangeWithoutCsrf_IsRefused_WithCsrf_Succeeds()
    {
        var org = await Kit.OrgAsync("org");
        var (user, _) = await Kit.UserWithKeyAsync(org, "editor", password: "a long enough password");
        using var client = Factory.CreateClient(new() { HandleCookies = true });

        using (var bad = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = "wrong password!" }, Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        }
        using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = "a long enough password" }, Ct);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith("sr_session=", StringComparison.Ordinal) && c.Contains("httponly", StringComparison.OrdinalIgnoreCase));
        var csrf = JsonDocument.Parse(await login.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("csrfToken").GetString();

        var create = new { id = CatalogKit.Unique("ds"), publisher = org.Slug, title = "T", licence = "etalab-2.0" };
        using (var forged = await client.PostAsJsonAsync("/api/v1/datasets", create, Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
            Assert.Contains("csrf_token_missing", await forged.Content.ReadAsStringAsync(Ct));
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/datasets") { Content = JsonContent.Create(create) };
        request.Headers.Add("X-CSRF-Token", csrf);
        using var ok = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);

        // Reading needs no token.
        using var me = await client.GetAsync("/api/v1/auth/me", Ct);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task Keys_OrgAdminRevokesMembersKey_OtherOrgCannot()
    {
        var org = await Kit.OrgAsync("org");
        var other = await Kit.OrgAsync("other");
        var (member, memberKey) = await Kit.UserWithKeyAsync(org, "viewer", ["read"]);
        var (_, adminKey) = await Kit.UserWithKeyAsync(org, "admin");
        var (_, outsiderKey) = await Kit.UserWithKeyAsync(other, "admin");
        var keyId = (await Kit.Accounts.ListKeysAsync("k.user_id = @u", Ct, ("u", member.Id))).Single().Id;

        using var outsider = Kit.Client(outsiderKey);
        Assert.Equal(404, (await CatalogKit.SendAsync(outsider, HttpMethod.Delete, $"/api/v1/keys/{keyId}")).Status);

        using var admin = Kit.Client(adminKey);
        var (listStatus, list) = await CatalogKit.SendAsync(admin, HttpMethod.Get, "/api/v1/keys");
        Assert.Equal(200, listStatus);
        Assert.Contains(JsonDocument.Parse(list).RootElement.EnumerateArray(), k => k.GetProperty("id").GetInt64() == keyId);
        Assert.DoesNotContain(memberKey, list);
        Assert.Equal(204, (await CatalogKit.SendAsync(admin, HttpMethod.Delete, $"/api/v1/keys/{keyId}")).Status);

        using var revoked = Kit.Client(memberKey);
        Assert.Equal(401, (await CatalogKit.SendAsync(revoked, HttpMethod.Get, "/api/v1/auth/me")).Status);
    }

    [Fact]
    public async Task CreateKey_ReadOnlyKeyCannotMintKeys_AdminKeyCannotWidenScopes()
    {
        var org = await Kit.OrgAsync("org");
        var (_, readKey) = await Kit.UserWithKeyAsync(org, "admin", ["read"]);
        var (_, adminOnly) = await Kit.UserWithKeyAsync(org, "admin", ["read", "admin"]);
        var request = new { name = "n", organisation = org.Slug, scopes = new[] { "read", "publish" } };

        using var reader = Kit.Client(readKey);
        Assert.Equal(403, (await CatalogKit.SendAsync(reader, HttpMethod.Post, "/api/v1/keys", request)).Status);
        using var admin = Kit.Client(adminOnly);
        Assert.Equal(403, (await CatalogKit.SendAsync(admin, HttpMethod.Post, "/api/v1/keys", request)).Status);
        var (status, body) = await CatalogKit.SendAsync(admin, HttpMethod.Post, "/api/v1/keys", new { name = "n", organisation = org.Slug, scopes = new[] { "read" } });
        Assert.Equal(201, status);
        var secret = JsonDocument.Parse(body).RootElement.GetProperty("key").GetString()!;
        using var minted = Kit.Client(secret);
        Assert.Equal(200, (await CatalogKit.SendAsync(minted, HttpMethod.Get, "/api/v1/auth/me")).Status);
    }
}
