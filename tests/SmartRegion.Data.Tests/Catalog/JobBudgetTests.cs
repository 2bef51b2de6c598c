using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SmartRegion.Data.Catalog;
using SmartRegion.Data.Catalog.Uploads;
using SmartRegion.Parquet;
using SmartRegion.Testing;

namespace SmartRegion.Data.Tests.Catalog;

/// <summary>
/// Property 9: every upload job reads its file within a time and a memory budget. A GeoPackage whose layer is a view with
/// a recursive query that never ends (inside one SQLite step, where no row loop can check anything) fails with that reason
/// within the time budget; a Parquet decompression bomb fails at the memory budget before it is decompressed; and the next
/// organisation's job runs right after each. No API host runs in this project, so no other worker takes these jobs.
/// </summary>
[Collection(JobQueue.Name)]
public sealed class JobBudgetTests(TestDatabase db) : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _dir = Directory.CreateTempSubdirectory("job-budget-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<long> QueuedUploadAsync(string format, string fileName, Action<string> write)
    {
        var org = await new AccountStore(db.DataSource).CreateOrganisationAsync($"org-{Guid.NewGuid():N}"[..20], "Org", "company", Ct);
        var dataset = await new DatasetStore(db.DataSource).CreateAsync($"ds-{Guid.NewGuid():N}"[..20], org.Id,
            new DatasetMetadata("Budget", "", null, null, "cc0-1.0", [], [], null, [], null, null, null, null, "private"), null, Ct);
        var stored = UploadJobRunner.NewStoredFileName();
        write(Path.Combine(_dir, stored));
        var options = JsonSerializer.Serialize(new UploadOptions(StoredFile: stored), JsonSerializerOptions.Web);
        var (_, jobId) = await new VersionStore(db.DataSource).CreateUploadAsync(dataset.Id, format, fileName,
            new FileInfo(Path.Combine(_dir, stored)).Length, new string('0', 64), options, null, Ct);
        return jobId;
    }

    /// <summary>A GeoPackage whose only layer is a view that never yields a row and never ends.</summary>
    private static void EndlessGeoPackage(string path) =>
        GeoPackageOfOneView(path, "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x FROM n WHERE x < 0");

    /// <summary>A GeoPackage whose only layer, 'endless', is a view of <paramref name="query"/>.</summary>
    private static void GeoPackageOfOneView(string path, string query)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $$"""
            CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
                organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
            CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
                description TEXT DEFAULT '', last_change DATETIME, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER);
            CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
                srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL);
            CREATE VIEW endless AS {{query}};
            INSERT INTO gpkg_contents (table_name, data_type, identifier) VALUES ('endless', 'attributes', 'endless');
            """;
        cmd.ExecuteNonQuery();
    }

    private static async Task<ClaimedJob> ClaimAsync(VersionStore versions, long jobId) =>
        await JobQueue.ClaimAsync(versions, jobId, "budget-tests", Ct) ?? throw new InvalidOperationException($"job {jobId} is not claimable");

    [Fact]
    public async Task EndlessGeoPackageView_FailsWithinTheBudget_AndTheNextJobRuns()
    {
        var endless = await QueuedUploadAsync("gpkg", "endless.gpkg", EndlessGeoPackage);
        var next = await QueuedUploadAsync("csv", "next.csv", p => File.WriteAllText(p, "n,name\n1,a\n2,b\n"));
        var versions = new VersionStore(db.DataSource);
        var runner = new UploadJobRunner(db.DataSource, _dir, new UploadLimits(JobTimeoutSeconds: 2));

        var clock = Stopwatch.StartNew();
        var reason = await runner.RunAsync(await ClaimAsync(versions, endless), Ct);
        await versions.FinishJobAsync(endless, reason, Ct);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.NotNull(reason);
        Assert.Contains("time budget (2 s", reason);
        var job = await versions.GetJobAsync(endless, Ct);
        var failed = await versions.GetAsync(job!.DatasetId, job.VersionNumber, Ct);
        Assert.Equal("failed", failed!.Status);
        Assert.Contains("time budget", failed.Error);

        // The next organisation's job, with the usual budget (a tiny file may take longer than 2 s on a loaded machine).
        var usual = new UploadJobRunner(db.DataSource, _dir, new UploadLimits());
        Assert.Null(await usual.RunAsync(await ClaimAsync(versions, next), Ct));
        await versions.FinishJobAsync(next, null, Ct);
    }

    /// <summary>
    /// A job handed back after its load committed (a host stopping between the load's commit and the job's "done", seen in a
    /// full run: the next worker's load met <c>relation "v68" already exists</c> and marked the ready version failed) is done
    /// when taken again: the ready version, its rows and its table stay as they are.
    /// </summary>
    [Fact]
    public async Task Job_TakenAgainAfterItsLoadCommitted_LeavesTheReadyVersionAlone()
    {
        var jobId = await QueuedUploadAsync("csv", "twice.csv", p => File.WriteAllText(p, "n,name\n1,a\n2,b\n"));
        var versions = new VersionStore(db.DataSource);
        var runner = new UploadJobRunner(db.DataSource, _dir, new UploadLimits());
        var first = await ClaimAsync(versions, jobId);
        Assert.Null(await runner.RunAsync(first, Ct));
        await versions.ReleaseJobAsync(first, CancellationToken.None);

        Assert.Null(await runner.RunAsync(await ClaimAsync(versions, jobId), Ct));
        await versions.FinishJobAsync(jobId, null, Ct);
        var version = await versions.GetAsync(first.VersionId, Ct);
        Assert.Equal("ready", version!.Status);
        Assert.Equal(2, version.RowCount);
        Assert.Null(version.Error);
    }

    [Fact]
    public async Task ParquetDecompressionBomb_FailsAtTheMemoryBudget_AndTheNextJobRuns()
    {
        // 32 MB of zeros in one zstd page of about a kilobyte; the job may hold 8 MB.
        var column = new ParquetColumn("blob", ParquetType.Binary, nullable: false);
        var bytes = new MemoryStream();
        await using (var writer = new ParquetWriter(bytes, new ParquetSchema(column), new ParquetWriterOptions { Codec = ParquetCodec.Zstd, Dictionary = false }, leaveOpen: true))
        {
            await writer.WriteAsync([new ColumnData(column, new[] { new byte[32 << 20] })], Ct);
            await writer.CompleteAsync(Ct);
        }
        Assert.True(bytes.Length < 10_000, $"{bytes.Length} bytes");
        var bomb = await QueuedUploadAsync("parquet", "bomb.parquet", path => File.WriteAllBytes(path, bytes.ToArray()));
        var next = await QueuedUploadAsync("csv", "next.csv", p => File.WriteAllText(p, "n,name\n1,a\n2,b\n"));
        var versions = new VersionStore(db.DataSource);
        var runner = new UploadJobRunner(db.DataSource, _dir, new UploadLimits(MaxReaderMemoryBytes: 8 << 20));

        var reason = await runner.RunAsync(await ClaimAsync(versions, bomb), Ct);
        await versions.FinishJobAsync(bomb, reason, Ct);
        Assert.NotNull(reason);
        Assert.StartsWith("the Parquet file cannot be read within the upload's memory budget (Catalog:MaxReaderMemoryBytes): ", reason);
        Assert.Contains("row group 0, column chunk 'blob' (offset 4), page 0 at offset 4: the page decompressed would take 32 MB", reason);
        Assert.Contains("memory budget of 8.0 MB", reason);
        var job = await versions.GetJobAsync(bomb, Ct);
        Assert.Equal("failed", (await versions.GetAsync(job!.DatasetId, job.VersionNumber, Ct))!.Status);

        Assert.Null(await runner.RunAsync(await ClaimAsync(versions, next), Ct));
        await versions.FinishJobAsync(next, null, Ct);
    }

    /// <summary>Runs one hostile upload with <paramref name="limits"/>, then a small CSV of the next organisation: the reason of the first.</summary>
    private async Task<string> FailsThenTheNextRunsAsync(string format, string fileName, Action<string> write, UploadLimits limits)
    {
        var hostile = await QueuedUploadAsync(format, fileName, write);
        var next = await QueuedUploadAsync("csv", "next.csv", p => File.WriteAllText(p, "n,name\n1,a\n2,b\n"));
        var versions = new VersionStore(db.DataSource);
        var runner = new UploadJobRunner(db.DataSource, _dir, limits);
        var reason = await runner.RunAsync(await ClaimAsync(versions, hostile), Ct);
        await versions.FinishJobAsync(hostile, reason, Ct);
        Assert.NotNull(reason);
        var job = await versions.GetJobAsync(hostile, Ct);
        Assert.Equal("failed", (await versions.GetAsync(job!.DatasetId, job.VersionNumber, Ct))!.Status);
        Assert.Null(await new UploadJobRunner(db.DataSource, _dir, new UploadLimits()).RunAsync(await ClaimAsync(versions, next), Ct));
        await versions.FinishJobAsync(next, null, Ct);
        return reason;
    }

    [Fact]
    public async Task CsvEndlessRecord_FailsAtTheRecordBound()
    {
        // Twenty fields of 100,000 characters: each within Catalog:MaxFieldChars, the record twice the bound of a feature.
        var reason = await FailsThenTheNextRunsAsync("csv", "endless.csv",
            p => File.WriteAllText(p, "a;b\n" + string.Join(';', Enumerable.Repeat(new string('x', 100_000), 20)) + "\n"),
            new UploadLimits(MaxFeatureBytes: 1_000_000));
        Assert.EndsWith("line 2: the record is longer than 1,000,000 characters (is a line end missing?)", reason);
    }

    [Fact]
    public async Task GeoPackageViewOfAHugeValue_FailsAtItsFirstRow()
    {
        var reason = await FailsThenTheNextRunsAsync("gpkg", "huge.gpkg", p => GeoPackageOfOneView(p, "SELECT 1 AS id, zeroblob(5000000) AS data"),
            new UploadLimits(MaxFeatureBytes: 1_000_000));
        Assert.EndsWith("layer 'endless', row 1: a value or row is larger than 1,000,000 bytes", reason);
    }

    [Fact]
    public async Task GeoPackageViewSortingAnEndlessQuery_FailsAtTheMemoryBudget_NotAtTheTimeBudget()
    {
        // Without a memory bound SQLite spills the sort to temporary files, gigabytes of them, until the time budget.
        var clock = Stopwatch.StartNew();
        var reason = await FailsThenTheNextRunsAsync("gpkg", "sorted.gpkg",
            p => GeoPackageOfOneView(p, "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x FROM n ORDER BY x DESC"),
            new UploadLimits(JobTimeoutSeconds: 600, MaxReaderMemoryBytes: 64 << 20));
        Assert.EndsWith("layer 'endless', row 1: reading it needs more than the 64 MB of memory it may take (a view that sorts or computes too much?)", reason);
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(5), $"took {clock.Elapsed}");
    }
}
