using SmartRegion.Data;
using SmartRegion.Data.Catalog;
using SmartRegion.Pipelines.Cli;

namespace SmartRegion.Pipelines.Commands;

/// <summary><c>audit verify | show</c>: check the audit trail's hash chains; read a chain.</summary>
internal static class AuditCommands
{
    public const string Usage = """
        audit verify [--org S]
                          check every chain of the audit trail (or one organisation's): sequence without gaps, each entry
                          linked to the previous one's hash, each hash matching its content. Prints each chain's head hash
                          (keep it: a later verify must find it unchanged); exit 1 when a chain is broken, naming the entry
        audit show (--org S | --platform) [--limit N]
                          the newest entries of a chain, newest first, one JSON document each
        """;

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken) =>
        await RunAsync(args, null, Console.Out, cancellationToken);

    internal static async Task<int> RunAsync(string[] args, string? connectionString, TextWriter output, CancellationToken cancellationToken)
    {
        var verb = args.FirstOrDefault() ?? throw new CliUsageException("audit needs a subcommand: verify | show");
        var options = CliArgs.Parse(args.Skip(1), "platform");
        await using var dataSource = SmartRegionDatabase.CreateDataSource(
            connectionString ?? SmartRegionDatabase.ConnectionStringFromEnvironment(), "smartregion-cli");
        var log = new AuditLog(dataSource);
        var accounts = new AccountStore(dataSource);
        switch (verb)
        {
            case "verify":
            {
                var orgSlug = options.String("org");
                options.RejectUnknown();
                var chains = orgSlug is null ? await log.ChainsAsync(cancellationToken) : [(await RequireOrgAsync(accounts, orgSlug, cancellationToken)).Id];
                var broken = 0;
                foreach (var chain in chains)
                {
                    var check = await log.VerifyAsync(chain, cancellationToken);
                    var org = chain == AuditLog.PlatformChain ? null : await accounts.FindOrganisationAsync(chain, cancellationToken);
                    CliJson.Write(new
                    {
                        chain, organisation = chain == AuditLog.PlatformChain ? "(platform)" : org?.Slug ?? $"(deleted organisation {chain})",
                        entries = check.Entries, head = check.HeadHex, ok = check.Problem is null, brokenAtSeq = check.BrokenAtSeq, problem = check.Problem,
                    }, output);
                    broken += check.Problem is null ? 0 : 1;
                }
                return broken == 0 ? 0 : 1;
            }
            case "show":
            {
                var orgSlug = options.String("org");
                var platform = options.Flag("platform");
                var limit = options.Int("limit", 1, 100_000) ?? 50;
                options.RejectUnknown();
                if (platform == (orgSlug is not null))
                {
                    throw new CliUsageException("give one of --org S or --platform");
                }
                var chain = platform ? AuditLog.PlatformChain : (await RequireOrgAsync(accounts, orgSlug!, cancellationToken)).Id;
                foreach (var e in await log.ReadAsync(chain, limit, null, cancellationToken))
                {
                    CliJson.Write(new
                    {
                        e.Seq, at = e.AtText, e.Actor, e.Action, e.Target, e.ClientIp, details = System.Text.Json.JsonDocument.Parse(e.Details).RootElement,
                        hash = Convert.ToHexStringLower(e.Hash),
                    }, output);
                }
                return 0;
            }
            default:
                throw new CliUsageException($"unknown audit subcommand '{verb}' (expected verify | show)");
        }
    }

    private static async Task<Organisation> RequireOrgAsync(AccountStore accounts, string slug, CancellationToken cancellationToken) =>
        await accounts.FindOrganisationAsync(slug, cancellationToken) ?? throw new CliFailureException($"no organisation '{slug}'");
}
