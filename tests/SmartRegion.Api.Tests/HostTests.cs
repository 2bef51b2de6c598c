using System.Net;
using System.Text.Json;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests;

public sealed class HostTests(TestDatabase db)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UnknownApiPath_Answers404ProblemDetails()
    {
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/api/v1/no-such-thing", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(404, json.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("not_found", json.RootElement.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("requestId").GetString()));
    }

    [Fact]
    public async Task WrongMethod_Answers405ProblemDetails()
    {
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();

        using var response = await client.DeleteAsync("/healthz", Ct);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("method_not_allowed", json.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task OpenApiDocument_DescribesHealth()
    {
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/openapi/v1.json", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.StartsWith("3.", json.RootElement.GetProperty("openapi").GetString());
        Assert.Equal("SmartRegion API", json.RootElement.GetProperty("info").GetProperty("title").GetString());
        Assert.True(json.RootElement.GetProperty("paths").TryGetProperty("/healthz", out _));
    }

    [Fact]
    public async Task IndexPage_ServedWithSecurityHeaders()
    {
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("SmartRegion", html);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
    }
}
