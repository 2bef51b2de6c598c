using SmartRegion.Data.Catalog;

namespace SmartRegion.Data.Tests.Catalog;

/// <summary>
/// The tests that take jobs from the assembly database's one queue. They run one class at a time (the collection
/// below): a class that claims jobs puts back the other classes' jobs, but while it holds one, that job's lease, attempts
/// and crash count move under the other class's feet (the CI run of ce485ce failed on it: JobBudgetTests took the job of
/// JobCrashLimitTests whose lease had just run out, and counted a crash).
/// </summary>
[CollectionDefinition(Name)]
public sealed class JobQueue
{
    public const string Name = "job queue";

    /// <summary>Claims until <paramref name="jobId"/> comes up (other jobs are put back); null when it is not claimable.</summary>
    public static async Task<ClaimedJob?> ClaimAsync(VersionStore versions, long jobId, string worker, CancellationToken cancellationToken,
        TimeSpan? lease = null, int maxCrashes = VersionStore.MaxWorkerCrashes)
    {
        var others = new List<ClaimedJob>();
        try
        {
            while (await versions.ClaimJobAsync(worker, cancellationToken, lease, maxCrashes) is { } job)
            {
                if (job.JobId == jobId)
                {
                    return job;
                }
                others.Add(job);
            }
            return null;
        }
        finally
        {
            foreach (var other in others)
            {
                await versions.ReleaseJobAsync(other, CancellationToken.None);
            }
        }
    }
}
