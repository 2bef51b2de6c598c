using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace SmartRegion.Data;

/// <summary>
/// The database account the API runs as (issue 18, property 13: least privilege). <see cref="Name"/> is a role without login
/// that may read and write the platform's rows and nothing more: no superuser, no role or database creation, no DDL on the
/// platform's schemas (the migrations, run as the owner, are the only DDL), no rewriting of the audit trail. Its one
/// exception is the <c>records</c> schema, where publishing a file makes that version's table (<c>CREATE</c> there only;
/// it cannot touch the tables the owner made). The API logs in as a login role that is a member of it and takes it as its
/// session role (<see cref="EnsureLoginAsync"/>), so what the API creates belongs to <see cref="Name"/>, whichever login made it.
/// </summary>
public static class ApiRole
{
    /// <summary>The group role holding the API's privileges (one per PostgreSQL server; its grants are per database).</summary>
    public const string Name = "smartregion_api";

    /// <summary>The schema whose tables the API makes when a version is published (one table per version).</summary>
    public const string RecordsSchema = "records";

    /// <summary>
    /// Creates <see cref="Name"/> when the server has none and grants it this database's rows: usage of every schema the
    /// migrations made, read and write of their tables and sequences (now and, by default privileges, later), reading the
    /// migration ledger, creating tables in <c>records</c>; the audit log is insert-and-read only. Run by the migrator (as
    /// the owner) after every migration run: idempotent.
    /// </summary>
    public static async Task GrantAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand($$"""
            DO $grant$
            DECLARE s text;
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{{Name}}') THEN
                    BEGIN
                        CREATE ROLE {{Name}} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
                    EXCEPTION WHEN duplicate_object OR unique_violation THEN
                        NULL; -- another database of this server made it at the same moment
                    END;
                END IF;
                FOR s IN SELECT nspname FROM pg_namespace
                         WHERE nspowner = current_user::regrole AND nspname <> 'public' AND nspname !~ '^pg_' AND nspname <> 'information_schema'
                LOOP
                    EXECUTE format('GRANT USAGE ON SCHEMA %I TO {{Name}}', s);
                    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO {{Name}}', s);
                    EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO {{Name}}', s);
                    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {{Name}}', s);
                    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {{Name}}', s);
                END LOOP;
                GRANT SELECT ON public.schema_migration TO {{Name}};
                IF to_regnamespace('{{RecordsSchema}}') IS NOT NULL THEN
                    GRANT CREATE ON SCHEMA {{RecordsSchema}} TO {{Name}};
                END IF;
                IF to_regclass('catalog.audit_log') IS NOT NULL THEN
                    REVOKE UPDATE, DELETE, TRUNCATE ON catalog.audit_log FROM {{Name}};
                END IF;
            END $grant$
            """, connection);
        try
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new DatabaseSetupException(
                $"The API's database role could not be set up ({e.MessageText}). Migrate as the database's owner, with the right " +
                $"to create roles, or have an administrator run: CREATE ROLE {Name} NOLOGIN; then migrate again.", e);
        }
    }

    /// <summary>
    /// Makes <paramref name="login"/> a login of the API: created when missing (or its password changed), a member of
    /// <see cref="Name"/> that takes it as its role on every connection, and nothing else. Refuses a role that is more than
    /// that (a superuser, one that may create roles or databases, or one that is not yet an API login, such as the owner).
    /// </summary>
    public static async Task EnsureLoginAsync(NpgsqlDataSource owner, string login, string password, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(login) || login.Length > 63 || !login.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_') || !char.IsAsciiLetterLower(login[0]))
        {
            throw new DatabaseSetupException($"'{login}' is not a valid name for the API's login: lower-case letters, digits and _, starting with a letter (at most 63).");
        }
        if (login == Name)
        {
            throw new DatabaseSetupException($"The API's login must be another role than {Name} (which holds its privileges and never logs in).");
        }
        if (password.Length < 12 || !password.All(c => c is > ' ' and <= '~'))
        {
            throw new DatabaseSetupException("The API's database password must be at least 12 printable ASCII characters, without spaces.");
        }
        await using var connection = await owner.OpenConnectionAsync(cancellationToken);
        await using (var check = new NpgsqlCommand("""
            SELECT r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls
                   OR NOT pg_has_role(r.oid, @group, 'MEMBER') OR r.oid = (SELECT datdba FROM pg_database WHERE datname = current_database())
            FROM pg_roles r WHERE r.rolname = @login
            """, connection))
        {
            check.Parameters.AddWithValue("login", login);
            check.Parameters.AddWithValue("group", Name);
            if (await check.ExecuteScalarAsync(cancellationToken) is true)
            {
                throw new DatabaseSetupException(
                    $"The role {login} exists and is more than a login of the API (a superuser, the owner, or not a member of {Name}): choose another name.");
            }
        }
        // Role statements take no parameters: the server quotes the verifier (format %L). Only the SCRAM verifier is sent,
        // never the password itself, so no statement log of the server can hold it.
        await using var cmd = new NpgsqlCommand($$"""
            SELECT format(CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = @login)
                               THEN 'ALTER ROLE %I LOGIN PASSWORD %L'
                               ELSE 'CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L IN ROLE {{Name}}' END,
                          @login, @verifier)
            """, connection);
        cmd.Parameters.AddWithValue("login", login);
        cmd.Parameters.AddWithValue("verifier", ScramVerifier(password));
        var statement = (string)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        await using (var create = new NpgsqlCommand(statement, connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var setRole = new NpgsqlCommand($"ALTER ROLE \"{login}\" SET role = '{Name}'", connection))
        {
            await setRole.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802/7677, as pg's own scram_build_secret):
    /// <c>SCRAM-SHA-256$4096:salt$StoredKey:ServerKey</c>. A printable ASCII password is its own SASLprep form.
    /// </summary>
    public static string ScramVerifier(string password, byte[]? salt = null, int iterations = 4096)
    {
        salt ??= RandomNumberGenerator.GetBytes(16);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"SCRAM-SHA-256${iterations.ToString(CultureInfo.InvariantCulture)}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(SHA256.HashData(clientKey))}:{Convert.ToBase64String(serverKey)}";
    }

    /// <summary>The owner's connection string with the API's login and password instead.</summary>
    public static string ConnectionString(string ownerConnectionString, string login, string password) =>
        new NpgsqlConnectionStringBuilder(ownerConnectionString) { Username = login, Password = password }.ConnectionString;
}
