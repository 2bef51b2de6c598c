using System.Diagnostics;
using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;
using SmartRegion.Data;
using SmartRegion.Data.Backup;
using SmartRegion.Data.Catalog.Uploads;
using SmartRegion.Pipelines.Cli;

namespace SmartRegion.Pipelines.Commands;

/// <summary>
/// <c>db backup FILE</c>, <c>db restore FILE</c> and <c>db inventory</c>: PostgreSQL's own <c>pg_dump</c> / <c>pg_restore</c>
/// (custom format) of one exported snapshot, with the uploaded files that queued versions still need, in one tar file:
/// <c>smartregion-backup.json</c> (manifest: versions, migrations, every table's row count and optional checksum, the
/// files with their SHA-256), <c>database.pgdump</c>, <c>uploads/…</c>.
/// </summary>
internal static class BackupCommands
{
    public const string Usage = """
        db backup FILE [--uploads DIR] [--checksums]
                          one consistent backup of $SMARTREGION_DB and the uploads queued versions need (tar: manifest, pg_dump custom format, files)
        db restore FILE [--uploads DIR] [--force] [--jobs N]
                          restore into $SMARTREGION_DB's database, which must be empty (--force drops and recreates it), then check every table
        db inventory [--checksums]
                          every table's row count (and content checksum) as JSON
        """;

    public const string ManifestName = "smartregion-backup.json";
    public const string DumpName = "database.pgdump";
    public const string UploadsFolder = "uploads/";
    private const int FormatVersion = 1;

    /// <summary>The backup's table of contents.</summary>
    internal sealed record Manifest(
        int Format, DateTimeOffset CreatedAt, string Database, string ServerVersion, string? PostgisVersion, string PgDumpVersion,
        IReadOnlyList<string> Migrations, IReadOnlyList<TableInventory> Tables, IReadOnlyList<UploadFile> Uploads, IReadOnlyList<string> MissingUploads);

    internal sealed record UploadFile(string Name, long Bytes, string Sha256);

    public static async Task<int> BackupAsync(string[] args, CancellationToken cancellationToken)
    {
        var a = CliArgs.Parse(args, "checksums");
        var file = a.Positionals.Count == 1 ? Path.GetFullPath(a.Positionals[0]) : throw new CliUsageException("db backup needs one FILE");
        var uploads = UploadDirectory(a.String("uploads"));
        var checksums = a.Flag("checksums");
        a.RejectUnknown();
        var folder = Path.GetDirectoryName(file)!;
        if (!Directory.Exists(folder))
        {
            throw new CliFailureException($"the folder {folder} does not exist");
        }
        var connectionString = SmartRegionDatabase.ConnectionStringFromEnvironment();
        await using var dataSource = SmartRegionDatabase.CreateDataSource(connectionString, "smartregion-backup");
        var clock = Stopwatch.StartNew();
        var dump = file + ".dump-partial";
        var partial = file + ".partial";
        try
        {
            Manifest manifest;
            await using (var snapshot = await BackupSnapshot.OpenAsync(dataSource, cancellationToken))
            {
                // Files first: the worker deletes a file once its version is read, and this snapshot still needs it.
                var (files, missing) = await CopyUploadsAsync(uploads, await snapshot.PendingUploadsAsync(cancellationToken), file + ".uploads-partial", cancellationToken);
                var tables = await snapshot.InventoryAsync(checksums, cancellationToken);
                var pgDump = PostgresTool("pg_dump");
                await RunToolAsync(pgDump, ["--format=custom", "--no-password", $"--snapshot={snapshot.SnapshotId}", $"--file={dump}"],
                    connectionString, "pg_dump", cancellationToken);
                manifest = new Manifest(FormatVersion, DateTimeOffset.UtcNow, SmartRegionDatabase.Describe(connectionString), snapshot.ServerVersion,
                    snapshot.PostgisVersion, await ToolVersionAsync(pgDump, cancellationToken), snapshot.Migrations, tables, files, missing);
            }
            await WriteArchiveAsync(partial, manifest, dump, file + ".uploads-partial", cancellationToken);
            File.Move(partial, file, overwrite: true);
            CliJson.Write(new
            {
                file,
                bytes = new FileInfo(file).Length,
                database = manifest.Database,
                tables = manifest.Tables.Count,
                rows = manifest.Tables.Sum(t => t.Rows),
                checksums,
                uploads = manifest.Uploads.Count,
                missingUploads = manifest.MissingUploads,
                durationS = Math.Round(clock.Elapsed.TotalSeconds, 2),
            });
            return 0;
        }
        finally
        {
            TryDelete(dump);
            TryDelete(partial);
            if (Directory.Exists(file + ".uploads-partial"))
            {
                Directory.Delete(file + ".uploads-partial", recursive: true);
            }
        }
    }

