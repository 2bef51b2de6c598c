using System.Text;
using static Microsoft.Playwright.Assertions;

namespace SmartRegion.Web.Tests.Portal;

/// <summary>The partner space under the bad inputs: a session that expires while editing, two editors at once,
/// an upload cut mid-way, versions compared and rolled back, members and the last admin.</summary>
public sealed class PortalBadInputTests(WebSite site)
{
    private readonly Partners _partners = new(site);

    private async Task<(Data.Catalog.Organisation Org, Data.Catalog.AppUser Admin, string DatasetId)> DatasetAsync(string name)
    {
        var org = await _partners.OrganisationAsync($"{name} {Partners.Token()}");
        var admin = await _partners.PersonAsync(org, "admin", PortalKit.Password);
        var id = Partners.Token("jeu-");
        await _partners.DatasetAsync(org, id, $"Bornes de recharge {id}", visibility: "private");
        return (org, admin, id);
    }

    [Fact]
    public async Task SessionExpiresWhileEditing_FormKept_SaveRetriedAfterSigningInAgain()
    {
        var (_, admin, id) = await DatasetAsync("Syndicat d’énergie");
        await using var browser = await BrowserPage.OpenAsync(site);
        await PortalKit.SignInAsync(browser, admin.Email, $"/portail/jeux-de-donnees/{id}");
        var title = browser.Page.Locator("#meta-title");
        await title.FillAsync("Bornes de recharge — relevé de décembre");
        await browser.Context.ClearCookiesAsync();   // the session is gone (expired, or ended elsewhere)

        await browser.Page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer les métadonnées" }).ClickAsync();
        var dialog = browser.Page.Locator("#reauth-dialog");
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(title).ToHaveValueAsync("Bornes de recharge — relevé de décembre");
        await browser.ScreenshotAsync("reauth-dialog");
        await browser.AssertAccessibleAsync();
        await Expect(dialog.GetByLabel("Adresse électronique")).ToHaveValueAsync(admin.Email);   // who was signed in
        await Expect(dialog.GetByLabel("Mot de passe")).ToBeFocusedAsync();
        await dialog.GetByLabel("Mot de passe").FillAsync(PortalKit.Password);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Se connecter" }).ClickAsync();

        await Expect(browser.Page.Locator("#metadata-saved")).ToContainTextAsync("Métadonnées enregistrées.");
        await Expect(dialog).ToHaveCountAsync(0);
        var (dataset, _) = await PortalKit.ReadAsync(site, id);
        Assert.Equal("Bornes de recharge — relevé de décembre", dataset.GetProperty("title").GetString());
        // The lost session answered the save with 404 (a private dataset is invisible to anonymous callers) and /me with 401.
        browser.ForgetConsoleErrors(e => e.Contains("401", StringComparison.Ordinal) || e.Contains("404", StringComparison.Ordinal));
        await browser.AssertHealthyAsync();
    }

