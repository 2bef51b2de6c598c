namespace SmartRegion.Data.Catalog;

/// <summary>An OpenID Connect identity linked to a person: the provider's name, how it was linked, and when it was last used.</summary>
public sealed record LinkedIdentity(long UserId, string Provider, string? Email, string LinkedBy, DateTimeOffset LinkedAt, DateTimeOffset? LastSignInAt);

/// <summary>How a member last signed in (from their sessions) and the identities they sign in with.</summary>
public sealed record MemberSignIns(long UserId, string? LastMethod, DateTimeOffset? LastAt, IReadOnlyList<LinkedIdentity> Identities);

/// <summary>OpenID Connect identities of the platform's people (<c>catalog.user_identity</c>).</summary>
public sealed class IdentityStore(Npgsql.NpgsqlDataSource dataSource)
{
    /// <summary>The person an identity (issuer, subject) is linked to, or null; marks it used.</summary>
    public async Task<long?> SignInAsync(string issuer, string subject, CancellationToken cancellationToken) =>
        await Db.ScalarAsync<long?>(dataSource, """
            UPDATE catalog.user_identity i SET last_sign_in_at = now()
            FROM catalog.app_user u WHERE u.id = i.user_id AND u.disabled_at IS NULL AND i.issuer = @iss AND i.subject = @sub
            RETURNING i.user_id
            """, cancellationToken, ("iss", issuer), ("sub", subject));

    /// <summary>Links an identity to a person (used at once); false when the identity already belongs to someone.</summary>
    public async Task<bool> LinkAsync(long userId, string provider, string issuer, string subject, string? email, string linkedBy, CancellationToken cancellationToken) =>
        await Db.ExecuteAsync(dataSource, """
            INSERT INTO catalog.user_identity (user_id, provider, issuer, subject, email, linked_by, last_sign_in_at)
            VALUES (@u, @p, @iss, @sub, @e, @by, now())
            ON CONFLICT (issuer, subject) DO NOTHING
            """, cancellationToken, ("u", userId), ("p", provider), ("iss", issuer), ("sub", subject), ("e", email), ("by", linkedBy)) == 1;

    /// <summary>For each member of an organisation: how they last signed in (password or which provider) and their linked identities.</summary>
    public async Task<Dictionary<long, MemberSignIns>> SignInsOfMembersAsync(long orgId, CancellationToken cancellationToken)
    {
        var identities = (await Db.ListAsync(dataSource, """
            SELECT i.user_id, i.provider, i.email, i.linked_by, i.linked_at, i.last_sign_in_at
            FROM catalog.user_identity i JOIN catalog.membership m ON m.user_id = i.user_id AND m.org_id = @o
            ORDER BY i.user_id, i.linked_at
            """, r => new LinkedIdentity(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3),
                r.GetFieldValue<DateTimeOffset>(4), r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5)), cancellationToken, ("o", orgId)))
            .ToLookup(i => i.UserId);
        var last = await Db.ListAsync(dataSource, """
            SELECT m.user_id, s.method, s.created_at
            FROM catalog.membership m
            LEFT JOIN LATERAL (SELECT method, created_at FROM catalog.session WHERE user_id = m.user_id ORDER BY created_at DESC LIMIT 1) s ON true
            WHERE m.org_id = @o
            """, r => (UserId: r.GetInt64(0), Method: r.IsDBNull(1) ? null : r.GetString(1), At: r.IsDBNull(2) ? (DateTimeOffset?)null : r.GetFieldValue<DateTimeOffset>(2)),
            cancellationToken, ("o", orgId));
        return last.ToDictionary(l => l.UserId, l => new MemberSignIns(l.UserId, l.Method, l.At, [.. identities[l.UserId]]));
    }
}
