using System.Collections.Concurrent;
using SmartRegion.Api.Catalog;
using SmartRegion.Data.Catalog;

namespace SmartRegion.Api.Solar;

/// <summary>
/// The solar API obeys the catalogue (issue 18, property 4): the solar reports, roof faces, heat map samples and 3D tiles are
/// served to a caller only when the platform's published solar datasets are open to it in full — public, or the caller is
/// a member of the platform organisation or a platform admin, or a grant gives it every row and field. A caller whose grant
/// allows part of a dataset reads that part through the catalogue's APIs (explore, OGC, exports), where the grant applies;
/// the solar API answers it as if nothing were published. Which runs are served at all follows the datasets' versions
/// (<see cref="Data.Solar.ServedSolarResults"/>: a rolled-back run is withdrawn). Reads of a non-public solar dataset are
/// logged like any dataset read (property 5).
/// </summary>
internal sealed class SolarAccess(DatasetStore store)
{
    /// <summary>A building's report and the 3D tiles carry both the building's and its roof faces' results.</summary>
    public static readonly string[] Buildings = [SolarDataset.Slug, SolarDataset.RoofFacesSlug];

    /// <summary>The roof faces and their samples.</summary>
    public static readonly string[] RoofFaces = [SolarDataset.RoofFacesSlug];

    // The platform's datasets never change id once published; looked up until they exist.
    private readonly ConcurrentDictionary<string, long> _ids = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether the caller may read the results the datasets <paramref name="slugs"/> publish; logs the read when it may and one
    /// is not public. One prepared statement decides for all of them (<see cref="DatasetStore.AccessAsync"/>): the gate runs
    /// on every call of the solar API, before a report read by key.
    /// </summary>
    public async Task<bool> AllowsAsync(HttpContext ctx, string[] slugs, string endpoint)
    {
        var caller = ctx.Caller();
        var ids = new List<long>(slugs.Length);
        foreach (var slug in slugs)
        {
            // never published yet: the platform creates its solar datasets public
            if (await IdAsync(slug, ctx.RequestAborted) is { } id)
            {
                ids.Add(id);
            }
        }
        if (ids.Count == 0)
        {
            return true;
        }
        var decided = await store.AccessAsync([.. ids], caller, ctx.RequestAborted);
        if (decided.Count != ids.Count)
        {
            return false; // a dataset deleted since its id was learnt
        }
        var restricted = new List<(long Id, long OwnerOrgId, DatasetAccess Access)>();
        foreach (var (id, visibility, owner, access) in decided)
        {
            if (!access.CanSee || access.Fields is not null || access.RowFilters is not null)
            {
                return false;
            }
            if (visibility != "public")
            {
                if (!caller.HasScope("read"))
                {
                    return false;
                }
                restricted.Add((id, owner, access));
            }
        }
        foreach (var (id, owner, access) in restricted)
        {
            await store.LogAccessAsync(id, caller, access.ReadingOrgId(caller, owner), endpoint, null, CancellationToken.None);
        }
        return true;
    }

    private async Task<long?> IdAsync(string slug, CancellationToken cancellationToken)
    {
        if (_ids.TryGetValue(slug, out var known))
        {
            return known;
        }
        var id = await store.PlatformDatasetIdAsync(slug, cancellationToken);
        if (id is { } found)
        {
            _ids.TryAdd(slug, found);
        }
        return id;
    }
}
