using System.Text;
using System.Text.Json;
using SmartRegion.Api.Tests.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Trust;

/// <summary>
/// Property 2: no answer to an organisation that cannot see a dataset differs between "hidden" and "absent" — creating
/// a dataset with an id another organisation uses privately, jobs, keys (versions: the access matrix). Reserved ids
/// (the platform's own datasets) cannot be taken by anyone else.
/// </summary>
public sealed partial class ExistenceTests(TestDatabase db) : CatalogTest(db)
{
    private async Task<(Data.Catalog.Organisation Org, HttpClient Admin)> OrgAdminAsync(string stem)
    {
        var org = await Kit.OrgAsync(stem);
        var (_, key) = await Kit.UserWithKeyAsync(org, "admin");
        return (org, Kit.Client(key));
    }

    private static object Body(string id, string publisher, string visibility = "private") =>
        new { id, publisher, title = "Arbres", licence = "etalab-2.0", visibility };

    [Fact]
    public async Task CreatingAnIdAnotherOrganisationUsesPrivately_AnswersAsIfItWereFree()
    {
        var (a, adminA) = await OrgAdminAsync("a");
        var (b, adminB) = await OrgAdminAsync("b");
        var taken = CatalogKit.Unique("arbres");
        var free = CatalogKit.Unique("arbres");
        Assert.Equal(201, (await CatalogKit.SendAsync(adminA, HttpMethod.Post, "/api/v1/datasets", Body(taken, a.Slug))).Status);

        var (onTaken, takenBody) = await CatalogKit.SendAsync(adminB, HttpMethod.Post, "/api/v1/datasets", Body(taken, b.Slug));
        var (onFree, freeBody) = await CatalogKit.SendAsync(adminB, HttpMethod.Post, "/api/v1/datasets", Body(free, b.Slug));
        Assert.Equal(201, onFree);
        Assert.Equal(onFree, onTaken);
        Assert.Equal(Shape(freeBody, free), Shape(takenBody, taken));

        // Each organisation reads its own; the other's stays invisible to it.
        var (_, mine) = await CatalogKit.SendAsync(adminB, HttpMethod.Get, $"/api/v1/datasets/{taken}");
        Assert.Equal(b.Slug, JsonDocument.Parse(mine).RootElement.GetProperty("publisher").GetProperty("id").GetString());
        var (_, theirs) = await CatalogKit.SendAsync(adminA, HttpMethod.Get, $"/api/v1/datasets/{taken}");
        Assert.Equal(a.Slug, JsonDocument.Parse(theirs).RootElement.GetProperty("publisher").GetProperty("id").GetString());
        // An id the organisation itself uses, or can see, is taken.
        Assert.Equal(409, (await CatalogKit.SendAsync(adminB, HttpMethod.Post, "/api/v1/datasets", Body(taken, b.Slug))).Status);

        // B publishes it: everyone reads B's; A still reads its own private one.
        Assert.Equal(200, (await CatalogKit.SendAsync(adminB, HttpMethod.Patch, $"/api/v1/datasets/{taken}", new { visibility = "public" })).Status);
        using var anonymous = Kit.Client();
        var (_, seen) = await CatalogKit.SendAsync(anonymous, HttpMethod.Get, $"/api/v1/datasets/{taken}");
        Assert.Equal(b.Slug, JsonDocument.Parse(seen).RootElement.GetProperty("publisher").GetProperty("id").GetString());
        // Two public datasets cannot share an id (no secret: the other one is public).
        var (clash, clashBody) = await CatalogKit.SendAsync(adminA, HttpMethod.Patch, $"/api/v1/datasets/{taken}", new { visibility = "public" });
        Assert.True(clash == 409, clashBody);
        // A third organisation can see B's public one: for it the id is taken.
        var (c, adminC) = await OrgAdminAsync("c");
        Assert.Equal(409, (await CatalogKit.SendAsync(adminC, HttpMethod.Post, "/api/v1/datasets", Body(taken, c.Slug))).Status);
    }

    /// <summary>A created dataset's document with what legitimately differs between two creations blanked out.</summary>
    private static string Shape(string body, string id) => Times().Replace(body.Replace(id, "{id}", StringComparison.Ordinal), "\"$1\":\"…\"");

