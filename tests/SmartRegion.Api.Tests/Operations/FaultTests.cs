using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Npgsql;
using SmartRegion.Data;
using SmartRegion.Data.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Operations;

/// <summary>A database of its own for the fault tests (they lock tables and kill hosts), with a publisher and its key.</summary>
public sealed class FaultDatabase : IAsyncLifetime
{
    private TestDatabase? _server;

    public string ConnectionString { get; private set; } = "";

    /// <summary>The API's least-privilege login on it (what the API processes connect with).</summary>
    public string ApiConnectionString { get; private set; } = "";

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public string Organisation { get; private set; } = "";

    public string Key { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        _server = new TestDatabase();
        await _server.InitializeAsync();
        ConnectionString = _server.ConnectionString;
        ApiConnectionString = _server.ApiConnectionString;
        DataSource = _server.DataSource;
        var accounts = new AccountStore(DataSource);
        var org = await accounts.CreateOrganisationAsync("faults", "Faults", "public_agency", CancellationToken.None);
        var user = await accounts.CreateUserAsync("faults@example.org", "Faults", null, false, CancellationToken.None);
        await accounts.SetMembershipAsync(user.Id, org.Id, "admin", CancellationToken.None);
        (_, Key) = await accounts.CreateKeyAsync(user.Id, org.Id, "faults", ["read", "publish", "admin"], null, CancellationToken.None);
        Organisation = org.Slug;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>
/// Bad days, with the real host as a process: SIGTERM while a request and a job are in flight, kill -9 during an upload
/// and in the middle of a publish, an upload directory without room.
/// </summary>
public sealed class FaultTests(FaultDatabase db) : IClassFixture<FaultDatabase>, IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _uploads = Path.Combine(Path.GetTempPath(), $"sr-faults-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_uploads))
        {
            Directory.Delete(_uploads, recursive: true);
        }
    }

    private Dictionary<string, string> Settings(params (string Name, string Value)[] extra)
    {
        var settings = new Dictionary<string, string> { ["Catalog__UploadDirectory"] = _uploads, ["Catalog__WorkerPollSeconds"] = "0.5" };
        foreach (var (name, value) in extra)
        {
            settings[name] = value;
        }
        return settings;
    }

    [Fact]
    public async Task Sigterm_InFlightUploadFinishes_RunningJobReleased_ExitsWithinBound()
    {
        await using var api = await ApiProcess.StartAsync(db.ApiConnectionString, Settings(("Operations__ShutdownSeconds", "20")));
        var client = Authorized(api);
        var dataset = await CreateDatasetAsync(client);
        // A file long enough to keep the worker busy for a while.
        var big = BigCsv(400_000);
        var bigJob = await UploadAsync(client, dataset, big, "big.csv");
        await WaitForJobStatusAsync(bigJob, "running");

        using var slow = new GatedContent(Encoding.UTF8.GetBytes("a;b\n1;2\n"), Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("3;4\n", 1000))));
        var inFlight = client.PostAsync($"/api/v1/datasets/{dataset}/versions?fileName=slow.csv", slow, Ct);
        await slow.Started.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        api.Signal(15);
        await Task.Delay(500, Ct);
        slow.Continue.SetResult();

