using Microsoft.AspNetCore.Identity;
using SmartRegion.Data.Catalog;

namespace SmartRegion.Web.Tests;

/// <summary>Arranges what a test needs in the catalogue (organisations, people, datasets); each test makes its own.</summary>
public sealed class Partners(WebSite site)
{
    public AccountStore Accounts { get; } = new(site.Database.DataSource);

    public DatasetStore Datasets { get; } = new(site.Database.DataSource);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A short unique word (letters only, so full-text search treats it as one token).</summary>
    public static string Token(string stem = "") =>
        stem + new string(Guid.NewGuid().ToString("N").Where(char.IsAsciiLetter).Take(8).ToArray()).PadRight(8, 'x');

    public Task<Organisation> OrganisationAsync(string name, string kind = "company") =>
        Accounts.CreateOrganisationAsync($"{Token("org-")}", name, kind, Ct);

    /// <summary>A person who can sign in with the password, member of the organisation with the role.</summary>
    public async Task<AppUser> PersonAsync(Organisation org, string role, string password, string? email = null)
    {
        var hash = new PasswordHasher<object>().HashPassword(new object(), password);
        var user = await Accounts.CreateUserAsync(email ?? $"{Token()}@example.org", "Camille Martin", hash, false, Ct);
        await Accounts.SetMembershipAsync(user.Id, org.Id, role, Ct);
        return user;
    }

    /// <summary>A dataset with metadata only (no version).</summary>
    public Task<DatasetRecord> DatasetAsync(Organisation org, string slug, string title, string visibility = "public",
        string licence = "etalab-2.0", string[]? themes = null, string description = "") =>
        Datasets.CreateAsync(slug, org.Id, new DatasetMetadata(title, description, null, null, licence, [], themes ?? ["ENER"], null, [],
            null, null, "ANNUAL", null, visibility), null, Ct);

    /// <summary>
    /// A public dataset of <paramref name="org"/> with one published version read from <paramref name="csv"/>, made
    /// through the API as a partner's program would (an admin's key: create, upload, wait for the job, publish).
    /// </summary>
    public async Task<string> PublishCsvAsync(Organisation org, string slug, string title, string csv)
    {
        var admin = await PersonAsync(org, "admin", Token("pw-") + "-long-enough");
        var (_, secret) = await Accounts.CreateKeyAsync(admin.Id, org.Id, "tests", ["read", "publish", "admin"], null, Ct);
        using var client = new HttpClient { BaseAddress = site.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Apikey", secret);
        await DatasetAsync(org, slug, title);
        using var upload = await client.PostAsync($"/api/v1/datasets/{slug}/versions?fileName={slug}.csv",
            new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(csv)), Ct);
        var accepted = System.Text.Json.JsonDocument.Parse(await upload.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.True(upload.IsSuccessStatusCode, accepted.GetRawText());
        var job = accepted.GetProperty("jobUrl").GetString()!;
        for (var waited = 0; ; waited++)
        {
            var status = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync(job, Ct)).RootElement.GetProperty("status").GetString();
            if (status == "done")
            {
                break;
            }
            Assert.True(status != "failed" && waited < 600, $"upload job {job}: {status}");
            await Task.Delay(100, Ct);
        }
        using var publish = await client.PostAsync($"/api/v1/datasets/{slug}/versions/1/publish", null, Ct);
        Assert.True(publish.IsSuccessStatusCode, await publish.Content.ReadAsStringAsync(Ct));
        return slug;
    }
}