    [System.Text.RegularExpressions.GeneratedRegex("\"(created|modified)\":\"[^\"]*\"")]
    private static partial System.Text.RegularExpressions.Regex Times();

    [Theory]
    [InlineData("solar-potential-buildings")]
    [InlineData("solar-potential-roof-faces")]
    public async Task ReservedIds_CannotBeTaken(string id)
    {
        var (org, admin) = await OrgAdminAsync("org");
        var (status, body) = await CatalogKit.SendAsync(admin, HttpMethod.Post, "/api/v1/datasets", Body(id, org.Slug, "public"));
        Assert.True(status == 422, body);
        Assert.Equal("id", JsonDocument.Parse(body).RootElement.GetProperty("field").GetString());
    }

    [Fact]
    public async Task AJobOfAHiddenDataset_AnswersLikeNoJob()
    {
        var (a, adminA) = await OrgAdminAsync("a");
        var (_, adminB) = await OrgAdminAsync("b");
        var id = (await Kit.CreateDatasetAsync(adminA, a.Slug, "private")).GetProperty("id").GetString()!;
        var job = await Uploads.UploadBytesAndWaitAsync(adminA, id, Encoding.UTF8.GetBytes("n\n1\n"), "a.csv");
        var jobId = job.GetProperty("jobId").GetInt64();
        var (hidden, hiddenBody) = await CatalogKit.SendAsync(adminB, HttpMethod.Get, $"/api/v1/jobs/{jobId}");
        var (absent, absentBody) = await CatalogKit.SendAsync(adminB, HttpMethod.Get, $"/api/v1/jobs/{jobId + 1_000_000}");
        Assert.Equal(404, hidden);
        Assert.Equal(absent, hidden);
        Assert.Equal(Normalised(absentBody), Normalised(hiddenBody));
    }

    [Fact]
    public async Task AJobOfAHiddenDataset_StaysHidden_WhenTheCallerUsesTheSameId()
    {
        var (a, adminA) = await OrgAdminAsync("a");
        var (b, adminB) = await OrgAdminAsync("b");
        var id = CatalogKit.Unique("budget");
        await Kit.CreateDatasetAsync(adminA, a.Slug, "private", id);
        await Kit.CreateDatasetAsync(adminB, b.Slug, "private", id);
        var job = await Uploads.UploadBytesAndWaitAsync(adminA, id, Encoding.UTF8.GetBytes("n\n1\n"), "a.csv");
        var jobId = job.GetProperty("jobId").GetInt64();
        // B is a member of a dataset by that id, but not of the job's: the job is as absent as for anyone else.
        var (status, body) = await CatalogKit.SendAsync(adminB, HttpMethod.Get, $"/api/v1/jobs/{jobId}");
        Assert.True(status == 404, body);
        Assert.Contains("\"code\":\"job_not_found\"", body);
    }

    [Fact]
    public async Task AnotherOrganisationsKey_AnswersLikeNoKey()
    {
        var (a, _) = await OrgAdminAsync("a");
        var (_, adminB) = await OrgAdminAsync("b");
        var (user, _) = await Kit.UserWithKeyAsync(a, "viewer");
        var keyId = (await Kit.Accounts.ListKeysAsync("k.user_id = @u", Ct, ("u", user.Id))).Single().Id;
        var (hidden, hiddenBody) = await CatalogKit.SendAsync(adminB, HttpMethod.Delete, $"/api/v1/keys/{keyId}");
        var (absent, absentBody) = await CatalogKit.SendAsync(adminB, HttpMethod.Delete, $"/api/v1/keys/{keyId + 1_000_000}");
        Assert.Equal(404, hidden);
        Assert.Equal(absent, hidden);
        Assert.Equal(Normalised(absentBody), Normalised(hiddenBody));
    }

    /// <summary>A problem document with what legitimately differs between two calls blanked out: request ids, the asked-for number.</summary>
    private static string Normalised(string body) => Numbers().Replace(Ids().Replace(body, ""), "$1N");

    [System.Text.RegularExpressions.GeneratedRegex("\"(requestId|traceId)\":\"[^\"]*\"")]
    private static partial System.Text.RegularExpressions.Regex Ids();

    [System.Text.RegularExpressions.GeneratedRegex("(jobs?[ /]|keys?[ /])[0-9]+")]
    private static partial System.Text.RegularExpressions.Regex Numbers();
}
