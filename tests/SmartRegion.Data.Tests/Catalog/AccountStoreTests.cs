using Npgsql;
using SmartRegion.Data.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Data.Tests.Catalog;

public sealed class AccountStoreTests(TestDatabase db)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Unique(string stem) => $"{stem}-{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task CreateKey_StoresOnlyHashAndPrefix_AuthenticatesWithSecret()
    {
        var accounts = new AccountStore(db.DataSource);
        var org = await accounts.CreateOrganisationAsync(Unique("org"), "Org", "company", Ct);
        var user = await accounts.CreateUserAsync($"{Unique("u")}@example.org", "U", null, false, Ct);
        await accounts.SetMembershipAsync(user.Id, org.Id, "editor", Ct);

        var (info, secret) = await accounts.CreateKeyAsync(user.Id, org.Id, "ci", ["read", "publish"], null, Ct);

        Assert.StartsWith(ApiKeys.Marker, secret);
        Assert.Equal(secret[..ApiKeys.PrefixLength], info.Prefix);
        await using (var conn = await db.DataSource.OpenConnectionAsync(Ct))
        await using (var cmd = new NpgsqlCommand("SELECT count(*) FROM catalog.api_key WHERE position(@s in prefix || encode(hash_sha256, 'escape')) > 0", conn))
        {
            cmd.Parameters.AddWithValue("s", secret);
            Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync(Ct))!);
        }
        var principal = await accounts.AuthenticateKeyAsync(secret, Ct);
        Assert.NotNull(principal);
        Assert.Equal("editor", principal.RoleInOrg);
        Assert.Equal(["read", "publish"], principal.Key.Scopes);
        Assert.Null(await accounts.AuthenticateKeyAsync(secret + "x", Ct));
    }

    [Fact]
    public async Task RevokeKey_Twice_SecondReportsNothingToRevoke()
    {
        var accounts = new AccountStore(db.DataSource);
        var org = await accounts.CreateOrganisationAsync(Unique("org"), "Org", "university", Ct);
        var user = await accounts.CreateUserAsync($"{Unique("u")}@example.org", "U", null, false, Ct);
        var (info, secret) = await accounts.CreateKeyAsync(user.Id, org.Id, "k", ["read"], DateTimeOffset.UtcNow.AddDays(1), Ct);

        Assert.Equal(1, await accounts.RevokeKeyAsync(info.Id, user.Id, Ct));
        Assert.Equal(0, await accounts.RevokeKeyAsync(info.Id, user.Id, Ct));
        var principal = await accounts.AuthenticateKeyAsync(secret, Ct);
        Assert.NotNull(principal!.Key.RevokedAt);
    }

    [Fact]
    public async Task CreateKey_UnknownScope_IsRejected()
    {
        var accounts = new AccountStore(db.DataSource);
        var org = await accounts.CreateOrganisationAsync(Unique("org"), "Org", "association", Ct);
        var user = await accounts.CreateUserAsync($"{Unique("u")}@example.org", "U", null, false, Ct);
        var e = await Assert.ThrowsAsync<CatalogValidationException>(() => accounts.CreateKeyAsync(user.Id, org.Id, "k", ["write"], null, Ct));
        Assert.Equal("scopes", e.Field);
    }

    [Fact]
    public async Task CreateOrganisation_DuplicateSlug_IsConflict()
    {
        var accounts = new AccountStore(db.DataSource);
        var slug = Unique("org");
        await accounts.CreateOrganisationAsync(slug, "Org", "platform", Ct);
        await Assert.ThrowsAsync<CatalogConflictException>(() => accounts.CreateOrganisationAsync(slug, "Other", "company", Ct));
    }

    [Fact]
    public async Task CreateUser_EmailCase_IsNormalised()
    {
        var accounts = new AccountStore(db.DataSource);
        var local = Unique("Mixed");
        var user = await accounts.CreateUserAsync($"{local}@Example.ORG", "M", null, false, Ct);
        Assert.Equal($"{local.ToLowerInvariant()}@example.org", user.Email);
        Assert.Equal(user.Id, (await accounts.FindUserAsync($"{local.ToUpperInvariant()}@EXAMPLE.org", Ct))!.Id);
    }
}
