using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using SmartRegion.Data.Catalog;
using SmartRegion.Pipelines.Cli;
using SmartRegion.Pipelines.Commands;
using SmartRegion.Testing;

namespace SmartRegion.Pipelines.Tests;

public sealed class AdminCommandsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonElement> RunAsync(string connectionString, string stdin, params string[] args)
    {
        var output = new StringWriter();
        Assert.Equal(0, await AdminCommands.RunAsync(args, connectionString, new StringReader(stdin), output, Ct));
        return JsonDocument.Parse(output.ToString()).RootElement.Clone();
    }

    [Fact]
    public async Task CreateOrgUserKey_KeyPrintedOnceAuthenticates_PasswordVerifies()
    {
        // Its own database: this project has no assembly-wide database fixture.
        var db = new TestDatabase();
        await db.InitializeAsync();
        try
        {
            var cs = db.ConnectionString;
            await RunAsync(cs, "", "create-org", "--slug", "ville-test", "--name", "Ville test", "--kind", "public_agency");
            var user = await RunAsync(cs, "un mot de passe assez long\n", "create-user", "--email", "Ana@Example.org", "--name", "Ana",
                "--password-stdin", "--org", "ville-test", "--role", "admin");
            Assert.Equal("ana@example.org", user.GetProperty("email").GetString());
            Assert.True(user.GetProperty("canSignIn").GetBoolean());
            var key = await RunAsync(cs, "", "create-key", "--email", "ana@example.org", "--org", "ville-test", "--name", "etl",
                "--scopes", "read,publish", "--expires-days", "30");
            var secret = key.GetProperty("key").GetString()!;

            var accounts = new AccountStore(db.DataSource);
            var principal = await accounts.AuthenticateKeyAsync(secret, Ct);
            Assert.Equal("admin", principal!.RoleInOrg);
            Assert.Equal(["read", "publish"], principal.Key.Scopes);
            var stored = await accounts.FindUserAsync("ana@example.org", Ct);
            Assert.Equal(PasswordVerificationResult.Success,
                new PasswordHasher<object>().VerifyHashedPassword(new object(), stored!.PasswordHash!, "un mot de passe assez long"));

            await Assert.ThrowsAsync<CliUsageException>(() => AdminCommands.RunAsync(
                ["create-key", "--email", "ana@example.org", "--org", "ville-test", "--name", "x", "--scopes", "write"], cs, new StringReader(""), new StringWriter(), Ct));
            await Assert.ThrowsAsync<CliFailureException>(() => AdminCommands.RunAsync(
                ["create-org", "--slug", "ville-test", "--name", "Again", "--kind", "company"], cs, new StringReader(""), new StringWriter(), Ct));
            await Assert.ThrowsAsync<CliFailureException>(() => AdminCommands.RunAsync(
                ["create-user", "--email", "bob@example.org", "--name", "Bob", "--password-stdin"], cs, new StringReader("short\n"), new StringWriter(), Ct));
        }
        finally
        {
            await db.DisposeAsync();
        }
    }
}
