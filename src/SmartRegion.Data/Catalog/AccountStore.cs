using Npgsql;

namespace SmartRegion.Data.Catalog;

public sealed record Organisation(long Id, string Slug, string Name, string Kind);

public sealed record AppUser(long Id, string Email, string DisplayName, string? PasswordHash, bool IsPlatformAdmin);

public sealed record Membership(long OrgId, string OrgSlug, string Role);

/// <summary>A person in an organisation, as its admins see them.</summary>
public sealed record Member(long UserId, string Email, string DisplayName, string Role);

/// <summary>An API key as listed (never the secret).</summary>
public sealed record ApiKeyInfo(
    long Id, string Prefix, long UserId, string UserEmail, long OrgId, string OrgSlug, string Name, string[] Scopes,
    DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

/// <summary>What authenticating with a key yields: the key, its user, and the user's role in the key's organisation now.</summary>
public sealed record KeyPrincipal(ApiKeyInfo Key, bool UserIsPlatformAdmin, string? RoleInOrg, bool UserDisabled);

/// <summary>Organisations, users, memberships and API keys.</summary>
public sealed class AccountStore(NpgsqlDataSource dataSource)
{
    private const string KeyColumns = """
        k.id, k.prefix, k.user_id, u.email, k.org_id, o.slug AS org_slug, k.name, k.scopes, k.created_at, k.expires_at,
        k.revoked_at, k.last_used_at
        """;

    public async Task<Organisation> CreateOrganisationAsync(string slug, string name, string kind, CancellationToken cancellationToken)
    {
        if (!Vocabulary.OrganisationKinds.Contains(kind))
        {
            throw new CatalogValidationException("kind", $"kind '{kind}' is not one of {string.Join(", ", Vocabulary.OrganisationKinds)}");
        }
        var id = await InsertAsync("""
            INSERT INTO catalog.organisation (slug, name, kind) VALUES (@slug, @name, @kind) RETURNING id
            """, $"organisation '{slug}' already exists", cancellationToken, ("slug", slug), ("name", name), ("kind", kind));
        return new Organisation(id, slug, name, kind);
    }

    public async Task<Organisation?> FindOrganisationAsync(string slug, CancellationToken cancellationToken) =>
        (await Db.ListAsync(dataSource, "SELECT id, slug, name, kind FROM catalog.organisation WHERE slug = @slug",
            r => new Organisation(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3)), cancellationToken, ("slug", slug)))
        .SingleOrDefault();

    public async Task<Organisation?> FindOrganisationAsync(long id, CancellationToken cancellationToken) =>
        (await Db.ListAsync(dataSource, "SELECT id, slug, name, kind FROM catalog.organisation WHERE id = @id",
            r => new Organisation(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3)), cancellationToken, ("id", id)))
        .SingleOrDefault();

    /// <summary>Creates a user; <paramref name="passwordHash"/> comes from ASP.NET Core's PasswordHasher (the hosts own hashing).</summary>
    public async Task<AppUser> CreateUserAsync(string email, string displayName, string? passwordHash, bool isPlatformAdmin, CancellationToken cancellationToken)
    {
        var normalised = email.Trim().ToLowerInvariant();
        if (!normalised.Contains('@', StringComparison.Ordinal))
        {
            throw new CatalogValidationException("email", $"'{email}' is not an e-mail address");
        }
        var id = await InsertAsync("""
            INSERT INTO catalog.app_user (email, display_name, password_hash, is_platform_admin)
            VALUES (@email, @name, @hash, @admin) RETURNING id
            """, $"a user with e-mail '{normalised}' already exists", cancellationToken,
            ("email", normalised), ("name", displayName), ("hash", passwordHash), ("admin", isPlatformAdmin));
        return new AppUser(id, normalised, displayName, passwordHash, isPlatformAdmin);
    }

    public async Task<AppUser?> FindUserAsync(string email, CancellationToken cancellationToken) =>
        (await Db.ListAsync(dataSource, """
            SELECT id, email, display_name, password_hash, is_platform_admin FROM catalog.app_user
            WHERE email = @email AND disabled_at IS NULL
            """, MapUser, cancellationToken, ("email", email.Trim().ToLowerInvariant()))).SingleOrDefault();

    public async Task<AppUser?> FindUserAsync(long id, CancellationToken cancellationToken) =>
        (await Db.ListAsync(dataSource, """
            SELECT id, email, display_name, password_hash, is_platform_admin FROM catalog.app_user
            WHERE id = @id AND disabled_at IS NULL
            """, MapUser, cancellationToken, ("id", id))).SingleOrDefault();

    public Task UpdatePasswordHashAsync(long userId, string hash, CancellationToken cancellationToken) =>
        Db.ExecuteAsync(dataSource, "UPDATE catalog.app_user SET password_hash = @h WHERE id = @id", cancellationToken, ("h", hash), ("id", userId));

    /// <summary>Adds the user to the organisation, or changes their role there; the audit trail records which, and by whom.</summary>
    public async Task SetMembershipAsync(long userId, long orgId, string role, CancellationToken cancellationToken, AuditActor? by = null)
    {
        if (!Vocabulary.Roles.Contains(role))
        {
            throw new CatalogValidationException("role", $"role '{role}' is not one of {string.Join(", ", Vocabulary.Roles)}");
        }
        await Db.InTransactionAsync(dataSource, async (connection, tx) =>
        {
            await SetMembershipAsync(connection, tx, userId, orgId, role, by ?? AuditActor.Cli, cancellationToken);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// <see cref="SetMembershipAsync(long, long, string, CancellationToken, AuditActor?)"/> inside the caller's transaction;
    /// returns the role held before (null: not a member).
    /// </summary>
    internal static async Task<string?> SetMembershipAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, long userId, long orgId, string role, AuditActor by, CancellationToken cancellationToken)
    {
        var email = await Db.ScalarAsync<string>(connection, tx, "SELECT email FROM catalog.app_user WHERE id = @u FOR SHARE", cancellationToken, ("u", userId));
        var previous = await Db.ScalarAsync<string>(connection, tx,
            "SELECT role FROM catalog.membership WHERE user_id = @u AND org_id = @o FOR UPDATE", cancellationToken, ("u", userId), ("o", orgId));
        await Db.ExecuteAsync(connection, tx, """
            INSERT INTO catalog.membership (user_id, org_id, role) VALUES (@u, @o, @r)
            ON CONFLICT (user_id, org_id) DO UPDATE SET role = EXCLUDED.role
            """, cancellationToken, ("u", userId), ("o", orgId), ("r", role));
        if (previous != role)
        {
            await AuditLog.AppendAsync(connection, tx, [by.Did(orgId, previous is null ? "member.added" : "member.role_changed",
                $"user:{email}", new Dictionary<string, object?> { ["role"] = role, ["previousRole"] = previous })], cancellationToken);
        }
        return previous;
    }

    public Task<List<Membership>> MembershipsAsync(long userId, CancellationToken cancellationToken) =>
        Db.ListAsync(dataSource, """
            SELECT m.org_id, o.slug, m.role FROM catalog.membership m JOIN catalog.organisation o ON o.id = m.org_id
            WHERE m.user_id = @u ORDER BY o.slug
            """, r => new Membership(r.GetInt64(0), r.GetString(1), r.GetString(2)), cancellationToken, ("u", userId));

    /// <summary>Every organisation (public information: names are shown wherever a dataset is shared or used).</summary>
    public Task<List<Organisation>> ListOrganisationsAsync(CancellationToken cancellationToken) =>
        Db.ListAsync(dataSource, "SELECT id, slug, name, kind FROM catalog.organisation ORDER BY name, slug",
            r => new Organisation(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3)), cancellationToken);

    /// <summary>The members of an organisation with their roles, by name.</summary>
    public Task<List<Member>> ListMembersAsync(long orgId, CancellationToken cancellationToken) =>
        Db.ListAsync(dataSource, """
            SELECT u.id, u.email, u.display_name, m.role FROM catalog.membership m JOIN catalog.app_user u ON u.id = m.user_id
            WHERE m.org_id = @o AND u.disabled_at IS NULL ORDER BY u.display_name, u.email
            """, r => new Member(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3)), cancellationToken, ("o", orgId));

    /// <summary>
    /// Sets a member's role, or removes them (<paramref name="role"/> null), refusing a change that would leave the
    /// organisation without an admin. The organisation row is locked, so two admins demoting each other at once
    /// cannot both succeed.
    /// </summary>
    public async Task ChangeMembershipAsync(long userId, long orgId, string? role, CancellationToken cancellationToken)
    {
        if (role is not null && !Vocabulary.Roles.Contains(role))
        {
            throw new CatalogValidationException("role", $"role '{role}' is not one of {string.Join(", ", Vocabulary.Roles)}");
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockOrg = Db.Command(connection, tx, "SELECT 1 FROM catalog.organisation WHERE id = @o FOR UPDATE", ("o", orgId)))
        {
            await lockOrg.ExecuteNonQueryAsync(cancellationToken);
        }
        if (role != "admin")
        {
            await using var others = Db.Command(connection, tx, """
                SELECT count(*) FROM catalog.membership m JOIN catalog.app_user u ON u.id = m.user_id
                WHERE m.org_id = @o AND m.role = 'admin' AND m.user_id <> @u AND u.disabled_at IS NULL
                """, ("o", orgId), ("u", userId));
            await using var isAdmin = Db.Command(connection, tx, "SELECT count(*) FROM catalog.membership WHERE org_id = @o AND user_id = @u AND role = 'admin'",
                ("o", orgId), ("u", userId));
            if ((long)(await isAdmin.ExecuteScalarAsync(cancellationToken))! > 0 && (long)(await others.ExecuteScalarAsync(cancellationToken))! == 0)
            {
                throw new CatalogConflictException("the organisation would have no admin left: make someone else admin first", "last_admin");
            }
        }
        await using (var change = role is null
            ? Db.Command(connection, tx, "DELETE FROM catalog.membership WHERE user_id = @u AND org_id = @o", ("u", userId), ("o", orgId))
            : Db.Command(connection, tx, """
                INSERT INTO catalog.membership (user_id, org_id, role) VALUES (@u, @o, @r)
                ON CONFLICT (user_id, org_id) DO UPDATE SET role = EXCLUDED.role
                """, ("u", userId), ("o", orgId), ("r", role)))
        {
            await change.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>Creates a key and returns it with its secret — the only time the secret exists outside the caller.</summary>
    public async Task<(ApiKeyInfo Info, string Secret)> CreateKeyAsync(
        long userId, long orgId, string name, IReadOnlyCollection<string> scopes, DateTimeOffset? expiresAt, CancellationToken cancellationToken,
        long? createdByKeyId = null, AuditActor? by = null)
    {
        var bad = scopes.Where(s => !Vocabulary.Scopes.Contains(s)).ToList();
        if (scopes.Count == 0 || bad.Count > 0)
        {
            throw new CatalogValidationException("scopes", $"scopes must be a non-empty subset of {string.Join(", ", Vocabulary.Scopes)}");
        }
        if (expiresAt is { } e && e <= DateTimeOffset.UtcNow)
        {
            throw new CatalogValidationException("expiresAt", "expiresAt must be in the future");
        }
        if (name.Length > 200)
        {
            throw new CatalogValidationException("name", "name is longer than 200 characters");
        }
        DatasetMetadata.CheckText("name", name);
        var secret = ApiKeys.Generate();
        var info = await Db.InTransactionAsync(dataSource, async (connection, tx) =>
        {
            var id = await Db.ScalarAsync<long>(connection, tx, """
                INSERT INTO catalog.api_key (prefix, hash_sha256, user_id, org_id, name, scopes, expires_at, created_by_key_id)
                VALUES (@prefix, @hash, @u, @o, @name, @scopes, @exp, @parent) RETURNING id
                """, cancellationToken, ("prefix", ApiKeys.PrefixOf(secret)), ("hash", ApiKeys.Hash(secret)), ("u", userId), ("o", orgId),
                ("name", name), ("scopes", scopes.Distinct().ToArray()), ("exp", expiresAt), ("parent", createdByKeyId));
            var email = await Db.ScalarAsync<string>(connection, tx, "SELECT email FROM catalog.app_user WHERE id = @u", cancellationToken, ("u", userId));
            await AuditLog.AppendAsync(connection, tx, [(by ?? AuditActor.Cli).Did(orgId, "key.created", $"key:{ApiKeys.PrefixOf(secret)}",
                new Dictionary<string, object?>
                {
                    ["keyId"] = id, ["user"] = email, ["name"] = name, ["scopes"] = scopes.Distinct().ToArray(), ["expiresAt"] = expiresAt,
                    ["createdByKeyId"] = createdByKeyId,
                })], cancellationToken);
            return id;
        }, cancellationToken);
        return ((await ListKeysAsync("k.id = @id", cancellationToken, ("id", info))).Single(), secret);
    }

    /// <summary>Looks a key up by its hash and records its use; null when unknown. Revoked and expired keys are returned (the caller says why it refuses).</summary>
    public async Task<KeyPrincipal?> AuthenticateKeyAsync(string secret, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = Db.Command(connection, $"""
            WITH used AS (
                UPDATE catalog.api_key SET last_used_at = now()
                WHERE hash_sha256 = @hash AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
                RETURNING id)
            SELECT {KeyColumns}, u.is_platform_admin, m.role, u.disabled_at IS NOT NULL AS disabled
            FROM catalog.api_key k
            JOIN catalog.app_user u ON u.id = k.user_id
            JOIN catalog.organisation o ON o.id = k.org_id
            LEFT JOIN catalog.membership m ON m.user_id = k.user_id AND m.org_id = k.org_id
            WHERE k.hash_sha256 = @hash
            """, ("hash", ApiKeys.Hash(secret)));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new KeyPrincipal(MapKey(reader), reader.GetBoolean(12), reader.Get<string>("role"), reader.GetBoolean(14));
    }

    public Task<List<ApiKeyInfo>> ListKeysAsync(string where, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        Db.ListAsync(dataSource, $"""
            SELECT {KeyColumns} FROM catalog.api_key k
            JOIN catalog.app_user u ON u.id = k.user_id JOIN catalog.organisation o ON o.id = k.org_id
            WHERE {where} ORDER BY k.id
            """, MapKey, cancellationToken, parameters);

    /// <summary>Keys the caller may manage: their own, every key of orgs they administer, or all (platform admin).</summary>
    public Task<List<ApiKeyInfo>> ListManageableKeysAsync(long userId, bool platformAdmin, CancellationToken cancellationToken) =>
        ListKeysAsync("""
            (@all OR k.user_id = @u OR k.org_id IN (SELECT org_id FROM catalog.membership WHERE user_id = @u AND role = 'admin'))
            """, cancellationToken, ("all", platformAdmin), ("u", userId));

    /// <summary>
    /// Revokes a key and every key made by it, or by a key it made, at once; returns how many were active (0 when the
    /// key already was revoked). Idempotent. The audit trail of each key's organisation records the revocation.
    /// </summary>
    public Task<int> RevokeKeyAsync(long keyId, long revokedBy, CancellationToken cancellationToken, AuditActor? by = null) =>
        Db.InTransactionAsync(dataSource, async (connection, tx) =>
        {
            var revoked = new List<(long Id, string Prefix, long OrgId)>();
            await using (var cmd = Db.Command(connection, tx, """
                WITH RECURSIVE lineage AS (
                    SELECT id FROM catalog.api_key WHERE id = @id
                    UNION
                    SELECT k.id FROM catalog.api_key k JOIN lineage l ON k.created_by_key_id = l.id)
                UPDATE catalog.api_key SET revoked_at = now(), revoked_by = @by
                WHERE id IN (SELECT id FROM lineage) AND revoked_at IS NULL
                RETURNING id, prefix, org_id
                """, ("id", keyId), ("by", revokedBy)))
            await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    revoked.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2)));
                }
            }
            var actor = by ?? AuditActor.Cli;
            await AuditLog.AppendAsync(connection, tx, revoked.Select(k => actor.Did(k.OrgId, "key.revoked", $"key:{k.Prefix}",
                new Dictionary<string, object?> { ["keyId"] = k.Id, ["becauseKeyId"] = k.Id == keyId ? null : keyId })), cancellationToken);
            return revoked.Count;
        }, cancellationToken);

    private async Task<long> InsertAsync(string sql, string conflictMessage, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        try
        {
            return await Db.ScalarAsync<long>(dataSource, sql, cancellationToken, parameters);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new CatalogConflictException(conflictMessage);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation)
        {
            throw new CatalogValidationException(e.ConstraintName ?? "value", $"invalid value ({e.ConstraintName})");
        }
    }

    private static AppUser MapUser(NpgsqlDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetBoolean(4));

    private static ApiKeyInfo MapKey(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetInt64(4), r.GetString(5), r.GetString(6),
        r.GetFieldValue<string[]>(7), r.GetFieldValue<DateTimeOffset>(8), r.Get<DateTimeOffset?>("expires_at"),
        r.Get<DateTimeOffset?>("revoked_at"), r.Get<DateTimeOffset?>("last_used_at"));
}
