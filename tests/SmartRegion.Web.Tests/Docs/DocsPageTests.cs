namespace SmartRegion.Web.Tests.Docs;

/// <summary>
/// /docs as a developer uses it: the platform's chrome, then Scalar's reference of the live OpenAPI document, rendered
/// in the browser from the API's own files (nothing fetched from outside), searchable, with each operation's details.
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
        await browser.ScreenshotAsync("1-reference");

        // A developer opens the explore API's group and reads one of its operations.
        await reference.GetByRole(AriaRole.Button, new() { Name = "Explore API v2.1" }).First.ClickAsync();
        var records = reference.GetByText("/api/explore/v2.1/catalog/datasets/{dataset_id}/records").First;
        await records.ScrollIntoViewIfNeededAsync();
        await Assertions.Expect(records).ToBeVisibleAsync();
        await browser.ScreenshotAsync("2-explore");

        await browser.AssertHealthyAsync();
    }
}
