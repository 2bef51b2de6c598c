using Npgsql;
using SmartRegion.Data.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Data.Tests.Catalog;

/// <summary>
/// An ingestion job whose worker dies holding it (its lease runs out) is retried, but not forever: after the limit it
/// fails with the reason, and so does its version. No API host runs in this project, so no real worker takes the jobs.
/// </summary>
[Collection(JobQueue.Name)]
public sealed class JobCrashLimitTests(TestDatabase db)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly TimeSpan ShortLease = TimeSpan.FromMilliseconds(300);

    private async Task<(long JobId, long VersionId)> QueuedJobAsync()
    {
        var org = await new AccountStore(db.DataSource).CreateOrganisationAsync($"org-{Guid.NewGuid():N}"[..20], "Org", "company", Ct);
        var dataset = await new DatasetStore(db.DataSource).CreateAsync($"ds-{Guid.NewGuid():N}"[..20], org.Id,
            new DatasetMetadata("Crashes", "", null, null, "cc0-1.0", [], [], null, [], null, null, null, null, "private"), null, Ct);
        var (version, jobId) = await new VersionStore(db.DataSource).CreateUploadAsync(dataset.Id, "csv", "c.csv", 10, new string('0', 64), "{}", null, Ct);
        return (jobId, version.Id);
    }

    private static Task<ClaimedJob?> ClaimAsync(VersionStore versions, long jobId, string worker, int maxCrashes) =>
        JobQueue.ClaimAsync(versions, jobId, worker, Ct, ShortLease, maxCrashes);

    private async Task<(string Status, int Attempts, int Crashes, string? Error)> JobRowAsync(long jobId)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync(Ct);
        await using var cmd = new NpgsqlCommand("SELECT status, attempts, crash_count, error FROM catalog.job WHERE id = @j", conn);
        cmd.Parameters.AddWithValue("j", jobId);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        return (reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3));
    }

    private async Task<(string, int, int)> StateAsync(long jobId)
    {
        var (status, attempts, crashes, _) = await JobRowAsync(jobId);
        return (status, attempts, crashes);
    }

    [Fact]
    public async Task Job_WorkerCrashesThreeTimes_FailedWithTheReasonAndItsVersionToo()
    {
        var (jobId, versionId) = await QueuedJobAsync();
        var versions = new VersionStore(db.DataSource);
        for (var crash = 1; crash <= 3; crash++)
        {
            // A worker takes the job and dies: it never renews the lease, never finishes.
            var job = await ClaimAsync(versions, jobId, $"crashing-worker-{crash}", maxCrashes: 3);
            Assert.NotNull(job);
            await versions.MarkProcessingAsync(versionId, Ct);
            Assert.Equal(("running", crash, crash - 1), await StateAsync(jobId));
            await Task.Delay(ShortLease * 2, Ct);
        }

        // The next worker to look finds the third crash: the job fails instead of being taken a fourth time.
        Assert.Null(await ClaimAsync(versions, jobId, "next-worker", maxCrashes: 3));
        var (status, attempts, crashes, error) = await JobRowAsync(jobId);
        Assert.Equal(("failed", 3, 3), (status, attempts, crashes));
        Assert.StartsWith("worker crashed 3 times while processing; last error: worker crashing-worker-3 stopped renewing its lease at ", error);
        Assert.EndsWith("(killed, out of memory or host lost)", error);
        var job3 = await versions.GetJobAsync(jobId, Ct);
        Assert.Equal("failed", job3!.Status);
        var version = await versions.GetAsync(versionId, Ct);
        Assert.Equal("failed", version!.Status);
        Assert.Equal(error, version.Error);
    }

    [Fact]
    public async Task Job_CrashedOnceThenFinished_CountedButNotFailed()
    {
        var (jobId, _) = await QueuedJobAsync();
        var versions = new VersionStore(db.DataSource);
        Assert.NotNull(await ClaimAsync(versions, jobId, "dies", maxCrashes: 2));
        await Task.Delay(ShortLease * 2, Ct);
        Assert.NotNull(await ClaimAsync(versions, jobId, "survives", maxCrashes: 2));
        Assert.Equal(("running", 2, 1), await StateAsync(jobId));
        await versions.FinishJobAsync(jobId, null, Ct);
        Assert.Equal("done", (await JobRowAsync(jobId)).Status);
    }

    [Fact]
    public async Task Job_ReleasedAtShutdown_NotACrash()
    {
        var (jobId, _) = await QueuedJobAsync();
        var versions = new VersionStore(db.DataSource);
        for (var i = 0; i < 3; i++)
        {
            var job = await ClaimAsync(versions, jobId, "stopping", maxCrashes: 1);
            Assert.NotNull(job);
            await versions.ReleaseJobAsync(job, Ct);
        }
        Assert.Equal(("queued", 3, 0), await StateAsync(jobId));
        await versions.FinishJobAsync(jobId, "test over", Ct);
    }
}
