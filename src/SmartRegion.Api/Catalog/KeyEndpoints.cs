using SmartRegion.Data.Catalog;

namespace SmartRegion.Api.Catalog;

/// <summary>API keys: create (shown once), list, revoke — by their owner, an admin of their organisation, or a platform admin.</summary>
internal static class KeyEndpoints
{
    public sealed record KeyRequest(string Name, string Organisation, string[] Scopes, DateTimeOffset? ExpiresAt);

    public static RouteGroupBuilder MapKeyEndpoints(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/keys").WithTags("Accounts");

        keys.MapPost("", async (KeyRequest body, HttpContext ctx, AccountStore accounts) =>
        {
            var caller = ctx.Caller();
            if (!caller.IsAuthenticated)
            {
                return CatalogProblems.Unauthenticated();
            }
            // A key may only mint keys when it has the admin scope, and never with more scopes than it has.
            if (caller.ApiKeyId is not null && !caller.HasScope("admin"))
            {
                return CatalogProblems.MissingScope("admin");
            }
            var scopes = body.Scopes ?? [];
            if (scopes.FirstOrDefault(s => !caller.HasScope(s) && Vocabulary.Scopes.Contains(s)) is { } wider)
            {
                return CatalogProblems.Forbidden($"A key cannot grant the '{wider}' scope its creator does not have.");
            }
            var org = await accounts.FindOrganisationAsync(body.Organisation ?? "", ctx.RequestAborted);
            if (org is null || (!caller.Roles.ContainsKey(org.Id) && !caller.IsPlatformAdmin))
            {
                return CatalogProblems.Forbidden($"You are not a member of an organisation '{body.Organisation}'.");
            }
            // A key made by a key never outlives it: no expiry, or a later one, becomes the creator's.
            var expiresAt = caller.KeyExpiresAt is { } cap && (body.ExpiresAt is null || body.ExpiresAt > cap) ? cap : body.ExpiresAt;
            var (info, secret) = await accounts.CreateKeyAsync(caller.UserId!.Value, org.Id, body.Name ?? "", scopes, expiresAt, ctx.RequestAborted,
                createdByKeyId: caller.ApiKeyId, by: ctx.Actor());
            return Results.Created($"/api/v1/keys/{info.Id}", new { key = secret, info = Document(info), note = "Store the key now: it is not shown again." });
        })
        .WithSummary("Create an API key for yourself (shown once)")
        .WithDescription("Example body: {\"name\":\"etl\",\"organisation\":\"ville-de-saint-denis\",\"scopes\":[\"read\",\"publish\"],\"expiresAt\":\"2027-01-01T00:00:00Z\"}. Use it as 'Authorization: Apikey <key>'. A key made with a key gets at most that key's scopes and expiry, and is revoked with it.");

        keys.MapGet("", async (HttpContext ctx, AccountStore accounts) =>
        {
            var caller = ctx.Caller();
            if (!caller.IsAuthenticated)
            {
                return CatalogProblems.Unauthenticated();
            }
            var list = await ManageableAsync(caller, accounts, ctx.RequestAborted);
            return Results.Ok(list.Select(Document));
        }).WithSummary("Keys you may manage, never their secrets")
          .WithDescription("Yours, your organisations' (org admin), all of them (platform admin).");

        keys.MapDelete("/{keyId:long}", async (long keyId, HttpContext ctx, AccountStore accounts) =>
        {
            var caller = ctx.Caller();
            if (!caller.IsAuthenticated)
            {
                return CatalogProblems.Unauthenticated();
            }
            var key = (await ManageableAsync(caller, accounts, ctx.RequestAborted)).FirstOrDefault(k => k.Id == keyId);
            if (key is null)
            {
                return CatalogProblems.Problem(404, "key_not_found", $"No key {keyId} that you may manage.");
            }
            // Revoking your own key is always allowed; revoking someone else's needs the admin scope.
            if (key.UserId != caller.UserId && !caller.HasScope("admin"))
            {
                return CatalogProblems.MissingScope("admin");
            }
            await accounts.RevokeKeyAsync(keyId, caller.UserId!.Value, ctx.RequestAborted, ctx.Actor());
            return Results.NoContent();
        }).WithSummary("Revoke a key at once, with every key it made")
          .WithDescription("By its owner, an admin of its organisation or a platform admin.");

        return api;
    }

    private static async Task<List<ApiKeyInfo>> ManageableAsync(Caller caller, AccountStore accounts, CancellationToken cancellationToken)
    {
        var list = await accounts.ListManageableKeysAsync(caller.UserId!.Value, caller.IsPlatformAdmin, cancellationToken);
        // A key acts for one organisation only: it manages its user's own keys and, as org admin, that organisation's.
        return caller.ApiKeyId is null || caller.IsPlatformAdmin
            ? list
            : list.Where(k => k.UserId == caller.UserId || caller.Roles.GetValueOrDefault(k.OrgId) == "admin").ToList();
    }

    private static object Document(ApiKeyInfo k) => new
    {
        k.Id, k.Prefix, k.Name, user = k.UserEmail, organisation = k.OrgSlug, k.Scopes, k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.LastUsedAt,
        active = k.RevokedAt is null && (k.ExpiresAt is null || k.ExpiresAt > DateTimeOffset.UtcNow),
    };
}
