using System.Text.Json;
using Npgsql;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Data.Catalog.Uploads;

/// <summary>Options of an upload, stored with its version (all optional).</summary>
public sealed record UploadOptions(string? Delimiter = null, string? Encoding = null, string? DecimalSeparator = null, string? Layer = null,
    bool Strict = false, string? TableSchema = null, string? StoredFile = null, string? ServerFile = null);

/// <summary>Runs one ingestion job: read the stored upload, infer or apply the schema, load, mark ready — or failed with the reason.</summary>
/// <remarks>A server file is opened, and checked against its organisation's <paramref name="serverFiles"/> roots, when the job reads it.</remarks>
public sealed class UploadJobRunner(NpgsqlDataSource dataSource, string uploadDirectory, UploadLimits limits, ServerFileRoots? serverFiles = null)
{
    private readonly VersionStore _versions = new(dataSource);

    /// <summary>Where uploads wait for their job when <c>Catalog:UploadDirectory</c> is not set (the API and <c>db backup</c> agree on it).</summary>
    public static string DefaultUploadDirectory => Path.Combine(Path.GetTempPath(), "smartregion-uploads");

    /// <summary>A fresh name for a stored upload: unique across databases and hosts sharing the folder.</summary>
    public static string NewStoredFileName() => $"{Guid.NewGuid():N}.upload";

    /// <summary>Where a version's upload is kept until its job has run.</summary>
    public static string? UploadPath(string uploadDirectory, VersionRecord version)
    {
        var options = JsonSerializer.Deserialize<UploadOptions>(version.OptionsJson, JsonSerializerOptions.Web);
        return options?.StoredFile is { } name && Path.GetFileName(name) == name ? Path.Combine(uploadDirectory, name) : null;
    }

    /// <summary>
    /// The server file, opened now and checked against the roots of the dataset's organisation as they are configured now
    /// (the check when the version was queued is not enough: the file, a link or the configuration may have changed since).
    /// </summary>
    private async Task<OpenedServerFile> OpenServerFileAsync(long datasetId, string path, CancellationToken cancellationToken)
    {
        var org = await _versions.OwnerOrganisationSlugAsync(datasetId, cancellationToken) ?? "";
        var (opened, refusal) = (serverFiles ?? ServerFileRoots.None).Open(org, path);
        return opened ?? throw new UploadFailure($"the server file was refused when the job opened it: {refusal!.Message}");
    }

    /// <summary>
    /// Processes the job within its time budget (<see cref="UploadLimits.JobTimeout"/>); returns the failure reason, or null
    /// when the version is ready.
    /// </summary>
    public async Task<string?> RunAsync(ClaimedJob job, CancellationToken cancellationToken)
    {
        using var budget = new CancellationTokenSource(limits.JobTimeout);
        using var within = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        try
        {
            return await RunWithinBudgetAsync(job, within.Token);
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Property 9: a file that takes longer (a GeoPackage view that never ends, a reader stuck on a hostile file)
            // fails with that reason; its load was one transaction, rolled back; the worker takes the next job.
            var reason = $"reading the file took longer than the job's time budget ({limits.JobTimeout.TotalSeconds:0.#} s, Catalog:JobTimeoutSeconds); nothing was loaded";
            await _versions.MarkFailedAsync(job.VersionId, reason, null, CancellationToken.None);
            return reason;
        }
    }

    private async Task<string?> RunWithinBudgetAsync(ClaimedJob job, CancellationToken cancellationToken)
    {
        var version = await _versions.GetAsync(job.VersionId, cancellationToken);
        if (version is null)
        {
            return "the version no longer exists";
        }
        if (version.Status is not ("queued" or "processing"))
        {
            // Its load already committed (or failed for good): a job handed back after that, by a host stopping between the
            // load's commit and the job's end, has nothing left to do. Loading again would meet the version's own table.
            return version.Status == "failed" ? version.Error ?? "failed" : null;
        }
        await _versions.MarkProcessingAsync(version.Id, cancellationToken);
        string? reportJson = null;
        try
        {
            var options = JsonSerializer.Deserialize<UploadOptions>(version.OptionsJson, JsonSerializerOptions.Web) ?? new UploadOptions();
            using var serverFile = options.ServerFile is { } named ? await OpenServerFileAsync(version.DatasetId, named, cancellationToken) : null;
            var path = serverFile?.ReadPath ?? UploadPath(uploadDirectory, version);
            if (path is null || !File.Exists(path))
            {
                throw new UploadFailure("the uploaded file is missing on the server");
            }
            ITabularSource source = version.Format switch
            {
                "csv" => new CsvTabularSource(path, limits, options.Delimiter, options.Encoding, options.DecimalSeparator),
                "geojson" => new GeoJsonTabularSource(path, limits),
                "gpkg" => new GeoPackageTabularSource(path, limits, options.Layer),
                "parquet" => new ParquetTabularSource(path, limits),
                _ => throw new UploadFailure($"format '{version.Format}' cannot be ingested yet"),
            };
            var fields = options.TableSchema is { Length: > 0 } ts
                ? SchemaInference.FromTableSchema(source, ts)
                : source.Fields.All(f => f.DeclaredType is not null)
                    ? SchemaInference.Declared(source)
                    : SchemaInference.Infer(source, cancellationToken);
            await RecordsLoader.LoadAsync(dataSource, version.Id, source, fields, options.Strict, limits, cancellationToken);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // A reader interrupted by the cancellation (SQLite answers "interrupted") is a cancellation, not a bad file.
            throw new OperationCanceledException("the job was cancelled", e, cancellationToken);
        }
        catch (Exception e) when (e is UploadFailure or SourceFormatException)
        {
            // UploadFailure from the upload's own checks, SourceFormatException from the format readers (SmartRegion.Geo).
            await _versions.MarkFailedAsync(version.Id, e.Message, reportJson, CancellationToken.None);
            return e.Message;
        }
        catch (StrictModeFailure e)
        {
            await _versions.MarkFailedAsync(version.Id, e.Message, e.Report.ToJson(), CancellationToken.None);
            return e.Message;
        }
        catch (PostgresException e)
        {
            // A data value PostgreSQL refused (e.g. a date out of its range): a reason, without SQL.
            var reason = $"the database refused the data: {e.MessageText}";
            await _versions.MarkFailedAsync(version.Id, reason, reportJson, CancellationToken.None);
            return reason;
        }
    }
}
