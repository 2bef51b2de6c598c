using Microsoft.AspNetCore.Identity;
using SmartRegion.Data;
using SmartRegion.Data.Catalog;
using SmartRegion.Pipelines.Cli;

namespace SmartRegion.Pipelines.Commands;

/// <summary><c>admin create-org | create-user | create-key</c>: the first accounts of the catalogue; <c>admin publish-solar</c>.</summary>
internal static class AdminCommands
{
    public const string Usage = """
        admin create-org --slug S --name N --kind public_agency|company|association|university|platform
        admin create-user --email E --name N [--password-stdin] [--org S --role admin|editor|viewer] [--platform-admin]
                          (the password is read from stdin, never from the command line where ps would show it)
        admin create-key --email E --org S --name N [--scopes read,publish,admin] [--expires-days D]
                          prints the key once, as JSON; only its SHA-256 hash is stored
        admin publish-solar [--run ID]
                          publish a complete solar run (default: the latest) as the platform's dataset solar-potential-buildings
                          (compute solar does it itself; this is for runs made before, or a publication that failed)
        """;

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken) =>
        await RunAsync(args, null, Console.In, Console.Out, cancellationToken);

    /// <summary>Runs against <paramref name="connectionString"/> (null: $SMARTREGION_DB), reading the password from <paramref name="input"/>.</summary>
    internal static async Task<int> RunAsync(string[] args, string? connectionString, TextReader input, TextWriter output, CancellationToken cancellationToken)
    {
        var verb = args.FirstOrDefault() ?? throw new CliUsageException("admin needs a subcommand: create-org | create-user | create-key | publish-solar");
        var options = CliArgs.Parse(args.Skip(1), "password-stdin", "platform-admin");
        await using var dataSource = SmartRegionDatabase.CreateDataSource(
            connectionString ?? SmartRegionDatabase.ConnectionStringFromEnvironment(), "smartregion-cli");
        var accounts = new AccountStore(dataSource);
        try
        {
            switch (verb)
            {
                case "create-org":
                {
                    var slug = options.RequiredString("slug");
                    var name = options.RequiredString("name");
                    var kind = options.Choice("kind", "", [.. Vocabulary.OrganisationKinds]);
                    if (kind.Length == 0)
                    {
                        throw new CliUsageException("--kind is required");
                    }
                    options.RejectUnknown();
                    CliJson.Write(await accounts.CreateOrganisationAsync(slug, name, kind, cancellationToken), output);
                    return 0;
                }
                case "create-user":
                {
                    var email = options.RequiredString("email");
                    var name = options.RequiredString("name");
                    var fromStdin = options.Flag("password-stdin");
                    var orgSlug = options.String("org");
                    var role = options.Choice("role", "viewer", [.. Vocabulary.Roles]);
                    var platformAdmin = options.Flag("platform-admin");
                    options.RejectUnknown();
                    string? hash = null;
                    if (fromStdin)
                    {
                        var password = (await input.ReadLineAsync(cancellationToken))?.TrimEnd('\r') ?? "";
                        if (password.Length < 12)
                        {
                            throw new CliFailureException("the password read from stdin is shorter than 12 characters");
                        }
                        hash = new PasswordHasher<object>().HashPassword(new object(), password);
                    }
                    var org = orgSlug is null ? null : await RequireOrgAsync(accounts, orgSlug, cancellationToken);
                    var user = await accounts.CreateUserAsync(email, name, hash, platformAdmin, cancellationToken);
                    if (org is not null)
                    {
                        await accounts.SetMembershipAsync(user.Id, org.Id, role, cancellationToken);
                    }
                    CliJson.Write(new { user.Id, user.Email, user.DisplayName, user.IsPlatformAdmin, canSignIn = hash is not null, org = org?.Slug, role = org is null ? null : role }, output);
                    return 0;
                }
                case "create-key":
                {
                    var email = options.RequiredString("email");
                    var orgSlug = options.RequiredString("org");
                    var name = options.RequiredString("name");
                    var scopes = (options.String("scopes") ?? "read").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    var days = options.Int("expires-days", 1, 3650);
                    options.RejectUnknown();
                    var user = await accounts.FindUserAsync(email, cancellationToken) ?? throw new CliFailureException($"no user with e-mail '{email}'");
                    var org = await RequireOrgAsync(accounts, orgSlug, cancellationToken);
                    if (!user.IsPlatformAdmin && !(await accounts.MembershipsAsync(user.Id, cancellationToken)).Any(m => m.OrgId == org.Id))
                    {
                        throw new CliFailureException($"{email} is not a member of '{orgSlug}'; add them with create-user --org first");
                    }
                    var (info, secret) = await accounts.CreateKeyAsync(user.Id, org.Id, name, scopes,
                        days is null ? null : DateTimeOffset.UtcNow.AddDays(days.Value), cancellationToken);
                    CliJson.Write(new { key = secret, info.Id, info.Prefix, info.OrgSlug, info.Scopes, info.ExpiresAt, note = "store this key now: it is not shown again" }, output);
                    return 0;
                }
                case "publish-solar":
                {
                    var run = options.Int("run", 1);
                    options.RejectUnknown();
                    var solar = new SolarDataset(dataSource);
                    var runId = run ?? await solar.LatestCompleteRunAsync(cancellationToken)
                        ?? throw new CliFailureException("there is no complete solar run; make one with ./smartregion compute solar");
                    var started = System.Diagnostics.Stopwatch.StartNew();
                    var published = await solar.PublishRunAsync(runId, cancellationToken);
                    CliJson.Write(new
                    {
                        dataset = published.DatasetSlug, runId, version = published.VersionNumber, rows = published.RowCount,
                        skippedBecause = published.SkippedBecause, durationS = Math.Round(started.Elapsed.TotalSeconds, 2),
                    }, output);
                    return published.RunNotComplete ? 1 : 0;
                }
                default:
                    throw new CliUsageException($"unknown admin subcommand '{verb}' (expected create-org | create-user | create-key | publish-solar)");
            }
        }
        catch (CatalogValidationException e)
        {
            throw new CliUsageException($"--{e.Field}: {e.Message}");
        }
        catch (CatalogConflictException e)
        {
            throw new CliFailureException(e.Message);
        }
    }

    private static async Task<Organisation> RequireOrgAsync(AccountStore accounts, string slug, CancellationToken cancellationToken) =>
        await accounts.FindOrganisationAsync(slug, cancellationToken) ?? throw new CliFailureException($"no organisation '{slug}'; create it with admin create-org");
}
