using SmartRegion.Api.Infrastructure;
using SmartRegion.Data.Catalog;

namespace SmartRegion.Api.Catalog;

/// <summary>
/// Invitations (issue 18): an organisation's admin invites a person by e-mail with a role and sends them the link; the person
/// follows it and signs in through an identity provider, which links that identity to them and makes them a member
/// (<see cref="OidcSignIn"/>, <see cref="InvitationStore.AcceptAsync"/>). The link is the secret: its token is shown once.
/// </summary>
internal static class InvitationEndpoints
{
    public sealed record InvitationRequest(string? Email, string? Role, double? ExpiresInDays);

    public const double DefaultDays = 7;

    public static RouteGroupBuilder MapInvitationEndpoints(this RouteGroupBuilder api)
    {
        var orgs = api.MapGroup("/organisations/{org}/invitations").WithTags("Accounts");

        orgs.MapPost("", async (string org, InvitationRequest body, HttpContext ctx, AccountStore accounts, InvitationStore invitations,
            OidcProviders providers, PublicUrls urls) =>
        {
            var (found, denied) = await OrganisationEndpoints.AdminOfAsync(ctx, accounts, org, "admin");
            if (denied is not null)
            {
                return denied;
            }
            if (providers.All.Count == 0)
            {
                return CatalogProblems.Problem(409, "no_identity_provider",
                    "An invitation is accepted by signing in through an identity provider, and this platform has none configured (Auth:Oidc).");
            }
            if (string.IsNullOrWhiteSpace(body.Email))
            {
                return CatalogProblems.Invalid("email", "email is required: the address of the person invited.");
            }
            var days = body.ExpiresInDays ?? DefaultDays;
            if (!double.IsFinite(days))
            {
                return CatalogProblems.Invalid("expiresInDays", "expiresInDays must be a number of days (at most 30).");
            }
            var (invitation, token) = await invitations.CreateAsync(found!.Id, body.Email, body.Role ?? "", TimeSpan.FromDays(Math.Clamp(days, -1, 31)),
                ctx.Actor(), ctx.RequestAborted);
            return Results.Json(new
            {
                invitation.Id, invitation.Email, invitation.Role, invitation.ExpiresAt, invitation.Status,
                // The only time the link exists outside the person's mailbox: the platform keeps its hash.
                link = urls.For($"/portail/invitation/{token}"),
            }, statusCode: StatusCodes.Status201Created);
        })
        .WithSummary("Invite a person by e-mail with a role (org admin; admin scope)")
        .WithDescription("The answer holds the link to send them, once. Example body: {\"email\":\"ana@example.org\",\"role\":\"editor\",\"expiresInDays\":7}. The person follows the link and signs in "
            + "through an identity provider: that identity is linked to them (an account is made for the e-mail when there is none) and they become a "
            + "member with the role. Single use; valid 7 days unless said (at most 30); 409 no_identity_provider when no provider is configured.");

        orgs.MapGet("", async (string org, HttpContext ctx, AccountStore accounts, InvitationStore invitations) =>
        {
            var (found, denied) = await OrganisationEndpoints.AdminOfAsync(ctx, accounts, org, "read");
            if (denied is not null)
            {
                return denied;
            }
            return Results.Ok(new
            {
                items = (await invitations.ListAsync(found!.Id, ctx.RequestAborted)).Select(i => new
                {
                    i.Id, i.Email, i.Role, i.Status, createdBy = i.CreatedByEmail, i.CreatedAt, i.ExpiresAt, i.RevokedAt, i.UsedAt,
                    usedBy = i.UsedByEmail, usedWith = i.UsedProvider,
                }),
            });
        }).WithSummary("An organisation's invitations (its admins)")
          .WithDescription("Pending, used (by whom, through which provider), expired or revoked.");

        orgs.MapDelete("/{id}", async (string org, string id, HttpContext ctx, AccountStore accounts, InvitationStore invitations) =>
        {
            var (found, denied) = await OrganisationEndpoints.AdminOfAsync(ctx, accounts, org, "admin");
            if (denied is not null)
            {
                return denied;
            }
            var outcome = long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
                ? await invitations.RevokeAsync(found!.Id, number, ctx.Actor(), ctx.RequestAborted)
                : InvitationOutcome.NotFound;
            return outcome switch
            {
                InvitationOutcome.Revoked => Results.NoContent(),
                InvitationOutcome.Used => CatalogProblems.Problem(409, "invitation_used", "This invitation was already used: remove the member instead."),
                _ => CatalogProblems.Problem(404, "invitation_not_found", $"No invitation {(id.Length > 20 ? id[..20] + "…" : id)} in '{org}'."),
            };
        }).WithSummary("Revoke a pending invitation (org admin; admin scope): its link no longer works");

        api.MapGet("/invitations/{token}", async (string token, InvitationStore invitations, OidcProviders providers, HttpContext ctx) =>
        {
            var invitation = token.Length is > 0 and <= 100 ? await invitations.FindAsync(token, ctx.RequestAborted) : null;
            if (invitation is null)
            {
                return CatalogProblems.Problem(404, "invitation_not_found", "This invitation link matches no invitation: check that it was copied whole.");
            }
            return Results.Ok(new
            {
                organisation = new { id = invitation.OrgSlug, name = invitation.OrgName },
                invitation.Email, invitation.Role, invitation.ExpiresAt, invitation.Status,
                providers = providers.All.Select(p => new { id = p.Key, name = p.Value.DisplayName ?? p.Key, signIn = $"/api/v1/auth/oidc/{p.Key}" }),
            });
        }).WithTags("Accounts")
          .WithSummary("What an invitation link invites to (whoever holds the link)")
          .WithDescription("The organisation, the role, the invitation's state and the identity providers to accept it with.");
        return api;
    }
}
