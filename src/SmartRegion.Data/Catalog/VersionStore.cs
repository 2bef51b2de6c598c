using Npgsql;

namespace SmartRegion.Data.Catalog;

/// <summary>A queued ingestion job as a worker takes it.</summary>
public sealed record ClaimedJob(long JobId, long VersionId);

/// <summary>A job's state with the dataset and version it belongs to.</summary>
public sealed record JobStatus(long JobId, string DatasetSlug, int VersionNumber, string Status, string? Error, long DatasetId);

/// <summary>Versions of datasets, their ingestion jobs (a PostgreSQL queue taken with SKIP LOCKED), publish and rollback.</summary>
public sealed class VersionStore(NpgsqlDataSource dataSource)
{
    private const string VersionColumns = """
        v.id, v.dataset_id, v.number, v.status, v.format, v.file_name, v.byte_count, v.checksum_sha256, v.options::text,
        v.schema_json::text, v.report_json::text, v.row_count, v.bbox_wgs84, v.records_table, v.has_geometry, v.error,
        cu.email AS created_email, v.created_at, v.processed_at, pu.email AS published_email, v.published_at, v.provenance::text
        """;

    private const string VersionFrom = """
        catalog.dataset_version v LEFT JOIN catalog.app_user cu ON cu.id = v.created_by LEFT JOIN catalog.app_user pu ON pu.id = v.published_by
        """;

