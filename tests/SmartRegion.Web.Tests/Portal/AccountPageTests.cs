using System.Net;
using System.Net.Http.Json;
using static Microsoft.Playwright.Assertions;

namespace SmartRegion.Web.Tests.Portal;

/// <summary>/portail/compte: a partner changes the password (the other sessions end) and reads and ends sessions.</summary>
public sealed class AccountPageTests(WebSite site)
{
    [Fact]
    public async Task PasswordChange_WrongCurrentIsToldInTheForm_ThenEndsTheOtherSessions()
    {
        var partners = new Partners(site);
        var org = await partners.OrganisationAsync($"Agence {Partners.Token()}");
        var person = await partners.PersonAsync(org, "editor", PortalKit.Password);
        // Another browser, signed in elsewhere (a laptop left on).
        using var elsewhere = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = site.BaseAddress };
        using (var login = await elsewhere.PostAsJsonAsync("/api/v1/auth/login", new { email = person.Email, password = PortalKit.Password }, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }

        await using var browser = await BrowserPage.OpenAsync(site);
        var page = browser.Page;
        await PortalKit.SignInAsync(browser, person.Email, "/portail/compte");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Mon compte");
        await Expect(page.Locator("#sessions-table tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("#sessions-table")).ToContainTextAsync("Cette session");

        await page.GetByLabel("Mot de passe actuel").FillAsync("not the password at all");
        await page.GetByLabel("Nouveau mot de passe", new() { Exact = false }).First.FillAsync("un long chemin de halage au bord du canal");
        await page.GetByLabel("Nouveau mot de passe, encore une fois").FillAsync("un long chemin de halage au bord du canal");
        await page.GetByRole(AriaRole.Button, new() { Name = "Changer le mot de passe" }).ClickAsync();
        await Expect(page.Locator("#password-error")).ToHaveTextAsync("Le mot de passe actuel est incorrect.");
        await Expect(page.Locator("#reauth-dialog")).ToHaveCountAsync(0);   // a wrong password is not an expired session

        await page.GetByLabel("Mot de passe actuel").FillAsync(PortalKit.Password);
        await page.GetByLabel("Nouveau mot de passe, encore une fois").FillAsync("un long chemin de halage au bord du CANAL");
        await page.GetByRole(AriaRole.Button, new() { Name = "Changer le mot de passe" }).ClickAsync();
        await Expect(page.Locator("#password-error")).ToHaveTextAsync("Les deux saisies du nouveau mot de passe diffèrent.");

        await page.GetByLabel("Nouveau mot de passe, encore une fois").FillAsync("un long chemin de halage au bord du canal");
        await page.GetByRole(AriaRole.Button, new() { Name = "Changer le mot de passe" }).ClickAsync();
        await Expect(page.Locator("#account-message")).ToHaveTextAsync("Mot de passe changé : 1 autre session a été fermée.");
        await Expect(page.Locator("#sessions-table tbody tr")).ToHaveCountAsync(1);
        await browser.ScreenshotAsync("password-changed");
        await browser.AssertAccessibleAsync();

        using var afterwards = await elsewhere.GetAsync("/api/v1/auth/me", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, afterwards.StatusCode);
        await page.ReloadAsync();
        await Expect(page.Locator("#signed-in-as")).ToContainTextAsync(person.Email);   // this browser stays signed in
        browser.ForgetConsoleErrors(e => e.Contains("401", StringComparison.Ordinal));
        await browser.AssertHealthyAsync();
    }
}
