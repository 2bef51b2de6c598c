using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace SmartRegion.Data.Catalog;

/// <summary>An invitation as its organisation's admins see it (never its token).</summary>
public sealed record Invitation(
    long Id, long OrgId, string OrgSlug, string OrgName, string Email, string Role, string? CreatedByEmail, DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? UsedAt, string? UsedByEmail, string? UsedProvider)
{
    /// <summary>pending, used, expired or revoked.</summary>
    public string Status => RevokedAt is not null ? "revoked" : UsedAt is not null ? "used" : ExpiresAt <= DateTimeOffset.UtcNow ? "expired" : "pending";
}

/// <summary>What following an invitation came to.</summary>
public enum InvitationOutcome
{
    /// <summary>The identity is linked to the invited person, who is a member with the role (also: the same identity again).</summary>
    Accepted,
    NotFound,
    Expired,
    Revoked,
    /// <summary>Already used by another identity.</summary>
    Used,
    /// <summary>The identity is already linked to someone other than the invited person.</summary>
    OtherPerson,
}

/// <summary>
/// Invitations to an organisation (<c>catalog.invitation</c>): made by its admins for an e-mail and a role, accepted once by
/// the identity that follows the link and signs in through a provider. The link's token is the proof that the person
/// reads that e-mail's mail: the provider's own e-mail need not match (an invitation is for people whose provider vouches
/// for no domain of theirs). Every step is in the organisation's audit trail, in the same transaction.
/// </summary>
public sealed class InvitationStore(NpgsqlDataSource dataSource)
{
    public static readonly TimeSpan MaxValidity = TimeSpan.FromDays(30);

    private const string Columns = """
        i.id, i.org_id, o.slug, o.name, i.email, i.role, c.email, i.created_at, i.expires_at, i.revoked_at, i.used_at, u.email, i.used_provider
        FROM catalog.invitation i JOIN catalog.organisation o ON o.id = i.org_id
        LEFT JOIN catalog.app_user c ON c.id = i.created_by LEFT JOIN catalog.app_user u ON u.id = i.used_by
        """;

    /// <summary>Makes an invitation; returns it with its token, which exists nowhere else (the database keeps its SHA-256).</summary>
    public async Task<(Invitation Invitation, string Token)> CreateAsync(
        long orgId, string email, string role, TimeSpan validFor, AuditActor by, CancellationToken cancellationToken)
    {
        var normalised = email.Trim().ToLowerInvariant();
        if (normalised.Length is < 3 or > 320 || normalised.IndexOf('@', StringComparison.Ordinal) is < 1 || normalised.EndsWith('@')
            || normalised.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new CatalogValidationException("email", $"'{(email.Length > 60 ? email[..60] + "…" : email)}' is not an e-mail address");
        }
        if (!Vocabulary.Roles.Contains(role))
        {
            throw new CatalogValidationException("role", $"role '{role}' is not one of {string.Join(", ", Vocabulary.Roles)}");
        }
        if (validFor <= TimeSpan.Zero || validFor > MaxValidity)
        {
            throw new CatalogValidationException("expiresInDays", $"an invitation is valid for more than 0 and at most {MaxValidity.TotalDays:0} days");
        }
        var token = SessionStore.RandomToken();
        var id = await Db.InTransactionAsync(dataSource, async (connection, tx) =>
        {
            var id = (await Db.ScalarAsync<long>(connection, tx, """
                INSERT INTO catalog.invitation (org_id, email, role, token_sha256, created_by, expires_at)
                VALUES (@o, @e, @r, @h, @by, now() + @valid) RETURNING id
                """, cancellationToken, ("o", orgId), ("e", normalised), ("r", role), ("h", Hash(token)), ("by", by.UserId), ("valid", validFor)))!;
            await AuditLog.AppendAsync(connection, tx, [by.Did(orgId, "invitation.created", $"user:{normalised}",
                new Dictionary<string, object?> { ["invitation"] = id, ["role"] = role, ["validDays"] = Math.Round(validFor.TotalDays, 2) })], cancellationToken);
            return id;
        }, cancellationToken);
        return ((await ListAsync(orgId, cancellationToken, id)).Single(), token);
    }

