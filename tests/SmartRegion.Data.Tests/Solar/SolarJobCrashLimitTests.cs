using Npgsql;
using SmartRegion.Data.Solar;
using SmartRegion.Testing;

namespace SmartRegion.Data.Tests.Solar;

/// <summary>
/// A tile whose worker dies every time (its lease runs out) is taken again, but not forever: after
/// <see cref="SolarJobQueue.MaxAttempts"/> deaths it fails with the reason and the run's other tiles go on. A worker that
/// stops on purpose hands its tile back without spending an attempt.
/// </summary>
public sealed class SolarJobCrashLimitTests(TestDatabase db)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Claim_TileKillsItsWorkerEveryTime_FailedAfterLimitWithReason_QueueGoesOn()
    {
        var (runId, poison, healthy) = await RunWithTwoTilesAsync();
        var queue = new SolarJobQueue(db.DataSource);

        for (var attempt = 1; attempt <= SolarJobQueue.MaxAttempts; attempt++)
        {
            var job = await queue.ClaimAsync(runId, $"worker-{attempt}", Ct);
            Assert.NotNull(job);
            Assert.Equal(poison, job.Id);
            Assert.Equal(attempt, job.Attempts);
            // The worker is killed: nobody renews the lease, which runs out.
            await ExecuteAsync("UPDATE solar.job SET lease_until = now() - interval '1 second' WHERE id = @id", poison);
        }

        var next = await queue.ClaimAsync(runId, "worker-4", Ct);

        Assert.NotNull(next);
        Assert.Equal(healthy, next.Id);
        var (status, attempts, error) = await JobAsync(poison);
        Assert.Equal("failed", status);
        Assert.Equal(SolarJobQueue.MaxAttempts, attempts);
        Assert.StartsWith($"the worker died {SolarJobQueue.MaxAttempts} times while computing this tile (last worker-3, whose lease ran out at ", error);
        Assert.Equal(1, (await queue.ProgressAsync(runId, Ct)).Failed);
    }

    [Fact]
    public async Task Release_StoppingWorker_TileBackToPendingWithoutSpendingAnAttempt()
    {
        var (runId, first, _) = await RunWithTwoTilesAsync();
        var queue = new SolarJobQueue(db.DataSource);
        var job = await queue.ClaimAsync(runId, "stopping-worker", Ct);
        Assert.Equal(first, job!.Id);

        await queue.ReleaseAsync(job.Id, "other-worker", Ct); // not this worker's: nothing happens
        Assert.Equal("running", (await JobAsync(first)).Status);
        await queue.ReleaseAsync(job.Id, "stopping-worker", Ct);

        Assert.Equal(("pending", 0, (string?)null), await JobAsync(first));
        var again = await queue.ClaimAsync(runId, "next-worker", Ct);
        Assert.Equal((first, 1), (again!.Id, again.Attempts));
    }

    /// <summary>A running run of its own with two pending tiles (the first claimed first).</summary>
    private async Task<(long Run, long First, long Second)> RunWithTwoTilesAsync()
    {
        await using var cmd = db.DataSource.CreateCommand("""
            WITH r AS (INSERT INTO solar.run (model_version, parameters, area, tile_size_m, building_count) VALUES ('crash-test', '{}', '{}', 500, 2) RETURNING id),
            j AS (INSERT INTO solar.job (run_id, tile_key, tile, building_count, building_ids)
                  SELECT r.id, k::text || '_0', ST_MakeEnvelope(500 * k, 0, 500 * k + 500, 500, 2154), 1, ARRAY[k::bigint] FROM r, generate_series(1, 2) k
                  RETURNING id, run_id)
            SELECT run_id, min(id), max(id) FROM j GROUP BY run_id
            """);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    private async Task ExecuteAsync(string sql, long id)
    {
        await using var cmd = db.DataSource.CreateCommand(sql);
        cmd.Parameters.AddWithValue("id", id);
        await cmd.ExecuteNonQueryAsync(Ct);
    }

    private async Task<(string Status, int Attempts, string? Error)> JobAsync(long id)
    {
        await using var cmd = db.DataSource.CreateCommand("SELECT status, attempts, error FROM solar.job WHERE id = @id");
        cmd.Parameters.AddWithValue("id", id);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        return (reader.GetString(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2));
    }
}
