using SmartRegion.Data;
using SmartRegion.Pipelines.Cli;

namespace SmartRegion.Pipelines.Commands;

/// <summary><c>db migrate</c> and <c>db info</c> (the cluster itself is started and stopped by ./smartregion).</summary>
internal static class DbCommands
{
    public const string Usage = """
        db migrate        apply pending migrations to $SMARTREGION_DB
        db info           print the database's versions and applied migrations as JSON
        """ + "\n" + BackupCommands.Usage;

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var verb = args.FirstOrDefault() ?? throw new CliUsageException("db needs a subcommand: migrate | info | backup | restore | inventory");
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
                throw new CliUsageException($"unknown db subcommand '{verb}' (expected migrate | info | backup | restore | inventory)");
        }
    }
}
