using SmartRegion.Data.Catalog;

namespace SmartRegion.Api.Catalog;

/// <summary>A dataset the caller may use at the level an endpoint needs, or the answer that refuses it.</summary>
internal sealed record DatasetGate(DatasetRecord? Dataset, DatasetAccess Access, IResult? Denied)
{
    /// <summary>
    /// Loads <paramref name="slug"/> for the caller and checks, in this order: visible (else the one 404), signed in
    /// when more than reading is needed (401), the key's scope (403 insufficient_scope), the role (403).
    /// </summary>
    public static async Task<DatasetGate> OpenAsync(HttpContext ctx, string slug, AccessLevel needed, string scope)
    {
        var caller = ctx.Caller();
        var store = ctx.RequestServices.GetRequiredService<DatasetStore>();
        var (dataset, access) = await store.FindAsync(slug, caller, ctx.RequestAborted);
        if (dataset is null || !access.CanSee)
        {
            return new DatasetGate(null, DatasetAccess.None, CatalogProblems.DatasetNotFound(slug));
        }
        if (needed > AccessLevel.Read && !caller.IsAuthenticated)
        {
            return new DatasetGate(null, access, CatalogProblems.Unauthenticated());
        }
        if (!caller.HasScope(scope))
        {
            return new DatasetGate(null, access, CatalogProblems.MissingScope(scope));
        }
        if (access.Level < needed)
        {
            return new DatasetGate(null, access, CatalogProblems.Forbidden(needed switch
            {
                AccessLevel.Member => "Only members of the publishing organisation may do this.",
                AccessLevel.Edit => "Only editors and admins of the publishing organisation may do this.",
                _ => "Only admins of the publishing organisation (or the platform) may do this.",
            }));
        }
        return new DatasetGate(dataset, access, null);
    }
}