    /// <summary>An organisation's invitations, newest first (or the one <paramref name="id"/>).</summary>
    public Task<List<Invitation>> ListAsync(long orgId, CancellationToken cancellationToken, long? id = null) =>
        Db.ListAsync(dataSource, $"SELECT {Columns} WHERE i.org_id = @o AND (@id::bigint IS NULL OR i.id = @id) ORDER BY i.created_at DESC, i.id DESC LIMIT 500",
            Map, cancellationToken, ("o", orgId), ("id", id));

    /// <summary>The invitation a link's token names, or null.</summary>
    public async Task<Invitation?> FindAsync(string token, CancellationToken cancellationToken) =>
        (await Db.ListAsync(dataSource, $"SELECT {Columns} WHERE i.token_sha256 = @h", Map, cancellationToken, ("h", Hash(token)))).SingleOrDefault();

    /// <summary>Revokes a pending invitation of the organisation: NotFound, Used (too late), Revoked (now or before) or Expired.</summary>
    public Task<InvitationOutcome> RevokeAsync(long orgId, long id, AuditActor by, CancellationToken cancellationToken) =>
        Db.InTransactionAsync(dataSource, async (connection, tx) =>
        {
            var found = await ReadForUpdateAsync(connection, tx, "i.id = @id AND i.org_id = @o", cancellationToken, ("id", id), ("o", orgId));
            if (found is null)
            {
                return InvitationOutcome.NotFound;
            }
            if (found.UsedAt is not null)
            {
                return InvitationOutcome.Used;
            }
            if (found.RevokedAt is null)
            {
                await Db.ExecuteAsync(connection, tx, "UPDATE catalog.invitation SET revoked_at = now() WHERE id = @id", cancellationToken, ("id", id));
                await AuditLog.AppendAsync(connection, tx, [by.Did(orgId, "invitation.revoked", $"user:{found.Email}",
                    new Dictionary<string, object?> { ["invitation"] = id })], cancellationToken);
            }
            return InvitationOutcome.Revoked;
        }, cancellationToken);

