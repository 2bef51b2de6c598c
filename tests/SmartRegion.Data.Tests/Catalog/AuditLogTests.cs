using Npgsql;
using SmartRegion.Data.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Data.Tests.Catalog;

/// <summary>
/// A database of this class's own: the tampering tests switch the audit table's triggers off for a moment, which must
/// not touch the entries other tests write at the same time.
/// </summary>
public sealed class ScratchAuditDatabase(TestDatabase db) : IAsyncLifetime
{
    private string _connectionString = "";

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _connectionString = await db.CreateScratchDatabaseAsync(CancellationToken.None);
        DataSource = SmartRegionDatabase.CreateDataSource(_connectionString, "audit-tests");
        await Migrator.MigrateAsync(DataSource, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await db.DropScratchAsync(_connectionString, CancellationToken.None);
    }
}

/// <summary>The audit trail's store: chained per organisation, append-only, and any edit, deletion or insertion is found.</summary>
public sealed class AuditLogTests(ScratchAuditDatabase db) : IClassFixture<ScratchAuditDatabase>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<long> ChainWithEntriesAsync(int count)
    {
        var org = await new AccountStore(db.DataSource).CreateOrganisationAsync($"audit-{Guid.NewGuid():N}"[..20], "Audit", "company", Ct);
        var log = new AuditLog(db.DataSource);
        for (var i = 0; i < count; i++)
        {
            await log.AppendAsync(new AuditActor("user:ana@example.org", null, "192.0.2.1").Did(org.Id, "dataset.visibility_changed", $"dataset:d{i}",
                new Dictionary<string, object?> { ["from"] = "private", ["to"] = "public", ["n"] = i }), Ct);
        }
        return org.Id;
    }

    private async Task ExecuteAsOwnerAsync(string sql)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync(Ct);
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync(Ct);
    }

    [Fact]
    public async Task Chain_LinksEveryEntryToThePrevious_AndVerifies()
    {
        var chain = await ChainWithEntriesAsync(4);
        var log = new AuditLog(db.DataSource);
        var entries = new List<AuditEntry>();
        await foreach (var e in log.ChainAsync(chain, Ct))
        {
            entries.Add(e);
        }
        Assert.Equal([1L, 2, 3, 4], entries.Select(e => e.Seq));
        Assert.Equal(new byte[32], entries[0].PrevHash);
        for (var i = 1; i < entries.Count; i++)
        {
            Assert.Equal(entries[i - 1].Hash, entries[i].PrevHash);
        }
        Assert.All(entries, e => Assert.Equal(e.ComputeHash(), e.Hash));
        var check = await log.VerifyAsync(chain, Ct);
        Assert.Null(check.Problem);
        Assert.Equal(4, check.Entries);
        Assert.Equal(Convert.ToHexStringLower(entries[^1].Hash), check.HeadHex);
    }

    [Theory]
    [InlineData("UPDATE catalog.audit_log SET details = '{}' WHERE chain = {chain}")]
    [InlineData("DELETE FROM catalog.audit_log WHERE chain = {chain} AND seq = 2")]
    [InlineData("TRUNCATE catalog.audit_log")]
    public async Task Entries_CannotBeEditedOrDeleted_EvenByTheOwner(string sql)
    {
        var chain = await ChainWithEntriesAsync(3);
        var e = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsOwnerAsync(sql.Replace("{chain}", chain.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)));
        Assert.Contains("append-only", e.MessageText);
        Assert.Null((await new AuditLog(db.DataSource).VerifyAsync(chain, Ct)).Problem);
    }

    [Theory]
    [InlineData("UPDATE catalog.audit_log SET details = '{\"from\":\"private\",\"to\":\"private\"}' WHERE chain = {chain} AND seq = 2", 2L, "edited")]
    [InlineData("UPDATE catalog.audit_log SET actor = 'user:someone-else@example.org' WHERE chain = {chain} AND seq = 3", 3L, "edited")]
    [InlineData("DELETE FROM catalog.audit_log WHERE chain = {chain} AND seq = 2", 3L, "missing")]
    [InlineData("UPDATE catalog.audit_log SET at = at - interval '1 day' WHERE chain = {chain} AND seq = 1", 1L, "edited")]
    public async Task Tampering_ByOneWhoDisablesTheGuards_IsFound(string sql, long brokenAt, string word)
    {
        var chain = await ChainWithEntriesAsync(4);
        var id = chain.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // What a platform operator with the database owner's password could do: switch the guards off, edit, switch them on.
        await ExecuteAsOwnerAsync($"""
            BEGIN;
            ALTER TABLE catalog.audit_log DISABLE TRIGGER USER;
            {sql.Replace("{chain}", id, StringComparison.Ordinal)};
            ALTER TABLE catalog.audit_log ENABLE TRIGGER USER;
            COMMIT;
            """);
        var check = await new AuditLog(db.DataSource).VerifyAsync(chain, Ct);
        Assert.Equal(brokenAt, check.BrokenAtSeq);
        Assert.Contains(word, check.Problem);
    }
}
