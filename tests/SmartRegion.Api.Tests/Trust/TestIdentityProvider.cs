using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SmartRegion.Api.Tests.Trust;

/// <summary>
/// A real OpenID Connect provider for the tests: an OpenIddict 7 server (authorization code + PKCE, tokens and codes
/// stored, so a code is redeemed once) in an in-memory host at https://idp.test/ (<see cref="StartAsync"/>), or on Kestrel at
/// http://127.0.0.1:port/ for a real browser (<see cref="StartOnLoopbackAsync"/>; its issuer is that address). Whoever reaches
/// its authorization endpoint is signed in as <see cref="NextUser"/> (the person the test plays); <see cref="ExpireIdentityTokens"/>
/// makes it issue ID tokens that expired an hour ago. The Api tests use this file, and the browser tests link it.
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

    /// <summary>The in-memory server (<see cref="StartAsync"/> only).</summary>
    public TestServer Server => _app.GetTestServer();

    /// <summary>The provider's address and issuer: https://idp.test/, or http://127.0.0.1:port/ on the loopback.</summary>
    public Uri Address { get; private set; } = new(Issuer);

    public HttpClient Browser()
    {
        var client = Server.CreateClient();
        client.BaseAddress = new Uri(Issuer);
        return client;
    }

    /// <summary>The provider in memory, with the platform's client registered for <paramref name="redirectUri"/>.</summary>
    public static async Task<TestIdentityProvider> StartAsync(string redirectUri)
    {
        var idp = await StartAsync(loopback: false);
        await idp.RegisterClientAsync(redirectUri);
        return idp;
    }

    /// <summary>The provider on Kestrel at 127.0.0.1 (a free port), reachable by a browser; register the client once the platform's address is known.</summary>
    public static Task<TestIdentityProvider> StartOnLoopbackAsync() => StartAsync(loopback: true);

    private static async Task<TestIdentityProvider> StartAsync(bool loopback)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        if (loopback)
        {
            builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        }
        else
        {
            builder.WebHost.UseTestServer();
        }
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
                if (!loopback)
                {
                    // On the loopback the issuer is the address the requests come to (the port is known once started).
                    o.SetIssuer(new Uri(Issuer));
                }
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
        if (loopback)
        {
            self.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/') + "/");
        }
        return self;
    }

    /// <summary>Registers the platform as a confidential client (code + PKCE) whose callback is <paramref name="redirectUri"/>.</summary>
    public async Task RegisterClientAsync(string redirectUri)
    {
        await using var scope = _app.Services.CreateAsyncScope();
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
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class IdpDb(DbContextOptions<IdpDb> options) : DbContext(options);
}