    /// <summary>
    /// Follows an invitation with an identity (issuer, subject) that just signed in through <paramref name="provider"/>: links it
    /// to the invited person (made, without a password, when the e-mail has no account) and makes them a member with the
    /// invited role (never lowering a role they already hold), marks the invitation used by that identity, and audits it —
    /// or says why not (audited too, but for a token that names nothing). The same identity following it again is Accepted.
    /// </summary>
    public Task<(InvitationOutcome Outcome, long? UserId, Invitation? Invitation)> AcceptAsync(
        string token, string provider, string issuer, string subject, string? providerEmail, string? displayName, string? clientIp,
        CancellationToken cancellationToken) =>
        Db.InTransactionAsync(dataSource, async (connection, tx) =>
        {
            var invitation = await ReadForUpdateAsync(connection, tx, "i.token_sha256 = @h", cancellationToken, ("h", Hash(token)));
            if (invitation is null)
            {
                return (InvitationOutcome.NotFound, (long?)null, (Invitation?)null);
            }
            var identityActor = new AuditActor($"identity:{provider}:{subject}", null, clientIp);
            async Task<(InvitationOutcome, long?, Invitation?)> RefuseAsync(InvitationOutcome outcome)
            {
                await AuditLog.AppendAsync(connection, tx, [identityActor.Did(invitation.OrgId, "invitation.refused", $"user:{invitation.Email}",
                    new Dictionary<string, object?> { ["invitation"] = invitation.Id, ["reason"] = outcome.ToString().ToLowerInvariant(), ["provider"] = provider })],
                    cancellationToken);
                return (outcome, null, invitation);
            }
            if (invitation.UsedAt is not null)
            {
                var sameIdentity = await Db.ScalarAsync<long?>(connection, tx,
                    "SELECT used_by FROM catalog.invitation WHERE id = @id AND used_issuer = @iss AND used_subject = @sub",
                    cancellationToken, ("id", invitation.Id), ("iss", issuer), ("sub", subject));
                return sameIdentity is { } again ? (InvitationOutcome.Accepted, again, invitation) : await RefuseAsync(InvitationOutcome.Used);
            }
            if (invitation.RevokedAt is not null)
            {
                return await RefuseAsync(InvitationOutcome.Revoked);
            }
            if (invitation.ExpiresAt <= DateTimeOffset.UtcNow)
            {
                return await RefuseAsync(InvitationOutcome.Expired);
            }
            var linkedTo = await Db.ScalarAsync<long?>(connection, tx,
                "SELECT user_id FROM catalog.user_identity WHERE issuer = @iss AND subject = @sub FOR UPDATE", cancellationToken, ("iss", issuer), ("sub", subject));
            var invited = await Db.ScalarAsync<long?>(connection, tx, "SELECT id FROM catalog.app_user WHERE email = @e FOR UPDATE",
                cancellationToken, ("e", invitation.Email));
            if (linkedTo is { } other && other != invited)
            {
                return await RefuseAsync(InvitationOutcome.OtherPerson);
            }
            var userId = invited ?? (await Db.ScalarAsync<long>(connection, tx, """
                INSERT INTO catalog.app_user (email, display_name) VALUES (@e, @n)
                ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email RETURNING id
                """, cancellationToken, ("e", invitation.Email), ("n", string.IsNullOrWhiteSpace(displayName) ? invitation.Email.Split('@')[0] : displayName.Trim())))!;
            var actor = new AuditActor($"user:{invitation.Email}", userId, clientIp);
            if (linkedTo is null)
            {
                await Db.ExecuteAsync(connection, tx, """
                    INSERT INTO catalog.user_identity (user_id, provider, issuer, subject, email, linked_by, last_sign_in_at)
                    VALUES (@u, @p, @iss, @sub, @pe, 'invitation', now())
                    """, cancellationToken, ("u", userId), ("p", provider), ("iss", issuer), ("sub", subject), ("pe", providerEmail));
            }
            var current = await Db.ScalarAsync<string>(connection, tx, "SELECT role FROM catalog.membership WHERE user_id = @u AND org_id = @o",
                cancellationToken, ("u", userId), ("o", invitation.OrgId));
            if (Rank(invitation.Role) > Rank(current))
            {
                await AccountStore.SetMembershipAsync(connection, tx, userId, invitation.OrgId, invitation.Role, actor, cancellationToken);
            }
            await Db.ExecuteAsync(connection, tx, """
                UPDATE catalog.invitation SET used_at = now(), used_by = @u, used_provider = @p, used_issuer = @iss, used_subject = @sub WHERE id = @id
                """, cancellationToken, ("u", userId), ("p", provider), ("iss", issuer), ("sub", subject), ("id", invitation.Id));
            await AuditLog.AppendAsync(connection, tx, [actor.Did(invitation.OrgId, "invitation.accepted", $"user:{invitation.Email}",
                new Dictionary<string, object?> { ["invitation"] = invitation.Id, ["provider"] = provider, ["role"] = invitation.Role, ["accountCreated"] = invited is null })],
                cancellationToken);
            return (InvitationOutcome.Accepted, (long?)userId, invitation);
        }, cancellationToken);

    private static int Rank(string? role) => role switch { "admin" => 3, "editor" => 2, "viewer" => 1, _ => 0 };

    private static async Task<Invitation?> ReadForUpdateAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, string where, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var cmd = Db.Command(connection, tx, $"SELECT {Columns} WHERE {where} FOR UPDATE OF i", parameters);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Map(reader) : null;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static Invitation Map(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6),
        r.GetFieldValue<DateTimeOffset>(7), r.GetFieldValue<DateTimeOffset>(8), r.IsDBNull(9) ? null : r.GetFieldValue<DateTimeOffset>(9),
        r.IsDBNull(10) ? null : r.GetFieldValue<DateTimeOffset>(10), r.IsDBNull(11) ? null : r.GetString(11), r.IsDBNull(12) ? null : r.GetString(12));
}
