using System.Text.Json;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Catalog;

public sealed class DatasetApiTests(TestDatabase db) : CatalogTest(db)
{
    [Fact]
    public async Task Patch_WithoutVisibility_KeepsPrivate()
    {
        var org = await Kit.OrgAsync("org");
        var (_, key) = await Kit.UserWithKeyAsync(org, "editor");
        using var client = Kit.Client(key);
        var ds = await Kit.CreateDatasetAsync(client, org.Slug, "private");
        var id = ds.GetProperty("id").GetString();

        var (status, body) = await CatalogKit.SendAsync(client, HttpMethod.Patch, $"/api/v1/datasets/{id}", new { title = "Nouveau titre", keywords = new[] { "x" } });

        Assert.Equal(200, status);
        var doc = JsonDocument.Parse(body).RootElement;
        Assert.Equal("private", doc.GetProperty("visibility").GetString());
        Assert.Equal("Nouveau titre", doc.GetProperty("title").GetString());
        Assert.Equal("odbl-1.0", doc.GetProperty("licence").GetProperty("id").GetString());
        using var anonymous = Kit.Client();
        Assert.Equal(404, (await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"/api/v1/datasets/{id}")).Status);
    }

    [Fact]
    public async Task Patch_VisibilityByEditor_Is403_ByAdmin_Applies()
    {
        var org = await Kit.OrgAsync("org");
        var (_, editorKey) = await Kit.UserWithKeyAsync(org, "editor");
        var (_, adminKey) = await Kit.UserWithKeyAsync(org, "admin");
        using var editor = Kit.Client(editorKey);
        var id = (await Kit.CreateDatasetAsync(editor, org.Slug, "private")).GetProperty("id").GetString();

        Assert.Equal(403, (await CatalogKit.SendAsync(editor, HttpMethod.Patch, $"/api/v1/datasets/{id}", new { visibility = "public" })).Status);
        using var admin = Kit.Client(adminKey);
        Assert.Equal(200, (await CatalogKit.SendAsync(admin, HttpMethod.Patch, $"/api/v1/datasets/{id}", new { visibility = "public" })).Status);
        using var anonymous = Kit.Client();
        Assert.Equal(200, (await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"/api/v1/datasets/{id}")).Status);
    }

    [Fact]
    public async Task HiddenDataset_404BodyIsByteIdenticalToMissingOne()
    {
        var org = await Kit.OrgAsync("org");
        var (_, key) = await Kit.UserWithKeyAsync(org, "admin");
        using var owner = Kit.Client(key);
        var id = (await Kit.CreateDatasetAsync(owner, org.Slug, "private")).GetProperty("id").GetString()!;
        var missing = "zz" + id[2..];
        await CatalogKit.SendAsync(owner, HttpMethod.Patch, $"/api/v1/datasets/{id}", new { title = "x" });

        using var anonymous = Kit.Client();
        foreach (var suffix in new[] { "", "/grants", "/access-log" })
        {
            var hidden = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"/api/v1/datasets/{id}{suffix}");
            var absent = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"/api/v1/datasets/{missing}{suffix}");
            Assert.Equal(404, hidden.Status);
            Assert.Equal(absent.Body.Replace(missing, id, StringComparison.Ordinal), hidden.Body);
        }
    }

    [Fact]
    public async Task Description_HostileMarkdown_RenderedWithoutScriptsOrHandlers()
    {
        var org = await Kit.OrgAsync("org");
        var (_, key) = await Kit.UserWithKeyAsync(org, "editor");
        using var client = Kit.Client(key);
        const string hostile = "# Titre <script>alert(1)</script>\n\n[clic](javascript:alert(1)) [ok](https://example.org/a?b=1&c=2) " +
            "<img src=x onerror=alert(1)> **gras**\n\n- <a href=\"javascript:x\" onclick=\"y\">z</a>";
        var ds = await Kit.CreateDatasetAsync(client, org.Slug, "public", extra: new { description = hostile, title = "<script>t</script>" });

        var html = ds.GetProperty("description").GetProperty("html").GetString()!;
        Assert.Equal(hostile, ds.GetProperty("description").GetProperty("markdown").GetString());
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"javascript", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<a href=\"javascript", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", html);
        Assert.Contains("<a href=\"https://example.org/a?b=1&amp;c=2\" rel=\"nofollow noopener noreferrer\">ok</a>", html);
        Assert.Contains("<strong>gras</strong>", html);
        Assert.Contains("<h1>", html);
    }

    [Fact]
    public async Task Create_InvalidTheme_Is422NamingField()
    {
        var org = await Kit.OrgAsync("org");
        var (_, key) = await Kit.UserWithKeyAsync(org, "editor");
        using var client = Kit.Client(key);
        var (status, body) = await CatalogKit.SendAsync(client, HttpMethod.Post, "/api/v1/datasets",
            new { id = CatalogKit.Unique("ds"), publisher = org.Slug, title = "T", licence = "etalab-2.0", themes = new[] { "SPORT" } });
        Assert.Equal(422, status);
        Assert.Equal("themes", JsonDocument.Parse(body).RootElement.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Create_ViewerOrOtherOrg_Is403()
    {
        var org = await Kit.OrgAsync("org");
        var (_, viewerKey) = await Kit.UserWithKeyAsync(org, "viewer");
        using var viewer = Kit.Client(viewerKey);
        var (status, _) = await CatalogKit.SendAsync(viewer, HttpMethod.Post, "/api/v1/datasets",
            new { id = CatalogKit.Unique("ds"), publisher = org.Slug, title = "T", licence = "etalab-2.0" });
        Assert.Equal(403, status);
    }
}
