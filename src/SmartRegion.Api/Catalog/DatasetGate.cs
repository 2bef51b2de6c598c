using SmartRegion.Data.Catalog;

namespace SmartRegion.Api.Catalog;

/// <summary>A dataset the caller may use at the level an endpoint needs, or the answer that refuses it.</summary>
internal sealed record DatasetGate(DatasetRecord? Dataset, DatasetAccess Access, IResult? Denied)
{
    /// <summary>
    /// Loads <paramref name="slug"/> for the caller and checks, in this order: visible (else the one 404), signed in
    /// when more than reading is needed (401), the key's scope (403 insufficient_scope), the role (403).
    /// <paramref name="datasetId"/> names the dataset exactly when the id comes from a stored row (a job) rather than from
    /// the caller, since several organisations may use one id.
    /// </summary>
    public static async Task<DatasetGate> OpenAsync(HttpContext ctx, string slug, AccessLevel needed, string scope, long? datasetId = null)
    {
        var caller = ctx.Caller();
        var store = ctx.RequestServices.GetRequiredService<DatasetStore>();
        var (dataset, access) = await store.FindAsync(slug, caller, ctx.RequestAborted, datasetId);
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

    /// <summary>Logs this read (every read of a dataset is, whoever the caller), attributed to the organisation it went through.</summary>
    public Task LogReadAsync(HttpContext ctx, string endpoint, long? rows = null) =>
        ctx.RequestServices.GetRequiredService<DatasetStore>().LogAccessAsync(Dataset!.Id, ctx.Caller(),
            Access.ReadingOrgId(ctx.Caller(), Dataset.OwnerOrgId), endpoint, rows, CancellationToken.None);

    /// <summary>Logs a download as it starts; dispose the result when it ends (see <see cref="DatasetDownload"/>).</summary>
    public async Task<DatasetDownload> BeginDownloadAsync(HttpContext ctx, string endpoint)
    {
        var store = ctx.RequestServices.GetRequiredService<DatasetStore>();
        var id = await store.BeginReadAsync(Dataset!.Id, ctx.Caller(), Access.ReadingOrgId(ctx.Caller(), Dataset.OwnerOrgId), endpoint, ctx.RequestAborted);
        return new DatasetDownload(store, id, ctx.RequestAborted);
    }
}

/// <summary>
/// A download of a dataset, in the access log from its first byte: <see cref="DisposeAsync"/> writes how many rows went
/// out and whether it completed, or the client left halfway (cancelled), or it failed.
/// </summary>
internal sealed class DatasetDownload(DatasetStore store, long accessId, CancellationToken aborted) : IAsyncDisposable
{
    private bool _completed;

    /// <summary>Rows sent so far (the caller counts them as it writes).</summary>
    public long Rows { get; set; }

    public void Complete(long rows)
    {
        Rows = rows;
        _completed = true;
    }

    public async ValueTask DisposeAsync() =>
        await store.FinishReadAsync(accessId, Rows, _completed ? "complete" : aborted.IsCancellationRequested ? "cancelled" : "failed", CancellationToken.None);
}