        using var response = await inFlight.WaitAsync(TimeSpan.FromSeconds(60), Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(await api.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the host did not exit within 30 s of SIGTERM");
        Assert.Equal(0, api.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(25), $"exit took {clock.Elapsed}");
        // The job the worker held went back to the queue whole (its load rolled back), for the next host to take.
        var (status, lockedBy) = await JobAsync(bigJob);
        Assert.Equal("queued", status);
        Assert.Null(lockedBy);
        Assert.Contains(api.StandardOutput, l => l.Contains($"Ingest job {bigJob} handed back", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Kill9_DuringUpload_NoVersionNothingLeftAfterRestart()
    {
        var settings = Settings(("Catalog__StaleUploadMinutes", "0.001"));
        string dataset;
        int port;
        await using (var api = await ApiProcess.StartAsync(db.ApiConnectionString, settings))
        {
            port = api.Port;
            var client = Authorized(api);
            dataset = await CreateDatasetAsync(client);
            using var slow = new GatedContent(Encoding.UTF8.GetBytes("a;b\n1;2\n"), Encoding.UTF8.GetBytes("3;4\n"));
            var inFlight = client.PostAsync($"/api/v1/datasets/{dataset}/versions?fileName=cut.csv", slow, Ct);
            await slow.Started.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            await WaitForAsync(() => Task.FromResult(Directory.Exists(_uploads) && Directory.GetFiles(_uploads, "incoming-*").Length == 1), "the upload's temporary file");
            api.Signal(9);
            Assert.True(await api.WaitForExitAsync(TimeSpan.FromSeconds(10)));
            // The client goes on sending into a connection that is gone: it learns the upload failed.
            slow.Continue.SetResult();
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => inFlight.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        }
        // Nothing was recorded: the version exists only once its file is whole.
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM catalog.dataset_version v JOIN catalog.dataset d ON d.id = v.dataset_id WHERE d.slug = @s", dataset));

        await using (var restarted = await ApiProcess.StartAsync(db.ApiConnectionString, settings, port: port))
        {
            // The half-received file of the killed host is swept; the same upload made again succeeds.
            await WaitForAsync(() => Task.FromResult(Directory.GetFiles(_uploads, "incoming-*").Length == 0), "the sweep of the killed upload's file");
            var client = Authorized(restarted);
            var job = await UploadAsync(client, dataset, Encoding.UTF8.GetBytes("a;b\n1;2\n3;4\n"), "again.csv");
            await WaitForJobStatusAsync(job, "done");
        }
    }

    [Fact]
    public async Task Kill9_InTheMiddleOfAPublish_NothingChanged_PublishSucceedsAfterRestart()
    {
        var settings = Settings();
        await using var api = await ApiProcess.StartAsync(db.ApiConnectionString, settings);
        var client = Authorized(api);
        var dataset = await CreateDatasetAsync(client);
        await WaitForJobStatusAsync(await UploadAsync(client, dataset, Encoding.UTF8.GetBytes("n\n1\n"), "v1.csv"), "done");
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/datasets/{dataset}/versions/1/publish", null, Ct)).StatusCode);
        await WaitForJobStatusAsync(await UploadAsync(client, dataset, Encoding.UTF8.GetBytes("n\n1\n2\n"), "v2.csv"), "done");
        var before = await PublishStateAsync(dataset);

        // A share lock on catalog.dataset lets the publish supersede v1 and publish v2 in its transaction, then stops it at
        // its last statement (the dataset's current version): the host is killed there, half-way through.
        await using (var blocker = await db.DataSource.OpenConnectionAsync(Ct))
        await using (var tx = await blocker.BeginTransactionAsync(Ct))
        {
            await using (var lockCmd = new NpgsqlCommand("LOCK TABLE catalog.dataset IN SHARE MODE", blocker, tx))
            {
                await lockCmd.ExecuteNonQueryAsync(Ct);
            }
            var publish = client.PostAsync($"/api/v1/datasets/{dataset}/versions/2/publish", null, Ct);
            await WaitForAsync(async () => await ScalarAsync<long>("""
                SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND application_name = 'smartregion-api' AND wait_event_type = 'Lock'
                   AND query LIKE 'UPDATE catalog.dataset SET current_version_id%'
                """, null) == 1, "the publish waiting at its last statement");
            // By then it has written (it holds a transaction id), and nobody else sees any of it.
            Assert.True(await ScalarAsync<long>("""
                SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                 WHERE a.datname = current_database() AND a.application_name = 'smartregion-api' AND l.locktype = 'transactionid'
                """, null) >= 1, "the publish has written in its transaction");
            Assert.Equal(before, await PublishStateAsync(dataset));
            api.Signal(9);
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => publish.WaitAsync(TimeSpan.FromSeconds(30), Ct));
            await tx.RollbackAsync(Ct);
        }
        Assert.True(await api.WaitForExitAsync(TimeSpan.FromSeconds(10)));

        // The server rolled the killed transaction back: v1 is still current, v2 still ready.
        await WaitForAsync(async () => await ScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'smartregion-api'", null) == 0, "the killed host's sessions to end");
        Assert.Equal(before, await PublishStateAsync(dataset));
        Assert.Equal(("1:published", "2:ready"), before);
        await using var restarted = await ApiProcess.StartAsync(db.ApiConnectionString, settings, port: api.Port);
        Assert.Equal(HttpStatusCode.OK, (await Authorized(restarted).PostAsync($"/api/v1/datasets/{dataset}/versions/2/publish", null, Ct)).StatusCode);
        Assert.Equal(("1:superseded", "2:published"), await PublishStateAsync(dataset));
    }

    [Fact]
    public async Task UploadDirectoryFull_507NothingKept_HostKeepsServing()
    {
        // A 1 MB file system of its own for the host's upload directory, in a private mount namespace (it vanishes with the host).
        Directory.CreateDirectory(_uploads);
        var launcher = new[] { "unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs \"$0\" && exec \"$@\"", _uploads };
        if (!CanUnshare())
        {
            var reason = "the disk-full test needs 'unshare -m' and mount (root): not available here";
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
            {
                Assert.Fail(reason);
            }
            Assert.Skip(reason);
        }
        await using var api = await ApiProcess.StartAsync(db.ApiConnectionString, Settings(("Catalog__RunWorker", "false")), launcher: launcher);
        var client = Authorized(api);
        var dataset = await CreateDatasetAsync(client);

        using var tooBig = new ByteArrayContent(BigCsv(150_000));
        Assert.True(tooBig.Headers.ContentLength > 2_000_000);
        using var full = await client.PostAsync($"/api/v1/datasets/{dataset}/versions?fileName=big.csv", tooBig, Ct);

        Assert.Equal((HttpStatusCode)507, full.StatusCode);
        using (var problem = JsonDocument.Parse(await full.Content.ReadAsStringAsync(Ct)))
        {
            Assert.Equal("upload_storage_full", problem.RootElement.GetProperty("code").GetString());
            Assert.Contains("no room left", problem.RootElement.GetProperty("detail").GetString());
        }
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM catalog.dataset_version v JOIN catalog.dataset d ON d.id = v.dataset_id WHERE d.slug = @s", dataset));
        // The partial file is gone (the file system is empty again), and the host serves: reads, and an upload that fits.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/datasets/{dataset}", Ct)).StatusCode);
        var small = await client.PostAsync($"/api/v1/datasets/{dataset}/versions?fileName=small.csv", new ByteArrayContent(Encoding.UTF8.GetBytes("a\n1\n")), Ct);
        Assert.Equal(HttpStatusCode.Accepted, small.StatusCode);
        Assert.Contains(api.StandardOutput, l => l.Contains("is full", StringComparison.Ordinal));
    }

    private static bool CanUnshare()
    {
        try
        {
            using var probe = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("unshare", ["-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"])
            {
                RedirectStandardError = true,
            })!;
            probe.WaitForExit();
            return probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private HttpClient Authorized(ApiProcess api)
    {
        api.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Apikey", db.Key);
        return api.Client;
    }

    private async Task<string> CreateDatasetAsync(HttpClient client)
    {
        var id = $"faults-{Guid.NewGuid():N}"[..20];
        var (status, body) = await Catalog.CatalogKit.SendAsync(client, HttpMethod.Post, "/api/v1/datasets", new
        {
            id, publisher = db.Organisation, title = "Faults", description = "d", licence = "etalab-2.0", visibility = "public",
        });
        Assert.True(status == 201, body);
        return id;
    }

    private static async Task<long> UploadAsync(HttpClient client, string dataset, byte[] bytes, string name)
    {
        using var response = await client.PostAsync($"/api/v1/datasets/{dataset}/versions?fileName={name}", new ByteArrayContent(bytes), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("jobId").GetInt64();
    }

    private async Task WaitForJobStatusAsync(long jobId, string status) =>
        await WaitForAsync(async () => (await JobAsync(jobId)).Status == status, $"job {jobId} to be {status}");

    private async Task<(string Status, string? LockedBy)> JobAsync(long jobId)
    {
        await using var cmd = db.DataSource.CreateCommand("SELECT status, locked_by FROM catalog.job WHERE id = @id");
        cmd.Parameters.AddWithValue("id", jobId);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        return (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
    }

    private async Task<(string, string)> PublishStateAsync(string dataset)
    {
        await using var cmd = db.DataSource.CreateCommand("""
            SELECT string_agg(v.number || ':' || v.status, ',' ORDER BY v.number), bool_and(d.current_version_id IS NOT DISTINCT FROM
                   (SELECT id FROM catalog.dataset_version WHERE dataset_id = d.id AND status = 'published'))
            FROM catalog.dataset d JOIN catalog.dataset_version v ON v.dataset_id = d.id WHERE d.slug = @s GROUP BY d.id
            """);
        cmd.Parameters.AddWithValue("s", dataset);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        Assert.True(reader.GetBoolean(1), "the dataset's current version is its published one");
        var parts = reader.GetString(0).Split(',');
        return (parts[0], parts[1]);
    }

    private async Task<T> ScalarAsync<T>(string sql, string? slug)
    {
        await using var cmd = db.DataSource.CreateCommand(sql);
        if (slug is not null)
        {
            cmd.Parameters.AddWithValue("s", slug);
        }
        return (T)(await cmd.ExecuteScalarAsync(Ct))!;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(100, Ct);
        }
    }

    private static byte[] BigCsv(int rows)
    {
        var sb = new StringBuilder(rows * 40);
        sb.Append("id;commune;valeur;commentaire\n");
        for (var i = 0; i < rows; i++)
        {
            sb.Append(i).Append(";Saint-Denis;").Append(i % 977).Append(",5;ligne numéro ").Append(i).Append('\n');
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>A request body sent in two parts: the first at once, the second when the test says so.</summary>
    private sealed class GatedContent(byte[] first, byte[] rest) : HttpContent
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Continue { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(first);
            await stream.FlushAsync();
            Started.TrySetResult();
            await Continue.Task;
            await stream.WriteAsync(rest);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = first.Length + rest.Length;
            return true;
        }
    }
}