    public static async Task<int> RestoreAsync(string[] args, CancellationToken cancellationToken)
    {
        var a = CliArgs.Parse(args, "force");
        var file = a.Positionals.Count == 1 ? Path.GetFullPath(a.Positionals[0]) : throw new CliUsageException("db restore needs one FILE");
        var uploads = UploadDirectory(a.String("uploads"));
        var force = a.Flag("force");
        var jobs = a.Int("jobs", 1, 32) ?? Math.Max(1, Environment.ProcessorCount);
        a.RejectUnknown();
        if (!File.Exists(file))
        {
            throw new CliFailureException($"{file} does not exist");
        }
        var connectionString = SmartRegionDatabase.ConnectionStringFromEnvironment();
        var clock = Stopwatch.StartNew();
        var work = Path.Combine(Path.GetTempPath(), $"smartregion-restore-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var manifest = await ExtractAsync(file, work, cancellationToken);
            await using (var dataSource = SmartRegionDatabase.CreateDataSource(connectionString, "smartregion-restore"))
            {
                var present = await DatabaseInventory.ReadAsync(dataSource, checksums: false, cancellationToken);
                if (present.Count > 0 && !force)
                {
                    throw new CliFailureException(
                        $"the database {SmartRegionDatabase.Describe(connectionString)} is not empty ({present.Count} tables, {present.Sum(t => t.Rows)} rows): " +
                        "restore into an empty database, or add --force to drop and recreate it");
                }
                if (present.Count > 0)
                {
                    await RecreateDatabaseAsync(connectionString, cancellationToken);
                }
            }
            NpgsqlConnection.ClearAllPools();
            await RunToolAsync(PostgresTool("pg_restore"),
                ["--no-owner", "--exit-on-error", "--no-password", $"--jobs={jobs}", $"--dbname={new NpgsqlConnectionStringBuilder(connectionString).Database}",
                    Path.Combine(work, DumpName)],
                connectionString, "pg_restore", cancellationToken);
            var restoredFiles = RestoreUploads(work, uploads, manifest.Uploads);
            IReadOnlyList<string> differences;
            await using (var dataSource = SmartRegionDatabase.CreateDataSource(connectionString, "smartregion-restore"))
            {
                // pg_restore does not bring the planner's statistics; without them the first queries plan blind.
                await using (var analyze = dataSource.CreateCommand("ANALYZE"))
                {
                    analyze.CommandTimeout = 0;
                    await analyze.ExecuteNonQueryAsync(cancellationToken);
                }
                var checksums = manifest.Tables.Any(t => t.ChecksumMd5 is not null);
                differences = DatabaseInventory.Compare(manifest.Tables, await DatabaseInventory.ReadAsync(dataSource, checksums, cancellationToken));
            }
            CliJson.Write(new
            {
                file,
                database = SmartRegionDatabase.Describe(connectionString),
                backedUpFrom = manifest.Database,
                backedUpAt = manifest.CreatedAt,
                tables = manifest.Tables.Count,
                rows = manifest.Tables.Sum(t => t.Rows),
                checkedContent = manifest.Tables.Any(t => t.ChecksumMd5 is not null),
                uploads = restoredFiles,
                uploadDirectory = uploads,
                differences,
                durationS = Math.Round(clock.Elapsed.TotalSeconds, 2),
            });
            if (differences.Count > 0)
            {
                Console.Error.WriteLine($"db restore: the restored database differs from the backup in {differences.Count} table(s): {string.Join("; ", differences.Take(5))}");
                return 1;
            }
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    public static async Task<int> InventoryAsync(string[] args, CancellationToken cancellationToken)
    {
        var a = CliArgs.Parse(args, "checksums");
        var checksums = a.Flag("checksums");
        a.RejectUnknown();
        var connectionString = SmartRegionDatabase.ConnectionStringFromEnvironment();
        await using var dataSource = SmartRegionDatabase.CreateDataSource(connectionString, "smartregion-cli");
        var tables = await DatabaseInventory.ReadAsync(dataSource, checksums, cancellationToken);
        CliJson.Write(new { database = SmartRegionDatabase.Describe(connectionString), tables });
        return 0;
    }

    private static string UploadDirectory(string? option) =>
        Path.GetFullPath(option ?? (Environment.GetEnvironmentVariable("Catalog__UploadDirectory") is { Length: > 0 } d ? d : UploadJobRunner.DefaultUploadDirectory));

    /// <summary>Copies the named uploads (hashing them) into <paramref name="into"/>; a name that is not a plain file name is refused.</summary>
    private static async Task<(List<UploadFile> Files, List<string> Missing)> CopyUploadsAsync(
        string uploads, IReadOnlyList<string> names, string into, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(into);
        var files = new List<UploadFile>();
        var missing = new List<string>();
        foreach (var name in names)
        {
            var source = Path.Combine(uploads, name);
            if (Path.GetFileName(name) != name || !File.Exists(source))
            {
                // Its version will fail with "file missing" after a restore, exactly as it would here.
                missing.Add(name);
                continue;
            }
            var target = Path.Combine(into, name);
            await using (var input = File.OpenRead(source))
            await using (var output = File.Create(target))
            {
                await input.CopyToAsync(output, cancellationToken);
            }
            files.Add(new UploadFile(name, new FileInfo(target).Length, await Sha256Async(target, cancellationToken)));
        }
        return (files, missing);
    }

    private static async Task WriteArchiveAsync(string path, Manifest manifest, string dump, string uploads, CancellationToken cancellationToken)
    {
        await using var stream = File.Create(path);
        await using (var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(manifest, CliJson.Options);
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, ManifestName) { DataStream = new MemoryStream(json) }, cancellationToken);
            await tar.WriteEntryAsync(dump, DumpName, cancellationToken);
            foreach (var upload in manifest.Uploads)
            {
                await tar.WriteEntryAsync(Path.Combine(uploads, upload.Name), UploadsFolder + upload.Name, cancellationToken);
            }
        }
        await stream.FlushAsync(cancellationToken);
        stream.Flush(flushToDisk: true);
    }

