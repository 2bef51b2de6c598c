using SmartRegion.Data;
using SmartRegion.Pipelines.Cli;

namespace SmartRegion.Pipelines.Commands;

/// <summary><c>db migrate</c>, <c>db info</c> and <c>db api-login</c> (the cluster itself is started and stopped by ./smartregion).</summary>
internal static class DbCommands
{
    public const string Usage = """
        db migrate        apply pending migrations to $SMARTREGION_DB
        db info           print the database's versions and applied migrations as JSON
        db api-login --user NAME (--password-file FILE | --password-env VAR)
                          make NAME the API's database login (run as the owner, after migrate): a member of the
                          least-privilege role smartregion_api, no DDL; prints the API's connection string
        """ + "\n" + BackupCommands.Usage;

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var verb = args.FirstOrDefault() ?? throw new CliUsageException("db needs a subcommand: migrate | info | api-login | backup | restore | inventory");
        switch (verb)
        {
            case "backup":
                return await BackupCommands.BackupAsync(args[1..], cancellationToken);
            case "restore":
                return await BackupCommands.RestoreAsync(args[1..], cancellationToken);
            case "inventory":
                return await BackupCommands.InventoryAsync(args[1..], cancellationToken);
        }
        var options = CliArgs.Parse(args.Skip(1));
        var (login, passwordFile, passwordVariable) = verb == "api-login"
            ? (options.RequiredString("user"), options.String("password-file"), options.String("password-env"))
            : (null, null, null);
        options.RejectUnknown();
        var connectionString = SmartRegionDatabase.ConnectionStringFromEnvironment();
        await using var dataSource = SmartRegionDatabase.CreateDataSource(connectionString, "smartregion-cli");
        switch (verb)
        {
            case "migrate":
                var applied = await Migrator.MigrateAsync(dataSource, cancellationToken);
                Console.Error.WriteLine(applied.Count == 0
                    ? $"Database {SmartRegionDatabase.Describe(connectionString)} is up to date ({Migrator.All.Count} migrations)."
                    : $"Applied {applied.Count} migration(s) to {SmartRegionDatabase.Describe(connectionString)}: {string.Join(", ", applied)}");
                return 0;
            case "api-login":
                var password = (passwordFile, passwordVariable) switch
                {
                    ({ } file, null) => File.Exists(file) ? File.ReadAllText(file).Trim() : throw new CliUsageException($"--password-file: {file} does not exist"),
                    (null, { } variable) => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value
                        : throw new CliUsageException($"--password-env: the variable {variable} is not set"),
                    _ => throw new CliUsageException("api-login needs one of --password-file FILE or --password-env VAR"),
                };
                await ApiRole.EnsureLoginAsync(dataSource, login!, password, cancellationToken);
                Console.Out.WriteLine(ApiRole.ConnectionString(connectionString, login!, password));
                Console.Error.WriteLine($"{login} logs in to {SmartRegionDatabase.Describe(connectionString)} as {ApiRole.Name}.");
                return 0;
            case "info":
                var health = await HealthQueries.CheckAsync(dataSource, cancellationToken);
                CliJson.Write(new
                {
                    database = SmartRegionDatabase.Describe(connectionString),
                    health.Reachable,
                    health.PostgresVersion,
                    health.PostgisVersion,
                    health.MigrationsApplied,
                    migrationsKnown = Migrator.All.Count,
                    health.MigrationsPending,
                    health.InRecovery,
                    error = health.Error,
                });
                return health.Reachable ? 0 : 1;
            default:
                throw new CliUsageException($"unknown db subcommand '{verb}' (expected migrate | info | api-login | backup | restore | inventory)");
        }
    }
}
