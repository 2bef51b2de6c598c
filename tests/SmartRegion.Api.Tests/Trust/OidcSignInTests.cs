using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using SmartRegion.Api.Tests.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Trust;

/// <summary>
/// Sign-in through an identity federation, end to end against <see cref="TestIdentityProvider"/>: the platform as an
/// OpenID Connect client (code + PKCE, state and nonce, ID token validated), linking by a verified e-mail of the
/// provider's domains, and each way it must refuse: a tampered state, a replayed code, an expired ID token, an unknown
/// domain or an unverified e-mail. No refusal opens a session.
/// </summary>
public sealed class OidcSignInTests(TestDatabase db) : IAsyncLifetime
{
    private const string Domain = "region.test";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestIdentityProvider _idp = null!;
    private WebApplicationFactory<Program> _api = null!;
    private CatalogKit Kit => new(db, _base);
    private ApiFactory _base = null!;

    public async ValueTask InitializeAsync()
    {
        _idp = await TestIdentityProvider.StartAsync("https://localhost/api/v1/auth/oidc/test/callback");
        _base = new ApiFactory(db.ApiConnectionString, new Dictionary<string, string?>
        {
            ["Auth:Oidc:test:Authority"] = TestIdentityProvider.Issuer,
            ["Auth:Oidc:test:ClientId"] = TestIdentityProvider.ClientId,
            ["Auth:Oidc:test:ClientSecret"] = TestIdentityProvider.ClientSecret,
            ["Auth:Oidc:test:DisplayName"] = "Fédération de test",
            ["Auth:Oidc:test:Domains:0"] = Domain,
            ["Auth:Oidc:test:ClockSkewSeconds"] = "5",
        });
        // The platform reaches the provider (discovery, keys, token endpoint) in memory. Under a load of 40-60 on two cores
        // the first discovery of a cold provider (OpenIddict and its EF model built on first use) took over a minute: the
        // provider is warmed up here, and the handler's budget for it is minutes, not the default 60 s.
        _api = _base.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.Configure<OpenIdConnectOptions>("oidc-test", o =>
            {
                o.BackchannelHttpHandler = _idp.Server.CreateHandler();
                o.BackchannelTimeout = TimeSpan.FromMinutes(5);
            })));
        using var warm = _idp.Browser();
        warm.Timeout = TimeSpan.FromMinutes(5);
        await warm.GetStringAsync(".well-known/openid-configuration", Ct);
        await warm.GetStringAsync(".well-known/jwks", Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        await _base.DisposeAsync();
        await _idp.DisposeAsync();
    }

    /// <summary>A browser on the platform: cookies kept by hand, redirects not followed.</summary>
    private HttpClient Browser()
    {
        var client = _api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("https://localhost") });
        client.Timeout = TimeSpan.FromMinutes(5);
        return client;
    }

    private static string Cookies(HttpResponseMessage response) =>
        string.Join("; ", response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Select(v => v.Split(';')[0]) : []);

    /// <summary>Starts a sign-in and lets the provider answer: the callback URL it sends the browser to, and the cookies the platform set.</summary>
    private async Task<(Uri Callback, string Cookies)> ToProviderAndBackAsync(HttpClient browser, string start = "/api/v1/auth/oidc/test?returnUrl=/portail/compte")
    {
        using var started = await browser.GetAsync(start, Ct);
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        var authorize = started.Headers.Location!;
        Assert.StartsWith(TestIdentityProvider.Issuer + "connect/authorize", authorize.AbsoluteUri);
        var query = System.Web.HttpUtility.ParseQueryString(authorize.Query);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.False(string.IsNullOrEmpty(query["state"]));
        Assert.False(string.IsNullOrEmpty(query["nonce"]));
        using var idp = _idp.Browser();
        idp.Timeout = TimeSpan.FromMinutes(5);
        using var answer = await idp.GetAsync(authorize, Ct);
        Assert.True(answer.StatusCode == HttpStatusCode.Redirect, $"{(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync(Ct)}");
        return (answer.Headers.Location!, Cookies(started));
    }

    private static async Task<HttpResponseMessage> CallbackAsync(HttpClient browser, Uri callback, string cookies)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, callback);
        request.Headers.Add("Cookie", cookies);
        return await browser.SendAsync(request, Ct);
    }

    private static bool OpensASession(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) && values.Any(v => v.StartsWith("sr_session=", StringComparison.Ordinal) && !v.StartsWith("sr_session=;", StringComparison.Ordinal));

    private async Task<JsonElement> MeAsync(HttpClient browser, HttpResponseMessage signedIn)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
        request.Headers.Add("Cookie", Cookies(signedIn));
        using var me = await browser.SendAsync(request, Ct);
        var text = await me.Content.ReadAsStringAsync(Ct);
        Assert.True(me.IsSuccessStatusCode, $"{(int)me.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task SignIn_VerifiedEmailOfTheProvidersDomain_LinksTheMember_OpensASession_AndAdminsSeeHow()
    {
        var org = await Kit.OrgAsync("oidc");
        var (_, adminKey) = await Kit.UserWithKeyAsync(org, "admin");
        var email = $"{CatalogKit.Unique("ana")}@{Domain}";
        var member = await Kit.Accounts.CreateUserAsync(email, "Ana", null, false, Ct);
        await Kit.Accounts.SetMembershipAsync(member.Id, org.Id, "editor", Ct);
        var subject = Guid.NewGuid().ToString("N");
        _idp.NextUser = (subject, email, true);

        using var browser = Browser();
        var (callback, cookies) = await ToProviderAndBackAsync(browser);
        using var back = await CallbackAsync(browser, callback, cookies);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        Assert.Equal("/portail/compte", back.Headers.Location!.OriginalString);
        Assert.True(OpensASession(back));
        var me = await MeAsync(browser, back);
        Assert.Equal(email, me.GetProperty("user").GetProperty("email").GetString());
        Assert.Equal("oidc:test", me.GetProperty("signedInWith").GetString());

        // Linked once: the same identity signs in as the same person even when the provider later says another e-mail.
        _idp.NextUser = (subject, $"renamed@{Domain}", true);
        (callback, cookies) = await ToProviderAndBackAsync(browser);
        using var again = await CallbackAsync(browser, callback, cookies);
        Assert.Equal(email, (await MeAsync(browser, again)).GetProperty("user").GetProperty("email").GetString());

        // The organisation's admins see who signed in how.
        using var admin = Kit.Client(adminKey);
        var members = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/organisations/{org.Slug}/members", Ct)).RootElement.GetProperty("items");
        var ana = members.EnumerateArray().Single(m => m.GetProperty("email").GetString() == email);
        Assert.Equal("oidc:test", ana.GetProperty("lastSignIn").GetProperty("method").GetString());
        var identity = Assert.Single(ana.GetProperty("identities").EnumerateArray());
        Assert.Equal("test", identity.GetProperty("provider").GetString());
        Assert.Equal("verified_email", identity.GetProperty("linkedBy").GetString());
        var trail = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/organisations/{org.Slug}/audit?limit=100", Ct)).RootElement.GetProperty("items");
        Assert.Contains(trail.EnumerateArray(), e => e.GetProperty("action").GetString() == "sign_in.succeeded"
            && e.GetProperty("target").GetString() == $"user:{email}" && e.GetProperty("details").GetProperty("method").GetString() == "oidc:test");
    }

    [Fact]
    public async Task TamperedState_ReplayedCode_ExpiredIdToken_UnknownDomain_UnverifiedEmail_OpenNoSession()
    {
        var email = $"{CatalogKit.Unique("bob")}@{Domain}";
        await Kit.Accounts.CreateUserAsync(email, "Bob", null, false, Ct);
        using var browser = Browser();

        // A tampered state: the platform cannot read it back, whatever the code.
        _idp.NextUser = (Guid.NewGuid().ToString("N"), email, true);
        var (callback, cookies) = await ToProviderAndBackAsync(browser);
        var query = System.Web.HttpUtility.ParseQueryString(callback.Query);
        var state = query["state"]!;
        query["state"] = state[..^4] + (state[^4..] == "AAAA" ? "BBBB" : "AAAA");
        using (var tampered = await CallbackAsync(browser, new UriBuilder(callback) { Query = query.ToString() }.Uri, cookies))
        {
            Assert.Equal("/portail/connexion?erreur=state&fournisseur=test", tampered.Headers.Location?.OriginalString);
            Assert.False(OpensASession(tampered));
        }

        // A replayed code: the same callback, cookies and all, a second time. The first signs in; the provider refuses the
        // second redemption, so the replay opens nothing.
        (callback, cookies) = await ToProviderAndBackAsync(browser);
        using (var first = await CallbackAsync(browser, callback, cookies))
        {
            Assert.True(OpensASession(first), $"{(int)first.StatusCode} {first.Headers.Location}");
        }
        using (var replay = await CallbackAsync(browser, callback, cookies))
        {
            Assert.Equal("/portail/connexion?erreur=code_refused&fournisseur=test", replay.Headers.Location?.OriginalString);
            Assert.False(OpensASession(replay));
        }

        // An ID token that expired an hour ago (the tolerance is 5 s).
        _idp.ExpireIdentityTokens = true;
        (callback, cookies) = await ToProviderAndBackAsync(browser);
        using (var expired = await CallbackAsync(browser, callback, cookies))
        {
            Assert.Equal("/portail/connexion?erreur=token_expired&fournisseur=test", expired.Headers.Location?.OriginalString);
            Assert.False(OpensASession(expired));
        }
        _idp.ExpireIdentityTokens = false;

        // A person of a domain the provider does not vouch for, though the e-mail is verified and the person exists here.
        var elsewhere = $"{CatalogKit.Unique("eve")}@elsewhere.test";
        await Kit.Accounts.CreateUserAsync(elsewhere, "Eve", null, false, Ct);
        _idp.NextUser = (Guid.NewGuid().ToString("N"), elsewhere, true);
        (callback, cookies) = await ToProviderAndBackAsync(browser);
        using (var unknown = await CallbackAsync(browser, callback, cookies))
        {
            Assert.Equal("/portail/connexion?erreur=unknown_domain&fournisseur=test", unknown.Headers.Location?.OriginalString);
            Assert.False(OpensASession(unknown));
        }

        // The right domain, an e-mail the provider has not verified.
        _idp.NextUser = (Guid.NewGuid().ToString("N"), $"{CatalogKit.Unique("new")}@{Domain}", false);
        (callback, cookies) = await ToProviderAndBackAsync(browser);
        using (var unverified = await CallbackAsync(browser, callback, cookies))
        {
            Assert.Equal("/portail/connexion?erreur=unverified_email&fournisseur=test", unverified.Headers.Location?.OriginalString);
            Assert.False(OpensASession(unverified));
        }

        // Each refusal is in the audit trail with its reason (the page says it in words, the handler's own text stays in the log).
        await using var cmd = db.DataSource.CreateCommand("""
            SELECT DISTINCT details::jsonb ->> 'reason' FROM catalog.audit_log
            WHERE action = 'sign_in.failed' AND details::jsonb ->> 'method' = 'oidc:test' AND at > now() - interval '30 minutes'
            """);
        var reasons = new HashSet<string>();
        await using (var reader = await cmd.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                reasons.Add(reader.GetString(0));
            }
        }
        Assert.Superset(new HashSet<string> { "state", "code_refused", "token_expired", "unknown_domain", "unverified_email" }, reasons);
    }

    /// <summary>Follows an invitation link as a browser would: the provider's sign-in started with its token, and the callback.</summary>
    private async Task<HttpResponseMessage> FollowInvitationAsync(HttpClient browser, string token, (string Subject, string Email, bool Verified) who)
    {
        _idp.NextUser = who;
        var (callback, cookies) = await ToProviderAndBackAsync(browser, $"/api/v1/auth/oidc/test?invitation={Uri.EscapeDataString(token)}&returnUrl=/portail");
        return await CallbackAsync(browser, callback, cookies);
    }

    private static async Task<(string Token, JsonElement Answer)> InviteAsync(HttpClient admin, string org, string email, string role)
    {
        using var created = await admin.PostAsJsonAsync($"/api/v1/organisations/{org}/invitations", new { email, role }, Ct);
        var answer = JsonDocument.Parse(await created.Content.ReadAsStringAsync(Ct)).RootElement.Clone();
        Assert.True(created.StatusCode == HttpStatusCode.Created, answer.GetRawText());
        var link = answer.GetProperty("link").GetString()!;
        Assert.Contains("/portail/invitation/", link, StringComparison.Ordinal);
        return (link[(link.LastIndexOf('/') + 1)..], answer);
    }

    [Fact]
    public async Task Invitation_LinksTheIdentityOfWhoeverFollowsIt_ToTheInvitedPerson_WithTheRole_Once()
    {
        var org = await Kit.OrgAsync("invite");
        var (_, adminKey) = await Kit.UserWithKeyAsync(org, "admin");
        using var admin = Kit.Client(adminKey);
        // A person with no account yet, whose provider vouches for no domain of theirs and says nothing verified.
        var invited = $"{CatalogKit.Unique("zoe")}@perso.test";
        var (token, answer) = await InviteAsync(admin, org.Slug, invited, "viewer");
        Assert.Equal("pending", answer.GetProperty("status").GetString());

        using var anonymous = Kit.Client();
        var shown = JsonDocument.Parse(await anonymous.GetStringAsync($"/api/v1/invitations/{token}", Ct)).RootElement;
        Assert.Equal(org.Slug, shown.GetProperty("organisation").GetProperty("id").GetString());
        Assert.Equal("viewer", shown.GetProperty("role").GetString());
        Assert.Equal("test", Assert.Single(shown.GetProperty("providers").EnumerateArray()).GetProperty("id").GetString());

        using var browser = Browser();
        var subject = Guid.NewGuid().ToString("N");
        using (var accepted = await FollowInvitationAsync(browser, token, (subject, "zoe.perso@mail.test", false)))
        {
            Assert.Equal("/portail", accepted.Headers.Location?.OriginalString);
            Assert.True(OpensASession(accepted));
            var me = await MeAsync(browser, accepted);
            Assert.Equal(invited, me.GetProperty("user").GetProperty("email").GetString());
            var membership = Assert.Single(me.GetProperty("memberships").EnumerateArray());
            Assert.Equal(org.Slug, membership.GetProperty("organisation").GetString());
            Assert.Equal("viewer", membership.GetProperty("role").GetString());
        }
        // Linked: the same identity signs in without the link from now on, and following the link again is no harm.
        _idp.NextUser = (subject, "zoe.perso@mail.test", false);
        var (callback, cookies) = await ToProviderAndBackAsync(browser);
        using (var later = await CallbackAsync(browser, callback, cookies))
        {
            Assert.Equal(invited, (await MeAsync(browser, later)).GetProperty("user").GetProperty("email").GetString());
        }
        using (var again = await FollowInvitationAsync(browser, token, (subject, "zoe.perso@mail.test", false)))
        {
            Assert.True(OpensASession(again));
        }

        // Single use: another identity with the same link is refused, and opens nothing.
        using (var second = await FollowInvitationAsync(browser, token, (Guid.NewGuid().ToString("N"), "mallory@mail.test", true)))
        {
            Assert.Equal("/portail/connexion?erreur=invitation_used&fournisseur=test", second.Headers.Location?.OriginalString);
            Assert.False(OpensASession(second));
        }

        // An identity already linked to someone else cannot take another person's invitation.
        var (forOther, _) = await InviteAsync(admin, org.Slug, $"{CatalogKit.Unique("yan")}@perso.test", "editor");
        using (var taken = await FollowInvitationAsync(browser, forOther, (subject, "zoe.perso@mail.test", false)))
        {
            Assert.Equal("/portail/connexion?erreur=invitation_other_person&fournisseur=test", taken.Headers.Location?.OriginalString);
            Assert.False(OpensASession(taken));
        }

        // Expired (moved into the past in the database: the API makes none shorter than the present).
        var (expiring, _) = await InviteAsync(admin, org.Slug, $"{CatalogKit.Unique("xia")}@perso.test", "editor");
        await Kit.ExecuteAsync("""
            UPDATE catalog.invitation SET created_at = now() - interval '8 days', expires_at = now() - interval '1 day'
            WHERE org_id = @o AND used_at IS NULL AND revoked_at IS NULL AND email LIKE 'xia-%'
            """, ("o", org.Id));
        using (var expired = await FollowInvitationAsync(browser, expiring, (Guid.NewGuid().ToString("N"), "x@mail.test", true)))
        {
            Assert.Equal("/portail/connexion?erreur=invitation_expired&fournisseur=test", expired.Headers.Location?.OriginalString);
            Assert.False(OpensASession(expired));
        }

        // Revoked by an admin; and a token that names nothing.
        var (revoking, revokingAnswer) = await InviteAsync(admin, org.Slug, $"{CatalogKit.Unique("wu")}@perso.test", "admin");
        using (var revoke = await admin.DeleteAsync($"/api/v1/organisations/{org.Slug}/invitations/{revokingAnswer.GetProperty("id").GetInt64()}", Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }
        Assert.Equal("revoked", JsonDocument.Parse(await anonymous.GetStringAsync($"/api/v1/invitations/{revoking}", Ct)).RootElement.GetProperty("status").GetString());
        using (var revoked = await FollowInvitationAsync(browser, revoking, (Guid.NewGuid().ToString("N"), "w@mail.test", true)))
        {
            Assert.Equal("/portail/connexion?erreur=invitation_revoked&fournisseur=test", revoked.Headers.Location?.OriginalString);
        }
        using (var unknown = await FollowInvitationAsync(browser, "no-such-invitation", (Guid.NewGuid().ToString("N"), "v@mail.test", true)))
        {
            Assert.Equal("/portail/connexion?erreur=invitation_not_found&fournisseur=test", unknown.Headers.Location?.OriginalString);
        }
        using (var lookup = await anonymous.GetAsync("/api/v1/invitations/no-such-invitation", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
        }

        // The organisation's admins see who accepted, through which provider; the trail holds every step.
        var invitations = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/organisations/{org.Slug}/invitations", Ct)).RootElement.GetProperty("items");
        var used = invitations.EnumerateArray().Single(i => i.GetProperty("email").GetString() == invited);
        Assert.Equal(("used", invited, "test"), (used.GetProperty("status").GetString(), used.GetProperty("usedBy").GetString(), used.GetProperty("usedWith").GetString()));
        var members = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/organisations/{org.Slug}/members", Ct)).RootElement.GetProperty("items");
        var zoe = members.EnumerateArray().Single(m => m.GetProperty("email").GetString() == invited);
        Assert.Equal("invitation", Assert.Single(zoe.GetProperty("identities").EnumerateArray()).GetProperty("linkedBy").GetString());
        var trail = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/organisations/{org.Slug}/audit?limit=100", Ct)).RootElement.GetProperty("items")
            .EnumerateArray().Select(e => (Action: e.GetProperty("action").GetString(), Target: e.GetProperty("target").GetString(),
                Reason: e.GetProperty("details").TryGetProperty("reason", out var r) ? r.GetString() : null)).ToList();
        Assert.Contains(("invitation.created", $"user:{invited}", (string?)null), trail);
        Assert.Contains(("member.added", $"user:{invited}", (string?)null), trail);
        Assert.Contains(("invitation.accepted", $"user:{invited}", (string?)null), trail);
        Assert.Contains(("invitation.refused", $"user:{invited}", "used"), trail);
        Assert.Equal(["expired", "otherperson", "revoked", "used"], trail.Where(e => e.Action == "invitation.refused").Select(e => e.Reason!).Order().ToArray());
        Assert.Single(trail, e => e.Action == "invitation.revoked");
    }

    [Fact]
    public async Task Invitations_AreMadeAndReadByTheOrganisationsAdminsOnly()
    {
        var org = await Kit.OrgAsync("invite-rights");
        var (_, editorKey) = await Kit.UserWithKeyAsync(org, "editor");
        var (_, adminKey) = await Kit.UserWithKeyAsync(org, "admin");
        using var editor = Kit.Client(editorKey);
        using var admin = Kit.Client(adminKey);
        using var anonymous = Kit.Client();
        using (var refused = await editor.PostAsJsonAsync($"/api/v1/organisations/{org.Slug}/invitations", new { email = "a@b.test", role = "admin" }, Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
        using (var list = await anonymous.GetAsync($"/api/v1/organisations/{org.Slug}/invitations", Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        }
        foreach (var (body, field) in new (object, string)[]
        {
            (new { email = "not an address", role = "viewer" }, "email"), (new { email = "a@b.test", role = "owner" }, "role"),
            (new { email = "a@b.test", role = "viewer", expiresInDays = 31 }, "expiresInDays"), (new { email = "a@b.test", role = "viewer", expiresInDays = 0 }, "expiresInDays"),
        })
        {
            using var bad = await admin.PostAsJsonAsync($"/api/v1/organisations/{org.Slug}/invitations", body, Ct);
            var problem = await bad.Content.ReadAsStringAsync(Ct);
            Assert.True((int)bad.StatusCode is 400 or 422, problem);
            Assert.Contains(field, problem, StringComparison.Ordinal);
        }
    }
}
