using System.Text.Json;
using SmartRegion.Data.Catalog;

namespace SmartRegion.Api.Catalog;

/// <summary>
/// An organisation's audit trail, for its admins (and platform admins): newest first, paged, and as a JSON Lines export
/// that holds every hashed field exactly as hashed, so the chain can be checked without the platform.
/// </summary>
internal static class AuditEndpoints
{
    public static RouteGroupBuilder MapAuditEndpoints(this RouteGroupBuilder api)
    {
        var audit = api.MapGroup("/organisations/{org}/audit").WithTags("Audit");

        audit.MapGet("", async (string org, HttpContext ctx, AuditLog log, AccountStore accounts, int? limit, long? before) =>
        {
            var (chain, denied) = await ChainAsync(ctx, accounts, org);
            if (denied is not null)
            {
                return denied;
            }
            if (limit is < 1 || before is < 1)
            {
                return Infrastructure.ParameterProblem.Invalid(limit is < 1 ? "limit" : "before", "limit and before must be at least 1.");
            }
            var entries = await log.ReadAsync(chain, Math.Min(limit ?? 100, 1000), before, ctx.RequestAborted);
            return Results.Ok(new
            {
                organisation = org,
                items = entries.Select(e => new
                {
                    e.Seq, at = e.AtText, e.Actor, e.Action, e.Target, e.ClientIp, details = JsonDocument.Parse(e.Details).RootElement,
                    prevHash = Convert.ToHexStringLower(e.PrevHash), hash = Convert.ToHexStringLower(e.Hash),
                }),
                next = entries.Count > 0 && entries[^1].Seq > 1 ? $"/api/v1/organisations/{org}/audit?before={entries[^1].Seq}&limit={limit ?? 100}" : null,
            });
        })
        .WithSummary("The organisation's audit trail, newest first (org admins; platform admins)")
        .WithDescription("Who changed who may see what: visibility, grants, keys, members and roles, sign-ins (successes and failures), " +
            "server-file imports, publications and rollbacks. Each entry carries its hash and the previous entry's: see export.jsonl to check the chain.");

        audit.MapGet("/export.jsonl", async (string org, HttpContext ctx, AuditLog log, AccountStore accounts) =>
        {
            var (chain, denied) = await ChainAsync(ctx, accounts, org);
            if (denied is not null)
            {
                return denied;
            }
            ctx.Response.ContentType = "application/jsonl; charset=utf-8";
            ctx.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-{org}.jsonl\"";
            await using var json = new Utf8JsonWriter(ctx.Response.Body, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            await foreach (var e in log.ChainAsync(chain, ctx.RequestAborted))
            {
                json.WriteStartObject();
                json.WriteNumber("chain", e.Chain);
                json.WriteNumber("seq", e.Seq);
                json.WriteString("at", e.AtText);
                json.WriteString("actor", e.Actor);
                json.WriteString("action", e.Action);
                json.WriteString("target", e.Target);
                json.WriteString("clientIp", e.ClientIp);
                // The details exactly as hashed (a JSON text), not re-serialised.
                json.WriteString("details", e.Details);
                json.WriteString("prevHash", Convert.ToHexStringLower(e.PrevHash));
                json.WriteString("hash", Convert.ToHexStringLower(e.Hash));
                json.WriteEndObject();
                await json.FlushAsync(ctx.RequestAborted);
                json.Reset();
                await ctx.Response.Body.WriteAsync("\n"u8.ToArray(), ctx.RequestAborted);
            }
            return Results.Empty;
        })
        .WithSummary("The whole audit trail as JSON Lines, oldest first (org admins)")
        .WithDescription("Each line's fields are exactly as hashed. hash = SHA-256 of the UTF-8 text prevHash|seq|at|chain|actor|action|target|clientIp|details (an absent clientIp as empty text); " +
            "the first entry's prevHash is 64 zeros. Keep the last hash: a later export must contain it unchanged.");
        return api;
    }

    /// <summary>The chain of an organisation the caller administers, or the refusal.</summary>
    private static async Task<(long Chain, IResult? Denied)> ChainAsync(HttpContext ctx, AccountStore accounts, string org)
    {
        var caller = ctx.Caller();
        if (!caller.IsAuthenticated)
        {
            return (0, CatalogProblems.Unauthenticated());
        }
        var organisation = await accounts.FindOrganisationAsync(org, ctx.RequestAborted);
        if (organisation is null || (!caller.IsPlatformAdmin && caller.Roles.GetValueOrDefault(organisation.Id) != "admin"))
        {
            return (0, CatalogProblems.Forbidden($"Only admins of an organisation '{org}' read its audit trail."));
        }
        return (organisation.Id, null);
    }
}