    [Fact]
    public async Task TwoEditorsSaveTheSameMetadata_SecondIsToldAndNothingIsOverwritten()
    {
        var (org, admin, id) = await DatasetAsync("Agence de l’eau");
        var other = await _partners.PersonAsync(org, "editor", PortalKit.Password);
        await using var first = await BrowserPage.OpenAsync(site, "etag-first");
        await using var second = await BrowserPage.OpenAsync(site, "etag-second");
        await PortalKit.SignInAsync(first, admin.Email, $"/portail/jeux-de-donnees/{id}");
        await PortalKit.SignInAsync(second, other.Email, $"/portail/jeux-de-donnees/{id}");

        await first.Page.Locator("#meta-title").FillAsync("Titre de la première personne");
        await first.Page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer les métadonnées" }).ClickAsync();
        await Expect(first.Page.Locator("#metadata-saved")).ToContainTextAsync("Métadonnées enregistrées.");

        await second.Page.Locator("#meta-title").FillAsync("Titre de la seconde personne");
        await second.Page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer les métadonnées" }).ClickAsync();
        await Expect(second.Page.Locator("#metadata-conflict")).ToContainTextAsync("Quelqu’un a modifié ce jeu de données entre-temps");
        await Expect(second.Page.Locator("#metadata-conflict")).ToContainTextAsync("Titre de la première personne");
        await Expect(second.Page.Locator("#meta-title")).ToHaveValueAsync("Titre de la seconde personne");
        await second.ScreenshotAsync("conflict");
        await second.AssertAccessibleAsync();
        Assert.Equal("Titre de la première personne", (await PortalKit.ReadAsync(site, id)).Dataset.GetProperty("title").GetString());

        await second.Page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer quand même ma version" }).ClickAsync();
        await Expect(second.Page.Locator("#metadata-saved")).ToContainTextAsync("Métadonnées enregistrées.");
        Assert.Equal("Titre de la seconde personne", (await PortalKit.ReadAsync(site, id)).Dataset.GetProperty("title").GetString());
        second.ForgetConsoleErrors(e => e.Contains("412", StringComparison.Ordinal));
        await second.AssertHealthyAsync();
    }

    [Fact]
    public async Task UploadCutMidway_NothingKept_RetryMakesOneVersion_ThenCompareAndRollBack()
    {
        var (_, admin, id) = await DatasetAsync("Métropole");
        var v1 = WriteCsv("bornes-v1.csv", "id,nom,puissance_kw\n1,Mairie,22\n2,Gare,50\n3,Piscine,11\n");
        var v2 = WriteCsv("bornes-v2.csv", "id,nom,puissance_kw,operateur\n1,Mairie,22,Izivia\n2,Gare,50,Ionity\n3,Piscine,11,Izivia\n4,Stade,150,Ionity\n");
        await using var browser = await BrowserPage.OpenAsync(site);
        var page = browser.Page;
        await PortalKit.SignInAsync(browser, admin.Email, $"/portail/jeux-de-donnees/{id}");

        // The first try of the upload is cut (the connection resets); the retry goes through.
        var cut = 0;
        await page.RouteAsync("**/api/v1/datasets/*/versions*", async route =>
        {
            if (route.Request.Method == "POST" && Interlocked.Increment(ref cut) == 1)
            {
                await route.AbortAsync("connectionreset");
                return;
            }
            await route.FallbackAsync();
        });
        await page.Locator("#upload-file").SetInputFilesAsync(v1);
        await page.GetByRole(AriaRole.Button, new() { Name = "Téléverser" }).ClickAsync();
        await Expect(page.Locator("#upload-status")).ToContainTextAsync("La connexion a été interrompue");
        Assert.Empty((await PortalKit.ReadAsync(site, id)).Versions);
        await browser.ScreenshotAsync("1-upload-interrupted");
        await page.GetByRole(AriaRole.Button, new() { Name = "Réessayer l’envoi de bornes-v1.csv" }).ClickAsync();
        await Expect(page.Locator("#upload-status")).ToContainTextAsync("Version 1 prête : 3 enregistrements", new() { Timeout = 30_000 });
        Assert.Single((await PortalKit.ReadAsync(site, id)).Versions);
        await page.Locator("#version-report [data-publish='1']").ClickAsync();
        await Expect(page.Locator("#versions-message")).ToContainTextAsync("Version 1 publiée.");

        // A second version with one more column and row; correct its inferred schema (puissance as a number) and publish.
        await page.Locator("#upload-file").SetInputFilesAsync(v2);
        await page.GetByRole(AriaRole.Button, new() { Name = "Téléverser" }).ClickAsync();
        await Expect(page.Locator("#upload-status")).ToContainTextAsync("Version 2 prête : 4 enregistrements", new() { Timeout = 30_000 });
        await page.GetByLabel("Type de puissance_kw").SelectOptionAsync("number");
        await page.GetByRole(AriaRole.Button, new() { Name = "Revalider bornes-v2.csv avec ce schéma" }).ClickAsync();
        await Expect(page.Locator("#upload-status")).ToContainTextAsync("Version 3 prête : 4 enregistrements", new() { Timeout = 30_000 });
        await Expect(page.GetByLabel("Type de puissance_kw")).ToHaveValueAsync("number");
        await page.Locator("#version-report [data-publish='3']").ClickAsync();
        await Expect(page.Locator("#versions-message")).ToContainTextAsync("Version 3 publiée.");

        await page.GetByLabel("Version de départ").SelectOptionAsync("1");
        await page.GetByLabel("Version d’arrivée").SelectOptionAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Comparer" }).ClickAsync();
        await Expect(page.Locator("#compare-rows")).ToContainTextAsync("Version 1 : 3 enregistrements ; version 3 : 4 (+1).");
        await Expect(page.Locator("#compare-fields tr[data-change='added']")).ToContainTextAsync("operateur");
        await Expect(page.Locator("#compare-fields tr[data-change='retyped']")).ToContainTextAsync("puissance_kw");
        await browser.ScreenshotAsync("2-compare");
        await browser.AssertAccessibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Revenir à la version 1" }).ClickAsync();
        await Expect(page.Locator("#versions-message")).ToContainTextAsync("Retour à la version 1 effectué.");
        var (dataset, versions) = await PortalKit.ReadAsync(site, id);
        Assert.Equal(1, dataset.GetProperty("currentVersion").GetInt32());
        Assert.Equal(3, versions.Length);
        await browser.ScreenshotAsync("3-rolled-back");
        browser.ForgetConsoleErrors(e => e.Contains("ERR_CONNECTION_RESET", StringComparison.Ordinal));
        await browser.AssertHealthyAsync();
    }

