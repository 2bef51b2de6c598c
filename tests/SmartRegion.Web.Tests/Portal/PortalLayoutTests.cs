using static Microsoft.Playwright.Assertions;

namespace SmartRegion.Web.Tests.Portal;

/// <summary>
/// The pages as a partner reads them on a phone, in English: nothing wider than the screen, every text translated,
/// axe clean. Screenshots of each page kept.
/// </summary>
public sealed class PortalLayoutTests(WebSite site)
{
    [Fact]
    public async Task OnAPhoneInEnglish_PartnerAndDatasetPages_FitTheScreen_AndAreTranslated()
    {
        var partners = new Partners(site);
        var org = await partners.OrganisationAsync($"City of Lyon {Partners.Token()}");
        var admin = await partners.PersonAsync(org, "admin", PortalKit.Password);
        var id = Partners.Token("racks-");
        await partners.DatasetAsync(org, id, $"Bike racks {id}", visibility: "private");
        await using var phone = await BrowserPage.OpenAsync(site, locale: "en-GB", width: 390, height: 844);
        var page = phone.Page;

        await phone.GotoAsync("/portail?lang=en");
        await page.GetByLabel("E-mail address").FillAsync(admin.Email);
        await page.GetByLabel("Password").FillAsync(PortalKit.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#datasets-table")).ToContainTextAsync($"Bike racks {id}");
        await Expect(page.Locator("#datasets-table")).ToContainTextAsync("Draft");
        await FitsTheScreenAsync(phone, "1-partner-home");

        await page.GetByRole(AriaRole.Link, new() { Name = $"Bike racks {id}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Bike racks {id}");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Upload" })).ToBeVisibleAsync();
        await FitsTheScreenAsync(phone, "2-partner-dataset");

        await page.GetByRole(AriaRole.Link, new() { Name = "API keys" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create the key" })).ToBeVisibleAsync();
        await FitsTheScreenAsync(phone, "3-keys");

        await phone.GotoAsync("/catalogue/solar-potential-buildings");
        await Expect(page.Locator("#map-preview")).ToBeVisibleAsync();
        await Expect(page.Locator("#download-list")).ToContainTextAsync("CSV –");
        await FitsTheScreenAsync(phone, "4-dataset-page");
        await phone.AssertHealthyAsync();
    }

    /// <summary>The page is no wider than the screen (tables scroll inside their own box), axe-clean, and kept as a screenshot.</summary>
    private static async Task FitsTheScreenAsync(BrowserPage phone, string step)
    {
        await phone.ScreenshotAsync(step);
        var size = await phone.Page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        Assert.True(size[0] <= size[1], $"{step}: the page is {size[0]} px wide on a {size[1]} px screen");
        await phone.AssertAccessibleAsync();
    }
}
