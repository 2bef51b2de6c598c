using System.Text.Json;
using SmartRegion.Data.Catalog;

namespace SmartRegion.Api.Catalog;

/// <summary>Datasets: create, read, PATCH metadata, search with facets; grants; access log.</summary>
internal static class DatasetEndpoints
{
    public sealed record GrantRequest(string Organisation, string Purpose, DateTimeOffset ExpiresAt, string[]? Fields, Dictionary<string, JsonElement>? RowFilter);

    public static RouteGroupBuilder MapDatasetEndpoints(this RouteGroupBuilder api)
    {
        var datasets = api.MapGroup("/datasets").WithTags("Datasets");

        datasets.MapPost("", async (JsonElement body, HttpContext ctx, DatasetStore store, AccountStore accounts) =>
        {
            var caller = ctx.Caller();
            if (!caller.IsAuthenticated)
            {
                return CatalogProblems.Unauthenticated();
            }
            if (!caller.HasScope("publish"))
            {
                return CatalogProblems.MissingScope("publish");
            }
            var slug = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : "";
            var publisherSlug = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("publisher", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : "";
            if (publisherSlug.Length == 0)
            {
                return CatalogProblems.Invalid("publisher", "publisher (the organisation id) is required");
            }
            var org = await accounts.FindOrganisationAsync(publisherSlug, ctx.RequestAborted);
            var role = org is null ? null : caller.Roles.GetValueOrDefault(org.Id);
            if (org is null || (!caller.IsPlatformAdmin && Vocabulary.RoleRank(role) < Vocabulary.RoleRank("editor")))
            {
                return CatalogProblems.Forbidden($"You are not an editor of an organisation '{publisherSlug}'.");
            }
            var metadata = DatasetJson.Merge(body, DatasetJson.Blank);
            var created = await store.CreateAsync(slug, org.Id, metadata, caller.UserId, ctx.RequestAborted, ctx.Actor());
            return Results.Created($"/api/v1/datasets/{created.Slug}", DatasetJson.Document(created, new DatasetAccess(AccessLevel.Admin)));
        })
        .WithSummary("Create a dataset (publish scope; editor of the publisher)")
        .WithDescription("""
            Visibility defaults to private. Example body:
            {"id":"ecoles-potentiel-solaire","publisher":"data-for-good","title":"Potentiel solaire des écoles",
             "description":"Calculé par **Data For Good**.","licence":"etalab-2.0","keywords":["solaire","écoles"],
             "themes":["ENER","EDUC"],"spatial":{"communes":["93066"]},"updateFrequency":"ANNUAL","visibility":"public"}
            """);

        datasets.MapGet("", async (HttpContext ctx, CatalogSearch search, string? q, string? theme, string? publisher, string? licence,
            string? format, string? visibility, bool? hasGeometry, string? sort, int? page, int? pageSize) =>
        {
            var request = new SearchRequest(q, theme, publisher, licence, format, visibility, hasGeometry,
                sort ?? "relevance", page ?? 1, pageSize ?? 20);
            if (!CatalogSearch.Sorts.Contains(request.Sort))
            {
                return CatalogProblems.BadRequest("invalid_parameter", $"sort must be one of {string.Join(", ", CatalogSearch.Sorts)}");
            }
            if (request.Page is < 1 or > 10_000 || request.PageSize is < 1 or > 100)
            {
                return CatalogProblems.BadRequest("invalid_parameter", "page must be 1–10000 and pageSize 1–100");
            }
            var caller = ctx.Caller();
            var result = await search.SearchAsync(caller, request, ctx.RequestAborted);
            return Results.Ok(new
            {
                total = result.Total,
                page = request.Page,
                pageSize = request.PageSize,
                items = result.Items.Select(d => DatasetJson.Document(d, AccessFor(caller, d))),
                facets = result.Facets.ToDictionary(f => f.Key, f => f.Value.Select(c => new { value = c.Value, count = c.Count, label = c.Label })),
            });
        })
        .WithSummary("Search the catalogue, with facets")
        .WithDescription("Full text in French and English, accent-insensitive. Only datasets the caller may see are listed or counted. Example: /api/v1/datasets?q=ecole%20solaire&theme=ENER&sort=relevance");

        datasets.MapGet("/{id}", async (string id, HttpContext ctx, DatasetStore store) =>
        {
            var gate = await DatasetGate.OpenAsync(ctx, id, AccessLevel.Read, "read");
            if (gate.Denied is not null)
            {
                return gate.Denied;
            }
            await gate.LogReadAsync(ctx, "metadata");
            ctx.Response.Headers.ETag = MetadataETag.Of(gate.Dataset!);
            return Results.Ok(DatasetJson.Document(gate.Dataset!, gate.Access));
        })
        .WithSummary("A dataset's metadata (description as Markdown and as sanitised HTML)")
        .WithDescription("The ETag header identifies this state of the metadata: send it back as If-Match with a PATCH.");

        datasets.MapPatch("/{id}", async (string id, JsonElement body, HttpContext ctx, DatasetStore store) =>
        {
            var gate = await DatasetGate.OpenAsync(ctx, id, AccessLevel.Edit, "publish");
            if (gate.Denied is not null)
            {
                return gate.Denied;
            }
            if (body.ValueKind == JsonValueKind.Object && (body.TryGetProperty("id", out _) || body.TryGetProperty("publisher", out _)))
            {
                return CatalogProblems.Invalid("id", "id and publisher cannot be changed");
            }
            var merged = DatasetJson.Merge(body, gate.Dataset!.Metadata);
            if (merged.Visibility != gate.Dataset.Metadata.Visibility)
            {
                // Who may see the data is an admin's decision, made with the admin scope (a publishing key cannot).
                if (!ctx.Caller().HasScope("admin"))
                {
                    return CatalogProblems.MissingScope("admin");
                }
                if (gate.Access.Level < AccessLevel.Admin)
                {
                    return CatalogProblems.Forbidden("Only admins of the publishing organisation may change visibility.");
                }
            }
            var ifMatch = ctx.Request.Headers.IfMatch.ToString();
            DateTimeOffset? expected = null;
            if (ifMatch.Length > 0 && ifMatch.Trim() != "*")
            {
                expected = MetadataETag.Parse(ifMatch);
                if (expected != gate.Dataset.ModifiedAt)
                {
                    return MetadataETag.Changed(gate.Dataset);
                }
            }
            if (!await store.UpdateAsync(gate.Dataset.Id, merged, ctx.RequestAborted, ctx.Actor(), expected))
            {
                var (now, _) = await store.FindAsync(id, ctx.Caller(), ctx.RequestAborted, gate.Dataset.Id);
                return MetadataETag.Changed(now!);
            }
            var (updated, access) = await store.FindAsync(id, ctx.Caller(), ctx.RequestAborted, gate.Dataset.Id);
            ctx.Response.Headers.ETag = MetadataETag.Of(updated!);
            return Results.Ok(DatasetJson.Document(updated!, access));
        })
        .WithSummary("Update metadata (publish scope; editor)")
        .WithDescription("""
            Absent properties — visibility included — keep their value.
            Example body: {"title":"Écoles — potentiel solaire 2025","keywords":["solaire"]}. Changing visibility needs an org admin.
            Send the ETag of the GET as If-Match: when someone changed the metadata since, the answer is 412 metadata_changed
            and nothing is overwritten (without If-Match the PATCH applies to whatever is current).
            """);

        datasets.MapGet("/{id}/grants", async (string id, HttpContext ctx, DatasetStore store) =>
        {
            var gate = await DatasetGate.OpenAsync(ctx, id, AccessLevel.Admin, "read");
            return gate.Denied ?? Results.Ok((await store.ListGrantsAsync(gate.Dataset!.Id, ctx.RequestAborted)).Select(GrantDocument));
        }).WithTags("Sharing").WithSummary("Grants of a dataset (org admin)");

        datasets.MapPost("/{id}/grants", async (string id, GrantRequest body, HttpContext ctx, DatasetStore store, AccountStore accounts) =>
        {
            var gate = await DatasetGate.OpenAsync(ctx, id, AccessLevel.Admin, "admin");
            if (gate.Denied is not null)
            {
                return gate.Denied;
            }
            var grantee = await accounts.FindOrganisationAsync(body.Organisation ?? "", ctx.RequestAborted);
            if (grantee is null)
            {
                return CatalogProblems.Invalid("organisation", $"no organisation '{body.Organisation}'");
            }
            if (grantee.Id == gate.Dataset!.OwnerOrgId)
            {
                return CatalogProblems.Invalid("organisation", "the publishing organisation already sees its datasets");
            }
            var filter = body.RowFilter?.ToDictionary(k => k.Key, k => k.Value.ValueKind == JsonValueKind.String ? k.Value.GetString()! : k.Value.GetRawText());
            // Absent (null) means every field or every row; an empty list or object is refused by the store, never widened.
            var grant = await store.CreateGrantAsync(gate.Dataset.Id, grantee.Id, body.Purpose ?? "", body.ExpiresAt,
                body.Fields, filter, ctx.Caller().UserId, ctx.RequestAborted, ctx.Actor());
            return Results.Created($"/api/v1/datasets/{id}/grants/{grant.Id}", GrantDocument(grant));
        })
        .WithTags("Sharing")
        .WithSummary("Grant another organisation access (org admin; admin scope)")
        .WithDescription("""
            Only restricted datasets honour grants. Example body: {"organisation":"institut-paris-region","purpose":"Étude PCAET",
             "expiresAt":"2027-06-30T00:00:00Z","fields":["nom_etablissement","potentiel_solaire"],"rowFilter":{"code_commune":"93066"}}
            """);

        datasets.MapDelete("/{id}/grants/{grantId:long}", async (string id, long grantId, HttpContext ctx, DatasetStore store) =>
        {
            var gate = await DatasetGate.OpenAsync(ctx, id, AccessLevel.Admin, "admin");
            if (gate.Denied is not null)
            {
                return gate.Denied;
            }
            return await store.RevokeGrantAsync(gate.Dataset!.Id, grantId, ctx.RequestAborted, ctx.Actor())
                ? Results.NoContent()
                : CatalogProblems.Problem(404, "grant_not_found", $"No active grant {grantId} on this dataset.");
        }).WithTags("Sharing").WithSummary("Revoke a grant at once (org admin; admin scope)");

        datasets.MapGet("/{id}/access-log", async (string id, HttpContext ctx, DatasetStore store, int? limit, long? before) =>
        {
            var gate = await DatasetGate.OpenAsync(ctx, id, AccessLevel.Member, "read");
            if (gate.Denied is not null)
            {
                return gate.Denied;
            }
            var entries = await store.ReadAccessLogAsync(gate.Dataset!.Id, Math.Clamp(limit ?? 100, 1, 1000), before, ctx.RequestAborted);
            return Results.Ok(new
            {
                items = entries.Select(e => new
                {
                    e.Id, e.At, organisation = e.OrgSlug, organisations = e.CallerOrgSlugs, e.PlatformAdmin, user = e.UserEmail, apiKey = e.KeyPrefix,
                    e.Endpoint, e.RowsReturned, e.Outcome,
                }),
                next = entries.Count > 0 ? $"/api/v1/datasets/{id}/access-log?before={entries[^1].Id}" : null,
            });
        }).WithTags("Sharing").WithSummary("Who used the dataset, newest first (members of the publisher; platform admin)");

        datasets.MapGet("/{id}/access-log/daily", async (string id, HttpContext ctx, DatasetStore store, int? days) =>
        {
            var gate = await DatasetGate.OpenAsync(ctx, id, AccessLevel.Member, "read");
            if (gate.Denied is not null)
            {
                return gate.Denied;
            }
            var span = days ?? 30;
            if (span is < 1 or > 366)
            {
                return CatalogProblems.BadRequest("invalid_parameter", "days must be 1–366");
            }
            var rows = await store.AccessPerDayAsync(gate.Dataset!.Id, span, ctx.RequestAborted);
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            var dayList = Enumerable.Range(0, span).Select(i => today.AddDays(i - span + 1)).ToList();
            var series = rows.GroupBy(r => (r.OrgSlug, r.SignedIn)).OrderByDescending(g => g.Sum(r => r.Calls)).Select(g =>
            {
                var byDay = g.ToDictionary(r => r.Day, r => r.Calls);
                return new
                {
                    organisation = g.Key.OrgSlug, signedIn = g.Key.SignedIn,
                    calls = dayList.Select(d => byDay.GetValueOrDefault(d)).ToArray(), total = byDay.Values.Sum(),
                };
            });
            return Results.Ok(new { days = dayList.Select(d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), series });
        }).WithTags("Sharing").WithSummary("Calls per UTC day and organisation (members of the publisher)")
        .WithDescription("Over the last days (days=, default 30). Each series has one count per day of 'days', oldest first; organisation null with signedIn false is anonymous callers, with signedIn true callers acting for no organisation.");

        return api;
    }

    /// <summary>The caller's level on a listed dataset (already known visible); used for the access block only.</summary>
    private static DatasetAccess AccessFor(Caller caller, DatasetRecord d) =>
        AccessPolicy.Decide(caller, d.Metadata.Visibility, d.OwnerOrgId, [.. caller.OrgIds.Select(o => new ActiveGrant(0, o, null, null))]);

    private static object GrantDocument(GrantRecord g) => new
    {
        g.Id,
        organisation = g.GranteeOrgSlug,
        g.Purpose,
        g.ExpiresAt,
        g.Fields,
        rowFilter = g.RowFilterJson is null ? (JsonElement?)null : JsonDocument.Parse(g.RowFilterJson).RootElement,
        g.CreatedAt,
        g.RevokedAt,
        g.Active,
    };
}