    private static async Task<Manifest> ExtractAsync(string file, string work, CancellationToken cancellationToken)
    {
        Manifest? manifest = null;
        await using (var stream = File.OpenRead(file))
        {
            TarReader tar;
            try
            {
                tar = new TarReader(stream);
            }
            catch (Exception e) when (e is InvalidDataException or FormatException)
            {
                throw new CliFailureException($"{file} is not a SmartRegion backup (not a tar file: {e.Message})");
            }
            await using (tar)
            {
                TarEntry? entry;
                while ((entry = await NextAsync(tar, file, cancellationToken)) is not null)
                {
                    if (entry.Name == ManifestName)
                    {
                        manifest = await JsonSerializer.DeserializeAsync<Manifest>(entry.DataStream!, CliJson.Options, cancellationToken);
                    }
                    else if (entry.Name == DumpName || (entry.Name.StartsWith(UploadsFolder, StringComparison.Ordinal)
                                                        && Path.GetFileName(entry.Name) == entry.Name[UploadsFolder.Length..]))
                    {
                        var target = Path.Combine(work, entry.Name);
                        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                        await entry.ExtractToFileAsync(target, overwrite: false, cancellationToken);
                    }
                    else
                    {
                        throw new CliFailureException($"{file}: unexpected entry '{entry.Name}' (not written by db backup)");
                    }
                }
            }
        }
        if (manifest is null || manifest.Format != FormatVersion)
        {
            throw new CliFailureException($"{file} is not a SmartRegion backup (no {ManifestName} of format {FormatVersion})");
        }
        if (!File.Exists(Path.Combine(work, DumpName)))
        {
            throw new CliFailureException($"{file} has no {DumpName}: the backup is incomplete");
        }
        foreach (var upload in manifest.Uploads)
        {
            var path = Path.Combine(work, "uploads", upload.Name);
            if (!File.Exists(path) || await Sha256Async(path, cancellationToken) != upload.Sha256)
            {
                throw new CliFailureException($"{file}: the uploaded file {upload.Name} is missing or damaged (SHA-256 differs from the manifest's)");
            }
        }
        return manifest;
    }

