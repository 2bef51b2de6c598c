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
}
