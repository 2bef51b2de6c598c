using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using SmartRegion.Api.Tests.Catalog;
using SmartRegion.Testing;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SmartRegion.Api.Tests.Trust;

/// <summary>
/// A real OpenID Connect provider for the tests: an OpenIddict 7 server (authorization code + PKCE, tokens and codes
/// stored, so a code is redeemed once) in an in-memory host at https://idp.test/. Whoever reaches its authorization
/// endpoint is signed in as <see cref="NextUser"/> (the person the test plays); <see cref="ExpireIdentityTokens"/> makes it
/// issue ID tokens that expired an hour ago.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string Issuer = "https://idp.test/";
    public const string ClientId = "smartregion";
    public const string ClientSecret = "a client secret for the tests";

    private readonly WebApplication _app;

    public (string Subject, string Email, bool Verified) NextUser { get; set; }

    public bool ExpireIdentityTokens { get; set; }

    private TestIdentityProvider(WebApplication app) => _app = app;

    public TestServer Server => _app.GetTestServer();

    public HttpClient Browser()
    {
        var client = Server.CreateClient();
        client.BaseAddress = new Uri(Issuer);
        return client;
    }

    public static async Task<TestIdentityProvider> StartAsync(string redirectUri)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        var database = Guid.NewGuid().ToString("N");
        builder.Services.AddDbContext<IdpDb>(o =>
        {
            o.UseInMemoryDatabase(database);
            o.UseOpenIddict();
        });
        TestIdentityProvider? self = null;
        builder.Services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<IdpDb>())
            .AddServer(o =>
            {
                o.SetIssuer(new Uri(Issuer));
                o.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
                o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                o.RegisterScopes(Scopes.OpenId, Scopes.Email, Scopes.Profile);
                o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
                o.DisableAccessTokenEncryption();
                o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().EnableTokenEndpointPassthrough().DisableTransportSecurityRequirement();
                o.AddEventHandler<OpenIddictServerEvents.ProcessSignInContext>(b => b
                    .UseInlineHandler(ctx =>
                    {
                        if (self!.ExpireIdentityTokens && ctx.IdentityTokenPrincipal is { } principal)
                        {
                            principal.SetCreationDate(DateTimeOffset.UtcNow.AddHours(-2)).SetExpirationDate(DateTimeOffset.UtcNow.AddHours(-1));
                        }
                        return default;
                    })
                    .SetOrder(OpenIddictServerHandlers.PrepareIdentityTokenPrincipal.Descriptor.Order + 1)
                    .SetType(OpenIddictServerHandlerType.Custom));
            });
        var app = builder.Build();
        self = new TestIdentityProvider(app);
        app.UseAuthentication();
        app.MapGet("/connect/authorize", (HttpContext ctx) =>
        {
            var request = ctx.GetOpenIddictServerRequest()!;
            var (subject, email, verified) = self.NextUser;
            var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
            identity.AddClaim(new Claim(Claims.Subject, subject));
            identity.AddClaim(new Claim(Claims.Email, email));
            identity.AddClaim(new Claim(Claims.EmailVerified, verified ? "true" : "false", ClaimValueTypes.Boolean));
            identity.SetScopes(request.GetScopes());
            identity.SetDestinations(_ => [Destinations.IdentityToken, Destinations.AccessToken]);
            return Results.SignIn(new ClaimsPrincipal(identity), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });
        app.MapPost("/connect/token", async (HttpContext ctx) =>
        {
            // The code's own principal (OpenIddict has checked the code, its PKCE verifier and that it was not redeemed).
            var result = await ctx.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            return Results.SignIn(result.Principal!, null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });
        await app.StartAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        await manager.CreateAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = ClientId,
            ClientSecret = ClientSecret,
            ClientType = ClientTypes.Confidential,
            RedirectUris = { new Uri(redirectUri) },
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.GrantTypes.AuthorizationCode,
                Permissions.ResponseTypes.Code, Permissions.Scopes.Email, Permissions.Scopes.Profile,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        });
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class IdpDb(DbContextOptions<IdpDb> options) : DbContext(options);
}

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
        _base = new ApiFactory(db.ConnectionString, new Dictionary<string, string?>
        {
            ["Auth:Oidc:test:Authority"] = TestIdentityProvider.Issuer,
            ["Auth:Oidc:test:ClientId"] = TestIdentityProvider.ClientId,
            ["Auth:Oidc:test:ClientSecret"] = TestIdentityProvider.ClientSecret,
            ["Auth:Oidc:test:DisplayName"] = "Fédération de test",
            ["Auth:Oidc:test:Domains:0"] = Domain,
            ["Auth:Oidc:test:ClockSkewSeconds"] = "5",
        });
        // The platform reaches the provider (discovery, keys, token endpoint) in memory.
        _api = _base.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.Configure<OpenIdConnectOptions>("oidc-test", o => o.BackchannelHttpHandler = _idp.Server.CreateHandler())));
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        await _base.DisposeAsync();
        await _idp.DisposeAsync();
    }

    /// <summary>A browser on the platform: cookies kept by hand, redirects not followed.</summary>
    private HttpClient Browser() =>
        _api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("https://localhost") });

    private static string Cookies(HttpResponseMessage response) =>
        string.Join("; ", response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Select(v => v.Split(';')[0]) : []);

    /// <summary>Starts a sign-in and lets the provider answer: the callback URL it sends the browser to, and the cookies the platform set.</summary>
    private async Task<(Uri Callback, string Cookies)> ToProviderAndBackAsync(HttpClient browser)
    {
        using var start = await browser.GetAsync("/api/v1/auth/oidc/test?returnUrl=/portail/compte", Ct);
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var authorize = start.Headers.Location!;
        Assert.StartsWith(TestIdentityProvider.Issuer + "connect/authorize", authorize.AbsoluteUri);
        var query = System.Web.HttpUtility.ParseQueryString(authorize.Query);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.False(string.IsNullOrEmpty(query["state"]));
        Assert.False(string.IsNullOrEmpty(query["nonce"]));
        using var idp = _idp.Browser();
        using var answer = await idp.GetAsync(authorize, Ct);
        Assert.True(answer.StatusCode == HttpStatusCode.Redirect, $"{(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync(Ct)}");
        return (answer.Headers.Location!, Cookies(start));
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
            Assert.Equal("/portail/connexion?erreur=oidc", tampered.Headers.Location?.OriginalString);
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
            Assert.Equal("/portail/connexion?erreur=oidc", replay.Headers.Location?.OriginalString);
            Assert.False(OpensASession(replay));
        }

        // An ID token that expired an hour ago (the tolerance is 5 s).
        _idp.ExpireIdentityTokens = true;
        (callback, cookies) = await ToProviderAndBackAsync(browser);
        using (var expired = await CallbackAsync(browser, callback, cookies))
        {
            Assert.Equal("/portail/connexion?erreur=oidc", expired.Headers.Location?.OriginalString);
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
            Assert.Equal("/portail/connexion?erreur=unknown_domain", unknown.Headers.Location?.OriginalString);
            Assert.False(OpensASession(unknown));
        }

        // The right domain, an e-mail the provider has not verified.
        _idp.NextUser = (Guid.NewGuid().ToString("N"), $"{CatalogKit.Unique("new")}@{Domain}", false);
        (callback, cookies) = await ToProviderAndBackAsync(browser);
        using (var unverified = await CallbackAsync(browser, callback, cookies))
        {
            Assert.Equal("/portail/connexion?erreur=unverified_email", unverified.Headers.Location?.OriginalString);
            Assert.False(OpensASession(unverified));
        }

        // Each refusal is in the audit trail with its reason (the page says only that it failed).
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
}
