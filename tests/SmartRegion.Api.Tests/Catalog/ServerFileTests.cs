using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using SmartRegion.Data.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Catalog;

/// <summary>
/// Property 3: versions from files already on the server, only under the roots of the dataset's organisation
/// (Catalog:ServerFileRoots:&lt;org&gt;), whatever '..', links, NUL or a swap after the check try; every path outside them
/// gets one and the same answer.
/// </summary>
public sealed partial class ServerFileTests(TestDatabase db) : CatalogTest(db), IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("server-files-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Root => Path.Combine(_dir, "root");

    private string OtherRoot => Path.Combine(_dir, "other-root");

    private sealed record World(WebApplicationFactory<Program> Host, Organisation Org, HttpClient Client, string Dataset);

    private WebApplicationFactory<Program> Host(Organisation? org, Organisation? other = null, bool worker = true) =>
        Factory.WithWebHostBuilder(b =>
        {
            if (org is not null)
            {
                b.UseSetting($"Catalog:ServerFileRoots:{org.Slug}:0", Root);
            }
            if (other is not null)
            {
                b.UseSetting($"Catalog:ServerFileRoots:{other.Slug}:0", OtherRoot);
            }
            b.UseSetting("Catalog:RunWorker", worker ? "true" : "false");
        });

    private async Task<World> SetUpAsync(string role = "editor", bool roots = true, bool worker = true, Organisation? other = null)
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(OtherRoot);
        Directory.CreateDirectory(Path.Combine(_dir, "outside"));
        await File.WriteAllTextAsync(Path.Combine(Root, "communes.csv"), "n,commune\n1,Saint-Denis\n2,Aubervilliers\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(OtherRoot, "theirs.csv"), "secret\nx\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(_dir, "outside", "secret.csv"), "secret\nx\n", Ct);
        if (!File.Exists(Path.Combine(Root, "link.csv")))
        {
            File.CreateSymbolicLink(Path.Combine(Root, "link.csv"), Path.Combine(_dir, "outside", "secret.csv"));
            File.CreateSymbolicLink(Path.Combine(Root, "broken-link.csv"), Path.Combine(_dir, "outside", "missing.csv"));
            Directory.CreateSymbolicLink(Path.Combine(Root, "dirlink"), Path.Combine(_dir, "outside"));
            File.CreateSymbolicLink(Path.Combine(Root, "inside-link.csv"), "communes.csv");
        }
        var org = await Kit.OrgAsync("org");
        var host = Host(roots ? org : null, other, worker);
        var (_, editorKey) = await Kit.UserWithKeyAsync(org, "editor");
        using var editor = host.CreateClient();
        editor.DefaultRequestHeaders.Authorization = new("Apikey", editorKey);
        var id = (await Kit.CreateDatasetAsync(editor, org.Slug, "private")).GetProperty("id").GetString()!;
        var (_, key) = await Kit.UserWithKeyAsync(org, role);
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Apikey", key);
        return new World(host, org, client, id);
    }

    private static Task<(int Status, string Body)> ImportAsync(World w, string path) =>
        CatalogKit.SendAsync(w.Client, HttpMethod.Post, $"/api/v1/datasets/{w.Dataset}/versions/from-server-file", new { path });

    [Fact]
    public async Task ServerFile_UnderRoot_IngestedInPlace()
    {
        var w = await SetUpAsync();
        await using var host = w.Host;
        foreach (var (name, version) in new[] { ("communes.csv", 1), ("inside-link.csv", 2) })
        {
            var (status, body) = await ImportAsync(w, Path.Combine(Root, name));
            Assert.True(status == 202, body);
            var job = await Uploads.WaitAsync(w.Client, System.Text.Json.JsonDocument.Parse(body).RootElement);
            Assert.Equal("done", job.GetProperty("status").GetString());
            Assert.Equal(version, job.GetProperty("version").GetProperty("number").GetInt32());
            Assert.Equal(2, job.GetProperty("version").GetProperty("rowCount").GetInt64());
        }
        Assert.True(File.Exists(Path.Combine(Root, "communes.csv")), "the server file must not be deleted");
    }

    [Fact]
    public async Task ServerFile_GeoPackage_ReadThroughTheCheckedDescriptor()
    {
        // SQLite opens the file by the descriptor's name (/proc/self/fd/N) like every other reader.
        var source = SharedData.Require("buildings/saint-denis_potentiel-solaire_reference.gpkg");
        var w = await SetUpAsync();
        await using var host = w.Host;
        var path = Path.Combine(Root, "reference.gpkg");
        File.Copy(source, path, overwrite: true);
        var (status, body) = await ImportAsync(w, path);
        Assert.True(status == 202, body);
        var job = await Uploads.WaitAsync(w.Client, System.Text.Json.JsonDocument.Parse(body).RootElement);
        Assert.True(job.GetProperty("status").GetString() == "done", job.ToString());
    }

    [Theory]
    [InlineData("{root}/../outside/secret.csv", "path_traversal")]
    [InlineData("{root}/./communes.csv", "path_traversal")]
    [InlineData("{root}/communes.csv\0.txt", "invalid_path")]
    [InlineData("root/communes.csv", "invalid_path")]
    [InlineData("", "invalid_path")]
    [InlineData("{dir}/outside/secret.csv", "path_outside_roots")]
    [InlineData("/etc/passwd", "path_outside_roots")]
    [InlineData("{root}/link.csv", "path_outside_roots")]
    [InlineData("{root}/dirlink/secret.csv", "path_outside_roots")]
    [InlineData("{root}/missing.csv", "file_not_found")]
    public async Task ServerFile_BadPath_400NamingTheProblem(string template, string code)
    {
        var w = await SetUpAsync();
        await using var host = w.Host;
        var (status, body) = await ImportAsync(w, Expand(template));
        Assert.True(status == 400, body);
        Assert.Contains($"\"code\":\"{code}\"", body);
        var (_, versions) = await CatalogKit.SendAsync(w.Client, HttpMethod.Get, $"/api/v1/datasets/{w.Dataset}/versions");
        Assert.Equal("[]", versions);
    }

    private string Expand(string template) =>
        template.Replace("{root}", Root, StringComparison.Ordinal).Replace("{other}", OtherRoot, StringComparison.Ordinal)
            .Replace("{dir}", _dir, StringComparison.Ordinal);

    [Fact]
    public async Task ServerFile_EveryPathOutsideTheOrganisationsRoots_GetsOneAndTheSameAnswer()
    {
        var other = await Kit.OrgAsync("other");
        var w = await SetUpAsync(other: other);
        await using var host = w.Host;
        // Existing or not, directly or through a link, another organisation's root or a system file: nothing tells them apart.
        string[] outside =
        [
            "{dir}/outside/secret.csv", "{dir}/outside/missing.csv", "/etc/passwd", "/etc/no-such-file",
            "{root}/link.csv", "{root}/broken-link.csv", "{root}/dirlink/secret.csv", "{root}/dirlink/missing.csv",
            "{other}/theirs.csv", "{other}/missing.csv",
        ];
        var answers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var template in outside)
        {
            var (status, body) = await ImportAsync(w, Expand(template));
            Assert.True(status == 400, $"{template}: {body}");
            answers.Add(Ids().Replace(body, ""));
        }
        Assert.Single(answers);
        Assert.Contains("\"code\":\"path_outside_roots\"", answers.Single());
    }

    [GeneratedRegex("\"(requestId|traceId)\":\"[^\"]*\"")]
    private static partial Regex Ids();

    [Fact]
    public async Task ServerFile_AnotherOrganisationsRoot_IsOutside_EvenForAPlatformAdmin()
    {
        var other = await Kit.OrgAsync("other");
        var w = await SetUpAsync(other: other);
        await using var host = w.Host;
        var (status, body) = await ImportAsync(w, Path.Combine(OtherRoot, "theirs.csv"));
        Assert.True(status == 400, body);
        Assert.Contains("\"code\":\"path_outside_roots\"", body);
        // A platform admin importing into this organisation's dataset reads from this organisation's roots only.
        var (_, adminKey) = await Kit.UserWithKeyAsync(other, null, platformAdmin: true);
        using var admin = w.Host.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Apikey", adminKey);
        var (adminStatus, adminBody) = await CatalogKit.SendAsync(admin, HttpMethod.Post, $"/api/v1/datasets/{w.Dataset}/versions/from-server-file",
            new { path = Path.Combine(OtherRoot, "theirs.csv") });
        Assert.True(adminStatus == 400, adminBody);
        Assert.Contains("\"code\":\"path_outside_roots\"", adminBody);
    }

    [Fact]
    public async Task ServerFile_SwappedForALinkAfterTheCheck_TheJobRefusesIt()
    {
        var w = await SetUpAsync(worker: false);
        var swap = Path.Combine(Root, "swap.csv");
        await File.WriteAllTextAsync(swap, "n,commune\n1,Saint-Denis\n", Ct);
        var (status, body) = await ImportAsync(w, swap);
        Assert.True(status == 202, body);
        await w.Host.DisposeAsync();
        // Between the request's check and the worker's read, the file becomes a link to a file outside the roots.
        File.Delete(swap);
        File.CreateSymbolicLink(swap, Path.Combine(_dir, "outside", "secret.csv"));
        await using var worker = Host(w.Org);
        using var client = worker.CreateClient();
        client.DefaultRequestHeaders.Authorization = w.Client.DefaultRequestHeaders.Authorization;
        var job = await Uploads.WaitAsync(client, System.Text.Json.JsonDocument.Parse(body).RootElement);
        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Contains("refused", job.GetProperty("error").GetString());
        Assert.DoesNotContain("secret", job.ToString());
    }

    [Fact]
    public async Task ServerFile_Job_TakenOnlyByAWorkerWithTheOrganisationsRoots()
    {
        var w = await SetUpAsync(worker: false);
        var (status, body) = await ImportAsync(w, Path.Combine(Root, "communes.csv"));
        Assert.True(status == 202, body);
        var accepted = System.Text.Json.JsonDocument.Parse(body).RootElement;
        await w.Host.DisposeAsync();
        // A host without this organisation's directory (another machine) leaves the job to one that has it.
        await using (var elsewhere = Host(null))
        {
            using var client = elsewhere.CreateClient();
            client.DefaultRequestHeaders.Authorization = w.Client.DefaultRequestHeaders.Authorization;
            await Task.Delay(TimeSpan.FromSeconds(3), Ct);
            var (_, queued) = await CatalogKit.SendAsync(client, HttpMethod.Get, accepted.GetProperty("jobUrl").GetString()!);
            Assert.Contains("\"status\":\"queued\"", queued);
        }
        await using var here = Host(w.Org);
        using var worker = here.CreateClient();
        worker.DefaultRequestHeaders.Authorization = w.Client.DefaultRequestHeaders.Authorization;
        var job = await Uploads.WaitAsync(worker, accepted);
        Assert.Equal("done", job.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ServerFile_NoRootsForTheOrganisation_400Disabled()
    {
        var other = await Kit.OrgAsync("other");
        var w = await SetUpAsync(roots: false, other: other);
        await using var host = w.Host;
        var (status, body) = await ImportAsync(w, Path.Combine(OtherRoot, "theirs.csv"));
        Assert.Equal(400, status);
        Assert.Contains("server_files_disabled", body);
    }

    [Fact]
    public async Task ServerFile_OneListForEveryOrganisation_RefusedAtStart()
    {
        await using var host = Factory.WithWebHostBuilder(b => b.UseSetting("Catalog:ServerFileRoots:0", Root));
        var e = Assert.ThrowsAny<Exception>(() => host.CreateClient());
        Assert.Contains("per organisation", e.ToString());
    }

    [Fact]
    public async Task ServerFile_Viewer_403()
    {
        var w = await SetUpAsync("viewer");
        await using var host = w.Host;
        var (status, _) = await ImportAsync(w, Path.Combine(Root, "communes.csv"));
        Assert.Equal(403, status);
    }
}
