using System.Globalization;
using Microsoft.AspNetCore.Identity;
using SmartRegion.Data.Catalog;

namespace SmartRegion.Api.Catalog;

/// <summary>
/// Sign-in for people: password → a server-side session (cookie + CSRF token), throttled per account and per client;
/// logout, password change and "sign out everywhere" end sessions at once; who-am-I.
/// </summary>
internal static class AuthEndpoints
{
    private static readonly PasswordHasher<object> Hasher = new();

    // Verifying against a fixed hash when the user is unknown costs the same PBKDF2 time: no user-enumeration timing tell.
    private static readonly string DummyHash = Hasher.HashPassword(new object(), Guid.NewGuid().ToString());

    public sealed record LoginRequest(string Email, string Password);

    public sealed record PasswordChange(string CurrentPassword, string NewPassword);

    /// <summary>The category of sign-in log lines.</summary>
    internal sealed class SignInLog;

    public static RouteGroupBuilder MapAuthEndpoints(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").WithTags("Accounts");

        auth.MapPost("/login", async (LoginRequest body, HttpContext ctx, AccountStore accounts, SessionStore sessions,
            SignInThrottle throttle, AuthSettings settings, AuditLog audit, ILogger<SignInLog> log) =>
        {
            var ct = ctx.RequestAborted;
            var account = (body.Email ?? "").Trim().ToLowerInvariant();
            var client = ctx.ClientAddress();
            var user = await accounts.FindUserAsync(account, ct);
            if (await throttle.RetryAfterAsync(account, client, settings.Throttle, ct) is { } wait)
            {
                log.LogWarning("Sign-in refused (throttled) for {Account} from {Client}", account, client);
                AuditAfterResponse(ctx, audit, accounts, user?.Id, "sign_in.throttled", $"account:{account}",
                    new() { ["method"] = "password", ["retryAfterS"] = (int)Math.Ceiling(wait.TotalSeconds) });
                return TooManyAttempts(ctx, wait);
            }
            var result = Hasher.VerifyHashedPassword(new object(), user?.PasswordHash ?? DummyHash, body.Password ?? "");
            if (user?.PasswordHash is null || result == PasswordVerificationResult.Failed)
            {
                await throttle.RecordFailureAsync(account, client, settings.Throttle, ct);
                log.LogWarning("Sign-in failed for {Account} from {Client}", account, client);
                AuditAfterResponse(ctx, audit, accounts, user?.Id, "sign_in.failed", $"account:{account}", new() { ["method"] = "password" });
                return CatalogProblems.Problem(401, "invalid_credentials", "E-mail or password is wrong.");
            }
            await throttle.ClearAccountAsync(account, ct);
            if (result == PasswordVerificationResult.SuccessRehashNeeded)
            {
                await accounts.UpdatePasswordHashAsync(user.Id, Hasher.HashPassword(new object(), body.Password!), ct);
            }
            var csrf = await StartSessionAsync(ctx, sessions, settings, user.Id, "password");
            log.LogInformation("Signed in {Account} from {Client} with a password", account, client);
            await AuditSignInAsync(audit, accounts, user.Id, new AuditActor($"user:{user.Email}", user.Id, client), "sign_in.succeeded",
                $"user:{user.Email}", new() { ["method"] = "password" }, ct);
            return Results.Ok(new { user = new { user.Email, user.DisplayName, user.IsPlatformAdmin }, csrfToken = csrf, csrfHeader = CallerResolution.CsrfHeader });
        })
        .WithSummary("Sign in with e-mail and password (sets an HttpOnly session cookie)")
        .WithDescription("Returns the CSRF token to send in the X-CSRF-Token header on every state-changing call made with the cookie. " +
            "Failed sign-ins are throttled per account and per client: 429 with Retry-After.");

        auth.MapPost("/logout", async (HttpContext ctx, SessionStore sessions) =>
        {
            if (ctx.SignInSession() is { } session)
            {
                await sessions.RevokeAsync(session.Id, session.UserId, "logout", ctx.RequestAborted);
            }
            ctx.ClearSessionCookie();
            return Results.NoContent();
        }).WithSummary("Sign out: the session ends on the server at once (needs the CSRF token)");

        auth.MapPost("/password", async (PasswordChange body, HttpContext ctx, AccountStore accounts, SessionStore sessions,
            SignInThrottle throttle, AuthSettings settings, AuditLog audit, ILogger<SignInLog> log) =>
        {
            var ct = ctx.RequestAborted;
            if (ctx.SignInSession() is not { } session)
            {
                return CatalogProblems.Problem(401, "session_required", "Changing a password needs a signed-in session (not an API key).");
            }
            var user = (await accounts.FindUserAsync(session.UserId, ct))!;
            var client = ctx.ClientAddress();
            if (await throttle.RetryAfterAsync(user.Email, client, settings.Throttle, ct) is { } wait)
            {
                return TooManyAttempts(ctx, wait);
            }
            if (user.PasswordHash is null
                || Hasher.VerifyHashedPassword(new object(), user.PasswordHash, body.CurrentPassword ?? "") == PasswordVerificationResult.Failed)
            {
                await throttle.RecordFailureAsync(user.Email, client, settings.Throttle, ct);
                log.LogWarning("Password change refused for {Account} from {Client}: wrong current password", user.Email, client);
                await AuditSignInAsync(audit, accounts, user.Id, ctx.Actor(), "sign_in.failed", $"account:{user.Email}",
                    new() { ["method"] = "password", ["during"] = "password change" }, ct);
                return CatalogProblems.Problem(401, "invalid_credentials", "The current password is wrong.");
            }
            if ((body.NewPassword ?? "").Length < settings.MinPasswordLength || body.NewPassword!.Length > 1000)
            {
                return CatalogProblems.Invalid("newPassword", $"The new password must be {settings.MinPasswordLength} to 1000 characters long.", "password_length");
            }
            await accounts.UpdatePasswordHashAsync(user.Id, Hasher.HashPassword(new object(), body.NewPassword), ct);
            // Every session of the account ends, this one included (a copied cookie must not survive); this client gets a new one.
            var ended = await sessions.RevokeAllAsync(user.Id, "password_changed", ct);
            var csrf = await StartSessionAsync(ctx, sessions, settings, user.Id, session.Method);
            log.LogInformation("Password changed for {Account} from {Client}; {Sessions} session(s) ended", user.Email, client, ended);
            await AuditSignInAsync(audit, accounts, user.Id, ctx.Actor(), "password.changed", $"user:{user.Email}",
                new() { ["sessionsEnded"] = ended }, ct);
            return Results.Ok(new { csrfToken = csrf, csrfHeader = CallerResolution.CsrfHeader, sessionsEnded = ended });
        })
        .WithSummary("Change your password (session + CSRF token)")
        .WithDescription("Every session ends; this client gets a new one. Example body: {\"currentPassword\":\"…\",\"newPassword\":\"…\"}.");

        auth.MapGet("/sessions", async (HttpContext ctx, SessionStore sessions) =>
        {
            var caller = ctx.Caller();
            if (!caller.IsAuthenticated)
            {
                return CatalogProblems.Unauthenticated();
            }
            var current = ctx.SignInSession()?.Id;
            return Results.Ok((await sessions.ListLiveAsync(caller.UserId!.Value, ctx.RequestAborted)).Select(s => new
            {
                s.Id, s.Method, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.ClientIp, s.UserAgent, current = s.Id == current,
            }));
        }).WithSummary("Your live sessions: how and when each was signed in, from where");

        auth.MapDelete("/sessions", async (HttpContext ctx, SessionStore sessions, AccountStore accounts, AuditLog audit) =>
        {
            var caller = ctx.Caller();
            if (!caller.IsAuthenticated)
            {
                return CatalogProblems.Unauthenticated();
            }
            var ended = await sessions.RevokeAllAsync(caller.UserId!.Value, "signed_out_everywhere", ctx.RequestAborted);
            await AuditSignInAsync(audit, accounts, caller.UserId, ctx.Actor(), "sessions.signed_out_everywhere", caller.Label ?? "",
                new() { ["sessionsEnded"] = ended }, ctx.RequestAborted);
            ctx.ClearSessionCookie();
            return Results.Ok(new { sessionsEnded = ended });
        }).WithSummary("Sign out everywhere: every session of yours ends at once (this one too)");

        auth.MapDelete("/sessions/{sessionId:long}", async (long sessionId, HttpContext ctx, SessionStore sessions) =>
        {
            var caller = ctx.Caller();
            if (!caller.IsAuthenticated)
            {
                return CatalogProblems.Unauthenticated();
            }
            return await sessions.RevokeAsync(sessionId, caller.UserId!.Value, "logout", ctx.RequestAborted)
                ? Results.NoContent()
                : CatalogProblems.Problem(404, "session_not_found", $"No live session {sessionId} of yours.");
        }).WithSummary("End one of your sessions");

        auth.MapGet("/me", async (HttpContext ctx, AccountStore accounts) =>
        {
            var caller = ctx.Caller();
            if (!caller.IsAuthenticated)
            {
                return CatalogProblems.Unauthenticated();
            }
            var user = await accounts.FindUserAsync(caller.UserId!.Value, ctx.RequestAborted);
            var memberships = await accounts.MembershipsAsync(caller.UserId.Value, ctx.RequestAborted);
            var session = ctx.SignInSession();
            return Results.Ok(new
            {
                user = new { user!.Email, user.DisplayName, user.IsPlatformAdmin },
                memberships = memberships.Where(m => caller.Roles.ContainsKey(m.OrgId)).Select(m => new { organisation = m.OrgSlug, m.Role }),
                scopes = caller.Scopes.Order(StringComparer.Ordinal),
                apiKey = caller.ApiKeyId is not null,
                csrfToken = session?.CsrfToken,
                signedInWith = session?.Method,
            });
        }).WithSummary("Who is calling: user, organisations and roles, scopes; the session's CSRF token");

        // An organisation's admin ends a member's sessions (a lost laptop, someone leaving).
        api.MapDelete("/organisations/{org}/members/{email}/sessions", async (string org, string email, HttpContext ctx, AccountStore accounts,
            SessionStore sessions, AuditLog audit, ILogger<SignInLog> log) =>
        {
            var caller = ctx.Caller();
            if (!caller.IsAuthenticated)
            {
                return CatalogProblems.Unauthenticated();
            }
            if (!caller.HasScope("admin"))
            {
                return CatalogProblems.MissingScope("admin");
            }
            var organisation = await accounts.FindOrganisationAsync(org, ctx.RequestAborted);
            if (organisation is null || (!caller.IsPlatformAdmin && caller.Roles.GetValueOrDefault(organisation.Id) != "admin"))
            {
                return CatalogProblems.Forbidden($"You are not an admin of an organisation '{org}'.");
            }
            var member = await accounts.FindUserAsync(email, ctx.RequestAborted);
            if (member is null || (await accounts.MembershipsAsync(member.Id, ctx.RequestAborted)).All(m => m.OrgId != organisation.Id))
            {
                return CatalogProblems.Problem(404, "member_not_found", $"No member '{email}' in '{org}'.");
            }
            var ended = await sessions.RevokeAllAsync(member.Id, "signed_out_by_admin", ctx.RequestAborted);
            log.LogInformation("Sessions of {Account} ended by an admin of {Org}: {Sessions}", member.Email, org, ended);
            await audit.AppendAsync(ctx.Actor().Did(organisation.Id, "sessions.signed_out_by_admin", $"user:{member.Email}",
                new Dictionary<string, object?> { ["sessionsEnded"] = ended }), ctx.RequestAborted);
            return Results.Ok(new { sessionsEnded = ended });
        }).WithTags("Accounts").WithSummary("Sign a member out everywhere (org admin; admin scope)");
        return api;
    }

