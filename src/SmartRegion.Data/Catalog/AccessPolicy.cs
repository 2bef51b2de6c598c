namespace SmartRegion.Data.Catalog;

/// <summary>Who is calling: anonymous, a signed-in user (cookie) or an API key acting for one organisation.</summary>
public sealed record Caller(
    long? UserId,
    long? ApiKeyId,
    bool IsPlatformAdmin,
    IReadOnlyDictionary<long, string> Roles,
    IReadOnlySet<string> Scopes)
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

/// <summary>The decision: level, and for a grantee the fields and rows it may see (null = all).</summary>
public sealed record DatasetAccess(AccessLevel Level, IReadOnlySet<string>? Fields, IReadOnlyList<IReadOnlyDictionary<string, string>>? RowFilters)
{
    public static readonly DatasetAccess None = new(AccessLevel.None, null, null);

    public bool CanSee => Level >= AccessLevel.Read;
}

/// <summary>The one answer to "may this caller see this dataset, and which fields and rows": every endpoint asks here.</summary>
public static class AccessPolicy
{
    public static DatasetAccess Decide(Caller caller, string visibility, long ownerOrgId, IReadOnlyList<ActiveGrant> activeGrants)
    {
        if (caller.IsPlatformAdmin)
        {
            return new DatasetAccess(AccessLevel.Admin, null, null);
        }
        if (caller.Roles.TryGetValue(ownerOrgId, out var role))
        {
            return new DatasetAccess(role switch
            {
                "admin" => AccessLevel.Admin,
                "editor" => AccessLevel.Edit,
                _ => AccessLevel.Member,
            }, null, null);
        }
        switch (visibility)
        {
            case "public":
                return new DatasetAccess(AccessLevel.Read, null, null);
            case "restricted":
                var mine = activeGrants.Where(g => caller.Roles.ContainsKey(g.GranteeOrgId)).ToList();
                if (mine.Count == 0)
                {
                    return DatasetAccess.None;
                }
                // Several grants to the same organisation widen, never narrow: the union of what each allows.
                IReadOnlySet<string>? fields = mine.Any(g => g.Fields is null)
                    ? null
                    : mine.SelectMany(g => g.Fields!).ToHashSet(StringComparer.Ordinal);
                IReadOnlyList<IReadOnlyDictionary<string, string>>? rows = mine.Any(g => g.RowFilter is null || g.RowFilter.Count == 0)
                    ? null
                    : mine.Select(g => g.RowFilter!).ToList();
                return new DatasetAccess(AccessLevel.Read, fields, rows);
            default:
                return DatasetAccess.None;
        }
    }
}
