using System.Text.Json;
using SmartRegion.Testing;
using static Microsoft.Playwright.Assertions;

namespace SmartRegion.Web.Tests.Portal;

/// <summary>
/// The issue's scenario in the browser, against the real Api and PostGIS: a partner signs in, creates a dataset,
/// uploads the Seine-Saint-Denis schools file, reads the report, publishes it as restricted and shares it; a member of
/// the other organisation finds it, previews it, maps it and downloads it; an anonymous visitor does not see it;
/// keys are created and revoked; the partner reads who used it. Screenshots of each step.
/// </summary>
public sealed class PartnerScenarioTests(WebSite site)
{
    private readonly Partners _partners = new(site);

    [Fact]
    public async Task Partner_PublishesRestrictedAndShares_GranteeSeesIt_AnonymousDoesNot()
    {
        var schools = SharedData.Require("partners/seine-saint-denis_ecoles_potentiel_solaire_d4g.geojson");
        await site.RunCliAsync(["ingest", "boundaries", SharedData.Require("admin/communes-ile-de-france.geojson"), "--level", "commune"]);
        var token = Partners.Token();
        var publisher = await _partners.OrganisationAsync($"Data For Good {token}", "association");
        var grantee = await _partners.OrganisationAsync($"Institut Paris Region {token}", "public_agency");
        var ana = await _partners.PersonAsync(publisher, "admin", PortalKit.Password);
        var bruno = await _partners.PersonAsync(grantee, "viewer", PortalKit.Password);

        // 1. The partner signs in.
        await using var partner = await BrowserPage.OpenAsync(site, "scenario-partner");
        var page = partner.Page;
        await partner.GotoAsync("/portail");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Connexion à l’espace partenaire" })).ToBeVisibleAsync();
        await partner.AssertAccessibleAsync();
        await partner.ScreenshotAsync("01-sign-in");
        await PortalKit.SignInAsync(partner, ana.Email);
        await Expect(page.Locator("#org-name")).ToHaveTextAsync($"Data For Good {token}");
        await Expect(page.Locator("#my-datasets")).ToContainTextAsync("pas encore de jeu de données");
        await partner.ScreenshotAsync("02-my-organisation");
        await partner.AssertAccessibleAsync();

        // 2. Creates a dataset: an empty title and an over-long one are refused next to the field.
        await page.GetByRole(AriaRole.Link, new() { Name = "Créer un jeu de données" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Créer le jeu de données" }).ClickAsync();
        await Expect(page.Locator("#title-error")).ToHaveTextAsync("Le titre est obligatoire.");
        await page.GetByLabel("Titre", new() { Exact = true }).FillAsync(new string('é', 501));
        await page.GetByRole(AriaRole.Button, new() { Name = "Créer le jeu de données" }).ClickAsync();
        await Expect(page.Locator("#title-error")).ToHaveTextAsync("Le titre fait 501 caractères ; 500 au plus.");
        await page.GetByLabel("Titre", new() { Exact = true }).FillAsync($"Écoles de Seine-Saint-Denis {token} — potentiel solaire");
        await Expect(page.Locator("#title-error")).ToBeHiddenAsync();
        var datasetId = await page.GetByLabel("Identifiant").InputValueAsync();
        Assert.StartsWith("ecoles-de-seine-saint-denis-", datasetId, StringComparison.Ordinal);
        await page.GetByLabel("Description").FillAsync("Potentiel solaire des **écoles**, calculé par Data For Good.");
        await page.Locator("label[for='theme-ENER']").ClickAsync();
        await page.Locator("label[for='theme-EDUC']").ClickAsync();
        await page.Locator("label[for='visibility-restricted']").ClickAsync();
        await partner.ScreenshotAsync("03-create-form");
        await partner.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Créer le jeu de données" }).ClickAsync();
        await Expect(page.Locator("#dataset-title")).ToContainTextAsync(token);
        await Expect(page.Locator("#dataset-status")).ToHaveTextAsync("Brouillon");

        // 3. Uploads: a file of the wrong type is refused before sending; the schools file goes through with a progress bar.
        var wrong = Path.Combine(Path.GetTempPath(), $"notes-{token}.txt");
        await File.WriteAllTextAsync(wrong, "pas des données", TestContext.Current.CancellationToken);
        await page.Locator("#upload-file").SetInputFilesAsync(wrong);
        await page.GetByRole(AriaRole.Button, new() { Name = "Téléverser" }).ClickAsync();
        await Expect(page.Locator("#upload-status")).ToContainTextAsync("n’est pas d’un type accepté");
        await page.Locator("#upload-file").SetInputFilesAsync(schools);
        await page.GetByRole(AriaRole.Button, new() { Name = "Téléverser" }).ClickAsync();
        await Expect(page.Locator("#upload-status")).ToContainTextAsync("Version 1 prête : 1 130 enregistrements", new() { Timeout = 60_000 });
        await Expect(page.Locator("#report-title")).ToHaveTextAsync("Rapport de validation — version 1");
        await Expect(page.Locator("#report-summary")).ToContainTextAsync("1 130 lignes chargées");
        await Expect(page.Locator("#report-schema")).ToContainTextAsync("nom_etablissement");
        await partner.ScreenshotAsync("04-validation-report");
        await partner.AssertAccessibleAsync();

        // 4. Publishes (a double click makes one version, not two).
        await page.Locator("#version-report [data-publish='1']").DblClickAsync();
        await Expect(page.Locator("#versions-message")).ToContainTextAsync("Version 1 publiée.");
        await Expect(page.Locator("#dataset-status")).ToHaveTextAsync("Restreint");
        var (dataset, versions) = await PortalKit.ReadAsync(site, datasetId);
        Assert.Equal(1, dataset.GetProperty("currentVersion").GetInt32());
        Assert.Single(versions);
        Assert.Equal("published", versions[0].GetProperty("status").GetString());
        await partner.ScreenshotAsync("05-published");

        // 5. Shares it with the other organisation, for a purpose, until a date.
        await page.GetByLabel("Organisation", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = $"Institut Paris Region {token}" });
        await page.GetByLabel("Finalité").FillAsync("Étude du potentiel solaire des bâtiments publics");
        await page.GetByRole(AriaRole.Button, new() { Name = "Partager" }).ClickAsync();
        await Expect(page.Locator("#grants-table")).ToContainTextAsync($"Institut Paris Region {token}");
        await Expect(page.Locator("#grants-table")).ToContainTextAsync("Actif");
        await partner.ScreenshotAsync("06-shared");
        await partner.AssertAccessibleAsync();
        await partner.AssertHealthyAsync();

        // 6. A member of that organisation finds it in the catalogue, previews it, maps it, downloads it.
        await using (var member = await BrowserPage.OpenAsync(site, "scenario-grantee"))
        {
            await PortalKit.SignInAsync(member, bruno.Email);
            await member.GotoAsync($"/catalogue?q={token}");
            await Expect(member.Page.Locator("#results-count")).ToHaveTextAsync("1 jeu de données");
            await member.Page.GetByRole(AriaRole.Link, new() { Name = $"Écoles de Seine-Saint-Denis {token} — potentiel solaire" }).ClickAsync();
            await Expect(member.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(token);
            await Expect(member.Page.Locator("#preview-status")).ToContainTextAsync("100 ligne(s) affichée(s) sur 100 chargée(s) (1 130 au total)");
            await member.Page.GetByLabel("Filtrer les lignes").FillAsync("Collège Jean de Beaumont");
            await Expect(member.Page.Locator("#preview-table tbody tr")).ToHaveCountAsync(1);
            await member.Page.GetByLabel("Filtrer les lignes").FillAsync("");
            await member.Page.Locator("button[data-field='nom_commune']").ClickAsync();
            await Expect(member.Page.Locator("th[aria-sort='ascending']")).ToContainTextAsync("nom_commune");
            Assert.True(await member.Page.EvaluateAsync<bool>("""
                () => {
                  const col = [...document.querySelectorAll('#preview-table thead th')].findIndex(th => th.textContent.includes('nom_commune'));
                  const names = [...document.querySelectorAll('#preview-table tbody tr')].map(tr => tr.cells[col].textContent);
                  const collator = new Intl.Collator('fr', { numeric: true, sensitivity: 'base' });
                  return names.length === 100 && new Set(names).size > 5 && names.every((n, i) => i === 0 || collator.compare(names[i - 1], n) <= 0);
                }
                """), "the preview is sorted by commune name");
            await Expect(member.Page.Locator("#map-preview circle")).ToHaveCountAsync(1130);
            Assert.True(await member.Page.Locator("#map-preview .sr-map-boundaries path").CountAsync() >= 30, "the Seine-Saint-Denis communes are drawn under the schools");
            await Expect(member.Page.Locator("#download-list")).ToContainTextAsync("CSV –");
            await member.ScreenshotAsync("07-dataset-page");
            await member.AssertAccessibleAsync();
            var download = await member.Page.RunAndWaitForDownloadAsync(() => member.Page.Locator("a[data-format='csv']").ClickAsync());
            var csv = await File.ReadAllLinesAsync((await download.PathAsync())!, TestContext.Current.CancellationToken);
            Assert.Equal(1130 + 1, csv.Length);
            await member.AssertHealthyAsync();
        }

        // 7. An anonymous visitor does not find it, and gets the very page a dataset that does not exist gets.
        await using (var visitor = await BrowserPage.OpenAsync(site, "scenario-anonymous"))
        {
            await visitor.GotoAsync($"/catalogue?q={token}");
            await Expect(visitor.Page.Locator("#results-count")).ToHaveTextAsync("Aucun jeu de données ne correspond");
            await visitor.GotoAsync($"/catalogue/{datasetId}");
            await Expect(visitor.Page.Locator("#page-message h1")).ToHaveTextAsync("Page introuvable");
            var hidden = await visitor.Page.Locator("main").InnerTextAsync();
            await visitor.ScreenshotAsync("08-anonymous-not-found");
            await visitor.AssertAccessibleAsync();
            await visitor.GotoAsync($"/catalogue/{Partners.Token("absent")}");
            await Expect(visitor.Page.Locator("#page-message h1")).ToHaveTextAsync("Page introuvable");
            Assert.Equal(hidden, await visitor.Page.Locator("main").InnerTextAsync());
            visitor.ForgetConsoleErrors(e => e.Contains("404", StringComparison.Ordinal));
            await visitor.AssertHealthyAsync();
        }

        // 8. Keys: created (shown once), listed, revoked.
        await page.GetByRole(AriaRole.Link, new() { Name = "Clés d’API" }).ClickAsync();
        await page.GetByLabel("Nom de la clé").FillAsync("Chaîne ETL");
        await page.Locator("label[for='key-scope-publish']").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Créer la clé" }).ClickAsync();
        var secret = await page.Locator("#new-key-secret").InnerTextAsync();
        Assert.True(secret.Length >= 32, secret);
        var row = page.Locator("#keys-table tr", new() { HasText = "Chaîne ETL" });
        await Expect(row).ToContainTextAsync("Lecture, Publication");
        await Expect(row).ToContainTextAsync("Active");
        Assert.StartsWith(await row.Locator("code").InnerTextAsync(), secret, StringComparison.Ordinal);
        await partner.ScreenshotAsync("09-key-created");
        await partner.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Révoquer la clé Chaîne ETL" }).ClickAsync();
        await Expect(row).ToContainTextAsync("Révoquée");
        using (var withKey = new HttpClient { BaseAddress = site.BaseAddress })
        {
            withKey.DefaultRequestHeaders.Authorization = new("Apikey", secret);
            using var refused = await withKey.GetAsync("/api/v1/auth/me", TestContext.Current.CancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        // 9. The access log shows the other organisation's calls, per day.
        await partner.GotoAsync($"/portail/jeux-de-donnees/{datasetId}#journal");
        await Expect(page.Locator("#access-daily thead")).ToContainTextAsync($"Institut Paris Region {token}");
        await Expect(page.Locator("#access-log-table")).ToContainTextAsync("export.csv");
        await Expect(page.Locator("#access-chart")).ToBeVisibleAsync();
        await page.Locator("#journal").ScrollIntoViewIfNeededAsync();
        await partner.ScreenshotAsync("10-access-log");
        await partner.AssertAccessibleAsync();
        await partner.AssertHealthyAsync();
    }
}
