using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using SmartRegion.Api.Operations.Logging;
using SmartRegion.Data.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Operations;

/// <summary>What the host writes to its console: JSON lines for servers, short lines for people, never a secret.</summary>
public sealed partial class LogTests(TestDatabase db)
{
    private const string OperatorKey = "operator-key-for-log-test-7f3a9c2e";
    private const string Password = "Hunter2-login-password!";
    private const string CookieValue = "CfDJ8SessionCookieValueThatMustNotLeak";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Console_OutputRedirected_OneJsonLinePerRequestWithItsRequestId_NoSecret()
    {
        var accounts = new AccountStore(db.DataSource);
        var org = await accounts.CreateOrganisationAsync($"logs-{Guid.NewGuid():N}"[..14], "Logs", "company", Ct);
        var user = await accounts.CreateUserAsync($"log-{Guid.NewGuid():N}@example.org", "Log", null, false, Ct);
        await accounts.SetMembershipAsync(user.Id, org.Id, "admin", Ct);
        var (_, apiKey) = await accounts.CreateKeyAsync(user.Id, org.Id, "log-test", ["read"], null, Ct);
        var dbPassword = new NpgsqlConnectionStringBuilder(db.ApiConnectionString).Password!;

        await using var api = await ApiProcess.StartAsync(db.ApiConnectionString, new Dictionary<string, string> { ["Operations__Key"] = OperatorKey });
        var requestIds = new List<(string Path, string Id)>();
        async Task SendAsync(HttpRequestMessage request)
        {
            using var response = await api.Client.SendAsync(request, Ct);
            requestIds.Add((request.RequestUri!.PathAndQuery, response.Headers.GetValues("X-Request-Id").Single()));
        }

        using (var r = new HttpRequestMessage(HttpMethod.Get, "/api/v1/datasets"))
        {
            r.Headers.Authorization = new AuthenticationHeaderValue("Apikey", apiKey);
            await SendAsync(r);
        }
        await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/datasets?apikey={apiKey}"));
        await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/datasets?q=trees&token={CookieValue}"));
        await SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login")
        {
            Content = JsonContent.Create(new { email = user.Email, password = Password }),
        });
        using (var r = new HttpRequestMessage(HttpMethod.Get, "/healthz/ready"))
        {
            r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);
            r.Headers.Add("Cookie", $"sr_session={CookieValue}");
            await SendAsync(r);
        }
        await api.StopAsync();

        var lines = api.StandardOutput.Where(l => l.Length > 0).ToList();
        var all = string.Join('\n', lines.Concat(api.StandardError));
        foreach (var secret in new[] { apiKey, apiKey[12..], OperatorKey, Password, CookieValue, dbPassword })
        {
            Assert.DoesNotContain(secret, all, StringComparison.Ordinal);
        }
        var entries = lines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        foreach (var (path, id) in requestIds)
        {
            var request = Assert.Single(entries, e => e.TryGetProperty("event", out var ev) && ev.GetString() == "request"
                && e.TryGetProperty("requestId", out var rid) && rid.GetString() == id);
            Assert.Equal(path.Split('?')[0], request.GetProperty("path").GetString()!.Split('?')[0]);
            Assert.True(request.GetProperty("durationMs").GetDouble() >= 0);
            Assert.True(request.TryGetProperty("traceId", out _), request.ToString());
        }
        var listing = entries.Single(e => e.TryGetProperty("requestId", out var rid) && rid.GetString() == requestIds[0].Id);
        Assert.Equal(200, listing.GetProperty("status").GetInt32());
        Assert.Equal("/api/v1/datasets", listing.GetProperty("route").GetString());
        var keyInUrl = entries.Single(e => e.TryGetProperty("requestId", out var rid) && rid.GetString() == requestIds[1].Id);
        Assert.Equal(400, keyInUrl.GetProperty("status").GetInt32());
        Assert.Equal($"/api/v1/datasets?apikey={SecretRedactor.Mask}", keyInUrl.GetProperty("path").GetString());
        // The host's own lines (start-up, shutdown) are JSON too.
        Assert.Contains(entries, e => e.GetProperty("category").GetString() == "Microsoft.Hosting.Lifetime");
    }

    [Fact]
    public async Task Console_TextFormat_ShortReadableLines()
    {
        await using var api = await ApiProcess.StartAsync(db.ApiConnectionString, new Dictionary<string, string> { ["Logging__Format"] = "text" });
        using (await api.Client.GetAsync("/healthz/live", Ct))
        {
        }
        using (await api.Client.GetAsync("/", Ct))
        {
        }
        await api.StopAsync();

        var lines = api.StandardOutput;
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith('{'));
        Assert.Contains(lines, l => RequestLine().IsMatch(l));
        // The home page is a static file: a person at a terminal is not shown a line per asset.
        Assert.DoesNotContain(lines, l => l.Contains("GET / 200", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.True(l.Length < 200, l));
    }

    [Theory]
    [InlineData("Host=db;Port=5432;Username=sr;Password=s3cr3t-pw;Database=sr", "Host=db;Port=5432;Username=sr;Password=***;Database=sr")]
    [InlineData("Authorization: Apikey srk_ABCDEFGHijklmnopqrstuvwxyz0123456789", "Authorization: ***")]
    [InlineData("sent Bearer abc.def-ghi_jkl to the server", "sent Bearer *** to the server")]
    [InlineData("key srk_ABCDEFGHijklmnopqrstuvwxyz0123456789 was revoked", "key srk_ABCDEFGH*** was revoked")]
    [InlineData("/api/v1/x?q=1&access_token=abc123&b=2", "/api/v1/x?q=1&access_token=***&b=2")]
    [InlineData("{\"email\":\"a@b.c\",\"password\":\"pw-123456\"}", "{\"email\":\"a@b.c\",\"password\":\"***\"}")]
    [InlineData("Cookie: sr_session=abc; sr_csrf=def", "Cookie: ***")]
    [InlineData("postgresql://sr:pa55word@db:5432/sr", "postgresql://sr:***@db:5432/sr")]
    [InlineData("GET /catalogue 200 4.2 ms", "GET /catalogue 200 4.2 ms")]
    public void Redact_MasksSecretsAndKeepsTheRest(string text, string expected)
    {
        Assert.Equal(expected, new SecretRedactor([]).Redact(text));
    }

    [Fact]
    public void Redact_ConfiguredSecretAnywhere()
    {
        Assert.Equal("failed with *** in it", new SecretRedactor(["plain-secret-value"]).Redact("failed with plain-secret-value in it"));
    }

    [GeneratedRegex(@"^\d\d:\d\d:\d\d GET /healthz/live 200 [0-9.]+ ms$")]
    private static partial Regex RequestLine();
}
