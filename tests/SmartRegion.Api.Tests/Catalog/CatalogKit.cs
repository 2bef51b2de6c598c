using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using SmartRegion.Data.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Catalog;

/// <summary>Accounts and clients for catalogue tests: each test makes its own organisations, users and keys.</summary>
internal sealed class CatalogKit(TestDatabase db, ApiFactory factory)
{
    public AccountStore Accounts { get; } = new(db.DataSource);
    public DatasetStore Datasets { get; } = new(db.DataSource);
    public ApiFactory Factory => factory;
    public TestDatabase Db => db;

    public static string Unique(string stem) => $"{stem}-{Guid.NewGuid():N}"[..(stem.Length + 9)];

    public Task<Organisation> OrgAsync(string stem, string kind = "company") =>
        Accounts.CreateOrganisationAsync(Unique(stem), stem, kind, TestContext.Current.CancellationToken);

    /// <summary>A user (member of <paramref name="org"/> with <paramref name="role"/> when given) and a key for them.</summary>
    public async Task<(AppUser User, string Key)> UserWithKeyAsync(
        Organisation org, string? role, string[]? scopes = null, bool platformAdmin = false, string? password = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var hash = password is null ? null : new Microsoft.AspNetCore.Identity.PasswordHasher<object>().HashPassword(new object(), password);
        var user = await Accounts.CreateUserAsync($"{Unique("u")}@example.org", "Test user", hash, platformAdmin, ct);
        if (role is not null)
        {
            await Accounts.SetMembershipAsync(user.Id, org.Id, role, ct);
        }
        var (_, secret) = await Accounts.CreateKeyAsync(user.Id, org.Id, "test", scopes ?? ["read", "publish", "admin"], null, ct);
        return (user, secret);
    }

    public HttpClient Client(string? key = null)
    {
        var client = factory.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Apikey", key);
        }
        return client;
    }

    public async Task<JsonElement> CreateDatasetAsync(HttpClient client, string publisher, string visibility, string? slug = null, object? extra = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["id"] = slug ?? Unique("ds"),
            ["publisher"] = publisher,
            ["title"] = "Arbres plantés",
            ["description"] = "Les **arbres** plantés.",
            ["licence"] = "odbl-1.0",
            ["themes"] = new[] { "ENVI" },
            ["keywords"] = new[] { "arbres" },
            ["visibility"] = visibility,
        };
        if (extra is not null)
        {
            foreach (var p in JsonSerializer.SerializeToElement(extra).EnumerateObject())
            {
                body[p.Name] = p.Value;
            }
        }
        using var response = await client.PostAsJsonAsync("/api/v1/datasets", body, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"create dataset: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task ExecuteAsync(string sql, params (string, object)[] parameters)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (n, v) in parameters)
        {
            cmd.Parameters.AddWithValue(n, v);
        }
        await cmd.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    public static async Task<(int Status, string Body)> SendAsync(HttpClient client, HttpMethod method, string url, object? json = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}

/// <summary>Base of catalogue API tests: one in-memory host per test class instance, and the kit over it.</summary>
public abstract class CatalogTest(TestDatabase db) : IAsyncDisposable
{
    private readonly ApiFactory _factory = new(db.ApiConnectionString);

    internal CatalogKit Kit => new(db, _factory);

    protected ApiFactory Factory => _factory;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return _factory.DisposeAsync();
    }
}

/// <summary>Upload helpers: send a file as a new version and wait for its ingestion job.</summary>
internal static class Uploads
{
    public static async Task<(int Status, JsonElement Body)> UploadAsync(HttpClient client, string datasetId, string path, string? query = null)
    {
        await using var file = File.OpenRead(path);
        using var content = new StreamContent(file);
        var url = $"/api/v1/datasets/{datasetId}/versions?fileName={Uri.EscapeDataString(Path.GetFileName(path))}{query}";
        using var response = await client.PostAsync(url, content, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    public static async Task<(int Status, JsonElement Body)> UploadBytesAsync(HttpClient client, string datasetId, byte[] bytes, string fileName, string? query = null)
    {
        using var content = new ByteArrayContent(bytes);
        var url = $"/api/v1/datasets/{datasetId}/versions?fileName={Uri.EscapeDataString(fileName)}{query}";
        using var response = await client.PostAsync(url, content, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Polls the job until it is done or failed (at most 120 s); returns the job document.</summary>
    public static async Task<JsonElement> WaitAsync(HttpClient client, JsonElement accepted)
    {
        var url = accepted.GetProperty("jobUrl").GetString()!;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var (status, body) = await CatalogKit.SendAsync(client, HttpMethod.Get, url);
            Assert.Equal(200, status);
            var job = JsonDocument.Parse(body).RootElement.Clone();
            if (job.GetProperty("status").GetString() is "done" or "failed")
            {
                return job;
            }
            Assert.True(DateTime.UtcNow < deadline, $"job did not finish: {body}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    public static async Task<JsonElement> UploadAndWaitAsync(HttpClient client, string datasetId, string path, string? query = null)
    {
        var (status, accepted) = await UploadAsync(client, datasetId, path, query);
        Assert.True(status == 202, $"upload: {status} {accepted}");
        return await WaitAsync(client, accepted);
    }

    public static async Task<JsonElement> UploadBytesAndWaitAsync(HttpClient client, string datasetId, byte[] bytes, string fileName, string? query = null)
    {
        var (status, accepted) = await UploadBytesAsync(client, datasetId, bytes, fileName, query);
        Assert.True(status == 202, $"upload: {status} {accepted}");
        return await WaitAsync(client, accepted);
    }
}
