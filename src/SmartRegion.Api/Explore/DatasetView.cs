using Npgsql;
using SmartRegion.Api.Catalog;
using SmartRegion.Data.Catalog;
using SmartRegion.Data.Catalog.Uploads;
using SmartRegion.Data.Explore;
using SmartRegion.Data.Explore.Odsql;

namespace SmartRegion.Api.Explore;

/// <summary>
/// What a caller may read of a dataset's current version, as the explore API, OGC API Features and the vector tiles all
/// open it: through the catalogue's gate, never around it. <see cref="Outline"/> names the fields some grant of the
/// caller allows (names, types, SRIDs); its SQL reads them unmasked, so every query is compiled against
/// <see cref="Bind"/>'s schema instead, which shows a grant's fields only on that grant's rows.
/// </summary>
internal sealed record DatasetView(DatasetRecord Dataset, DatasetAccess Access, VersionRecord Version, List<FieldSchema> Fields, QuerySchema Outline)
{
    public enum Failure { None, NotFound, NoScope, NoRecords }

    public static async Task<(DatasetView? View, Failure Failure)> OpenAsync(HttpContext ctx, string id)
    {
        var gate = await DatasetGate.OpenAsync(ctx, id, AccessLevel.Read, "read");
        if (gate.Denied is not null)
        {
            return (null, gate.Access.CanSee ? Failure.NoScope : Failure.NotFound);
        }
        var explore = ctx.RequestServices.GetRequiredService<ExploreRecords>();
        var v = gate.Dataset!.CurrentVersionId is { } current
            ? await explore.VersionAsync(current, id => ctx.RequestServices.GetRequiredService<VersionStore>().GetAsync(id, ctx.RequestAborted))
            : null;
        if (v?.RecordsTable is null)
        {
            return (null, Failure.NoRecords);
        }
        var fields = RecordsQuery.Fields(v).Where(f => gate.Access.Fields is null || gate.Access.Fields.Contains(f.Name)).ToList();
        var schema = await explore.SchemaFor(v, fields, ctx.RequestAborted);
        return (new DatasetView(gate.Dataset, gate.Access, v, fields, schema), Failure.None);
    }

    /// <summary>The first geometry field the caller may see somewhere, or null (its name, type and SRID; SQL from <see cref="Bind"/>).</summary>
    public QueryField? Geometry => Outline.Fields.FirstOrDefault(f => f.Kind == ValueKind.Geometry);

    /// <summary>The caller's scope bound on <paramref name="cmd"/>: compile on that command (or its clones) only.</summary>
    public ScopedSchema Bind(NpgsqlCommand cmd) => ExploreRecords.Scope(Version, Outline, Access.Grants, cmd);
}