    [Fact]
    public async Task Members_AdminAddsChangesRemoves_LastAdminCannotLeave()
    {
        var org = await _partners.OrganisationAsync($"Université {Partners.Token()}", "university");
        var admin = await _partners.PersonAsync(org, "admin", PortalKit.Password);
        var outsider = await _partners.PersonAsync(await _partners.OrganisationAsync("Ailleurs"), "viewer", PortalKit.Password);
        await using var browser = await BrowserPage.OpenAsync(site);
        var page = browser.Page;
        await PortalKit.SignInAsync(browser, admin.Email);
        await page.GetByRole(AriaRole.Link, new() { Name = "Membres" }).ClickAsync();
        await page.GetByLabel("Adresse électronique").FillAsync("personne@inconnue.example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Ajouter" }).ClickAsync();
        await Expect(page.Locator("#member-error")).ToContainTextAsync("Aucun compte avec cette adresse");

        await page.GetByLabel("Adresse électronique").FillAsync(outsider.Email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Ajouter" }).ClickAsync();
        var row = page.Locator($"#members-table tr[data-member='{outsider.Email}']");
        await Expect(row.Locator("select")).ToHaveValueAsync("editor");
        await row.Locator("select").SelectOptionAsync("viewer");
        await Expect(page.Locator("#members-message")).ToContainTextAsync("est maintenant lecteur·rice");

        var me = page.Locator($"#members-table tr[data-member='{admin.Email}']");
        await me.Locator("select").SelectOptionAsync("editor");
        await Expect(page.Locator("#members-message")).ToContainTextAsync("n’aurait plus d’administrateur·rice");
        await Expect(me.Locator("select")).ToHaveValueAsync("admin");
        await browser.ScreenshotAsync("members");
        await browser.AssertAccessibleAsync();

        await row.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(page.Locator("#members-table")).Not.ToContainTextAsync(outsider.Email);
        browser.ForgetConsoleErrors(e => e.Contains("409", StringComparison.Ordinal) || e.Contains("422", StringComparison.Ordinal));
        await browser.AssertHealthyAsync();
    }

    /// <summary>A CSV under its own name (the page shows it) in a folder of its own.</summary>
    private static string WriteCsv(string name, string content)
    {
        var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), Partners.Token("up-"))).FullName;
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }
}
