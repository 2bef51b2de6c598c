using Npgsql;
using SmartRegion.Data.Catalog;

namespace SmartRegion.Api.Catalog;

/// <summary>
/// The upload directory's bad days: a full disk answers 507 with a clear message (the partial file is removed by the
/// caller), and files a killed process left behind (a half-received <c>incoming-*</c>, a stored upload no version
/// names) are swept at start and every hour once they are old enough not to belong to an upload in progress.
/// </summary>
internal sealed class UploadStorage(NpgsqlDataSource dataSource, UploadSettings settings, ILogger<UploadStorage> logger) : BackgroundService
{
    // ENOSPC and EDQUOT: .NET reports the errno as the IOException's HResult on Unix; ERROR_DISK_FULL / HANDLE_DISK_FULL on Windows.
    private static readonly int[] FullCodes = [28, 122, 0x70, 0x27];

    /// <summary>True when <paramref name="e"/> says the file system has no room (or the quota is spent).</summary>
    public static bool IsFull(IOException e) => FullCodes.Contains(e.HResult & 0xFFFF);

    /// <summary>507 for the client (nothing of the upload was kept), an error with the directory for the operator.</summary>
    public static IResult Full(HttpContext ctx, string directory, IOException e)
    {
        ctx.RequestServices.GetRequiredService<ILogger<UploadStorage>>()
            .LogError("Upload refused: the upload directory {Directory} is full ({Reason})", directory, e.Message);
        return CatalogProblems.Problem(StatusCodes.Status507InsufficientStorage, "upload_storage_full",
            "The server has no room left to store this upload; nothing of it was kept. Try again later; the platform's operators have been told.");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromMinutes(Math.Max(1, settings.StaleUploadMinutes));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("Upload directory sweep skipped ({Reason})", e.Message);
            }
            await Task.Delay(every, stoppingToken);
        }
    }

    /// <summary>Deletes stale half-received files and stored uploads no waiting version needs; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(settings.Directory))
        {
            return 0;
        }
        var cutoff = DateTime.UtcNow - TimeSpan.FromMinutes(settings.StaleUploadMinutes);
        var stale = new DirectoryInfo(settings.Directory).EnumerateFiles()
            .Where(f => f.LastWriteTimeUtc < cutoff && (f.Name.StartsWith("incoming-", StringComparison.Ordinal) || f.Name.EndsWith(".upload", StringComparison.Ordinal)))
            .ToList();
        if (stale.Count == 0)
        {
            return 0;
        }
        // Asked after listing: a version made meanwhile names a file newer than the cutoff anyway.
        var needed = (await new VersionStore(dataSource).PendingStoredFilesAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var removed = 0;
        foreach (var file in stale.Where(f => !needed.Contains(f.Name)))
        {
            try
            {
                file.Delete();
                removed++;
            }
            catch (IOException)
            {
                // Someone else's (another host sharing the folder) or already gone.
            }
        }
        if (removed > 0)
        {
            logger.LogInformation("Upload directory {Directory}: removed {Count} file(s) left by interrupted uploads", settings.Directory, removed);
        }
        return removed;
    }
}
