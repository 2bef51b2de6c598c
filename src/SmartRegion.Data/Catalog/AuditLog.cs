using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace SmartRegion.Data.Catalog;

/// <summary>Who makes a change, for the audit trail: "user:ana@example.org", "key:srk_ab12cd34 (ana@example.org)", "cli", … and from where.</summary>
public sealed record AuditActor(string Name, long? UserId, string? ClientIp)
{
    public static readonly AuditActor Cli = new("cli", null, null);

    /// <summary>An event by this actor in the chain of <paramref name="orgId"/> (null: the platform's own chain).</summary>
    public AuditEvent Did(long? orgId, string action, string target, IReadOnlyDictionary<string, object?>? details = null) =>
        new(orgId, Name, UserId, action, target, ClientIp, details);
}

/// <summary>
/// One event for the audit trail: the organisation whose chain records it (null: the platform's own chain), who did it,
/// what, to what, from where, and the details (serialised as JSON with sorted keys).
/// </summary>
public sealed record AuditEvent(
    long? OrgId, string Actor, long? ActorUserId, string Action, string Target, string? ClientIp,
    IReadOnlyDictionary<string, object?>? Details = null)
{
    /// <summary>The same event recorded in another organisation's chain.</summary>
    public AuditEvent For(long? orgId) => this with { OrgId = orgId };

    internal string DetailsText => JsonSerializer.Serialize(
        new SortedDictionary<string, object?>(Details?.ToDictionary(k => k.Key, k => k.Value) ?? [], StringComparer.Ordinal), AuditJson.Options);
}

/// <summary>An entry as stored: its place in its chain, the hashed fields exactly as hashed, and the two hashes.</summary>
public sealed record AuditEntry(
    long Id, long Chain, long Seq, DateTimeOffset At, string Actor, string Action, string Target, string? ClientIp, string Details,
    byte[] PrevHash, byte[] Hash)
{
    /// <summary>The timestamp as it enters the hash: UTC, microseconds.</summary>
    public string AtText => At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>SHA-256 of the entry's text (see migration 0243): what <see cref="Hash"/> must be.</summary>
    public byte[] ComputeHash() => SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('|',
        Convert.ToHexStringLower(PrevHash), Seq.ToString(System.Globalization.CultureInfo.InvariantCulture), AtText,
        Chain.ToString(System.Globalization.CultureInfo.InvariantCulture), Actor, Action, Target, ClientIp ?? "", Details)));
}

/// <summary>What checking one chain found: how many entries, its head, and the first broken entry (null when whole).</summary>
public sealed record ChainCheck(long Chain, long Entries, string? HeadHex, long? BrokenAtSeq, string? Problem);

internal static class AuditJson
{
    public static readonly JsonSerializerOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}

/// <summary>
/// The audit trail (catalog.audit_log): appended to in the same transaction as the change it records, read by an
/// organisation's admins, checked by <see cref="VerifyAsync"/>. The database computes each entry's link and hash.
/// </summary>
public sealed class AuditLog(NpgsqlDataSource dataSource)
{
    public const long PlatformChain = 0;

    private const string Columns = "id, chain, seq, at, actor, action, target, client_ip, details, prev_hash, hash";

    /// <summary>Appends events in their own transaction.</summary>
    public async Task AppendAsync(IEnumerable<AuditEvent> events, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await AppendAsync(connection, tx, events, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    public Task AppendAsync(AuditEvent e, CancellationToken cancellationToken) => AppendAsync([e], cancellationToken);

    /// <summary>Appends events inside the caller's transaction: they commit (or not) with the change they record.</summary>
    public static async Task AppendAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IEnumerable<AuditEvent> events, CancellationToken cancellationToken)
    {
        // Chains are locked in a fixed order, so two transactions writing to the same chains cannot deadlock.
        foreach (var e in events.OrderBy(e => e.OrgId ?? PlatformChain))
        {
            await using var cmd = Db.Command(connection, tx, """
                INSERT INTO catalog.audit_log (chain, seq, actor, actor_user_id, action, target, client_ip, details, prev_hash, hash)
                VALUES (@chain, 0, @actor, @uid, @action, @target, @ip, @details, '\x00'::bytea, '\x00'::bytea)
                """, ("chain", e.OrgId ?? PlatformChain), ("actor", Clip(e.Actor, 300)), ("uid", e.ActorUserId), ("action", e.Action),
                ("target", Clip(e.Target, 300)), ("ip", e.ClientIp), ("details", e.DetailsText));
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>A chain's entries, newest first, before a sequence number.</summary>
    public Task<List<AuditEntry>> ReadAsync(long chain, int limit, long? beforeSeq, CancellationToken cancellationToken) =>
        Db.ListAsync(dataSource, $"""
            SELECT {Columns} FROM catalog.audit_log WHERE chain = @c AND (@before::bigint IS NULL OR seq < @before)
            ORDER BY seq DESC LIMIT @limit
            """, Map, cancellationToken, ("c", chain), ("before", beforeSeq), ("limit", limit));

    /// <summary>A whole chain, oldest first, streamed (exports and verification never hold it in memory).</summary>
    public async IAsyncEnumerable<AuditEntry> ChainAsync(long chain, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = Db.Command(connection, $"SELECT {Columns} FROM catalog.audit_log WHERE chain = @c ORDER BY seq", ("c", chain));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return Map(reader);
        }
    }

    public Task<List<long>> ChainsAsync(CancellationToken cancellationToken) =>
        Db.ListAsync(dataSource, "SELECT DISTINCT chain FROM catalog.audit_log ORDER BY chain", r => r.GetInt64(0), cancellationToken);

    /// <summary>
    /// Checks a chain: sequence numbers without gaps from 1, each entry linked to the previous one's hash, each hash the
    /// SHA-256 of the entry's fields. An edit, a deletion or an insertion anywhere breaks it at that entry.
    /// </summary>
    public async Task<ChainCheck> VerifyAsync(long chain, CancellationToken cancellationToken)
    {
        var previous = new byte[32];
        long n = 0;
        await foreach (var e in ChainAsync(chain, cancellationToken))
        {
            n++;
            var problem = e.Seq != n ? $"sequence number {e.Seq} where {n} was expected (an entry is missing or was added)"
                : !e.PrevHash.AsSpan().SequenceEqual(previous) ? "its previous-hash is not the previous entry's hash"
                : !e.Hash.AsSpan().SequenceEqual(e.ComputeHash()) ? "its hash does not match its content (it was edited)"
                : null;
            if (problem is not null)
            {
                return new ChainCheck(chain, n, null, e.Seq, problem);
            }
            previous = e.Hash;
        }
        return new ChainCheck(chain, n, n == 0 ? null : Convert.ToHexStringLower(previous), null, null);
    }

    private static string Clip(string text, int max) => text.Length > max ? text[..max] : text;

    private static AuditEntry Map(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetFieldValue<DateTimeOffset>(3), r.GetString(4), r.GetString(5), r.GetString(6),
        r.IsDBNull(7) ? null : r.GetString(7), r.GetString(8), r.GetFieldValue<byte[]>(9), r.GetFieldValue<byte[]>(10));
}
