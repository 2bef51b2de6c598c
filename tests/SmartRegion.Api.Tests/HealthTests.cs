using System.Net;
using System.Text.Json;
using Npgsql;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests;

public sealed class HealthTests(TestDatabase db)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Healthz_DatabaseUp_ReportsOkWithPostgisVersion()
    {
        await using var factory = new ApiFactory(db.ConnectionString);
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/healthz", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("ok", json.RootElement.GetProperty("database").GetString());

        await using var conn = await db.DataSource.OpenConnectionAsync(Ct);
        await using var cmd = new NpgsqlCommand("SELECT extversion FROM pg_extension WHERE extname = 'postgis'", conn);
        var expected = (string)(await cmd.ExecuteScalarAsync(Ct))!;
        Assert.Equal(expected, json.RootElement.GetProperty("postgisVersion").GetString());
        Assert.Equal(json.RootElement.GetProperty("migrationsKnown").GetInt32(), json.RootElement.GetProperty("migrationsApplied").GetInt32());
        Assert.True(response.Headers.Contains("X-Request-Id"));
    }

    [Fact]
    public async Task Healthz_DatabaseDown_Answers503Unreachable()
    {
        // Port 9 on loopback: nothing listens, the connection is refused at once.
        await using var factory = new ApiFactory("Host=127.0.0.1;Port=9;Username=x;Password=y;Database=z;Timeout=2");
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/healthz", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(Ct);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("unreachable", json.RootElement.GetProperty("database").GetString());
        Assert.Equal("degraded", json.RootElement.GetProperty("status").GetString());
        Assert.DoesNotContain("Password", body, StringComparison.OrdinalIgnoreCase);
    }
}
