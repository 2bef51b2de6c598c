using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using SmartRegion.Data.Catalog;

namespace SmartRegion.Api.Catalog;

/// <summary>One OpenID Connect provider people may sign in with (configuration <c>Auth:Oidc:&lt;name&gt;</c>).</summary>
public sealed class OidcProviderOptions
{
    /// <summary>The issuer's address (its <c>/.well-known/openid-configuration</c> is read from there).</summary>
    public string Authority { get; set; } = "";

    public string ClientId { get; set; } = "";

    /// <summary>The client secret when the provider registered the platform as a confidential client; PKCE is used either way.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The name on the sign-in button ("ProConnect", "FranceConnect", "Région").</summary>
    public string? DisplayName { get; set; }

    /// <summary>
    /// E-mail domains whose people this provider vouches for: a verified e-mail of one of them links the identity to the
    /// person with that e-mail. Any other e-mail is refused ("a user of an unknown domain").
    /// </summary>
    public string[] Domains { get; set; } = [];

    /// <summary>Tolerance on the ID token's lifetime (default 60 s).</summary>
    public double ClockSkewSeconds { get; set; } = 60;
}

/// <summary>
/// Sign-in through an identity federation (issue 18): OpenID Connect, authorization code with PKCE, <c>state</c> and
/// <c>nonce</c> checked by ASP.NET Core's handler (one scheme per configured provider, <c>oidc-&lt;name&gt;</c>), the ID token
/// validated against the provider's keys, issuer, audience and lifetime. The identity (issuer, subject) is linked to a
/// person of the platform once — by a verified e-mail of one of the provider's domains — and then signs in as that person:
/// a server-side session like a password sign-in's, whose method is <c>oidc:&lt;name&gt;</c> (what organisation admins see).
/// Anything else (a refused or tampered answer, an unverified or unknown e-mail, an unknown domain) opens no session, is
/// logged and audited, and lands on the sign-in page with a reason code.
/// </summary>
internal static class OidcSignIn
{
    public const string SchemePrefix = "oidc-";

    /// <summary>The temporary scheme the handler requires; never written (the platform's own session replaces it).</summary>
    private const string ExternalScheme = "oidc-external";

    public const string SignInPage = "/portail/connexion";

    private const string InvitationItem = "invitation";

    public static string CallbackPath(string provider) => $"/api/v1/auth/oidc/{provider}/callback";

    public static IServiceCollection AddOidcSignIn(this IServiceCollection services, IConfiguration configuration)
    {
        var providers = new Dictionary<string, OidcProviderOptions>(StringComparer.Ordinal);
        foreach (var section in configuration.GetSection("Auth:Oidc").GetChildren())
        {
            var options = section.Get<OidcProviderOptions>() ?? new OidcProviderOptions();
            if (!System.Text.RegularExpressions.Regex.IsMatch(section.Key, "^[a-z][a-z0-9-]{0,31}$"))
            {
                throw new InvalidOperationException($"Auth:Oidc:{section.Key}: a provider's name is lower-case letters, digits and '-' (at most 32).");
            }
            if (!Uri.TryCreate(options.Authority, UriKind.Absolute, out _) || string.IsNullOrWhiteSpace(options.ClientId))
            {
                throw new InvalidOperationException($"Auth:Oidc:{section.Key} needs an Authority (an absolute URL) and a ClientId.");
            }
            options.Domains = [.. options.Domains.Select(d => d.Trim().ToLowerInvariant()).Where(d => d.Length > 0)];
            providers[section.Key] = options;
        }
        services.AddSingleton(new OidcProviders(providers));
        services.AddSingleton<IdentityStore>();
        services.AddSingleton<InvitationStore>();
        // The authentication middleware only answers the providers' callbacks: callers are resolved by UseCatalogCallers.
        var auth = services.AddAuthentication();
        if (providers.Count == 0)
        {
            return services;
        }
        auth.AddCookie(ExternalScheme);
        foreach (var (name, provider) in providers)
        {
            auth.AddOpenIdConnect(SchemePrefix + name, provider.DisplayName ?? name, o =>
            {
                o.Authority = provider.Authority;
                o.ClientId = provider.ClientId;
                o.ClientSecret = provider.ClientSecret;
                o.ResponseType = OpenIdConnectResponseType.Code;
                o.ResponseMode = OpenIdConnectResponseMode.Query;
                o.UsePkce = true;
                o.CallbackPath = CallbackPath(name);
                o.SignInScheme = ExternalScheme;
                o.MapInboundClaims = false;
                o.SaveTokens = false;
                o.GetClaimsFromUserInfoEndpoint = false;
                o.Scope.Clear();
                o.Scope.Add("openid");
                o.Scope.Add("email");
                o.Scope.Add("profile");
                o.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(Math.Max(0, provider.ClockSkewSeconds));
                o.TokenValidationParameters.NameClaimType = "sub";
                o.Events.OnTicketReceived = ctx => CompleteAsync(ctx, name, provider);
                o.Events.OnRemoteFailure = ctx => FailAsync(ctx, name);
            });
        }
        return services;
    }