    private static async Task<TarEntry?> NextAsync(TarReader tar, string file, CancellationToken cancellationToken)
    {
        try
        {
            return await tar.GetNextEntryAsync(copyData: false, cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new CliFailureException($"{file} is not a SmartRegion backup, or it is damaged or cut short ({e.Message})");
        }
    }

    /// <summary>Puts the backup's uploads into the upload directory, each written beside and renamed (never half a file).</summary>
    private static int RestoreUploads(string work, string uploads, IReadOnlyList<UploadFile> files)
    {
        if (files.Count == 0)
        {
            return 0;
        }
        Directory.CreateDirectory(uploads);
        foreach (var upload in files)
        {
            var target = Path.Combine(uploads, upload.Name);
            var temp = target + ".restoring";
            File.Copy(Path.Combine(work, "uploads", upload.Name), temp, overwrite: true);
            File.Move(temp, target, overwrite: true);
        }
        return files.Count;
    }

    /// <summary>Drops and recreates the connection string's database from the server's maintenance database.</summary>
    private static async Task RecreateDatabaseAsync(string connectionString, CancellationToken cancellationToken)
    {
        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        var name = csb.Database ?? throw new CliFailureException("the connection string names no database");
        var admin = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync(cancellationToken);
        var quoted = "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        try
        {
            await using (var drop = new NpgsqlCommand($"DROP DATABASE {quoted} WITH (FORCE)", connection))
            {
                await drop.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e)
        {
            throw new CliFailureException($"--force could not recreate the database {name} ({e.MessageText}); create an empty database and restore into it");
        }
    }

    /// <summary>A PostgreSQL client program: from SMARTREGION_PG_BIN (./smartregion sets it), the newest /usr/lib/postgresql/N/bin, or PATH.</summary>
    private static string PostgresTool(string name)
    {
        if (Environment.GetEnvironmentVariable("SMARTREGION_PG_BIN") is { Length: > 0 } bin && File.Exists(Path.Combine(bin, name)))
        {
            return Path.Combine(bin, name);
        }
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Major: int.TryParse(Path.GetFileName(d), out var m) ? m : 0, Path: Path.Combine(d, "bin", name)))
                .Where(t => t.Major > 0 && File.Exists(t.Path)).OrderByDescending(t => t.Major).Select(t => t.Path).FirstOrDefault()
            : null;
        return installed ?? name;
    }

    private static async Task<string> ToolVersionAsync(string tool, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, ["--version"]) { RedirectStandardOutput = true })!;
        var text = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return text.Trim();
    }

    /// <summary>Runs pg_dump or pg_restore with the connection string's settings in libpq's variables (the password never on a command line).</summary>
    private static async Task RunToolAsync(string tool, string[] arguments, string connectionString, string what, CancellationToken cancellationToken)
    {
        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(tool, arguments) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["PGHOST"] = csb.Host;
        start.Environment["PGPORT"] = csb.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = csb.Username;
        start.Environment["PGDATABASE"] = csb.Database;
        start.Environment["PGAPPNAME"] = $"smartregion-{what}";
        start.Environment["PGCONNECT_TIMEOUT"] = "15";
        if (!string.IsNullOrEmpty(csb.Password))
        {
            start.Environment["PGPASSWORD"] = csb.Password;
        }
        if (csb.SslMode != SslMode.Prefer)
        {
            start.Environment["PGSSLMODE"] = csb.SslMode switch
            {
                SslMode.Disable => "disable",
                SslMode.Allow => "allow",
                SslMode.Require => "require",
                SslMode.VerifyCA => "verify-ca",
                SslMode.VerifyFull => "verify-full",
                _ => "prefer",
            };
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new CliFailureException($"{what} could not be started ({tool}: {e.Message}); install the PostgreSQL client (Debian: postgresql-client) or set SMARTREGION_PG_BIN");
        }
        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            var text = (await errors).Trim();
            await output;
            if (process.ExitCode != 0)
            {
                throw new CliFailureException($"{what} failed (exit {process.ExitCode}): {text}");
            }
        }
    }

    private static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left behind; its name says it is partial.
        }
    }
}
