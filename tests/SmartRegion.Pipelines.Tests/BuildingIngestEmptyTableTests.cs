using Npgsql;
using SmartRegion.Pipelines.Ingest;
using SmartRegion.Testing;
using static SmartRegion.Pipelines.Tests.Fixtures;

namespace SmartRegion.Pipelines.Tests;

/// <summary>
/// A region's first load (region.building empty) drops the table's indexes but the primary key and builds them after the
/// rows; each test has its own freshly migrated database, since the shared one always holds other tests' buildings.
/// </summary>
public sealed class BuildingIngestEmptyTableTests(TestDatabase db) : IAsyncLifetime
{
    private ScratchDatabase? _scratch;

    private NpgsqlDataSource Data => _scratch!.DataSource;

    public async ValueTask InitializeAsync()
    {
        _scratch = await ScratchDatabase.CreateAsync(db, "empty-table-tests", Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_scratch is not null)
        {
            await _scratch.DisposeAsync();
        }
    }

    [Fact]
    public async Task IngestDirect_EmptyTable_BuildsTheIndexesAgainAsTheyWere()
    {
        var before = await IndexesAsync();
        Assert.Contains(before, i => i.Definition.Contains("USING gist (footprint)", StringComparison.Ordinal));
        Assert.Contains(before, i => i.Definition.Contains("UNIQUE", StringComparison.Ordinal) && i.Definition.Contains("(source, source_id)", StringComparison.Ordinal));

        var path = TempFile("first.geojson", Grid("F", 600));
        var r = await BuildingIngest.RunAsync(Data, Options(path, "first") with { DirectLoadMinBytes = 0 }, null, Ct);
        Assert.Equal((600, 600), (r.Accepted, r.Inserted));
        var after = await IndexesAsync();
        // The same indexes, built anew (new objects), valid, and used: a box query finds its buildings through the GiST index.
        Assert.Equal(before.Select(i => (i.Name, i.Definition, i.Constraint)), after.Select(i => (i.Name, i.Definition, i.Constraint)));
        Assert.All(after.Where(i => !i.Primary), i => Assert.DoesNotContain(before, b => b.Oid == i.Oid));
        Assert.Equal(before.Single(i => i.Primary).Oid, after.Single(i => i.Primary).Oid);
        Assert.All(after, i => Assert.True(i.Valid));
        const string Box = "SELECT count(*) FROM region.building WHERE footprint && ST_MakeEnvelope(640000, 6850000, 640035, 6850035, 2154)";
        Assert.Equal(4L, await ScalarAsync<long>(Box, indexOnly: true));
        Assert.Contains("building_footprint_gix", await PlanAsync(Box));
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => ScalarAsync<long>(
            "INSERT INTO region.building (source, source_id, footprint, ingest_run_id) SELECT source, source_id, footprint, ingest_run_id FROM region.building LIMIT 1 RETURNING id"));

