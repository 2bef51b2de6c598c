using Npgsql;
using SmartRegion.Data;
using SmartRegion.Pipelines.Cli;
using SmartRegion.Pipelines.Commands;
using SmartRegion.Rooftop;

namespace SmartRegion.Pipelines;

/// <summary>The operator's CLI: every word ./smartregion does not handle itself lands here.</summary>
internal static class Program
{
    /// <summary>Command groups: the first word selects one, the rest are its arguments.</summary>
    private static readonly Dictionary<string, (Func<string[], CancellationToken, Task<int>> Run, string Usage)> Groups =
        new(StringComparer.Ordinal)
        {
            ["db"] = (DbCommands.RunAsync, DbCommands.Usage),
            ["solar"] = (SolarCommands.RunAsync, SolarCommands.Usage),
            ["ingest"] = (IngestCommands.RunAsync, IngestCommands.Usage),
            ["geocode"] = (GeocodeCommand.RunAsync, GeocodeCommand.Usage),
            ["compute"] = (ComputeCommands.RunComputeAsync, ComputeCommands.Usage),
            ["worker"] = (ComputeCommands.RunWorkerAsync, ComputeCommands.Usage),
            ["sample"] = (SampleCommands.RunAsync, SampleCommands.Usage),
            ["parquet"] = (ParquetCommands.RunAsync, ParquetCommands.Usage),
            ["admin"] = (AdminCommands.RunAsync, AdminCommands.Usage),
            ["audit"] = (AuditCommands.RunAsync, AuditCommands.Usage),
            ["tiles"] = (TilesCommands.RunAsync, TilesCommands.Usage),
            ["barometer"] = (BarometerCommands.RunAsync, BarometerCommands.Usage),
        };

    public static async Task<int> Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        // SIGTERM (systemd, a container stop, kill) stops as Ctrl-C does: work in hand is handed back, not abandoned.
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancel.Cancel();
        });
        return await RunAsync(args, Console.Error, cancel.Token);
    }

    internal static async Task<int> RunAsync(string[] args, TextWriter error, CancellationToken cancellationToken)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            error.WriteLine(UsageText());
            return args.Length == 0 ? 2 : 0;
        }
        if (!Groups.TryGetValue(args[0], out var group))
        {
            error.WriteLine($"smartregion: unknown command '{args[0]}'.");
            error.WriteLine(UsageText());
            return 2;
        }
        try
        {
            return await group.Run(args[1..], cancellationToken);
        }
        catch (CliUsageException e)
        {
            error.WriteLine($"smartregion {args[0]}: {e.Message}");
            error.WriteLine(group.Usage);
            return 2;
        }
        catch (CliFailureException e)
        {
            error.WriteLine($"smartregion {args[0]}: {e.Message}");
            return 1;
        }
        catch (SolarConfigurationException e)
        {
            error.WriteLine($"smartregion {args[0]}: {e.Message}");
            return 1;
        }
        catch (DatabaseSetupException e)
        {
            error.WriteLine($"smartregion {args[0]}: {e.Message}");
            return 1;
        }
        catch (PostgresException e)
        {
            // The server answered with an error the user can act on (missing database or schema, permission, constraint).
            var schema = Migrator.IsMissingObject(e) ? await MissingSchemaAsync() : null;
            error.WriteLine(schema is not null ? $"smartregion {args[0]}: {schema}"
                : $"smartregion {args[0]}: the database refused: {e.MessageText} (SQLSTATE {e.SqlState})");
            return 1;
        }
        catch (NpgsqlException e)
        {
            error.WriteLine($"smartregion {args[0]}: cannot reach the database ({e.Message}). Is it running? Try ./smartregion db status");
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine($"smartregion {args[0]}: cancelled");
            return 130;
        }
    }

    /// <summary>
    /// A command met a missing table: says whether the database lacks the schema (SMARTREGION_DB pointing at a fresh or older
    /// database; ./smartregion migrates only its private cluster by itself), or null when the schema is complete.
    /// </summary>
    private static async Task<string?> MissingSchemaAsync()
    {
        try
        {
            await using var dataSource = SmartRegionDatabase.CreateDataSource(SmartRegionDatabase.ConnectionStringFromEnvironment(), "smartregion-cli");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            return await Migrator.DescribeMissingSchemaAsync(dataSource, timeout.Token);
        }
        catch (Exception e) when (e is NpgsqlException or DatabaseSetupException or OperationCanceledException)
        {
            return null; // the original error is reported instead
        }
    }

    private static string UsageText() =>
        "usage: ./smartregion <command> …\n\n" + string.Join("\n", Groups.Values.Select(g => g.Usage.TrimEnd()).Distinct()); // compute and worker share one text
}
