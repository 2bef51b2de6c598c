using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Catalog;

/// <summary>Versions from files already on the server: only under Catalog:ServerFileRoots, whatever '..', links or NUL try.</summary>
public sealed class ServerFileTests(TestDatabase db) : CatalogTest(db), IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("server-files-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Root => Path.Combine(_dir, "root");

    private WebApplicationFactory<Program> WithRoots() =>
        Factory.WithWebHostBuilder(b => b.UseSetting("Catalog:ServerFileRoots:0", Root));

    private async Task<(HttpClient Client, string Dataset)> SetUpAsync(WebApplicationFactory<Program> host, string role = "editor")
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Path.Combine(_dir, "outside"));
        await File.WriteAllTextAsync(Path.Combine(Root, "communes.csv"), "n,commune\n1,Saint-Denis\n2,Aubervilliers\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(_dir, "outside", "secret.csv"), "secret\nx\n", Ct);
        if (!File.Exists(Path.Combine(Root, "link.csv")))
        {
            File.CreateSymbolicLink(Path.Combine(Root, "link.csv"), Path.Combine(_dir, "outside", "secret.csv"));
            Directory.CreateSymbolicLink(Path.Combine(Root, "dirlink"), Path.Combine(_dir, "outside"));
            File.CreateSymbolicLink(Path.Combine(Root, "inside-link.csv"), "communes.csv");
        }
        var org = await Kit.OrgAsync("org");
        var (_, editorKey) = await Kit.UserWithKeyAsync(org, "editor");
        using var editor = host.CreateClient();
        editor.DefaultRequestHeaders.Authorization = new("Apikey", editorKey);
        var id = (await Kit.CreateDatasetAsync(editor, org.Slug, "private")).GetProperty("id").GetString()!;
        var (_, key) = await Kit.UserWithKeyAsync(org, role);
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Apikey", key);
        return (client, id);
    }

    [Fact]
    public async Task ServerFile_UnderRoot_IngestedInPlace()
    {
        await using var host = WithRoots();
        var (client, id) = await SetUpAsync(host);
        foreach (var (name, version) in new[] { ("communes.csv", 1), ("inside-link.csv", 2) })
        {
            var (status, body) = await CatalogKit.SendAsync(client, HttpMethod.Post, $"/api/v1/datasets/{id}/versions/from-server-file",
                new { path = Path.Combine(Root, name) });
            Assert.True(status == 202, body);
            var job = await Uploads.WaitAsync(client, System.Text.Json.JsonDocument.Parse(body).RootElement);
            Assert.Equal("done", job.GetProperty("status").GetString());
            Assert.Equal(version, job.GetProperty("version").GetProperty("number").GetInt32());
            Assert.Equal(2, job.GetProperty("version").GetProperty("rowCount").GetInt64());
        }
        Assert.True(File.Exists(Path.Combine(Root, "communes.csv")), "the server file must not be deleted");
    }

    [Theory]
    [InlineData("{root}/../outside/secret.csv", "path_traversal")]
    [InlineData("{root}/./communes.csv", "path_traversal")]
    [InlineData("{root}/communes.csv\0.txt", "invalid_path")]
    [InlineData("root/communes.csv", "invalid_path")]
    [InlineData("", "invalid_path")]
    [InlineData("{dir}/outside/secret.csv", "path_outside_roots")]
    [InlineData("/etc/passwd", "path_outside_roots")]
    [InlineData("{root}/link.csv", "symlink_escape")]
    [InlineData("{root}/dirlink/secret.csv", "symlink_escape")]
    [InlineData("{root}/missing.csv", "file_not_found")]
    public async Task ServerFile_BadPath_400NamingTheProblem(string template, string code)
    {
        await using var host = WithRoots();
        var (client, id) = await SetUpAsync(host);
        var path = template.Replace("{root}", Root, StringComparison.Ordinal).Replace("{dir}", _dir, StringComparison.Ordinal);
        var (status, body) = await CatalogKit.SendAsync(client, HttpMethod.Post, $"/api/v1/datasets/{id}/versions/from-server-file", new { path });
        Assert.True(status == 400, body);
        Assert.Contains($"\"code\":\"{code}\"", body);
        var (_, versions) = await CatalogKit.SendAsync(client, HttpMethod.Get, $"/api/v1/datasets/{id}/versions");
        Assert.Equal("[]", versions);
    }

    [Fact]
    public async Task ServerFile_NoRootsConfigured_400Disabled()
    {
        var (client, id) = await SetUpAsync(Factory);
        var (status, body) = await CatalogKit.SendAsync(client, HttpMethod.Post, $"/api/v1/datasets/{id}/versions/from-server-file",
            new { path = Path.Combine(Root, "communes.csv") });
        Assert.Equal(400, status);
        Assert.Contains("server_files_disabled", body);
    }

    [Fact]
    public async Task ServerFile_Viewer_403()
    {
        await using var host = WithRoots();
        var (client, id) = await SetUpAsync(host, "viewer");
        var (status, _) = await CatalogKit.SendAsync(client, HttpMethod.Post, $"/api/v1/datasets/{id}/versions/from-server-file",
            new { path = Path.Combine(Root, "communes.csv") });
        Assert.Equal(403, status);
    }
}