        // The table is no longer empty: the next source's first load inserts into the indexes in place.
        var second = TempFile("second.geojson", Grid("S", 50));
        var s = await BuildingIngest.RunAsync(Data, Options(second, "second") with { DirectLoadMinBytes = 0 }, null, Ct);
        Assert.Equal(50, s.Inserted);
        Assert.Equal(after.Select(i => i.Oid), (await IndexesAsync()).Select(i => i.Oid));
    }

    [Fact]
    public async Task IngestDirect_EmptyTableFileRepeatsAnId_LoadsAgainStagedWithTheIndexes()
    {
        var before = await IndexesAsync();
        var path = TempFile("dup.geojson", Collection2154(SquareFeature("A", 652000, 6862000), SquareFeature("B", 652100, 6862000),
            SquareFeature("A", 652200, 6862000)));
        var r = await BuildingIngest.RunAsync(Data, Options(path, "dup") with { DirectLoadMinBytes = 0 }, null, Ct);
        // The unique key, built after the rows, finds the repeated id; the staged load reports it and inserts into the indexes.
        Assert.Equal((3, 2, 1, 2), (r.Read, r.Accepted, r.Rejected, r.Inserted));
        Assert.Contains("duplicate id 'A' (first at feature 0)", Assert.Single(r.Rejections).Reason);
        Assert.Equal(before, await IndexesAsync());
    }

    [Fact]
    public async Task IngestDirect_EmptyTableStoppedAfterRowsWereCopied_LeavesTheIndexesAndNoRow()
    {
        var before = await IndexesAsync();
        var path = TempFile("stop.geojson", Grid("X", 3000));
        using var stop = new CancellationTokenSource();
        var progress = new SmartRegion.Pipelines.Cli.ProgressLine("buildings", new CancelOnWrite(stop));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            BuildingIngest.RunAsync(Data, Options(path, "stopped") with { DirectLoadMinBytes = 0 }, progress, stop.Token));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM region.building"));
        Assert.Equal(before, await IndexesAsync());
    }

    [Fact]
    public async Task IngestDirect_EmptyTableInUse_LoadsWithTheIndexesInPlace()
    {
        var before = await IndexesAsync();
        // Another session reads the table in an open transaction: the load does not wait for it (beyond the lock timeout).
        await using var reader = await Data.OpenConnectionAsync(Ct);
        await using var tx = await reader.BeginTransactionAsync(Ct);
        await using (var read = new NpgsqlCommand("SELECT count(*) FROM region.building", reader, tx))
        {
            await read.ExecuteScalarAsync(Ct);
        }
        var path = TempFile("busy.geojson", Grid("B", 100));
        var r = await BuildingIngest.RunAsync(Data, Options(path, "busy") with { DirectLoadMinBytes = 0 }, null, Ct);
        Assert.Equal(100, r.Inserted);
        Assert.Equal(before, await IndexesAsync());
        await tx.RollbackAsync(Ct);
    }

    private sealed record Index(string Name, string Definition, string? Constraint, bool Primary, bool Valid, uint Oid);

    private async Task<List<Index>> IndexesAsync()
    {
        await using var conn = await Data.OpenConnectionAsync(Ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT x.relname, pg_get_indexdef(i.indexrelid), c.conname, i.indisprimary, i.indisvalid, i.indexrelid
            FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
            LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
            WHERE i.indrelid = 'region.building'::regclass ORDER BY x.relname
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        var list = new List<Index>();
        while (await r.ReadAsync(Ct))
        {
            list.Add(new Index(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetBoolean(3), r.GetBoolean(4), r.GetFieldValue<uint>(5)));
        }
        return list;
    }

    private async Task<T> ScalarAsync<T>(string sql, bool indexOnly = false)
    {
        await using var conn = await Data.OpenConnectionAsync(Ct);
        if (indexOnly)
        {
            await using var set = new NpgsqlCommand("SET enable_seqscan = off", conn);
            await set.ExecuteNonQueryAsync(Ct);
        }
        await using var cmd = new NpgsqlCommand(sql, conn);
        var value = (T)(await cmd.ExecuteScalarAsync(Ct))!;
        await using var reset = new NpgsqlCommand("RESET enable_seqscan", conn);
        await reset.ExecuteNonQueryAsync(Ct);
        return value;
    }

    private async Task<string> PlanAsync(string sql)
    {
        await using var conn = await Data.OpenConnectionAsync(Ct);
        await using var set = new NpgsqlCommand("SET enable_seqscan = off", conn);
        await set.ExecuteNonQueryAsync(Ct);
        await using var cmd = new NpgsqlCommand("EXPLAIN " + sql, conn);
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        var plan = new List<string>();
        while (await r.ReadAsync(Ct))
        {
            plan.Add(r.GetString(0));
        }
        await r.DisposeAsync();
        await using var reset = new NpgsqlCommand("RESET enable_seqscan", conn);
        await reset.ExecuteNonQueryAsync(Ct);
        return string.Join('\n', plan);
    }

    // COUNT 10 m squares on a 20 m grid, 50 a row, from (640000, 6850000).
    private static string Grid(string prefix, int count) =>
        Collection2154([.. Enumerable.Range(0, count).Select(i => SquareFeature(prefix + i, 640_000 + (i % 50 * 20), 6_850_000 + (i / 50 * 20)))]);

    private sealed class CancelOnWrite(CancellationTokenSource stop) : StringWriter
    {
        public override void WriteLine(string? value) => stop.Cancel();
    }
}