    /// <summary>Records an upload as the next version and queues its ingestion, in one transaction.</summary>
    public async Task<(VersionRecord Version, long JobId)> CreateUploadAsync(
        long datasetId, string format, string fileName, long byteCount, string checksumSha256, string optionsJson, long? createdBy,
        CancellationToken cancellationToken, (AuditActor By, string Path)? serverFile = null)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // The dataset row lock serialises version numbering between concurrent uploads.
        await using (var lockCmd = Db.Command(connection, tx, "SELECT id FROM catalog.dataset WHERE id = @d FOR UPDATE", ("d", datasetId)))
        {
            await lockCmd.ExecuteScalarAsync(cancellationToken);
        }
        long versionId;
        await using (var cmd = Db.Command(connection, tx, """
            INSERT INTO catalog.dataset_version (dataset_id, number, status, format, file_name, byte_count, checksum_sha256, options, created_by)
            SELECT @d, coalesce(max(number), 0) + 1, 'queued', @f, @n, @b, @c, @o::jsonb, @u FROM catalog.dataset_version WHERE dataset_id = @d
            RETURNING id
            """, ("d", datasetId), ("f", format), ("n", fileName), ("b", byteCount), ("c", checksumSha256), ("o", optionsJson), ("u", createdBy)))
        {
            versionId = (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        }
        long jobId;
        await using (var cmd = Db.Command(connection, tx, "INSERT INTO catalog.job (kind, version_id) VALUES ('ingest', @v) RETURNING id", ("v", versionId)))
        {
            jobId = (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        }
        if (serverFile is { } file)
        {
            // A file taken from the server's disk rather than sent: the organisation's trail says which, by whom.
            await using var read = Db.Command(connection, tx, """
                SELECT d.slug, d.owner_org_id, v.number FROM catalog.dataset_version v JOIN catalog.dataset d ON d.id = v.dataset_id WHERE v.id = @v
                """, ("v", versionId));
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var (slug, owner, number) = (reader.GetString(0), reader.GetInt64(1), reader.GetInt32(2));
            await reader.CloseAsync();
            await AuditLog.AppendAsync(connection, tx, [file.By.Did(owner, "server_file.imported", $"dataset:{slug}",
                new Dictionary<string, object?> { ["path"] = file.Path, ["version"] = number, ["sha256"] = checksumSha256, ["bytes"] = byteCount })],
                cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return ((await GetAsync(versionId, cancellationToken))!, jobId);
    }

    public async Task<VersionRecord?> GetAsync(long versionId, CancellationToken cancellationToken) =>
        (await Db.ListAsync(dataSource, $"SELECT {VersionColumns} FROM {VersionFrom} WHERE v.id = @id", Map, cancellationToken, ("id", versionId))).SingleOrDefault();

    public async Task<VersionRecord?> GetAsync(long datasetId, int number, CancellationToken cancellationToken) =>
        (await Db.ListAsync(dataSource, $"SELECT {VersionColumns} FROM {VersionFrom} WHERE v.dataset_id = @d AND v.number = @n", Map,
            cancellationToken, ("d", datasetId), ("n", number))).SingleOrDefault();

    public Task<List<VersionRecord>> ListAsync(long datasetId, CancellationToken cancellationToken) =>
        Db.ListAsync(dataSource, $"SELECT {VersionColumns} FROM {VersionFrom} WHERE v.dataset_id = @d ORDER BY v.number DESC", Map,
            cancellationToken, ("d", datasetId));

    /// <summary>The stored upload files (names in the upload directory) that versions waiting for their ingestion still need.</summary>
    public const string PendingStoredFilesSql = """
        SELECT options->>'storedFile' FROM catalog.dataset_version
         WHERE status IN ('queued', 'processing') AND options ? 'storedFile'
         ORDER BY id
        """;

    /// <summary>The stored upload files still needed (see <see cref="PendingStoredFilesSql"/>).</summary>
    public Task<List<string>> PendingStoredFilesAsync(CancellationToken cancellationToken) =>
        Db.ListAsync(dataSource, PendingStoredFilesSql, r => r.GetString(0), cancellationToken);

    /// <summary>How long a taken job stays its worker's without a renewal; the worker renews every third of it.</summary>
    public static readonly TimeSpan JobLease = TimeSpan.FromSeconds(60);

    /// <summary>How many times a job's worker may die holding it (its lease running out) before the job fails.</summary>
    public const int MaxWorkerCrashes = 3;

    // A running job whose worker stopped renewing: its lease ran out (or, for rows from before leases, 30 minutes passed).
    private const string LeaseRanOut = "status = 'running' AND (lease_until < now() OR (lease_until IS NULL AND locked_at < now() - interval '30 minutes'))";

    // What is known of a crash: the worker stopped renewing the lease; nothing more can be known of a process killed outright.
    private const string CrashDescription = """
        format('worker %s stopped renewing its lease at %s (killed, out of memory or host lost)',
               locked_by, to_char(coalesce(lease_until, locked_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
        """;

    /// <summary>
    /// Takes the oldest queued job, or a running one whose lease ran out (its worker died); concurrent workers skip each
    /// other's rows instead of waiting. The job is held for <paramref name="lease"/> (default <see cref="JobLease"/>).
    /// A job whose worker died <paramref name="maxCrashes"/> times is failed instead, with the reason, and its version too.
    /// A job reading a server file is taken only by a worker configured with roots for the dataset's organisation
    /// (<paramref name="serverFileOrganisations"/>; null: any job), e.g. the host that mounts that organisation's directory.
    /// </summary>
    public async Task<ClaimedJob?> ClaimJobAsync(string workerId, CancellationToken cancellationToken, TimeSpan? lease = null, int maxCrashes = MaxWorkerCrashes,
        IReadOnlyCollection<string>? serverFileOrganisations = null)
    {
        await Db.ExecuteAsync(dataSource, $"""
            WITH exhausted AS (
                UPDATE catalog.job SET status = 'failed', crash_count = crash_count + 1, last_error = {CrashDescription},
                    error = format('worker crashed %s times while processing; last error: %s', crash_count + 1, {CrashDescription}),
                    finished_at = now(), lease_until = NULL
                WHERE id IN (SELECT id FROM catalog.job WHERE {LeaseRanOut} AND crash_count + 1 >= @max FOR UPDATE SKIP LOCKED)
                RETURNING version_id, error)
            UPDATE catalog.dataset_version v SET status = 'failed', error = e.error, processed_at = now()
            FROM exhausted e WHERE v.id = e.version_id AND v.status IN ('queued', 'processing')
            """, cancellationToken, ("max", maxCrashes));
        return (await Db.ListAsync(dataSource, $"""
            UPDATE catalog.job SET status = 'running', attempts = attempts + 1, locked_by = @w, locked_at = now(), lease_until = now() + @lease,
                crash_count = crash_count + CASE WHEN status = 'running' THEN 1 ELSE 0 END,
                last_error = CASE WHEN status = 'running' THEN {CrashDescription} ELSE last_error END
            WHERE id = (SELECT j.id FROM catalog.job j
                        WHERE (j.status = 'queued' OR ({LeaseRanOut}))
                          AND (@orgs::text[] IS NULL OR NOT EXISTS (
                              SELECT 1 FROM catalog.dataset_version v JOIN catalog.dataset d ON d.id = v.dataset_id
                              JOIN catalog.organisation o ON o.id = d.owner_org_id
                              WHERE v.id = j.version_id AND v.options ->> 'serverFile' IS NOT NULL AND o.slug <> ALL(@orgs)))
                        ORDER BY j.id FOR UPDATE SKIP LOCKED LIMIT 1)
            RETURNING id, version_id
            """, r => new ClaimedJob(r.GetInt64(0), r.GetInt64(1)), cancellationToken, ("w", workerId), ("lease", lease ?? JobLease),
            ("orgs", serverFileOrganisations?.ToArray()))).SingleOrDefault();
    }

    /// <summary>Extends the lease of a job this worker holds; false when it is no longer this worker's (its lease ran out and it was taken again).</summary>
    public async Task<bool> RenewJobAsync(long jobId, string workerId, CancellationToken cancellationToken, TimeSpan? lease = null) =>
        await Db.ExecuteAsync(dataSource, """
            UPDATE catalog.job SET lease_until = now() + @lease WHERE id = @j AND locked_by = @w AND status = 'running'
            """, cancellationToken, ("j", jobId), ("w", workerId), ("lease", lease ?? JobLease)) == 1;

    /// <summary>Puts a job back in the queue (its worker is shutting down); the load it started was rolled back.</summary>
    public Task ReleaseJobAsync(ClaimedJob job, CancellationToken cancellationToken) =>
        Db.ExecuteAsync(dataSource, """
            UPDATE catalog.job SET status = 'queued', locked_by = NULL, locked_at = NULL, lease_until = NULL WHERE id = @j AND status = 'running';
            UPDATE catalog.dataset_version SET status = 'queued' WHERE id = @v AND status = 'processing';
            """, cancellationToken, ("j", job.JobId), ("v", job.VersionId));

    public Task FinishJobAsync(long jobId, string? error, CancellationToken cancellationToken) =>
        Db.ExecuteAsync(dataSource, """
            UPDATE catalog.job SET status = CASE WHEN @e::text IS NULL THEN 'done' ELSE 'failed' END, error = @e, finished_at = now(), lease_until = NULL
            WHERE id = @id
            """, cancellationToken, ("id", jobId), ("e", error));

    public async Task<JobStatus?> GetJobAsync(long jobId, CancellationToken cancellationToken) =>
        (await Db.ListAsync(dataSource, """
            SELECT j.id, d.slug, v.number, j.status, j.error, d.id AS dataset_id FROM catalog.job j
            JOIN catalog.dataset_version v ON v.id = j.version_id JOIN catalog.dataset d ON d.id = v.dataset_id
            WHERE j.id = @id
            """, r => new JobStatus(r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.GetString(3), r.Get<string>("error"), r.GetInt64(5)),
            cancellationToken, ("id", jobId))).SingleOrDefault();

    public Task MarkProcessingAsync(long versionId, CancellationToken cancellationToken) =>
        Db.ExecuteAsync(dataSource, "UPDATE catalog.dataset_version SET status = 'processing' WHERE id = @id AND status = 'queued'",
            cancellationToken, ("id", versionId));

    /// <summary>Marks a version failed with its reason (and the report so far); its records table never became visible.</summary>
    public Task MarkFailedAsync(long versionId, string error, string? reportJson, CancellationToken cancellationToken) =>
        Db.ExecuteAsync(dataSource, """
            UPDATE catalog.dataset_version SET status = 'failed', error = @e, report_json = coalesce(@r::jsonb, report_json), processed_at = now()
            WHERE id = @id
            """, cancellationToken, ("id", versionId), ("e", error), ("r", reportJson));

    /// <summary>
    /// Makes <paramref name="number"/> the dataset's current version in one transaction: a ready version is published,
    /// or an earlier published one comes back (rollback). Readers see the old version or the new one, never a mix.
    /// </summary>
    public async Task<VersionRecord> PublishAsync(long datasetId, int number, long? userId, bool rollback, CancellationToken cancellationToken,
        AuditActor? by = null)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        long? current;
        await using (var cmd = Db.Command(connection, tx, "SELECT current_version_id FROM catalog.dataset WHERE id = @d FOR UPDATE", ("d", datasetId)))
        {
            current = await cmd.ExecuteScalarAsync(cancellationToken) is long c ? c : null;
        }
        (long Id, string Status)? target = null;
        await using (var cmd = Db.Command(connection, tx, "SELECT id, status FROM catalog.dataset_version WHERE dataset_id = @d AND number = @n FOR UPDATE",
            ("d", datasetId), ("n", number)))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                target = (reader.GetInt64(0), reader.GetString(1));
            }
        }
        if (target is null)
        {
            throw new CatalogValidationException("version", $"no version {number}");
        }
        var allowed = rollback ? "superseded" : "ready";
        if (target.Value.Id == current)
        {
            throw new CatalogConflictException($"version {number} is already the current version", "already_current");
        }
        if (target.Value.Status != allowed)
        {
            throw new CatalogConflictException(rollback
                ? $"version {number} is {target.Value.Status}; only a previously published version can be rolled back to"
                : $"version {number} is {target.Value.Status}; only a ready version can be published");
        }
        await using (var cmd = Db.Command(connection, tx, """
            UPDATE catalog.dataset_version SET status = 'superseded' WHERE id = @old;
            UPDATE catalog.dataset_version SET status = 'published', published_at = now(), published_by = @u, withdrawn_at = NULL WHERE id = @new;
            UPDATE catalog.dataset SET current_version_id = @new, modified_at = now() WHERE id = @d;
            -- A rollback withdraws every version after the one it brings back (a solar run's results stop being served).
            UPDATE catalog.dataset_version SET withdrawn_at = now()
            WHERE @rollback AND dataset_id = @d AND number > @n AND status = 'superseded' AND withdrawn_at IS NULL;
            """, ("old", current), ("new", target.Value.Id), ("u", userId), ("d", datasetId), ("rollback", rollback), ("n", number)))
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await AppendPublicationAuditAsync(connection, tx, datasetId, current, number, rollback, by ?? AuditActor.Cli, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return (await GetAsync(target.Value.Id, cancellationToken))!;
    }

    /// <summary>The slug of the organisation that owns <paramref name="datasetId"/>, or null.</summary>
    public Task<string?> OwnerOrganisationSlugAsync(long datasetId, CancellationToken cancellationToken) =>
        Db.ScalarAsync<string?>(dataSource, """
            SELECT o.slug FROM catalog.dataset d JOIN catalog.organisation o ON o.id = d.owner_org_id WHERE d.id = @d
            """, cancellationToken, ("d", datasetId));

    /// <summary>What readers see changed: a version published, or the dataset rolled back to an earlier one.</summary>
    internal static async Task AppendPublicationAuditAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long datasetId, long? previousVersionId,
        int number, bool rollback, AuditActor by, CancellationToken cancellationToken)
    {
        await using var read = Db.Command(connection, tx, """
            SELECT d.slug, d.owner_org_id, (SELECT number FROM catalog.dataset_version WHERE id = @prev) FROM catalog.dataset d WHERE d.id = @d
            """, ("d", datasetId), ("prev", previousVersionId));
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (slug, owner, previous) = (reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? (int?)null : reader.GetInt32(2));
        await reader.CloseAsync();
        await AuditLog.AppendAsync(connection, tx, [by.Did(owner, rollback ? "version.rolled_back" : "version.published", $"dataset:{slug}",
            new Dictionary<string, object?> { ["version"] = number, ["previousVersion"] = previous })], cancellationToken);
    }

    private static VersionRecord Map(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetInt32(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt64(6), r.GetString(7),
        r.GetString(8), r.Get<string>("schema_json"), r.Get<string>("report_json"), r.IsDBNull(11) ? null : r.GetInt64(11),
        r.Get<double[]>("bbox_wgs84"), r.Get<string>("records_table"), r.GetBoolean(14), r.Get<string>("error"),
        r.Get<string>("created_email"), r.GetFieldValue<DateTimeOffset>(17), r.IsDBNull(18) ? null : r.GetFieldValue<DateTimeOffset>(18),
        r.Get<string>("published_email"), r.IsDBNull(20) ? null : r.GetFieldValue<DateTimeOffset>(20), r.Get<string>("provenance"));
}
