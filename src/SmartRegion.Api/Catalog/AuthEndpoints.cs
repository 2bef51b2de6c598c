using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using SmartRegion.Data.Catalog;

namespace SmartRegion.Api.Catalog;

/// <summary>Cookie sign-in for people (password + CSRF token), and who-am-I.</summary>
internal static class AuthEndpoints
{
    private static readonly PasswordHasher<object> Hasher = new();

    // Verifying against a fixed hash when the user is unknown costs the same PBKDF2 time: no user-enumeration timing tell.
    private static readonly string DummyHash = Hasher.HashPassword(new object(), Guid.NewGuid().ToString());

    public sealed record LoginRequest(string Email, string Password);

    public static RouteGroupBuilder MapAuthEndpoints(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").WithTags("Accounts");

        auth.MapPost("/login", async (LoginRequest body, HttpContext ctx, AccountStore accounts, IAntiforgery antiforgery) =>
        {
            var user = await accounts.FindUserAsync(body.Email ?? "", ctx.RequestAborted);
            var result = Hasher.VerifyHashedPassword(new object(), user?.PasswordHash ?? DummyHash, body.Password ?? "");
            if (user?.PasswordHash is null || result == PasswordVerificationResult.Failed)
            {
                return CatalogProblems.Problem(401, "invalid_credentials", "E-mail or password is wrong.");
            }
            if (result == PasswordVerificationResult.SuccessRehashNeeded)
            {
                await accounts.UpdatePasswordHashAsync(user.Id, Hasher.HashPassword(new object(), body.Password!), ctx.RequestAborted);
            }
            var principal = new ClaimsPrincipal(new ClaimsIdentity(
                [new Claim(CallerResolution.UserIdClaim, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), new Claim(ClaimTypes.Name, user.Email)],
                CookieAuthenticationDefaults.AuthenticationScheme));
            await ctx.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
            // The CSRF token is bound to the signed-in identity, so it is made for the new principal.
            ctx.User = principal;
            var tokens = antiforgery.GetAndStoreTokens(ctx);
            return Results.Ok(new { user = new { user.Email, user.DisplayName, user.IsPlatformAdmin }, csrfToken = tokens.RequestToken, csrfHeader = CallerResolution.CsrfHeader });
        })
        .WithSummary("Sign in with e-mail and password (sets an HttpOnly session cookie)")
        .WithDescription("Returns the CSRF token to send in the X-CSRF-Token header on every state-changing call made with the cookie.");

        auth.MapPost("/logout", async (HttpContext ctx) =>
        {
            await ctx.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.NoContent();
        }).WithSummary("Sign out (needs the CSRF token)");

        auth.MapGet("/me", async (HttpContext ctx, AccountStore accounts, IAntiforgery antiforgery) =>
        {
            var caller = ctx.Caller();
            if (!caller.IsAuthenticated)
            {
                return CatalogProblems.Unauthenticated();
            }
            var user = await accounts.FindUserAsync(caller.UserId!.Value, ctx.RequestAborted);
            var memberships = await accounts.MembershipsAsync(caller.UserId.Value, ctx.RequestAborted);
            var csrf = caller.ApiKeyId is null ? antiforgery.GetAndStoreTokens(ctx).RequestToken : null;
            return Results.Ok(new
            {
                user = new { user!.Email, user.DisplayName, user.IsPlatformAdmin },
                memberships = memberships.Where(m => caller.Roles.ContainsKey(m.OrgId)).Select(m => new { organisation = m.OrgSlug, m.Role }),
                scopes = caller.Scopes.Order(StringComparer.Ordinal),
                apiKey = caller.ApiKeyId is not null,
                csrfToken = csrf,
            });
        }).WithSummary("Who is calling: user, organisations and roles, scopes; a fresh CSRF token for cookie sessions");
        return api;
    }
}
