using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Npgsql;
using SmartRegion.Api.Operations;
using SmartRegion.Data;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Operations;

public sealed class HealthTests(TestDatabase db)
{
    private const string OperatorKey = "op-test-key-0123456789abcdef";
    private const string DownDatabase = "Host=127.0.0.1;Port=9;Username=x;Password=SecretPw123;Database=z;Timeout=2";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> WithKey() => new() { ["Operations:Key"] = OperatorKey };

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/healthz/ready")]
    [InlineData("/healthz/live")]
    public async Task Health_AnonymousDatabaseUp_SaysOnlyUp(string path)
    {
        await using var factory = new ApiFactory(db.ApiConnectionString, WithKey());
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"up"}""", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.True(response.Headers.Contains("X-Request-Id"));
    }

    [Fact]
    public async Task Ready_OperatorKey_GetsVersionsAndMigrations()
    {
        await using var factory = new ApiFactory(db.ApiConnectionString, WithKey());
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz/ready");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("up", json.RootElement.GetProperty("status").GetString());
        var database = json.RootElement.GetProperty("checks").GetProperty("database");
        Assert.Equal("up", database.GetProperty("status").GetString());
        await using var conn = await db.DataSource.OpenConnectionAsync(Ct);
        await using var cmd = new NpgsqlCommand("SELECT extversion FROM pg_extension WHERE extname = 'postgis'", conn);
        Assert.Equal((string)(await cmd.ExecuteScalarAsync(Ct))!, database.GetProperty("data").GetProperty("postgisVersion").GetString());
        Assert.Equal(Migrator.All.Count, database.GetProperty("data").GetProperty("migrationsKnown").GetInt32());
        Assert.Equal(Migrator.All.Count, database.GetProperty("data").GetProperty("migrationsApplied").GetInt32());
        Assert.Equal("up", json.RootElement.GetProperty("checks").GetProperty("host").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_WrongOperatorKey_SaysOnlyUp()
    {
        await using var factory = new ApiFactory(db.ApiConnectionString, WithKey());
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey + "x");

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal("""{"status":"up"}""", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Ready_DatabaseDown_Answers503DownWithRetryAfter_ReasonOnlyForOperators()
    {
        await using var factory = new ApiFactory(DownDatabase, WithKey());
        using var client = factory.CreateClient();

        using var anonymous = await client.GetAsync("/healthz/ready", Ct);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz/ready");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);
        using var forOperator = await client.SendAsync(request, Ct);
        using var live = await client.GetAsync("/healthz/live", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, anonymous.StatusCode);
        Assert.Equal("""{"status":"down"}""", await anonymous.Content.ReadAsStringAsync(Ct));
        Assert.Equal(TimeSpan.FromSeconds(HealthEndpoints.RetryAfterSeconds), anonymous.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, forOperator.StatusCode);
        var body = await forOperator.Content.ReadAsStringAsync(Ct);
        using var json = JsonDocument.Parse(body);
        var database = json.RootElement.GetProperty("checks").GetProperty("database");
        Assert.Equal("down", database.GetProperty("status").GetString());
        Assert.StartsWith("unreachable: ", database.GetProperty("description").GetString());
        Assert.Equal("127.0.0.1:9/z", database.GetProperty("data").GetProperty("database").GetString());
        Assert.DoesNotContain("SecretPw123", body, StringComparison.Ordinal);
        // Liveness does not depend on the database: restarting the process would not help.
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task Ready_MigrationMissing_DownNamingIt()
    {
        var scratch = await db.CreateScratchDatabaseAsync(Ct);
        try
        {
            await using (var source = SmartRegionDatabase.CreateDataSource(scratch, "health-test"))
            {
                await Migrator.MigrateAsync(source, Ct);
                await using var cmd = source.CreateCommand("DELETE FROM public.schema_migration WHERE id = @id");
                cmd.Parameters.AddWithValue("id", Migrator.All[^1].Id);
                await cmd.ExecuteNonQueryAsync(Ct);
            }
            var settings = WithKey();
            settings["Database:MigrateOnStart"] = "false";
            await using var factory = new ApiFactory(scratch, settings);
            using var client = factory.CreateClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz/ready");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);

            using var response = await client.SendAsync(request, Ct);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            var database = json.RootElement.GetProperty("checks").GetProperty("database");
            Assert.Equal($"1 migration(s) not applied (first: {Migrator.All[^1].Id})", database.GetProperty("description").GetString());
            Assert.Equal(Migrator.All[^1].Id, database.GetProperty("data").GetProperty("migrationsPending")[0].GetString());
        }
        finally
        {
            await db.DropScratchAsync(scratch, Ct);
        }
    }

    [Theory]
    [InlineData("10.1.2.3", "10.0.0.0/8", true)]
    [InlineData("192.168.1.9", "10.0.0.0/8, 192.168.1.9", true)]
    [InlineData("::ffff:10.1.2.3", "10.0.0.0/8", true)]
    [InlineData("11.1.2.3", "10.0.0.0/8", false)]
    [InlineData("127.0.0.1", "", false)]
    public void IsOperator_ByNetwork(string remote, string networks, bool expected)
    {
        var access = new OperatorAccess(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Operations:AllowedNetworks"] = networks }).Build());
        var ctx = new DefaultHttpContext();
        ctx.Connection.RemoteIpAddress = IPAddress.Parse(remote);

        Assert.Equal(expected, access.IsOperator(ctx));
    }

    [Fact]
    public void OperatorAccess_ShortKeyOrBadNetwork_RefusedWithReason()
    {
        static OperatorAccess Make(string name, string value) =>
            new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [name] = value }).Build());

        var shortKey = Assert.Throws<InvalidOperationException>(() => Make("Operations:Key", "short"));
        Assert.Contains("at least 24", shortKey.Message);
        var badNetwork = Assert.Throws<InvalidOperationException>(() => Make("Operations:AllowedNetworks", "10.0.0.0/8,intranet"));
        Assert.Contains("'intranet'", badNetwork.Message);
    }
}
