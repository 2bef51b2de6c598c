namespace SmartRegion.Data.Catalog;

/// <summary>
/// Who is calling: anonymous, a signed-in user (cookie) or an API key acting for one organisation
/// (<paramref name="KeyExpiresAt"/>: that key's expiry, which keys it makes never outlive; <paramref name="Label"/>:
/// how the audit trail names the caller, e.g. "user:ana@example.org" or "key:srk_ab12cd34 (ana@example.org)").
/// </summary>
public sealed record Caller(
    long? UserId,
    long? ApiKeyId,
    bool IsPlatformAdmin,
    IReadOnlyDictionary<long, string> Roles,
    IReadOnlySet<string> Scopes,
    DateTimeOffset? KeyExpiresAt = null,
    string? Label = null)
{
    public static readonly Caller Anonymous = new(null, null, false, new Dictionary<long, string>(), new HashSet<string> { "read" });

    public bool IsAuthenticated => UserId is not null;

    public bool HasScope(string scope) => Scopes.Contains(scope);

    public long[] OrgIds => [.. Roles.Keys];

    /// <summary>The organisation to attribute an access to: the key's, or the user's only one; null when anonymous or ambiguous.</summary>
    public long? PrimaryOrgId => Roles.Count == 1 ? Roles.Keys.First() : null;
}

/// <summary>How much of a dataset a caller may use, from nothing to administering it.</summary>
public enum AccessLevel
{
    /// <summary>Invisible: every endpoint answers the same 404 as for a dataset that does not exist.</summary>
    None = 0,
    /// <summary>Read: public data, or a grantee (possibly only some fields and rows).</summary>
    Read = 1,
    /// <summary>A viewer of the owning organisation: read everything, and the access log.</summary>
    Member = 2,
    /// <summary>An editor of the owning organisation: metadata, uploads, publish.</summary>
    Edit = 3,
    /// <summary>An admin of the owning organisation, or a platform admin: also visibility and grants.</summary>
    Admin = 4,
}

/// <summary>An active grant of the caller's organisation on a dataset.</summary>
public sealed record ActiveGrant(long Id, long GranteeOrgId, string[]? Fields, IReadOnlyDictionary<string, string>? RowFilter);

/// <summary>
/// What one grant lets its grantee read: these fields (null = all) of the rows its filter matches (null = all rows);
/// <paramref name="GranteeOrgId"/> is the organisation it was given to (the one the access log names).
/// </summary>
public sealed record GrantScope(IReadOnlySet<string>? Fields, IReadOnlyDictionary<string, string>? RowFilter, long GranteeOrgId = 0);

/// <summary>
/// The decision: level, and for a grantee the grants it reads through (null = everything). A grantee sees the union over
/// its grants of the rows each grant matches, each with the fields that same grant allows: <see cref="Fields"/> and
/// <see cref="RowFilters"/> are that union's outline (which columns exist at all, which rows), and the records query
/// masks, row by row, a field no grant matching that row allows.
/// </summary>
public sealed record DatasetAccess
{
    public DatasetAccess(AccessLevel level, IReadOnlyList<GrantScope>? grants = null)
    {
        Level = level;
        Grants = grants;
        Fields = grants is null || grants.Any(g => g.Fields is null) ? null : grants.SelectMany(g => g.Fields!).ToHashSet(StringComparer.Ordinal);
        RowFilters = grants is null || grants.Any(g => g.RowFilter is null) ? null : [.. grants.Select(g => g.RowFilter!)];
    }

    public static readonly DatasetAccess None = new(AccessLevel.None);

    public AccessLevel Level { get; }

    /// <summary>The grants the caller reads through; null when it reads everything (public, member, platform admin).</summary>
    public IReadOnlyList<GrantScope>? Grants { get; }

    /// <summary>Every field some grant allows (null = all fields); not every row shows every one of them.</summary>
    public IReadOnlySet<string>? Fields { get; }

    /// <summary>The row filters of the grants, any of which admits a row (null = every row is admitted by some grant).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>>? RowFilters { get; }

    public bool CanSee => Level >= AccessLevel.Read;

    /// <summary>
    /// The organisation a read is attributed to: the owner when the caller is its member, else the grantee of the grant
    /// read through, else the caller's only organisation (null for anonymous or when several are equally possible).
    /// </summary>
    public long? ReadingOrgId(Caller caller, long ownerOrgId) =>
        caller.Roles.ContainsKey(ownerOrgId) ? ownerOrgId
        : Grants is { Count: > 0 } grants ? grants[0].GranteeOrgId
        : caller.PrimaryOrgId;
}

/// <summary>The one answer to "may this caller see this dataset, and which fields and rows": every endpoint asks here.</summary>
public static class AccessPolicy
{
    public static DatasetAccess Decide(Caller caller, string visibility, long ownerOrgId, IReadOnlyList<ActiveGrant> activeGrants)
    {
        if (caller.IsPlatformAdmin)
        {
            return new DatasetAccess(AccessLevel.Admin);
        }
        if (caller.Roles.TryGetValue(ownerOrgId, out var role))
        {
            return new DatasetAccess(role switch
            {
                "admin" => AccessLevel.Admin,
                "editor" => AccessLevel.Edit,
                _ => AccessLevel.Member,
            });
        }
        switch (visibility)
        {
            case "public":
                return new DatasetAccess(AccessLevel.Read);
            case "restricted":
                var mine = activeGrants.Where(g => caller.Roles.ContainsKey(g.GranteeOrgId)).ToList();
                if (mine.Count == 0)
                {
                    return DatasetAccess.None;
                }
                // Each grant keeps its own fields with its own rows: the caller sees the union of (rows, fields) pairs,
                // never one grant's fields on another grant's rows. An empty field list or row filter admits nothing
                // (the API refuses to create one; an older row that holds one does not turn into "everything").
                return new DatasetAccess(AccessLevel.Read, [.. mine
                    .Where(g => g.Fields is not { Length: 0 } && g.RowFilter is not { Count: 0 })
                    .Select(g => new GrantScope(g.Fields?.ToHashSet(StringComparer.Ordinal), g.RowFilter, g.GranteeOrgId))]);
            default:
                return DatasetAccess.None;
        }
    }
}
