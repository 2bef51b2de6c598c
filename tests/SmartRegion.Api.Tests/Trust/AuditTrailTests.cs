using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SmartRegion.Api.Tests.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Trust;

/// <summary>
/// The audit trail: every change of who may see what is appended to the organisation's trail, which its admins read
/// (API and export), and whose hash chain anyone holding the export can check without the platform.
/// </summary>
public sealed class AuditTrailTests(TestDatabase db) : CatalogTest(db)
{
    private const string Password = "a long enough password";

    private static async Task<List<JsonElement>> TrailAsync(HttpClient admin, string org)
    {
        var (status, body) = await CatalogKit.SendAsync(admin, HttpMethod.Get, $"/api/v1/organisations/{org}/audit?limit=1000");
        Assert.True(status == 200, body);
        return [.. JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone()).Reverse()];
    }

    [Fact]
    public async Task ChangesOfWhoMaySeeWhat_AreInTheTrail_OfEachOrganisationConcerned()
    {
        var owner = await Kit.OrgAsync("owner");
        var partner = await Kit.OrgAsync("partner", "university");
        var (adminUser, adminKey) = await Kit.UserWithKeyAsync(owner, "admin", password: Password);
        var (_, partnerAdminKey) = await Kit.UserWithKeyAsync(partner, "admin");
        using var admin = Kit.Client(adminKey);
        var id = (await Kit.CreateDatasetAsync(admin, owner.Slug, "private")).GetProperty("id").GetString()!;
        Assert.Equal(200, (await CatalogKit.SendAsync(admin, HttpMethod.Patch, $"/api/v1/datasets/{id}", new { visibility = "restricted" })).Status);
        var (_, grant) = await CatalogKit.SendAsync(admin, HttpMethod.Post, $"/api/v1/datasets/{id}/grants",
            new { organisation = partner.Slug, purpose = "Étude PCAET", expiresAt = DateTimeOffset.UtcNow.AddDays(30), fields = new[] { "n" } });
        var grantId = JsonDocument.Parse(grant).RootElement.GetProperty("id").GetInt64();
        Assert.Equal(204, (await CatalogKit.SendAsync(admin, HttpMethod.Delete, $"/api/v1/datasets/{id}/grants/{grantId}")).Status);
        await Uploads.UploadBytesAndWaitAsync(admin, id, Encoding.UTF8.GetBytes("n\n1\n"), "a.csv");
        await Uploads.UploadBytesAndWaitAsync(admin, id, Encoding.UTF8.GetBytes("n\n2\n"), "b.csv");
        Assert.Equal(200, (await CatalogKit.SendAsync(admin, HttpMethod.Post, $"/api/v1/datasets/{id}/versions/1/publish")).Status);
        Assert.Equal(200, (await CatalogKit.SendAsync(admin, HttpMethod.Post, $"/api/v1/datasets/{id}/versions/2/publish")).Status);
        Assert.Equal(200, (await CatalogKit.SendAsync(admin, HttpMethod.Post, $"/api/v1/datasets/{id}/rollback", new { version = 1 })).Status);
        var (_, minted) = await CatalogKit.SendAsync(admin, HttpMethod.Post, "/api/v1/keys", new { name = "etl", organisation = owner.Slug, scopes = new[] { "read" } });
        var mintedId = JsonDocument.Parse(minted).RootElement.GetProperty("info").GetProperty("id").GetInt64();
        Assert.Equal(204, (await CatalogKit.SendAsync(admin, HttpMethod.Delete, $"/api/v1/keys/{mintedId}")).Status);
        using var browser = Factory.CreateClient();
        Assert.Equal(401, (int)(await browser.PostAsJsonAsync("/api/v1/auth/login", new { email = adminUser.Email, password = "wrong" }, Ct)).StatusCode);
        Assert.Equal(200, (int)(await browser.PostAsJsonAsync("/api/v1/auth/login", new { email = adminUser.Email, password = Password }, Ct)).StatusCode);

        var trail = await TrailAsync(admin, owner.Slug);
        for (var wait = 0; wait < 50 && !trail.Any(e => e.GetProperty("action").GetString() == "sign_in.failed"); wait++)
        {
            await Task.Delay(100, Ct);
            trail = await TrailAsync(admin, owner.Slug);
        }
        var actions = trail.Select(e => e.GetProperty("action").GetString()).ToList();
        // The admin's own arrival (made by the operator's CLI) comes first; then each change, in the order it was made.
        Assert.Equal(
        [
            "member.added", "key.created", "dataset.created", "dataset.visibility_changed", "grant.created", "grant.revoked",
            "version.published", "version.published", "version.rolled_back", "key.created", "key.revoked",
        ], actions.Where(a => !a!.StartsWith("sign_in.", StringComparison.Ordinal)));
        // A refused sign-in is written once its answer has gone, so it is looked for rather than placed.
        Assert.Contains("sign_in.failed", actions);
        Assert.Contains("sign_in.succeeded", actions);
        Assert.Equal("cli", trail[0].GetProperty("actor").GetString());
        var visibility = trail.Single(e => e.GetProperty("action").GetString() == "dataset.visibility_changed");
        Assert.Equal($"dataset:{id}", visibility.GetProperty("target").GetString());
        Assert.Equal("private", visibility.GetProperty("details").GetProperty("from").GetString());
        Assert.Equal("restricted", visibility.GetProperty("details").GetProperty("to").GetString());
        Assert.StartsWith("key:", visibility.GetProperty("actor").GetString());
        var granted = trail.Single(e => e.GetProperty("action").GetString() == "grant.created").GetProperty("details");
        Assert.Equal(partner.Slug, granted.GetProperty("grantee").GetString());
        Assert.Equal(["n"], granted.GetProperty("fields").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(1, trail.Last(e => e.GetProperty("action").GetString() == "version.rolled_back").GetProperty("details").GetProperty("version").GetInt32());

        // The grantee organisation's trail says it was given, then lost, access.
        using var partnerAdmin = Kit.Client(partnerAdminKey);
        var theirs = (await TrailAsync(partnerAdmin, partner.Slug)).Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["grant.created", "grant.revoked"], theirs.Where(a => a!.StartsWith("grant.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Trail_IsForTheOrganisationsAdmins_Only()
    {
        var org = await Kit.OrgAsync("org");
        var other = await Kit.OrgAsync("other");
        var (_, editorKey) = await Kit.UserWithKeyAsync(org, "editor");
        var (_, otherAdminKey) = await Kit.UserWithKeyAsync(other, "admin");
        var (_, operatorKey) = await Kit.UserWithKeyAsync(await Kit.OrgAsync("platform", "platform"), "admin", platformAdmin: true);
        foreach (var (key, status) in new[] { ((string?)null, 401), (editorKey, 403), (otherAdminKey, 403), (operatorKey, 200) })
        {
            using var client = Kit.Client(key);
            foreach (var path in new[] { "", "/export.jsonl" })
            {
                Assert.Equal(status, (await CatalogKit.SendAsync(client, HttpMethod.Get, $"/api/v1/organisations/{org.Slug}/audit{path}")).Status);
            }
        }
    }

    [Fact]
    public async Task Export_CanBeCheckedWithoutThePlatform_AndEveryEditShows()
    {
        var org = await Kit.OrgAsync("org");
        var (_, key) = await Kit.UserWithKeyAsync(org, "admin");
        using var admin = Kit.Client(key);
        for (var i = 0; i < 3; i++)
        {
            await Kit.CreateDatasetAsync(admin, org.Slug, "private");
        }
        var (status, export) = await CatalogKit.SendAsync(admin, HttpMethod.Get, $"/api/v1/organisations/{org.Slug}/audit/export.jsonl");
        Assert.Equal(200, status);
        var lines = export.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(lines.Count >= 5, export);
        Assert.True(ChainHolds(lines), "the exported chain does not verify");

        // Any edit of an exported entry breaks it: the content no longer matches its hash.
        var edited = lines.Select(l => l.GetRawText()).ToList();
        edited[2] = edited[2].Replace("\"action\":\"dataset.created\"", "\"action\":\"dataset.deleted\"", StringComparison.Ordinal);
        Assert.False(ChainHolds([.. edited.Select(l => JsonDocument.Parse(l).RootElement)]));
        // So does dropping one.
        Assert.False(ChainHolds([.. lines.Where((_, i) => i != 1)]));
    }

    /// <summary>The check a partner runs on its export, written from the documented formula alone.</summary>
    private static bool ChainHolds(List<JsonElement> lines)
    {
        var previous = new string('0', 64);
        foreach (var e in lines)
        {
            string S(string name) => e.GetProperty(name).ValueKind == JsonValueKind.Null ? "" : e.GetProperty(name).ToString();
            var text = string.Join('|', S("prevHash"), S("seq"), S("at"), S("chain"), S("actor"), S("action"), S("target"), S("clientIp"), S("details"));
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
            if (S("prevHash") != previous || S("hash") != hash)
            {
                return false;
            }
            previous = hash;
        }
        return true;
    }
}
