using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Operations;

/// <summary>
/// <c>SMARTREGION_DB_READ</c> routes the read-only endpoints to their own database. With a read database that is down, they
/// answer 503 while the primary's endpoints serve and readiness stays up (degraded for operators): which endpoint reads
/// where is visible from outside. The real replica (pg_basebackup, streaming, lag) is <c>bench/scale/run replica</c>.
/// </summary>
public sealed class ReadDatabaseTests(TestDatabase db)
{
    private const string OperatorKey = "op-test-key-0123456789abcdef";
    private const string DownReadDatabase = "Host=127.0.0.1;Port=9;Username=x;Password=ReadSecret123;Database=replica;Timeout=2";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadDatabaseDown_ReadOnlyEndpoints503_PrimaryEndpointsServe_ReadinessDegradedNotDown()
    {
        await using var factory = new ApiFactory(db.ApiConnectionString, new Dictionary<string, string?>
        {
            ["Operations:Key"] = OperatorKey,
            ["SMARTREGION_DB_READ"] = DownReadDatabase,
        });
        using var client = factory.CreateClient();

        foreach (var readOnly in new[] { "/api/v1/datasets", "/api/v1/solar/buildings/1", "/api/v1/geocode?q=1%20rue%20de%20Paris", "/catalog.jsonld" })
        {
            using var response = await client.GetAsync(readOnly, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{readOnly}: {response.StatusCode}");
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.DoesNotContain("ReadSecret123", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
        // A dataset's own page is read on the primary (what a publisher reads right after writing it).
        using (var own = await client.GetAsync("/api/v1/datasets/no-such-dataset", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, own.StatusCode);
        }
        using (var anonymous = await client.GetAsync("/healthz/ready", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz/ready");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);
        using var forOperator = await client.SendAsync(request, Ct);
        var body = await forOperator.Content.ReadAsStringAsync(Ct);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("up", json.RootElement.GetProperty("status").GetString());
        var read = json.RootElement.GetProperty("checks").GetProperty("database-read");
        Assert.Equal("degraded", read.GetProperty("status").GetString());
        Assert.Equal("127.0.0.1:9/replica", read.GetProperty("data").GetProperty("database").GetString());
        Assert.StartsWith("the read database does not answer", read.GetProperty("description").GetString());
        Assert.DoesNotContain("ReadSecret123", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoReadDatabase_ReadsShareThePrimary()
    {
        await using var factory = new ApiFactory(db.ApiConnectionString, new Dictionary<string, string?> { ["Operations:Key"] = OperatorKey });
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz/ready");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);

        using var response = await client.SendAsync(request, Ct);
        using var list = await client.GetAsync("/api/v1/datasets", Ct);

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var read = json.RootElement.GetProperty("checks").GetProperty("database-read");
        Assert.Equal("up", read.GetProperty("status").GetString());
        Assert.StartsWith("reads share the primary", read.GetProperty("description").GetString());
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }
}
