using System.Text;
using Microsoft.AspNetCore.Hosting;
using SmartRegion.Data.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Catalog;

/// <summary>
/// A job whose worker died is retried as soon as its lease runs out. In the non-parallel collection: the test claims
/// jobs directly, so no other host's worker may be running at the same time.
/// </summary>
[Collection(nameof(UploadAbuseTests))]
public sealed class JobLeaseTests(TestDatabase db) : CatalogTest(db)
{
    private async Task<(HttpClient Client, string Dataset, long JobId)> QueuedJobAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> host)
    {
        var org = await Kit.OrgAsync("org");
        var (_, key) = await Kit.UserWithKeyAsync(org, "editor");
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Apikey", key);
        var id = (await Kit.CreateDatasetAsync(client, org.Slug, "private")).GetProperty("id").GetString()!;
        var (status, accepted) = await Uploads.UploadBytesAsync(client, id, Encoding.UTF8.GetBytes("n,commune\n1,Saint-Denis\n"), "c.csv");
        Assert.Equal(202, status);
        return (client, id, accepted.GetProperty("jobId").GetInt64());
    }

    /// <summary>Claims until this test's job comes up; jobs other tests left queued are put back.</summary>
    private static async Task<ClaimedJob> ClaimOursAsync(VersionStore versions, long jobId, string worker, TimeSpan lease)
    {
        var others = new List<ClaimedJob>();
        try
        {
            while (await versions.ClaimJobAsync(worker, Ct, lease) is { } job)
            {
                if (job.JobId == jobId)
                {
                    return job;
                }
                others.Add(job);
            }
            throw new InvalidOperationException($"job {jobId} was not claimable");
        }
        finally
        {
            foreach (var other in others)
            {
                await versions.ReleaseJobAsync(other, Ct);
            }
        }
    }

    [Fact]
    public async Task Job_WorkerDiesHoldingIt_RetriedWhenTheLeaseRunsOut()
    {
        await using var noWorker = Factory.WithWebHostBuilder(b => b.UseSetting("Catalog:RunWorker", "false"));
        var (editor, id, jobId) = await QueuedJobAsync(noWorker);
        var versions = new VersionStore(Kit.Db.DataSource);
        // A worker takes the job with a 2 s lease and dies without a word (never renews, never finishes).
        var dead = await ClaimOursAsync(versions, jobId, "dead-worker", TimeSpan.FromSeconds(2));
        await versions.MarkProcessingAsync(dead.VersionId, Ct);

        // A live worker (another host) takes it again once the lease is over, not 30 minutes later.
        var started = DateTime.UtcNow;
        await using var live = Factory.WithWebHostBuilder(b => b.UseSetting("Catalog:WorkerPollSeconds", "0.2"));
        using var client = live.CreateClient();
        client.DefaultRequestHeaders.Authorization = editor.DefaultRequestHeaders.Authorization;
        var job = await Uploads.WaitAsync(client, System.Text.Json.JsonSerializer.SerializeToElement(new { jobUrl = $"/api/v1/jobs/{jobId}" }))
            .WaitAsync(TimeSpan.FromSeconds(60), Ct);
        Assert.Equal("done", job.GetProperty("status").GetString());
        Assert.Equal("ready", job.GetProperty("version").GetProperty("status").GetString());
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30), $"retried after {DateTime.UtcNow - started}");
        var status = await versions.GetJobAsync(jobId, Ct);
        Assert.Equal(id, status!.DatasetSlug);
    }

    [Fact]
    public async Task Job_LeaseRenewed_NotTakenByAnotherWorker()
    {
        await using var noWorker = Factory.WithWebHostBuilder(b => b.UseSetting("Catalog:RunWorker", "false"));
        var (_, _, jobId) = await QueuedJobAsync(noWorker);
        var versions = new VersionStore(Kit.Db.DataSource);
        var claimed = await ClaimOursAsync(versions, jobId, "alive", TimeSpan.FromSeconds(1));
        for (var i = 0; i < 4; i++)
        {
            await Task.Delay(500, Ct);
            Assert.True(await versions.RenewJobAsync(jobId, "alive", Ct, TimeSpan.FromSeconds(1)));
            var other = await versions.ClaimJobAsync("thief", Ct, TimeSpan.FromSeconds(1));
            Assert.NotEqual(jobId, other?.JobId);
            if (other is not null)
            {
                await versions.ReleaseJobAsync(other, Ct);
            }
        }
        await Task.Delay(1500, Ct);
        await ClaimOursAsync(versions, jobId, "thief", TimeSpan.FromSeconds(30));
        Assert.False(await versions.RenewJobAsync(jobId, "alive", Ct));
        await versions.ReleaseJobAsync(claimed, Ct);
        await Kit.ExecuteAsync("UPDATE catalog.job SET status = 'failed', error = 'test' WHERE id = @j", ("j", jobId));
    }
}
