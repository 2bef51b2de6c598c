using static Microsoft.Playwright.Assertions;

namespace SmartRegion.Web.Tests.Catalogue;

/// <summary>/catalogue as a visitor uses it: search, facets, paging, the URL keeping the state, French and English.</summary>
public sealed class CatalogueSearchTests(WebSite site)
{
    private readonly Partners _partners = new(site);

    [Fact]
    public async Task Search_TypeFilterPage_UrlKeepsStateAcrossReloadAndBack()
    {
        var token = Partners.Token("velo");
        var org = await _partners.OrganisationAsync("Agence régionale des mobilités");
        for (var i = 1; i <= 12; i++)
        {
            await _partners.DatasetAsync(org, $"{token}-{i:00}", $"Stations {token} numéro {i}",
                licence: i % 2 == 0 ? "etalab-2.0" : "odbl-1.0", themes: [i % 2 == 0 ? "TRAN" : "ENER"],
                description: $"Les **stations** du réseau {token}, relevé {i}.");
        }
        await using var browser = await BrowserPage.OpenAsync(site);
        var page = browser.Page;

        await browser.GotoAsync("/catalogue");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Catalogue des données", Level = 1 })).ToBeVisibleAsync();
        await Expect(page).ToHaveTitleAsync("Catalogue des données — SmartRegion");
        await Expect(page.Locator("#result-list > li")).ToHaveCountAsync(10);
        await browser.ScreenshotAsync("1-catalogue");
        await browser.AssertAccessibleAsync();

        // The platform's own solar datasets are found by everyone.
        await page.GetByLabel("Rechercher un jeu de données").FillAsync("potentiel solaire toitures");
        await page.GetByRole(AriaRole.Button, new() { Name = "Rechercher" }).ClickAsync();
        await Expect(page.Locator("[data-dataset='solar-potential-buildings']")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-dataset='solar-potential-buildings']")).ToContainTextAsync("Calcul de la plateforme");
        // The barometer's sums by commune say what they are, in words, not the format's code.
        await Expect(page.Locator("[data-dataset='solar-potential-by-commune']")).ToContainTextAsync("Synthèse du calcul de la plateforme");
        await Expect(page.Locator("#facet-format")).Not.ToContainTextAsync("solar-aggregate");

        await page.GetByLabel("Rechercher un jeu de données").FillAsync(token);
        await page.GetByLabel("Rechercher un jeu de données").PressAsync("Enter");
        await Expect(page.Locator("#results-count")).ToHaveTextAsync("12 jeux de données");
        await Expect(page.Locator("#result-list > li")).ToHaveCountAsync(10);
        Assert.Contains($"q={token}", page.Url, StringComparison.Ordinal);
        await Expect(page.Locator("#facet-theme")).ToContainTextAsync("Transports (6)");
        await Expect(page.Locator("#facet-publisher")).ToContainTextAsync("Agence régionale des mobilités (12)");

        await page.GetByRole(AriaRole.Link, new() { Name = "Page suivante" }).ClickAsync();
        await Expect(page.Locator("#result-list > li")).ToHaveCountAsync(2);
        Assert.Contains("page=2", page.Url, StringComparison.Ordinal);

        await page.GetByText("Transports (6)").ClickAsync();
        await Expect(page.Locator("#results-count")).ToHaveTextAsync("6 jeux de données");
        Assert.Contains("theme=TRAN", page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain("page=2", page.Url, StringComparison.Ordinal);
        await Expect(page.Locator("#result-list")).ToContainTextAsync("Licence Ouverte 2.0 (Etalab)");
        await Expect(page.Locator("#result-list")).Not.ToContainTextAsync("ODbL");
        await browser.ScreenshotAsync("2-filtered");
        await browser.AssertAccessibleAsync();

        await page.ReloadAsync(new() { WaitUntil = WaitUntilState.NetworkIdle });
        await Expect(page.Locator("#results-count")).ToHaveTextAsync("6 jeux de données");
        await Expect(page.GetByLabel("Rechercher un jeu de données")).ToHaveValueAsync(token);
        await Expect(page.GetByLabel("Transports (6)")).ToBeCheckedAsync();

        await page.GoBackAsync();
        await Expect(page.Locator("#results-count")).ToHaveTextAsync("12 jeux de données");
        await Expect(page.Locator("#result-list > li")).ToHaveCountAsync(2);

        await Expect(page.GetByRole(AriaRole.Link, new() { Name = $"Stations {token} numéro 12" })).ToHaveAttributeAsync("href", $"/catalogue/{token}-12");
        await browser.AssertHealthyAsync();
    }

    [Fact]
    public async Task Search_NothingMatches_SaysSoAndOffersNoCards()
    {
        await using var browser = await BrowserPage.OpenAsync(site);
        await browser.GotoAsync($"/catalogue?q={Partners.Token("rien")}");
        await Expect(browser.Page.Locator("#results-count")).ToHaveTextAsync("Aucun jeu de données ne correspond");
        await Expect(browser.Page.Locator("#no-results")).ToBeVisibleAsync();
        await Expect(browser.Page.Locator(".fr-card")).ToHaveCountAsync(0);
        await browser.AssertHealthyAsync();
    }

    [Fact]
    public async Task Language_SwitchToEnglish_IsRememberedOnTheNextPage()
    {
        await using var browser = await BrowserPage.OpenAsync(site);
        var page = browser.Page;
        await browser.GotoAsync("/catalogue");
        await page.GetByRole(AriaRole.Link, new() { Name = "English" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Data catalogue", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await browser.ScreenshotAsync("english");
        await browser.AssertAccessibleAsync();

        await browser.GotoAsync("/catalogue");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Data catalogue", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Français" })).ToBeVisibleAsync();
        await browser.AssertHealthyAsync();
    }
}
