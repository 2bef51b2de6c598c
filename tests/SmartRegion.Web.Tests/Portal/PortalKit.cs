using System.Net.Http.Json;
using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace SmartRegion.Web.Tests.Portal;

/// <summary>Steps the partner tests share: signing in through the page, and reading the API as a given person would.</summary>
internal static class PortalKit
{
    public const string Password = "correct horse battery staple";

    /// <summary>Signs in through /portail's form (the page reloads into the partner space).</summary>
    public static async Task SignInAsync(BrowserPage browser, string email, string path = "/portail")
    {
        await browser.GotoAsync(path);
        await browser.Page.GetByLabel("Adresse électronique").FillAsync(email);
        await browser.Page.GetByLabel("Mot de passe").FillAsync(Password);
        await browser.Page.GetByRole(AriaRole.Button, new() { Name = "Se connecter" }).ClickAsync();
        await Expect(browser.Page.Locator("#signed-in-as")).ToContainTextAsync(email);
    }

    /// <summary>A dataset's document and versions as the platform admin sees them (to check what the pages did).</summary>
    public static async Task<(JsonElement Dataset, JsonElement[] Versions)> ReadAsync(WebSite site, string datasetId)
    {
        using var client = await AdminClientAsync(site);
        var dataset = await client.GetFromJsonAsync<JsonElement>($"/api/v1/datasets/{datasetId}", TestContext.Current.CancellationToken);
        var versions = await client.GetFromJsonAsync<JsonElement[]>($"/api/v1/datasets/{datasetId}/versions", TestContext.Current.CancellationToken);
        return (dataset, versions!);
    }

    private static async Task<HttpClient> AdminClientAsync(WebSite site)
    {
        var partners = new Partners(site);
        var admin = await partners.Accounts.CreateUserAsync($"{Partners.Token("admin")}@example.org", "Platform admin", null, true, TestContext.Current.CancellationToken);
        var org = await partners.OrganisationAsync("Opérateur");
        var (_, secret) = await partners.Accounts.CreateKeyAsync(admin.Id, org.Id, "tests", ["read", "publish", "admin"], null, TestContext.Current.CancellationToken);
        var client = new HttpClient { BaseAddress = site.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Apikey", secret);
        return client;
    }
}
