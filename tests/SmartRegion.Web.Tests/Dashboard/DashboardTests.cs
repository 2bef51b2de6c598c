using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using SmartRegion.Data.Barometer;
using static Microsoft.Playwright.Assertions;

namespace SmartRegion.Web.Tests.Dashboard;

/// <summary>
/// /tableau-de-bord and its commune pages as a visitor uses them, on the demo district (the shared site) and on real
/// data (Saint-Denis and the Île-de-France BD TOPO sample, <see cref="RegionSite"/>): every figure shown equals the sum
/// of the building results in the database; the map draws the communes with a legend; the département filter and the
/// column sorts change the table and the URL; the CSV is the table; the pages pass axe.
/// </summary>
[Collection(RealData.Name)]
public sealed class DashboardTests(WebSite site, RegionSite region)
{
    /// <summary>The expected figures of each commune, summed here from the run's building results with boundary containment.</summary>
    private const string CommuneSums = """
        WITH b AS (
            SELECT r.*, (b.attributes ->> 'nombre_de_logements')::float8 AS dwellings,
                   (SELECT max(f.suitability_class) FROM solar.face_result f WHERE f.run_id = r.run_id AND f.building_id = r.building_id) AS best,
                   (SELECT x.code FROM region.boundary x WHERE x.level IN ('commune', 'arrondissement') AND ST_Contains(x.geometry, r.centre)
                    ORDER BY x.level = 'arrondissement' DESC LIMIT 1) AS code
            FROM solar.building_latest r JOIN region.building b ON b.id = r.building_id AND b.retired_run_id IS NULL)
        SELECT code, json_build_object(
            'buildingsAnalysed', count(*) FILTER (WHERE status = 'ok'),
            'usableAreaM2', coalesce(sum(usable_area_m2) FILTER (WHERE status = 'ok'), 0),
            'installableMwp', coalesce(sum(installable_kwp) FILTER (WHERE status = 'ok'), 0) / 1e3,
            'potentialGwhPerYear', coalesce(sum(annual_kwh_ac) FILTER (WHERE status = 'ok'), 0) / 1e6,
            'co2AvoidableTPerYear', coalesce(sum(co2_avoided_kg_per_year) FILTER (WHERE status = 'ok'), 0) / 1e3,
            'dwellings', coalesce(sum(dwellings), 0),
            'class4and5', count(*) FILTER (WHERE status = 'ok' AND best >= 4))::text
        FROM b WHERE code IS NOT NULL GROUP BY code
        """;

