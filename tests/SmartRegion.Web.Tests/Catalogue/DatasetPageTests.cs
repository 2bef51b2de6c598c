using static Microsoft.Playwright.Assertions;

namespace SmartRegion.Web.Tests.Catalogue;

/// <summary>/catalogue/&lt;id&gt; as a visitor reads it, on the platform's own solar dataset of the demo district.</summary>
public sealed class DatasetPageTests(WebSite site)
{
    [Fact]
    public async Task SolarDataset_Page_HasPreviewMapDownloadsMetadataVersions_AndLinksTo3DMap()
    {
        await using var browser = await BrowserPage.OpenAsync(site);
        await browser.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        var page = browser.Page;
        using var http = new HttpClient { BaseAddress = site.BaseAddress };
        var rows = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/api/v1/datasets/solar-potential-buildings", TestContext.Current.CancellationToken))
            .RootElement.GetProperty("rowCount").GetInt64();
        await browser.GotoAsync("/catalogue/solar-potential-buildings");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Potentiel solaire des toitures, par bâtiment");
        await Expect(page).ToHaveTitleAsync("Potentiel solaire des toitures, par bâtiment — SmartRegion");
        await Expect(page.Locator("#solar-callout a")).ToHaveAttributeAsync("href", "/");
        await Expect(page.Locator("#preview-status")).ToContainTextAsync($"sur 100 chargée(s) ({rows} au total)");
        await Expect(page.Locator("#preview-table thead")).ToContainTextAsync("annual_kwh_ac");

        // Sorting by a number puts the largest first on the second click.
        await page.Locator("button[data-field='annual_kwh_ac']").ClickAsync();
        await page.Locator("button[data-field='annual_kwh_ac']").ClickAsync();
        await Expect(page.Locator("th[aria-sort='descending']")).ToContainTextAsync("annual_kwh_ac");
        var sorted = await page.EvaluateAsync<bool>("""
            () => {
              const col = [...document.querySelectorAll('#preview-table thead th')].findIndex(th => th.textContent.includes('annual_kwh_ac'));
              const values = [...document.querySelectorAll('#preview-table tbody tr')].map(tr => tr.cells[col].textContent)
                .filter(v => v !== '').map(v => Number(v.replace(/\s/g, '').replace(',', '.')));
              return values.length > 10 && values.every((v, i) => i === 0 || values[i - 1] >= v);
            }
            """);
        Assert.True(sorted, "the preview is sorted by annual_kwh_ac, largest first");
        await page.Locator("#preview-more").ClickAsync();
        await Expect(page.Locator("#preview-status")).ToContainTextAsync("sur 200 chargée(s)");

        // The map draws every building footprint over the demo commune's boundary.
        await Expect(page.Locator("#map-preview .sr-map-features path")).ToHaveCountAsync((int)rows);
        Assert.True(await page.Locator("#map-preview .sr-map-boundaries path").CountAsync() >= 1);

        await Expect(page.Locator("#download-list a")).ToHaveCountAsync(3);
        await Expect(page.Locator("a[data-format='parquet']")).ToContainTextAsync("GeoParquet –");
        await Expect(page.Locator("#curl-command")).ToHaveTextAsync(
            $"curl -fL -o solar-potential-buildings.csv \"{site.BaseAddress.ToString().TrimEnd('/')}/api/v1/datasets/solar-potential-buildings/export.csv\"");
        await page.GetByRole(AriaRole.Button, new() { Name = "Copier la commande" }).ClickAsync();
        await Expect(page.Locator(".sr-copied")).ToHaveTextAsync("Commande copiée.");
        Assert.StartsWith("curl -fL", await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"), StringComparison.Ordinal);
        await Expect(page.Locator("#metadata-table")).ToContainTextAsync("dct:license");
        await Expect(page.Locator("#metadata-table")).ToContainTextAsync("Licence Ouverte 2.0 (Etalab)");
        await Expect(page.Locator("#versions-table tbody tr")).ToHaveCountAsync(1);
        await browser.ScreenshotAsync("solar-dataset");
        await browser.AssertAccessibleAsync();
        await browser.AssertHealthyAsync();
    }

    [Fact]
    public async Task MissingDataset_ShowsTheNotFoundPage_InEnglishToo()
    {
        await using var browser = await BrowserPage.OpenAsync(site, locale: "en-GB");
        await browser.GotoAsync($"/catalogue/{Partners.Token("absent")}?lang=en");
        await Expect(browser.Page.Locator("#page-message h1")).ToHaveTextAsync("Page not found");
        await Expect(browser.Page).ToHaveTitleAsync("Page not found — SmartRegion");
        await browser.AssertAccessibleAsync();
        browser.ForgetConsoleErrors(e => e.Contains("404", StringComparison.Ordinal));
        await browser.AssertHealthyAsync();
    }
}
