using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using SmartRegion.Api.Tests.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Trust;

/// <summary>
/// Property 8: sign-in resists guessing. Failed sign-ins are throttled per account and per client (429 with
/// Retry-After), with no difference between "no such user" and "wrong password" in status, body or time.
/// </summary>
public sealed partial class SignInThrottleTests(TestDatabase db) : CatalogTest(db)
{
    private const string Password = "a long enough password";

    /// <summary>A client address of this test alone (the shared loopback bucket stays for the other tests).</summary>
    private static string NewAddress() => $"198.18.{Random.Shared.Next(256)}.{Random.Shared.Next(1, 255)}";

    private static async Task<(int Status, string Body, string? RetryAfter)> LoginAsync(HttpClient client, string email, string password, string from)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { email, password }),
        };
        request.Headers.Add(ApiFactory.RemoteAddressHeader, from);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken),
            response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The body without what differs on every request (its ids).</summary>
    private static string Stable(string body) => RequestIds().Replace(body, "\"$1\":\"…\"");

    [GeneratedRegex("\"(requestId|traceId)\":\"[^\"]*\"")]
    private static partial Regex RequestIds();

    [Fact]
    public async Task FifthFailure_ThrottlesTheAccount_KnownOrNot_TheRightPasswordWaitsToo()
    {
        var user = (await Kit.UserWithKeyAsync(await Kit.OrgAsync("org"), "viewer", password: Password)).User;
        var unknown = $"{CatalogKit.Unique("nobody")}@example.org";
        using var client = Factory.CreateClient();
        var from = NewAddress();
        foreach (var email in new[] { user.Email, unknown })
        {
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(401, (await LoginAsync(client, email, "wrong password " + i, from)).Status);
            }
        }
        // From another address too: the account is what is throttled.
        var known = await LoginAsync(client, user.Email, Password, NewAddress());
        var absent = await LoginAsync(client, unknown, "anything", NewAddress());
        Assert.Equal(429, known.Status);
        Assert.Equal(429, absent.Status);
        Assert.NotNull(known.RetryAfter);
        Assert.InRange(double.Parse(known.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture), 1, 15 * 60);
        Assert.Equal("too_many_attempts", JsonDocument.Parse(known.Body).RootElement.GetProperty("code").GetString());
        // Another account from the same client is not held up by this one.
        var fresh = (await Kit.UserWithKeyAsync(await Kit.OrgAsync("org"), "viewer", password: Password)).User;
        Assert.Equal(200, (await LoginAsync(client, fresh.Email, Password, from)).Status);
    }

    [Fact]
    public async Task ManyAccountsFromOneClient_ThrottleTheClient_NotOthers()
    {
        await using var host = Factory.WithWebHostBuilder(b => b.UseSetting("Auth:MaxFailuresPerClient", "6"));
        using var client = host.CreateClient();
        var victim = (await Kit.UserWithKeyAsync(await Kit.OrgAsync("org"), "viewer", password: Password)).User;
        var sprayer = NewAddress();
        // A password spray: one guess per account, many accounts, one client.
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(401, (await LoginAsync(client, $"spray{i}-{Guid.NewGuid():N}@example.org", "Winter2026!", sprayer)).Status);
        }
        Assert.Equal(429, (await LoginAsync(client, victim.Email, Password, sprayer)).Status);
        Assert.Equal(200, (await LoginAsync(client, victim.Email, Password, NewAddress())).Status);
    }

    [Fact]
    public async Task UnknownUserAndWrongPassword_SameStatusBodyAndTime()
    {
        await using var host = Factory.WithWebHostBuilder(b => b.UseSetting("Auth:MaxFailuresPerAccount", "1000").UseSetting("Auth:MaxFailuresPerClient", "1000"));
        using var client = host.CreateClient();
        var user = (await Kit.UserWithKeyAsync(await Kit.OrgAsync("org"), "viewer", password: Password)).User;
        var unknown = $"{CatalogKit.Unique("nobody")}@example.org";
        var from = NewAddress();
        await LoginAsync(client, user.Email, "warm up", from);
        var wrong = new List<double>();
        var absent = new List<double>();
        string? wrongBody = null, absentBody = null;
        // Interleaved, so both see the same machine load.
        for (var i = 0; i < 9; i++)
        {
            var clock = Stopwatch.StartNew();
            var w = await LoginAsync(client, user.Email, "wrong password", from);
            wrong.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            var a = await LoginAsync(client, unknown, "wrong password", from);
            absent.Add(clock.Elapsed.TotalMilliseconds);
            Assert.Equal(401, w.Status);
            Assert.Equal(401, a.Status);
            wrongBody = Stable(w.Body);
            absentBody = Stable(a.Body);
        }
        Assert.Equal(wrongBody, absentBody);
        var (mw, ma) = (Median(wrong), Median(absent));
        // Both verify a PBKDF2 hash (about 100 ms); skipping it for an unknown user would make that answer several times faster.
        Assert.True(ma > 0.5 * mw && ma < 2 * mw, $"median wrong password {mw:F0} ms, unknown user {ma:F0} ms");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    [Fact]
    public async Task FailedSignIns_AreRecorded()
    {
        var unknown = $"{CatalogKit.Unique("nobody")}@example.org";
        using var client = Factory.CreateClient();
        await LoginAsync(client, unknown, "x", NewAddress());
        await using var connection = await Kit.Db.DataSource.OpenConnectionAsync(Ct);
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT count(*) FROM catalog.sign_in_failure WHERE account = @a", connection);
        cmd.Parameters.AddWithValue("a", unknown);
        Assert.Equal(1L, await cmd.ExecuteScalarAsync(Ct));
    }
}