    private static async Task<Dictionary<string, JsonElement>> ExpectedAsync(SmartRegion.Testing.TestDatabase db)
    {
        var result = new Dictionary<string, JsonElement>();
        await using var cmd = db.DataSource.CreateCommand(CommuneSums);
        await using var reader = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            result[reader.GetString(0)] = JsonDocument.Parse(reader.GetString(1)).RootElement;
        }
        return result;
    }

    private static void AssertClose(double expected, string? shown, string what) =>
        Assert.True(shown is not null && Math.Abs(expected - double.Parse(shown, CultureInfo.InvariantCulture)) <= 1e-9 * Math.Max(1, Math.Abs(expected)),
            $"{what}: shown {shown}, sum of the building results {expected}");

    [Fact]
    public async Task Demo_FiguresMapAndCommunePage_EqualTheBuildingResults()
    {
        var expected = await ExpectedAsync(site.Database);
        var demo = expected["99999"];
        await using var browser = await BrowserPage.OpenAsync(site);
        var page = browser.Page;
        await browser.GotoAsync("/tableau-de-bord");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Baromètre solaire de la région", Level = 1 })).ToBeVisibleAsync();

        // The region's tiles: the demo commune is the only one, so the region is its sums.
        foreach (var key in new[] { "buildingsAnalysed", "installableMwp", "potentialGwhPerYear", "co2AvoidableTPerYear", "usableAreaM2" })
        {
            AssertClose(demo.GetProperty(key).GetDouble(), await page.Locator($"#key-figures [data-figure='{key}']").GetAttributeAsync("data-value"), key);
        }
        // The value is written in French: "0,53 GWh/an".
        var shown = await page.Locator("#key-figures [data-figure='potentialGwhPerYear'] .sr-figure__value").TextContentAsync();
        var french = await page.EvaluateAsync<string>("v => new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 }).format(v) + ' GWh/an'", demo.GetProperty("potentialGwhPerYear").GetDouble());
        Assert.Equal(french, shown);

        // The map: the commune coloured, linking to its page, a legend with its class and "no result".
        var link = page.Locator("#map a[data-code='99999']");
        await Expect(link).ToHaveAttributeAsync("href", "/tableau-de-bord/commune/99999");
        Assert.NotEqual("#e3e3e3", await link.Locator("path").GetAttributeAsync("fill"));
        await Expect(page.Locator("#map-legend li")).ToHaveCountAsync(2);
        await Expect(page.Locator("#map-legend")).ToContainTextAsync("pas de résultat");
        await browser.ScreenshotAsync("1-dashboard");
        await browser.AssertAccessibleAsync();

        // The table's row, then the commune page by clicking its name.
        var row = page.Locator("#communes-table tbody tr[data-code='99999']");
        AssertClose(demo.GetProperty("potentialGwhPerYear").GetDouble(), await row.Locator("td[data-key='potentialGwhPerYear']").GetAttributeAsync("data-value"), "table potential");
        await row.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Quartier de démonstration");
        Assert.EndsWith("/tableau-de-bord/commune/99999", page.Url, StringComparison.Ordinal);
        AssertClose(demo.GetProperty("installableMwp").GetDouble(), await page.Locator("#key-figures [data-figure='installableMwp']").GetAttributeAsync("data-value"), "commune installable");
        await Expect(page.Locator("#map3d-link")).ToHaveAttributeAsync("href", "/?commune=99999");
        await Expect(page.Locator("#classes-chart")).ToBeVisibleAsync();
        var classes = await page.Locator("#classes-table tbody tr").AllAsync();
        Assert.Equal(5, classes.Count);
        var class4and5 = 0;
        foreach (var r in classes.TakeLast(2))
        {
            class4and5 += int.Parse((await r.Locator("td").First.TextContentAsync())!.Replace("\u202f", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
        }
        Assert.Equal(demo.GetProperty("class4and5").GetInt32(), class4and5);

        // The roofs of largest potential: the ten largest productions of the commune, in order, each opening the 3D map on it.
        var top = new List<long>();
        await using (var cmd = site.Database.DataSource.CreateCommand(
            "SELECT building_id FROM solar.building_latest WHERE status = 'ok' ORDER BY annual_kwh_ac DESC, building_id LIMIT 10"))
        await using (var reader = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                top.Add(reader.GetInt64(0));
            }
        }
        var listed = page.Locator("#top-table tbody tr");
        await Expect(listed).ToHaveCountAsync(10);
        Assert.Equal(top.Select(id => id.ToString(CultureInfo.InvariantCulture)), await listed.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.building)"));
        await Expect(listed.First.GetByRole(AriaRole.Link)).ToHaveAttributeAsync("href", $"/?building={top[0]}");
        await Expect(listed.First.GetByRole(AriaRole.Link)).ToHaveAccessibleNameAsync(new Regex("^Voir sur la carte 3D : "));

        // "How is it computed?" leads to the figure's row: its formula, and an explore API query whose answer is the figure.
        await page.Locator("#key-figures [data-figure='potentialGwhPerYear']").GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.Locator("#calcul-potentialGwhPerYear")).ToContainTextAsync("annual_kwh_ac");
        var query = await page.Locator("#calcul-potentialGwhPerYear a[data-query]").First.GetAttributeAsync("href");
        using var http = new HttpClient { BaseAddress = site.BaseAddress };
        Assert.StartsWith("/api/explore/v2.1/catalog/datasets/solar-potential-buildings/records?select=", query);
        var answer = JsonDocument.Parse(await http.GetStringAsync(query, TestContext.Current.CancellationToken)).RootElement
            .GetProperty("results")[0].GetProperty("value").GetDouble();
        Assert.Equal(demo.GetProperty("potentialGwhPerYear").GetDouble(), answer / 1e6, 9);
        await Expect(page.Locator("#provenance")).ToContainTextAsync("Calcul solaire n°");
        await browser.ScreenshotAsync("2-commune");
        await browser.AssertAccessibleAsync();
        await browser.AssertHealthyAsync();
    }

    [Fact]
    public async Task Demo_InstalledVsPotential_FromAPublishedInstallationsDataset()
    {
        // A partner publishes its installations (one outside the district: counted nowhere, the commune has no result);
        // the barometer is refreshed with that dataset as the installations source, as an operator's override file would.
        var partners = new Partners(site);
        var org = await partners.OrganisationAsync("Syndicat d'énergie", "public_agency");
        var slug = Partners.Token("installations-");
        await partners.PublishCsvAsync(org, slug, "Installations photovoltaïques raccordées",
            "id;code_commune;puissance_kwc\n1;99999;3\n2;99999;9.5\n3;99999;36\n4;93066;100\n");
        var overrides = Path.Combine(Path.GetTempPath(), $"barometer-{slug}.json");
        await File.WriteAllTextAsync(overrides, $$"""{ "installations": { "datasetSlug": { "value": "{{slug}}", "source": "test", "date": "2026-12" } } }""",
            TestContext.Current.CancellationToken);
        var refresh = new BarometerRefresh(site.Database.DataSource);
        try
        {
            await refresh.RefreshAsync(BarometerParameters.Load(BarometerParameters.DefaultPath(), overrides), TestContext.Current.CancellationToken);
            var demo = (await ExpectedAsync(site.Database))["99999"];
            const double installedMwp = (3 + 9.5 + 36) / 1e3;
            var share = installedMwp / demo.GetProperty("installableMwp").GetDouble();

            await using var browser = await BrowserPage.OpenAsync(site);
            var page = browser.Page;
            await browser.GotoAsync("/tableau-de-bord");
            var tile = page.Locator("#key-figures [data-figure='installedMwp']");
            AssertClose(installedMwp, await tile.GetAttributeAsync("data-value"), "region installed");
            // Three significant digits of a small figure, not two decimals ("0,05 MWc" for 48.5 kWc).
            await Expect(tile).ToContainTextAsync("0,0485 MWc");
            await Expect(page.Locator("#communes-table tbody tr[data-code='99999'] td[data-key='installedMwp']")).ToHaveTextAsync("0,0485");
            var percent = await page.EvaluateAsync<string>("v => new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 1 }).format(v)", share);
            await Expect(tile).ToContainTextAsync($"soit {percent} de la puissance installable");
            var row = page.Locator("#communes-table tbody tr[data-code='99999']");
            AssertClose(installedMwp, await row.Locator("td[data-key='installedMwp']").GetAttributeAsync("data-value"), "table installed");
            await Expect(page.Locator("#methode")).ToContainTextAsync(slug);

            // The map shows installed ÷ installable: the district coloured, its label the share.
            await page.GetByLabel("Indicateur de la carte").SelectOptionAsync("installedShareOfInstallable");
            await Expect(page.Locator("#map-title")).ToContainTextAsync("Installé / installable");
            var link = page.Locator("#map a[data-code='99999']");
            await Expect(link).ToHaveAttributeAsync("aria-label", new Regex(Regex.Escape(percent)));
            Assert.NotEqual("#e3e3e3", await link.Locator("path").GetAttributeAsync("fill"));
            Assert.Contains("indicateur=installedShareOfInstallable", page.Url, StringComparison.Ordinal);
            // The map's figure holds its caption and legend (a rule of the catalogue's map once capped its height, and
            // they ran over the table's heading).
            var figure = (await page.Locator("#map").BoundingBoxAsync())!;
            var legend = (await page.Locator("#map-legend").BoundingBoxAsync())!;
            Assert.True(legend.Y + legend.Height <= figure.Y + figure.Height + 1, $"legend ends at {legend.Y + legend.Height}, its figure at {figure.Y + figure.Height}");
            await browser.ScreenshotAsync("1-installed");
            await browser.AssertAccessibleAsync();

            // The commune page says it too.
            await browser.GotoAsync("/tableau-de-bord/commune/99999");
            AssertClose(installedMwp, await page.Locator("#key-figures [data-figure='installedMwp']").GetAttributeAsync("data-value"), "commune installed");
            await browser.ScreenshotAsync("2-commune-installed");
            await browser.AssertAccessibleAsync();
            await browser.AssertHealthyAsync();
        }
        finally
        {
            // The other tests' barometer: the default configuration, whose installations dataset is not published here.
            await refresh.RefreshAsync(BarometerParameters.Load(BarometerParameters.DefaultPath()), CancellationToken.None);
            File.Delete(overrides);
        }
    }

    [Fact]
    public async Task RealData_FilterSortAndCsv_EveryCommuneEqualsItsBuildingResults()
    {
        var expected = await ExpectedAsync(region.Database);
        Assert.True(expected.Count >= 5, $"the sample has results in {expected.Count} communes");
        await using var browser = await BrowserPage.OpenAsync(site, baseAddress: region.BaseAddress);
        var page = browser.Page;
        await browser.GotoAsync("/tableau-de-bord");
        await Expect(page.Locator("#communes-table tbody tr")).ToHaveCountAsync(expected.Count);

        // Every commune's figures in the table equal its sums.
        foreach (var (code, sums) in expected)
        {
            var row = page.Locator($"#communes-table tbody tr[data-code='{code}']");
            foreach (var key in new[] { "buildingsAnalysed", "usableAreaM2", "installableMwp", "potentialGwhPerYear", "co2AvoidableTPerYear" })
            {
                AssertClose(sums.GetProperty(key).GetDouble(), await row.Locator($"td[data-key='{key}']").GetAttributeAsync("data-value"), $"{code} {key}");
            }
        }
        // The map: every commune of the region drawn, those with results as links; the legend names its classes.
        await Expect(page.Locator("#map path")).ToHaveCountAsync(1276 - 1 + 20);
        await Expect(page.Locator("#map a")).ToHaveCountAsync(expected.Count);
        Assert.True(await page.Locator("#map-legend li").CountAsync() >= 3);
        await browser.ScreenshotAsync("1-region");
        await browser.AssertAccessibleAsync();

        // Sort: by potential, largest first (the default), then smallest first.
        var potentials = expected.OrderByDescending(e => e.Value.GetProperty("potentialGwhPerYear").GetDouble()).Select(e => e.Key).ToList();
        Assert.Equal(potentials[0], await page.Locator("#communes-table tbody tr").First.GetAttributeAsync("data-code"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Production potentielle (GWh/an)" }).ClickAsync();
        await Expect(page.Locator("#communes-table th[data-key='potentialGwhPerYear']")).ToHaveAttributeAsync("aria-sort", "ascending");
        Assert.Equal(potentials[^1], await page.Locator("#communes-table tbody tr").First.GetAttributeAsync("data-code"));
        Assert.Contains("ordre=ascending", page.Url, StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Button, new() { Name = "Commune", Exact = true }).ClickAsync();
        await Expect(page.Locator("#communes-table thead th[data-key='name']")).ToHaveAttributeAsync("aria-sort", "descending");
        Assert.True(await page.EvaluateAsync<bool>("""
            () => {
              const names = [...document.querySelectorAll('#communes-table tbody tr th a')].map((a) => a.firstChild.textContent);
              const collator = new Intl.Collator('fr-FR', { numeric: true, sensitivity: 'base' });
              return names.length > 1 && names.every((n, i) => i === 0 || collator.compare(names[i - 1], n) >= 0);
            }
            """), "the communes are in descending name order");

        // Filter: Seine-Saint-Denis only; the tiles become the département's; the URL keeps it across a reload.
        await page.GetByLabel("Département").SelectOptionAsync("93");
        await Expect(page.Locator("#area-title")).ToContainTextAsync("Seine-Saint-Denis");
        var in93 = expected.Keys.Where(c => c.StartsWith("93", StringComparison.Ordinal)).ToList();
        await Expect(page.Locator("#communes-table tbody tr")).ToHaveCountAsync(in93.Count);
        await Expect(page.Locator("#map path")).ToHaveCountAsync(40);
        AssertClose(in93.Sum(c => expected[c].GetProperty("potentialGwhPerYear").GetDouble()),
            await page.Locator("#key-figures [data-figure='potentialGwhPerYear']").GetAttributeAsync("data-value"), "93 potential");
        Assert.Contains("departement=93", page.Url, StringComparison.Ordinal);
        await page.ReloadAsync(new() { WaitUntil = WaitUntilState.NetworkIdle });
        await Expect(page.Locator("#communes-table tbody tr")).ToHaveCountAsync(in93.Count);
        await Expect(page.GetByLabel("Département")).ToHaveValueAsync("93");

        // The map's indicator: the share of residential use; its caption and Saint-Denis's colour change with it.
        await page.GetByLabel("Indicateur de la carte").SelectOptionAsync("potentialShareOfResidentialUse");
        await Expect(page.Locator("#map-title")).ToContainTextAsync("Part de la consommation résidentielle");
        await browser.ScreenshotAsync("2-seine-saint-denis");
        await browser.AssertAccessibleAsync();

        // The CSV is the table: one line per commune of the département, the dataset's field names.
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#csv-link").ClickAsync());
        var lines = (await File.ReadAllLinesAsync((await download.PathAsync())!, TestContext.Current.CancellationToken)).ToList();
        Assert.StartsWith("commune_code,commune_name,departement_code,", lines[0], StringComparison.Ordinal);
        Assert.Equal(in93.Order(), lines.Skip(1).Select(l => l.Split(',')[0]).Order());
        await browser.AssertHealthyAsync();
    }

    [Fact]
    public async Task RealData_SaintDenisPage_InEnglish_WithItsClassesAndProvenance()
    {
        await using var browser = await BrowserPage.OpenAsync(site, locale: "en-GB", baseAddress: region.BaseAddress);
        var page = browser.Page;
        await browser.GotoAsync("/tableau-de-bord/commune/93066?lang=en");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Saint-Denis");
        await Expect(page.Locator("#classes-table")).ToContainTextAsync("Class 5");
        await Expect(page.Locator("#provenance")).ToContainTextAsync($"Solar run {region.RunId}");
        var dwellings = await region.ScalarAsync<double>("""
            SELECT sum((b.attributes ->> 'nombre_de_logements')::float8) FROM solar.building_latest l JOIN region.building b ON b.id = l.building_id
            WHERE b.source = 'bdtopo'
            """);
        Assert.Equal(400, dwellings);
        await browser.ScreenshotAsync("saint-denis-en");
        await browser.AssertAccessibleAsync();

        await browser.GotoAsync("/tableau-de-bord/commune/77999");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Commune without results", Level = 1 })).ToBeVisibleAsync();
        browser.ForgetConsoleErrors(e => e.Contains("404", StringComparison.Ordinal));
        await browser.AssertHealthyAsync();
    }
}