    public static RouteGroupBuilder MapOidcEndpoints(this RouteGroupBuilder api)
    {
        var oidc = api.MapGroup("/auth/oidc").WithTags("Accounts");
        oidc.MapGet("", (OidcProviders providers) => Results.Ok(new
        {
            items = providers.All.Select(p => new { id = p.Key, name = p.Value.DisplayName ?? p.Key, signIn = $"/api/v1/auth/oidc/{p.Key}" }),
        })).WithSummary("The identity providers people may sign in with");

        oidc.MapGet("/{provider}", async (string provider, string? returnUrl, string? invitation, HttpContext ctx, OidcProviders providers) =>
        {
            if (!providers.All.ContainsKey(provider))
            {
                return CatalogProblems.Problem(404, "provider_not_found", $"No identity provider '{(provider.Length > 40 ? provider[..40] + "…" : provider)}' is configured.");
            }
            if (invitation is { Length: 0 or > 100 })
            {
                return CatalogProblems.Invalid("invitation", "invitation is the token at the end of an invitation link (at most 100 characters).");
            }
            var properties = new AuthenticationProperties { RedirectUri = LocalOrHome(returnUrl) };
            if (invitation is not null)
            {
                // Carried through the provider inside the data-protected state: only this sign-in can use it.
                properties.Items[InvitationItem] = invitation;
            }
            try
            {
                // The handler reads the provider's discovery document here: a provider that cannot be reached is the
                // person's problem to know about (in words, on the sign-in page), not a 500.
                await ctx.ChallengeAsync(SchemePrefix + provider, properties);
            }
            catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException && !ctx.Response.HasStarted)
            {
                ctx.RequestServices.GetRequiredService<ILogger<AuthEndpoints.SignInLog>>()
                    .LogWarning("Identity provider {Provider} cannot be reached: {Reason}", provider, e.Message);
                ctx.Response.Clear();
                return Results.Redirect($"{SignInPage}?erreur=provider_unreachable&fournisseur={provider}");
            }
            return Results.Empty;
        }).WithSummary("Sign in with an identity provider (authorization code + PKCE)")
          .WithDescription("Redirects to the provider; the browser comes back to the platform with a session. returnUrl: a path of this site to land on once signed in (default /portail). invitation: the token of an invitation "
              + "link, accepted by this sign-in (the identity is linked to the invited person). A provider that cannot be reached, like every refusal, "
              + "sends the browser back to /portail/connexion?erreur=<reason>.");
        return api;
    }

    /// <summary>A local path to come back to, never another site (an open redirect).</summary>
    private static string LocalOrHome(string? url) =>
        url is { Length: > 0 and < 500 } && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            && !url.Any(char.IsControl)
            ? url
            : "/portail";

    private static async Task CompleteAsync(TicketReceivedContext ctx, string name, OidcProviderOptions provider)
    {
        var http = ctx.HttpContext;
        var services = http.RequestServices;
        var principal = ctx.Principal!;
        var issuer = principal.FindFirst("iss")?.Value ?? principal.FindFirst("sub")?.Issuer ?? "";
        var subject = principal.FindFirst("sub")?.Value ?? "";
        var email = principal.FindFirst("email")?.Value?.Trim().ToLowerInvariant();
        var verified = string.Equals(principal.FindFirst("email_verified")?.Value, "true", StringComparison.OrdinalIgnoreCase);
        var identities = services.GetRequiredService<IdentityStore>();
        var accounts = services.GetRequiredService<AccountStore>();
        var ct = http.RequestAborted;

        string? refusal = null;
        var invitation = ctx.Properties?.Items.TryGetValue(InvitationItem, out var token) == true ? token : null;
        if (invitation is not null)
        {
            // An invitation vouches for the person instead of the provider's domains: its link went to the invited e-mail.
            var (outcome, _, _) = await services.GetRequiredService<InvitationStore>().AcceptAsync(invitation, name, issuer, subject, email,
                principal.FindFirst("name")?.Value, http.ClientAddress(), ct);
            refusal = outcome switch
            {
                InvitationOutcome.Accepted => null,
                InvitationOutcome.NotFound => "invitation_not_found",
                InvitationOutcome.Expired => "invitation_expired",
                InvitationOutcome.Revoked => "invitation_revoked",
                InvitationOutcome.Used => "invitation_used",
                _ => "invitation_other_person",
            };
        }
        var userId = refusal is null ? await identities.SignInAsync(issuer, subject, ct) : null;
        if (userId is null && refusal is null)
        {
            var domain = email?.Split('@') is [_, var d] ? d : null;
            if (email is null || !verified)
            {
                refusal = "unverified_email";
            }
            else if (domain is null || !provider.Domains.Contains(domain))
            {
                refusal = "unknown_domain";
            }
            else if (await accounts.FindUserAsync(email, ct) is not { } user)
            {
                refusal = "unknown_user";
            }
            else
            {
                await identities.LinkAsync(user.Id, name, issuer, subject, email, "verified_email", ct);
                userId = await identities.SignInAsync(issuer, subject, ct);
            }
        }
        ctx.HandleResponse();
        var audit = services.GetRequiredService<AuditLog>();
        var log = services.GetRequiredService<ILogger<AuthEndpoints.SignInLog>>();
        var method = $"oidc:{name}";
        if (userId is not { } id)
        {
            log.LogWarning("Sign-in through {Provider} refused ({Reason}) for {Email} from {Client}", name, refusal ?? "identity_taken", email, http.ClientAddress());
            var known = email is null ? null : await accounts.FindUserAsync(email, ct);
            await AuthEndpoints.AuditSignInAsync(audit, accounts, known?.Id, http.Actor(), "sign_in.failed", $"account:{email ?? subject}",
                Details(method, invitation, ("reason", refusal ?? "identity_taken")), ct);
            http.Response.Redirect($"{SignInPage}?erreur={refusal ?? "identity_taken"}&fournisseur={name}");
            return;
        }
        var signedIn = (await accounts.FindUserAsync(id, ct))!;
        await AuthEndpoints.StartSessionAsync(http, services.GetRequiredService<SessionStore>(), services.GetRequiredService<AuthSettings>(), id, method);
        log.LogInformation("Signed in {Account} from {Client} through {Provider}", signedIn.Email, http.ClientAddress(), name);
        await AuthEndpoints.AuditSignInAsync(audit, accounts, id, new AuditActor($"user:{signedIn.Email}", id, http.ClientAddress()), "sign_in.succeeded",
            $"user:{signedIn.Email}", Details(method, invitation), ct);
        http.Response.Redirect(LocalOrHome(ctx.ReturnUri));
    }

    /// <summary>An audit entry's details: the method, whether an invitation was followed, and more.</summary>
    private static Dictionary<string, object?> Details(string method, string? invitation, params (string Key, object? Value)[] more)
    {
        var details = new Dictionary<string, object?> { ["method"] = method };
        if (invitation is not null)
        {
            details["invitation"] = true;
        }
        foreach (var (key, value) in more)
        {
            details[key] = value;
        }
        return details;
    }

    private static async Task FailAsync(RemoteFailureContext ctx, string name)
    {
        var http = ctx.HttpContext;
        var services = http.RequestServices;
        // The handler's own words (correlation failed, invalid state, token lifetime…) go to the log, never to the page.
        services.GetRequiredService<ILogger<AuthEndpoints.SignInLog>>()
            .LogWarning("Sign-in through {Provider} failed from {Client}: {Reason}", name, http.ClientAddress(), ctx.Failure?.Message);
        var accounts = services.GetRequiredService<AccountStore>();
        await AuthEndpoints.AuditSignInAsync(services.GetRequiredService<AuditLog>(), accounts, null, http.Actor(), "sign_in.failed", $"provider:{name}",
            new() { ["method"] = $"oidc:{name}", ["reason"] = Reason(ctx.Failure) }, http.RequestAborted);
        ctx.HandleResponse();
        http.Response.Redirect($"{SignInPage}?erreur={Reason(ctx.Failure)}&fournisseur={name}");
    }

    /// <summary>
    /// Why a sign-in failed, as a code for the audit trail and the sign-in page (which says it in words; the handler's own
    /// text stays in the log): state, code_refused, token_expired, token_invalid, access_denied (the person declined at
    /// the provider) or protocol.
    /// </summary>
    internal static string Reason(Exception? failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case OpenIdConnectProtocolException p when p.Message.Contains("'access_denied'", StringComparison.Ordinal):
                    return "access_denied";
                case Microsoft.IdentityModel.Tokens.SecurityTokenExpiredException:
                    return "token_expired";
                case Microsoft.IdentityModel.Tokens.SecurityTokenException:
                    return "token_invalid";
                case OpenIdConnectProtocolException p when p.Message.Contains("invalid_grant", StringComparison.Ordinal):
                    return "code_refused";
            }
            if (e.Message.Contains("Correlation failed", StringComparison.Ordinal) || e.Message.Contains("message.State", StringComparison.Ordinal)
                || e.Message.Contains("state was missing or invalid", StringComparison.Ordinal))
            {
                return "state";
            }
        }
        return "protocol";
    }
}

/// <summary>The configured identity providers, by name.</summary>
internal sealed class OidcProviders(IReadOnlyDictionary<string, OidcProviderOptions> all)
{
    public IReadOnlyDictionary<string, OidcProviderOptions> All { get; } = all;
}