    /// <summary>
    /// Records a sign-in event in the audit trail of every organisation the person belongs to, so each one's admins see
    /// who signed in how; an unknown account (or a person of no organisation) goes to the platform's chain.
    /// </summary>
    public static async Task AuditSignInAsync(AuditLog audit, AccountStore accounts, long? userId, AuditActor actor, string action, string target,
        Dictionary<string, object?> details, CancellationToken cancellationToken)
    {
        var orgs = userId is { } id ? (await accounts.MembershipsAsync(id, cancellationToken)).Select(m => (long?)m.OrgId).ToList() : [];
        var e = actor.Did(null, action, target, details);
        await audit.AppendAsync(orgs.Count == 0 ? [e] : orgs.Select(e.For), cancellationToken);
    }

    /// <summary>
    /// Records a refused sign-in once the answer has been sent: how many organisations the account has (how many chains
    /// are written) must not show in the time a refusal takes.
    /// </summary>
    private static void AuditAfterResponse(HttpContext ctx, AuditLog audit, AccountStore accounts, long? userId, string action, string target,
        Dictionary<string, object?> details)
    {
        var actor = ctx.Actor();
        ctx.Response.OnCompleted(() => AuditSignInAsync(audit, accounts, userId, actor, action, target, details, CancellationToken.None));
    }

    /// <summary>Opens a session for the user, replacing the one this client came with; sets the cookie; returns the CSRF token.</summary>
    public static async Task<string> StartSessionAsync(HttpContext ctx, SessionStore sessions, AuthSettings settings, long userId, string method)
    {
        if (ctx.SignInSession() is { } previous)
        {
            await sessions.RevokeAsync(previous.Id, previous.UserId, "replaced", ctx.RequestAborted);
        }
        var (session, token) = await sessions.CreateAsync(userId, method, ctx.ClientAddress(), ctx.Request.Headers.UserAgent.ToString(),
            settings.Lifetime, ctx.RequestAborted);
        ctx.WriteSessionCookie(token, settings.Lifetime);
        return session.CsrfToken;
    }

    private static IResult TooManyAttempts(HttpContext ctx, TimeSpan wait)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        ctx.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return CatalogProblems.Problem(429, "too_many_attempts", $"Too many failed sign-ins; try again in {seconds} s.");
    }
}
