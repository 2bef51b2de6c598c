using System.Text.RegularExpressions;

namespace SmartRegion.Web.Tests.Docs;

/// <summary>
/// /docs as a developer uses it: the platform's chrome, then Scalar's reference of the live OpenAPI document, rendered
/// in the browser from the API's own files (nothing fetched from outside), searchable, with each operation's details;
/// axe-clean (moderate findings too: with a group open, Scalar's response cards and code samples are regions that all
/// share one name, landmark-unique, unless docs.js makes them labelled groups) and no wider than the screen, on a
/// desktop and on a phone.
/// </summary>
public sealed class DocsPageTests(WebSite site)
{
    [Fact]
    public async Task Docs_InTheBrowser_RendersTheLiveReference_FindsAnOperation()
    {
        await using var browser = await BrowserPage.OpenAsync(site);
        await browser.GotoAsync("/docs");
        var page = browser.Page;
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Documentation de l’API", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Menu principal" })).ToBeAttachedAsync();
        await Assertions.Expect(page.Locator("#chrome-header a[aria-current=page]")).ToHaveTextAsync("API");

        // The viewer rendered the document itself (its title and description), not a skeleton.
        var reference = page.Locator("#reference");
        await Assertions.Expect(reference.GetByRole(AriaRole.Heading, new() { Name = "SmartRegion API" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(reference.GetByText("Open data, OGC API Features, tiles and rooftop solar potential of the region.")).ToBeVisibleAsync();
        // One main landmark (Scalar's, holding the reference), in light colours like the rest of the platform.
        await Assertions.Expect(page.GetByRole(AriaRole.Main)).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("body")).ToHaveClassAsync(new Regex("light-mode"));
        await FitsAndIsAccessibleAsync(browser, "1-reference");

        // A developer opens the explore API's group and reads one of its operations.
        await reference.GetByRole(AriaRole.Button, new() { Name = "Explore API v2.1" }).First.ClickAsync();
        var records = reference.GetByText("/api/explore/v2.1/catalog/datasets/{dataset_id}/records").First;
        await records.ScrollIntoViewIfNeededAsync();
        await Assertions.Expect(records).ToBeVisibleAsync();
        await FitsAndIsAccessibleAsync(browser, "2-explore");

        await browser.AssertHealthyAsync();
    }

    [Fact]
    public async Task Docs_OnAPhoneInEnglish_FitsTheScreen_AndIsAccessible()
    {
        await using var phone = await BrowserPage.OpenAsync(site, locale: "en-GB", width: 390, height: 844);
        await phone.GotoAsync("/docs?lang=en");
        var page = phone.Page;
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API documentation", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#reference").GetByRole(AriaRole.Heading, new() { Name = "SmartRegion API" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        // On a phone Scalar draws its own <header>: inside the reference's <section> it is not a second banner.
        await Assertions.Expect(page.GetByRole(AriaRole.Banner)).ToHaveCountAsync(1);
        await FitsAndIsAccessibleAsync(phone, "phone");
        await phone.AssertHealthyAsync();
    }

    /// <summary>No horizontal scroll bar on the page (code samples scroll inside their own box), axe-clean, kept as a screenshot.</summary>
    private static async Task FitsAndIsAccessibleAsync(BrowserPage browser, string step)
    {
        await browser.ScreenshotAsync(step);
        var size = await browser.Page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.True(size[0] <= size[1], $"{step}: the page is {size[0]} px wide in a {size[1]} px window");
        await browser.AssertAccessibleAsync(moderateToo: true);
    }
}
