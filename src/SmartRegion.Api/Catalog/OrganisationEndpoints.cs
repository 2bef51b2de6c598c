using SmartRegion.Data.Catalog;

namespace SmartRegion.Api.Catalog;

/// <summary>The controlled vocabularies, the organisations, and the members of an organisation (managed by its admins).</summary>
internal static class OrganisationEndpoints
{
    public sealed record RoleRequest(string? Role);

    public static RouteGroupBuilder MapOrganisationEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/vocabularies", () => Results.Ok(new
        {
            themes = Vocabulary.Themes,
            themeBase = Vocabulary.ThemeBase,
            licences = Vocabulary.Licences.Select(l => new { id = l.Key, uri = l.Value }),
            frequencies = Vocabulary.Frequencies,
            frequencyBase = Vocabulary.FrequencyBase,
            visibilities = Vocabulary.Visibilities,
            roles = Vocabulary.Roles,
            scopes = Vocabulary.Scopes,
            organisationKinds = Vocabulary.OrganisationKinds,
        }))
        .WithTags("Datasets")
        .WithSummary("The catalogue's controlled vocabularies")
        .WithDescription("EU themes and frequencies, licences, visibilities, roles, scopes.");

        var orgs = api.MapGroup("/organisations").WithTags("Accounts");

        orgs.MapGet("", async (AccountStore accounts, HttpContext ctx) =>
            Results.Ok(new { items = (await accounts.ListOrganisationsAsync(ctx.RequestAborted)).Select(o => new { id = o.Slug, o.Name, o.Kind }) }))
            .WithSummary("The organisations of the platform (their ids, names and kinds are public)");

        orgs.MapGet("/{org}/members", async (string org, HttpContext ctx, AccountStore accounts, IdentityStore identities) =>
        {
            var (found, denied) = await AdminOfAsync(ctx, accounts, org, "read");
            if (denied is not null)
            {
                return denied;
            }
            var signIns = await identities.SignInsOfMembersAsync(found!.Id, ctx.RequestAborted);
            return Results.Ok(new
            {
                items = (await accounts.ListMembersAsync(found.Id, ctx.RequestAborted)).Select(m => new
                {
                    m.Email, m.DisplayName, m.Role,
                    // Who signed in how: the last session's method ('password' or 'oidc:<provider>') and the linked identities.
                    lastSignIn = signIns.TryGetValue(m.UserId, out var s) && s.LastMethod is not null ? new { method = s.LastMethod, at = s.LastAt } : null,
                    identities = (signIns.TryGetValue(m.UserId, out var i) ? i.Identities : [])
                        .Select(x => new { x.Provider, x.Email, x.LinkedBy, x.LinkedAt, x.LastSignInAt }),
                }),
            });
        }).WithSummary("Members of an organisation, their roles and how they sign in")
          .WithDescription("For the organisation's admins and platform admins.");

        orgs.MapPut("/{org}/members/{email}", async (string org, string email, RoleRequest body, HttpContext ctx, AccountStore accounts) =>
        {
            var (found, denied) = await AdminOfAsync(ctx, accounts, org, "admin");
            if (denied is not null)
            {
                return denied;
            }
            var user = await accounts.FindUserAsync(email, ctx.RequestAborted);
            if (user is null)
            {
                return CatalogProblems.Invalid("email", $"No account with the e-mail '{email}': the person needs an account on the platform first.", "account_not_found");
            }
            await accounts.ChangeMembershipAsync(user.Id, found!.Id, body.Role ?? "", ctx.RequestAborted);
            return Results.Ok(new { user.Email, user.DisplayName, role = body.Role });
        })
        .WithSummary("Add a member or change their role (org admin; admin scope)")
        .WithDescription("The person must already have an account. Example body: {\"role\":\"editor\"}. Roles: admin, editor, viewer. The last admin cannot be demoted (409).");

        orgs.MapDelete("/{org}/members/{email}", async (string org, string email, HttpContext ctx, AccountStore accounts) =>
        {
            var (found, denied) = await AdminOfAsync(ctx, accounts, org, "admin");
            if (denied is not null)
            {
                return denied;
            }
            var user = await accounts.FindUserAsync(email, ctx.RequestAborted);
            var members = await accounts.ListMembersAsync(found!.Id, ctx.RequestAborted);
            if (user is null || members.All(m => m.UserId != user.Id))
            {
                return CatalogProblems.Problem(404, "member_not_found", $"'{email}' is not a member of '{org}'.");
            }
            await accounts.ChangeMembershipAsync(user.Id, found.Id, null, ctx.RequestAborted);
            return Results.NoContent();
        }).WithSummary("Remove a member (org admin; admin scope). The last admin cannot be removed (409)");
        return api;
    }

    /// <summary>The organisation when the caller administers it (or is a platform admin), else the refusal.</summary>
    internal static async Task<(Organisation? Org, IResult? Denied)> AdminOfAsync(HttpContext ctx, AccountStore accounts, string slug, string scope)
    {
        var caller = ctx.Caller();
        if (!caller.IsAuthenticated)
        {
            return (null, CatalogProblems.Unauthenticated());
        }
        var org = await accounts.FindOrganisationAsync(slug, ctx.RequestAborted);
        if (org is null)
        {
            return (null, CatalogProblems.Problem(404, "organisation_not_found", $"No organisation '{slug}'."));
        }
        if (!caller.HasScope(scope))
        {
            return (null, CatalogProblems.MissingScope(scope));
        }
        if (!caller.IsPlatformAdmin && caller.Roles.GetValueOrDefault(org.Id) != "admin")
        {
            return (null, CatalogProblems.Forbidden($"Only admins of '{slug}' manage its members."));
        }
        return (org, null);
    }
}
