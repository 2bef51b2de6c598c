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

    /// <summary>Whether the caller may read the results the datasets <paramref name="slugs"/> publish; logs the read when it may and one is not public.</summary>
    public async Task<bool> AllowsAsync(HttpContext ctx, string[] slugs, string endpoint)
    {
        var caller = ctx.Caller();
        var restricted = new List<(DatasetRecord Dataset, DatasetAccess Access)>();
        foreach (var slug in slugs)
        {
            if (await IdAsync(slug, ctx.RequestAborted) is not { } id)
            {
                continue; // never published yet: the platform creates its solar datasets public
            }
            var (dataset, access) = await store.FindAsync(slug, caller, ctx.RequestAborted, id);
            if (dataset is null || !access.CanSee || access.Fields is not null || access.RowFilters is not null)
            {
                return false;
            }
            if (dataset.Metadata.Visibility != "public")
            {
                if (!caller.HasScope("read"))
                {
                    return false;
                }
                restricted.Add((dataset, access));
            }
        }
        foreach (var (dataset, access) in restricted)
        {
            await store.LogAccessAsync(dataset.Id, caller, access.ReadingOrgId(caller, dataset.OwnerOrgId), endpoint, null, CancellationToken.None);
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
