using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;
using SmartRegion.Geo;
using SmartRegion.Geo.Crs;

namespace SmartRegion.Data;

/// <summary>Applies the ordered SQL migrations embedded in this assembly, each in its own transaction, recorded in <c>public.schema_migration</c>.</summary>
public static class Migrator
{
    private const string ResourcePrefix = "SmartRegion.Data.Migrations.";

    // Any constant works; it only has to be the same for every process that migrates this database.
    private const long AdvisoryLockKey = 0x5352_4D49_4752; // "SRMIGR"

    /// <summary>Extensions the first migration creates; checked up front so a server without them gets a clear message.</summary>
    public static readonly IReadOnlyList<string> RequiredExtensions = ["postgis", "pg_trgm"];

    /// <summary>The embedded migrations, in the order they apply.</summary>
    public static IReadOnlyList<Migration> All { get; } = LoadEmbedded();

    /// <summary>Applies every migration not yet recorded; returns the ids it applied.</summary>
    /// <param name="storageSrid">The storage CRS (EPSG) the schema is made with: the region's (<see cref="RegionSettings.StorageSrid"/>) unless given.</param>
    public static async Task<IReadOnlyList<string>> MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken, int? storageSrid = null)
    {
        var srid = storageSrid ?? RegionSettings.Srid;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await EnsureExtensionsAvailableAsync(connection, RequiredExtensions, cancellationToken);

        await ExecuteAsync(connection, "SELECT pg_advisory_lock(@k)", cancellationToken, ("k", AdvisoryLockKey));
        try
        {
            await ExecuteAsync(connection, """
                CREATE TABLE IF NOT EXISTS public.schema_migration (
                    id text PRIMARY KEY,
                    checksum_sha256 text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, cancellationToken);

            var applied = new Dictionary<string, string>(StringComparer.Ordinal);
            await using (var cmd = new NpgsqlCommand("SELECT id, checksum_sha256 FROM public.schema_migration", connection))
            await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    applied[reader.GetString(0)] = reader.GetString(1);
                }
            }

            var done = new List<string>();
            foreach (var migration in All)
            {
                if (applied.TryGetValue(migration.Id, out var checksum))
                {
                    if (checksum != migration.ChecksumSha256)
                    {
                        throw new DatabaseSetupException(
                            $"Migration {migration.Id} was changed after it was applied to this database " +
                            $"(recorded sha256 {checksum[..12]}…, now {migration.ChecksumSha256[..12]}…). " +
                            "Add a new migration instead of editing an applied one.");
                    }
                    continue;
                }

                await using var tx = await connection.BeginTransactionAsync(cancellationToken);
                try
                {
                    await using (var cmd = new NpgsqlCommand(ForRegion(migration.Sql, srid), connection, tx))
                    {
                        await cmd.ExecuteNonQueryAsync(cancellationToken);
                    }
                    await using (var cmd = new NpgsqlCommand(
                        "INSERT INTO public.schema_migration (id, checksum_sha256) VALUES (@id, @sum)", connection, tx))
                    {
                        cmd.Parameters.AddWithValue("id", migration.Id);
                        cmd.Parameters.AddWithValue("sum", migration.ChecksumSha256);
                        await cmd.ExecuteNonQueryAsync(cancellationToken);
                    }
                    await tx.CommitAsync(cancellationToken);
                }
                catch (PostgresException e)
                {
                    throw new DatabaseSetupException($"Migration {migration.Id} failed: {e.MessageText} (SQLSTATE {e.SqlState}).", e);
                }
                done.Add(migration.Id);
            }
            await CheckStorageCrsAsync(connection, srid, cancellationToken);
            // The API's least-privilege role (property 13) gets what this schema now holds, tables added by these migrations too.
            await ApiRole.GrantAsync(connection, cancellationToken);
            return done;
        }
        finally
        {
            await ExecuteAsync(connection, "SELECT pg_advisory_unlock(@k)", CancellationToken.None, ("k", AdvisoryLockKey));
        }
    }

    /// <summary>
    /// The embedded migrations this database has not applied, read without changing anything; null when it has no SmartRegion
    /// schema at all (no <c>public.schema_migration</c>).
    /// </summary>
    public static async Task<IReadOnlyList<string>?> PendingAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var cmd = new NpgsqlCommand("SELECT to_regclass('public.schema_migration') IS NOT NULL", connection))
        {
            if (!(bool)(await cmd.ExecuteScalarAsync(cancellationToken))!)
            {
                return null;
            }
        }
        var applied = new HashSet<string>(StringComparer.Ordinal);
        await using (var cmd = new NpgsqlCommand("SELECT id FROM public.schema_migration", connection))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetString(0));
            }
        }
        return [.. All.Select(m => m.Id).Where(id => !applied.Contains(id))];
    }

    /// <summary>
    /// Why a statement met a missing table, column or function, when the reason is the schema: "no SmartRegion schema yet" or
    /// "N migrations not applied", each with the command that fixes it; null when the schema is complete (the error is another one).
    /// </summary>
    public static async Task<string?> DescribeMissingSchemaAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var pending = await PendingAsync(dataSource, cancellationToken);
        return pending switch
        {
            null => "this database has no SmartRegion schema yet: run ./smartregion db migrate",
            [] => null,
            _ => $"this database's SmartRegion schema is older than this version ({pending.Count} migration(s) not applied: " +
                 $"{string.Join(", ", pending)}): run ./smartregion db migrate",
        };
    }

    /// <summary>SQLSTATEs of a statement naming a table, schema, column or function the database lacks.</summary>
    public static bool IsMissingObject(PostgresException e) => e.SqlState is
        PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName or
        PostgresErrorCodes.UndefinedColumn or PostgresErrorCodes.UndefinedFunction or PostgresErrorCodes.UndefinedObject;

    /// <summary>Fails with a message naming each missing extension and the package that provides it.</summary>
    public static async Task EnsureExtensionsAvailableAsync(
        NpgsqlConnection connection, IReadOnlyList<string> extensions, CancellationToken cancellationToken)
    {
        var available = new HashSet<string>(StringComparer.Ordinal);
        await using (var cmd = new NpgsqlCommand("SELECT name FROM pg_available_extensions WHERE name = ANY(@names)", connection))
        {
            cmd.Parameters.AddWithValue("names", extensions.ToArray());
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                available.Add(reader.GetString(0));
            }
        }
        var missing = extensions.Where(e => !available.Contains(e)).ToList();
        if (missing.Count == 0)
        {
            return;
        }
        var major = connection.PostgreSqlVersion.Major;
        var hint = missing.Contains("postgis")
            ? $" Install PostGIS on that server (Debian/Ubuntu: apt-get install postgresql-{major}-postgis-3)."
            : " Install the PostgreSQL contrib package on that server.";
        throw new DatabaseSetupException(
            $"The PostgreSQL {connection.PostgreSqlVersion} server at {connection.Host}:{connection.Port} does not have the " +
            $"extension(s) {string.Join(", ", missing)} that SmartRegion needs.{hint}");
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// A migration's SQL for this region: migrations write the storage CRS as EPSG:2154 (Lambert-93, the default region's);
    /// they apply with the region's (<see cref="RegionSettings.StorageSrid"/>), so a database made for another region stores
    /// its geometries in that region's CRS. The checksum stays the file's.
    /// </summary>
    private static string ForRegion(string sql, int storageSrid) =>
        storageSrid == KnownCrs.Lambert93 ? sql : Regex.Replace(sql, @"\b2154\b", storageSrid.ToString(CultureInfo.InvariantCulture));

    /// <summary>A database whose geometries are in another CRS than the region's configuration says is refused, both named (a read: any role may check).</summary>
    public static async Task CheckStorageCrsAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await CheckStorageCrsAsync(connection, RegionSettings.Srid, cancellationToken);
    }

    private static async Task CheckStorageCrsAsync(NpgsqlConnection connection, int storageSrid, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT srid FROM public.geometry_columns WHERE f_table_schema = 'region' AND f_table_name = 'building' AND f_geometry_column = 'footprint'
            """, connection);
        if (await cmd.ExecuteScalarAsync(cancellationToken) is int stored && stored != storageSrid)
        {
            throw new DatabaseSetupException(
                $"This database stores its geometries in EPSG:{stored}, but the region's configuration ({RegionSettings.DefaultPath}) says " +
                $"storageCrs EPSG:{storageSrid}. The storage CRS is fixed when the database is created: use the configuration " +
                "the database was made with, or a new database.");
        }
    }

    private static List<Migration> LoadEmbedded()
    {
        var assembly = typeof(Migrator).Assembly;
        var list = new List<Migration>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var sql = reader.ReadToEnd();
            var id = Path.GetFileNameWithoutExtension(name[ResourcePrefix.Length..]);
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n"))));
            list.Add(new Migration(id, sql, checksum));
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return list;
    }
}

/// <summary>One embedded migration: its id (file name without extension), SQL text and checksum.</summary>
public sealed record Migration(string Id, string Sql, string ChecksumSha256);
