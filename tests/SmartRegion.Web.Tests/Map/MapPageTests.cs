using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SmartRegion.Testing;

namespace SmartRegion.Web.Tests.Map;

/// <summary>
/// The 3D solar map as a resident uses it, in headless chromium with SwiftShader WebGL, on the demo district served by the
/// real Api and PostGIS: coloured roofs drawn → an address typed in lower case without accents → its suggestion chosen →
/// the report shows the solar API's numbers → a roof clicked in 3D → the right building → 21 December 09:00 → the image
/// changes (shadows) → axe clean → English. No request leaves 127.0.0.1.
/// </summary>
public sealed class MapPageTests(WebSite site)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Resident_FindsAnAddress_ReadsTheReport_ClicksARoof_PlaysTheSun_InFrenchThenEnglish()
    {
        var step = Steps.Start();
        var (address, other) = await TwoComputedBuildingsAsync();
        await using var browser = await BrowserPage.OpenAsync(site);
        var page = browser.Page;
        page.SetDefaultTimeout(60_000);   // software WebGL with shadows on a shared machine: a screenshot may take many seconds
        await GoAsync(page, "/");
        step("page loaded");
        await WaitForMapAsync(page);
        step("map ready");
        await browser.ScreenshotAsync("1-loaded", fullPage: false);
        step("screenshot 1");

        // Coloured roofs: pixels of the roof ramp's hues, many more with the buildings than without them.
        var withTiles = await page.EvaluateAsync<double>("() => window.smartregionTest.roofPixelShare()");
        var withoutTiles = await page.EvaluateAsync<double>("() => { const s = window.smartregionMap; s.tileset.show = false; const v = window.smartregionTest.roofPixelShare(); s.tileset.show = true; s.render(); return v; }");
        Assert.True(withTiles > 0.01 && withTiles > 5 * withoutTiles, $"roof-coloured share of the view: {withTiles:P2} with the buildings, {withoutTiles:P2} without");

        // The footprints layer on the ground: its PNG tile decoded by the browser is opaque inside the building, clear on
        // ground 3 m or more from any building.
        Assert.True(await page.EvaluateAsync<bool>("() => window.smartregionMap.viewer.imageryLayers.contains(window.smartregionMap.footprintLayer)"));
        Assert.True(await FootprintAlphaAsync(page, address.Lon, address.Lat) >= 150, "the footprint tile is not drawn inside the building");
        var (clearLon, clearLat) = await OpenGroundNearAsync(address.Id);
        Assert.Equal(0, await FootprintAlphaAsync(page, clearLon, clearLat));
        step("roof colours, footprints");

        // An address typed as a resident would: lower case, no accents; the suggestion chosen.
        var typed = RemoveAccents(address.Label).ToLowerInvariant();
        var box0 = page.GetByRole(AriaRole.Combobox, new() { Name = "Votre adresse" });
        await box0.FillAsync(typed[..^1]);
        await box0.PressSequentiallyAsync(typed[^1..]);
        var option = page.GetByRole(AriaRole.Option, new() { Name = address.Label, Exact = true });
        await option.ClickAsync();
        await Assertions.Expect(page.Locator("#report-title")).ToHaveTextAsync(address.Label, new() { Timeout = SlowMs });
        step("address searched, report shown");

        // The panel shows the API's numbers, to the unit shown.
        var report = await ApiReportAsync($"/api/v1/solar/buildings/closest?lat={address.Lat.ToString(CultureInfo.InvariantCulture)}&lon={address.Lon.ToString(CultureInfo.InvariantCulture)}");
        await ExpectNumberAsync(page, "#report-panels", report.GetProperty("panelCount").GetDouble(), 0);
        await ExpectNumberAsync(page, "#report-kwp", report.GetProperty("installableKwp").GetDouble(), 2);
        await ExpectNumberAsync(page, "#report-kwh", report.GetProperty("annualKwhAc").GetDouble(), 0);
        await ExpectNumberAsync(page, "#report-irradiation", report.GetProperty("meanIrradiationKwhPerM2").GetDouble(), 0);
        var full = report.GetProperty("finance").GetProperty("fullRoof");
        var financeText = await page.Locator("#report-finance-table").InnerTextAsync();
        Assert.Contains(Format(full.GetProperty("netCostEur").GetDouble(), 0), Squash(financeText));
        // A payback beyond the analysis period is null in the API and said in words on the page.
        Assert.Contains(full.GetProperty("paybackYears") is { ValueKind: JsonValueKind.Number } payback ? Format(payback.GetDouble(), 1) : "pasen", Squash(financeText));
        Assert.Equal(report.GetProperty("roofFaces").GetArrayLength(), await page.Locator("#report-faces tbody tr").CountAsync());
        var months = await page.Locator("#report-monthly-table tbody td").AllTextContentsAsync();   // in a closed <details>: text, not rendered text
        Assert.Equal(report.GetProperty("monthlyKwhAc").EnumerateArray().Select(m => Format(m.GetDouble(), 0)), months.Select(Squash));
        // An edited assumption recomputes the money, back to the API's figures on reset.
        await page.Locator("#assume-price").FillAsync("0.40");
        await Assertions.Expect(page.Locator("#report-finance-table")).ToHaveAttributeAsync("data-edited", "true");
        Assert.NotEqual(Squash(financeText), Squash(await page.Locator("#report-finance-table").InnerTextAsync()));
        await page.Locator("#assume-reset").ClickAsync();
        Assert.Equal(Squash(financeText), Squash(await page.Locator("#report-finance-table").InnerTextAsync()));
        // The page's finance model is the API's: the default price typed in again (recomputed in the page) gives the API's
        // figures — to the unit, but for the 20-year net gain, which the page sums from the API's rounded inputs (±0.5 %).
        var apiRows = await page.Locator("#report-finance-table tbody tr").AllInnerTextsAsync();
        await page.Locator("#assume-price").FillAsync(await page.Locator("#assume-price").InputValueAsync());
        await Assertions.Expect(page.Locator("#report-finance-table")).ToHaveAttributeAsync("data-edited", "true");
        var pageRows = await page.Locator("#report-finance-table tbody tr").AllInnerTextsAsync();
        Assert.Equal(apiRows.SkipLast(1).Select(Squash), pageRows.SkipLast(1).Select(Squash));
        foreach (var (api, mine) in Numbers(apiRows[^1]).Zip(Numbers(pageRows[^1])))
        {
            Assert.True(Math.Abs(mine - api) <= 0.005 * Math.Abs(api) + 1, $"net gain: page {mine}, API {api}");
        }
        await page.Locator("#assume-reset").ClickAsync();
        await Assertions.Expect(page.Locator("#report-uncertainty")).ToContainTextAsync("année météo type");   // the API's reasons, in French
        step("report checked");
        await browser.ScreenshotAsync("2-report", fullPage: false);
        step("screenshot 2");

        // A roof clicked in 3D, from straight above: that building's report. (setCamera cancels the search's flight, which
        // on a slow machine may still be under way and would take the camera back to the first building.)
        await page.EvaluateAsync($"() => window.smartregionMap.setCamera({{ lon: {other.Lon.ToString(CultureInfo.InvariantCulture)}, lat: {other.Lat.ToString(CultureInfo.InvariantCulture)}, height: 220, heading: 0, pitch: -90 }})");
        await page.EvaluateAsync("() => window.smartregionMap.tilesSettled()");
        var box = (await page.Locator("#map-canvas").BoundingBoxAsync())!;
        await page.Mouse.ClickAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
        // The pick, the report's request and its rendering: seconds each on a loaded machine.
        await Assertions.Expect(page.Locator("#report .sr-muted").First).ToContainTextAsync($"n° {other.Id} ", new() { Timeout = SlowMs });
        await Assertions.Expect(page.Locator("#report-title")).Not.ToBeEmptyAsync();
        step("roof clicked");
        await browser.ScreenshotAsync("3-clicked-roof", fullPage: false);
        step("screenshot 3");

        // The sun on 21 December at 09:00: shadows; the image changes.
        await page.EvaluateAsync("() => window.smartregionTest.keep()");
        await page.Locator("#sun-box summary").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "21 décembre" }).ClickAsync();
        await page.Locator("#sun-hour").EvaluateAsync("(e) => { e.value = '9'; e.dispatchEvent(new Event('input', { bubbles: true })); }");
        await Assertions.Expect(page.Locator("#sun-hour-output")).ToHaveTextAsync("09:00");
        await page.EvaluateAsync("() => window.smartregionMap.tilesSettled()");
        var changed = await page.EvaluateAsync<double>("() => window.smartregionTest.difference()");
        step("sun set");
        Assert.True(changed > 0.02, $"share of pixels changed by the winter morning sun: {changed:P2}");
        // The address bar follows (written 250 ms after the last change, so waited for, not read at once).
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($@"[?&]building={other.Id}(&|$)"), new() { Timeout = SlowMs });
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"[?&]date=\d{4}-12-21(&|$)"), new() { Timeout = SlowMs });
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"[?&]hour=9(&|$)"), new() { Timeout = SlowMs });
        step("url");
        await browser.ScreenshotAsync("4-december-9h", fullPage: false);
        step("screenshot 4");

        await browser.AssertAccessibleAsync();
        step("axe");

        // English: the same building and time, in English.
        await page.Locator("#chrome-language").ClickAsync();
        await page.WaitForURLAsync(new Regex("lang=en"));
        await WaitForMapAsync(page);
        step("english map ready");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Roof faces" })).ToBeVisibleAsync(new() { Timeout = SlowMs });
        await Assertions.Expect(page.Locator("#sun-hour-output")).ToHaveTextAsync("09:00", new() { Timeout = SlowMs });
        await browser.ScreenshotAsync("5-english", fullPage: false);
        step("screenshot 5");
        await browser.AssertHealthyAsync();
    }

    [Fact]
    public async Task NoWebGl_TheReportStillComes_ApiDown_AClearMessage()
    {
        var (address, _) = await TwoComputedBuildingsAsync();
        await using var browser = await BrowserPage.OpenAsync(site);
        var page = browser.Page;
        page.SetDefaultTimeout(60_000);   // software WebGL with shadows on a shared machine: a screenshot may take many seconds
        await page.AddInitScriptAsync("(() => { const get = HTMLCanvasElement.prototype.getContext; HTMLCanvasElement.prototype.getContext = function (type, ...rest) { return /webgl/.test(type) ? null : get.call(this, type, ...rest); }; })()");
        await GoAsync(page, "/");
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-map-ready", "no-webgl");
        await Assertions.Expect(page.Locator("#no-webgl")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Combobox).FillAsync(RemoveAccents(address.Label).ToLowerInvariant());
        await page.GetByRole(AriaRole.Option, new() { Name = address.Label, Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#report-panels")).ToBeVisibleAsync();
        await browser.ScreenshotAsync("no-webgl");
        await browser.AssertAccessibleAsync();

        // The API down: every /api call fails; the page says so in words.
        await page.RouteAsync("**/api/v1/**", route => route.AbortAsync("connectionrefused"));
        await page.GetByRole(AriaRole.Combobox).FillAsync("rue de la republique");
        await page.GetByRole(AriaRole.Button, new() { Name = "Chercher" }).ClickAsync();
        await Assertions.Expect(page.Locator("#search-status")).ToContainTextAsync("ne répond pas");
        browser.ForgetConsoleErrors(e => e.Contains("ERR_CONNECTION_REFUSED", StringComparison.Ordinal) || e.Contains("Failed to load resource", StringComparison.Ordinal));
        await browser.AssertHealthyAsync();
    }

    [Fact]
    public async Task PartnerLayers_HeatMapUpClose_BarometerLinks_SharedUrl_PrintOnOneA4Page()
    {
        var schoolsFile = SharedData.Require("partners/seine-saint-denis_ecoles_potentiel_solaire_d4g.geojson");
        SharedData.Require("partners/paris_arbres_plantes.csv");
        await site.RunCliAsync(["sample", "partners", "--from", Path.GetDirectoryName(schoolsFile)!]);
        var (address, _) = await TwoComputedBuildingsAsync();
        await using var browser = await BrowserPage.OpenAsync(site);
        var page = browser.Page;
        page.SetDefaultTimeout(60_000);   // software WebGL with shadows on a shared machine: a screenshot may take many seconds

        // The barometer's link to a commune: the map frames it and draws its boundary.
        await GoAsync(page, "/?commune=99999");
        await WaitForMapAsync(page);
        Assert.True(await page.EvaluateAsync<int>("() => window.smartregionMap.boundaries.entities.values.length") >= 1, "no commune boundary drawn");
        var camera = await page.EvaluateAsync<JsonElement>("() => window.smartregionMap.cameraState()");
        Assert.InRange(camera.GetProperty("lon").GetDouble(), address.Lon - 0.02, address.Lon + 0.02);
        Assert.InRange(camera.GetProperty("lat").GetDouble(), address.Lat - 0.03, address.Lat + 0.02);

        // The partners' open datasets as layers: the schools checked → 1,130 points; a click on one → its fields and a link.
        await page.Locator("#layers-box summary").ClickAsync();
        await Assertions.Expect(page.Locator("label[for='layer-arbres-plantes-paris']")).ToContainTextAsync("Les arbres plantés");
        await Assertions.Expect(page.Locator("label[for='layer-arbres-plantes-paris']")).ToContainTextAsync("Ville de Paris");
        var schools = page.Locator("label[for='layer-ecoles-seine-saint-denis-potentiel-solaire']");
        await Assertions.Expect(schools).ToContainTextAsync("Data For Good");
        await schools.ClickAsync();
        await page.WaitForFunctionAsync("() => window.smartregionMap.layers.get('ecoles-seine-saint-denis-potentiel-solaire')?.dataSource.entities.values.length === 1130");
        var school = await page.EvaluateAsync<JsonElement>("""
            () => {
              const { Cesium, layers } = window.smartregionMap;
              const e = layers.get('ecoles-seine-saint-denis-potentiel-solaire').dataSource.entities.values
                .find((x) => x.properties.nom_etablissement.getValue() && x.properties.code_commune.getValue() === '93066');
              const c = Cesium.Cartographic.fromCartesian(e.position.getValue(Cesium.JulianDate.now()));
              return { lon: Cesium.Math.toDegrees(c.longitude), lat: Cesium.Math.toDegrees(c.latitude), name: e.properties.nom_etablissement.getValue() };
            }
            """);
        await page.EvaluateAsync($"() => window.smartregionMap.setCamera({{ lon: {Inv(school.GetProperty("lon").GetDouble())}, lat: {Inv(school.GetProperty("lat").GetDouble())}, height: 400, heading: 0, pitch: -90 }})");
        var box = (await page.Locator("#map-canvas").BoundingBoxAsync())!;
        await page.Mouse.ClickAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
        var popup = page.Locator("#layer-popup");
        await Assertions.Expect(popup).ToBeVisibleAsync();
        await Assertions.Expect(popup).ToContainTextAsync(school.GetProperty("name").GetString()!);
        Assert.Equal("/catalogue/ecoles-seine-saint-denis-potentiel-solaire", await popup.GetByRole(AriaRole.Link).GetAttributeAsync("href"));
        await browser.ScreenshotAsync("1-school-popup", fullPage: false);
        await popup.GetByRole(AriaRole.Button).ClickAsync();
        await Assertions.Expect(popup).ToBeHiddenAsync();

        // Up close, the per-sample heat map: each sample's cell drawn on its roof; turning it off changes the image.
        await page.EvaluateAsync($"() => window.smartregionMap.setCamera({{ lon: {Inv(address.Lon)}, lat: {Inv(address.Lat)}, height: 160, heading: 0, pitch: -90 }})");
        await page.WaitForFunctionAsync("() => window.smartregionMap.heatMap.cellCount > 20", null, new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#heatmap-status")).ToHaveTextAsync(new Regex("^Chaque carré de 2 m"));
        await page.EvaluateAsync("() => window.smartregionMap.tilesSettled()");
        await browser.ScreenshotAsync("2-heat-map", fullPage: false);
        await page.EvaluateAsync("() => window.smartregionTest.keep()");
        await page.GetByText("Ensoleillement point par point, de près").ClickAsync();
        await Assertions.Expect(page.Locator("#heatmap-toggle")).Not.ToBeCheckedAsync();
        var changed = await page.EvaluateAsync<double>("() => window.smartregionTest.difference()");
        var heat = await page.EvaluateAsync<string>("() => { const m = window.smartregionMap.heatMap; return JSON.stringify({ enabled: m.enabled, show: m.primitive?.show, cells: m.cellCount, state: m.state }); }");
        Assert.True(changed > 0.002, $"share of pixels changed by the heat map: {changed:P2} ({heat})");

        // The address bar is the shareable link: opened again, the same layer and camera.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"[?&]layers=ecoles-seine-saint-denis-potentiel-solaire(&|$)"), new() { Timeout = SlowMs });
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"[?&]cam=[^&]+"), new() { Timeout = SlowMs });
        var shared = page.Url;
        await GoAsync(page, shared);
        await WaitForMapAsync(page);
        await page.WaitForFunctionAsync("() => window.smartregionMap.layers.get('ecoles-seine-saint-denis-potentiel-solaire')?.dataSource.entities.values.length === 1130");
        Assert.True(await page.Locator("#layer-ecoles-seine-saint-denis-potentiel-solaire").IsCheckedAsync());

        // The barometer's link to a building: its report; printed, one A4 page.
        await GoAsync(page, $"/?building={address.Id}");
        await Assertions.Expect(page.Locator("#report-title")).ToHaveTextAsync(address.Label, new() { Timeout = 60_000 });

        // "Correct my roof", as a resident does it: the first face's slope typed wrong (a wall, then a word) → a message
        // beside the field, nothing sent; a chimney on face 1 typed 80 m tall → its message, nothing sent; then the slope 15°
        // steeper (or flatter) and the chimney 4 m tall → the what-if the page sends holds exactly those faces and that
        // chimney (heightM), and the page shows the API's answer to it as a simulation beside the official figures; back →
        // the official report again.
        var official = await ApiReportAsync($"/api/v1/solar/buildings/{address.Id}");
        var faces = official.GetProperty("roofFaces").EnumerateArray().Where(f => f.TryGetProperty("polygonWgs84", out var g) && g.ValueKind == JsonValueKind.Object).ToList();
        var tilt0 = Math.Round(faces[0].GetProperty("tiltDeg").GetDouble(), MidpointRounding.AwayFromZero);
        var corrected = tilt0 > 50 ? tilt0 - 15 : tilt0 + 15;
        var whatIfs = new WhatIfRequests(page);
        await page.Locator("summary", new() { HasText = "Corriger mon toit" }).ClickAsync();
        var faceNo = faces[0].GetProperty("faceNo").GetInt32();
        var slope = page.GetByRole(AriaRole.Textbox, new() { Name = $"Pente du pan {faceNo}, en degrés" });
        var submit = page.GetByRole(AriaRole.Button, new() { Name = "Recalculer avec mes corrections" });
        await slope.FillAsync("80");
        await submit.ClickAsync();
        await Assertions.Expect(page.Locator("#correct-form .fr-error-text:visible")).ToHaveTextAsync(
            $"Pente du pan {faceNo} : 80° n'est pas une pente de toit : de 0 à 75°");
        await Assertions.Expect(slope).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(slope).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#correct-status")).ToHaveTextAsync("Une valeur est à corriger : voyez le message sous le champ.");
        await slope.FillAsync("raide");
        await submit.ClickAsync();
        await Assertions.Expect(page.Locator("#correct-form .fr-error-text:visible")).ToContainTextAsync("« raide » n'est pas un nombre de degrés");
        await slope.FillAsync(Inv(corrected).Replace('.', ','));
        await page.GetByRole(AriaRole.Button, new() { Name = "Ajouter un obstacle" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Type de l'obstacle 1" })).ToHaveValueAsync("chimney");
        await Assertions.Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Pan de l'obstacle 1" })).ToHaveValueAsync("0");
        var height = page.GetByRole(AriaRole.Textbox, new() { Name = "Hauteur de l'obstacle 1 au-dessus du pan, en mètres" });
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Côté de l'obstacle 1, en mètres" }).FillAsync("1,5");
        await height.FillAsync("80");
        await submit.ClickAsync();
        await Assertions.Expect(page.Locator("#correct-form .fr-error-text:visible")).ToHaveTextAsync(
            "Hauteur de l'obstacle 1 : 80 m n'est pas une hauteur d'obstacle : de 0 à 50 m au-dessus du pan");
        await Assertions.Expect(height).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(height).ToBeFocusedAsync();
        await page.Locator("#correct-form").ScrollIntoViewIfNeededAsync();
        await browser.ScreenshotAsync("3-correct-my-roof-refused", fullPage: false);
        Assert.Equal(0, whatIfs.Count);
        await height.FillAsync("4");
        await submit.ClickAsync();
        await Assertions.Expect(page.Locator("#report-simulation")).ToBeVisibleAsync(new() { Timeout = SlowMs });
        Assert.Equal(1, whatIfs.Count);
        // What the page sent: every face as the report gave it but the first one's slope, and the chimney, 4 m tall, a
        // 1.5 m square on face 1.
        using var request = JsonDocument.Parse(whatIfs.Last!);
        var sentFaces = request.RootElement.GetProperty("roofFaces").EnumerateArray().ToList();
        Assert.Equal(faces.Count, sentFaces.Count);
        Assert.Equal(corrected, sentFaces[0].GetProperty("tiltDeg").GetDouble());
        for (var i = 1; i < faces.Count; i++)
        {
            Assert.Equal(faces[i].GetProperty("tiltDeg").GetDouble(), sentFaces[i].GetProperty("tiltDeg").GetDouble());
        }
        var chimney = Assert.Single(request.RootElement.GetProperty("obstacles").EnumerateArray());
        Assert.Equal(1, chimney.GetProperty("faceNo").GetInt32());
        Assert.Equal("chimney", chimney.GetProperty("kind").GetString());
        Assert.Equal(4, chimney.GetProperty("heightM").GetDouble());
        var square = chimney.GetProperty("polygonWgs84").GetProperty("coordinates")[0].EnumerateArray().Select(c => (Lon: c[0].GetDouble(), Lat: c[1].GetDouble())).ToList();
        Assert.Equal(1.5, (square.Max(c => c.Lat) - square.Min(c => c.Lat)) * 111_320, 2);
        // The page shows the API's answer to exactly that request.
        using var http = new HttpClient { BaseAddress = site.BaseAddress };
        using var content = new StringContent(whatIfs.Last!, Encoding.UTF8, "application/json");
        var simulated = await (await http.PostAsync($"/api/v1/solar/buildings/{address.Id}/what-if", content, Ct)).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(4, simulated.GetProperty("simulation").GetProperty("obstacles")[0].GetProperty("heightM").GetDouble());
        Assert.NotEqual(Format(official.GetProperty("annualKwhAc").GetDouble(), 0), Format(simulated.GetProperty("annualKwhAc").GetDouble(), 0));
        await Assertions.Expect(page.Locator("#report-official-figures")).ToContainTextAsync("Rapport officiel");
        Assert.Contains(Format(official.GetProperty("annualKwhAc").GetDouble(), 0), Squash(await page.Locator("#report-official-figures").InnerTextAsync()));
        await ExpectNumberAsync(page, "#report-kwh", simulated.GetProperty("annualKwhAc").GetDouble(), 0);
        await ExpectNumberAsync(page, "#report-panels", simulated.GetProperty("panelCount").GetDouble(), 0);
        await browser.ScreenshotAsync("4-correct-my-roof-simulation", fullPage: false);
        await page.GetByRole(AriaRole.Button, new() { Name = "Revenir au rapport officiel" }).ClickAsync();
        await Assertions.Expect(page.Locator("#report-simulation")).ToBeHiddenAsync();
        await ExpectNumberAsync(page, "#report-kwh", official.GetProperty("annualKwhAc").GetDouble(), 0);
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        await browser.ScreenshotAsync("5-print");
        var pdf = Encoding.Latin1.GetString(await page.PdfAsync(new() { Format = "A4", PrintBackground = true }));
        Assert.Equal(1, Regex.Count(pdf, @"/Type\s*/Page[^s]"));
        await page.EmulateMediaAsync(new() { Media = Media.Screen });
        await browser.AssertAccessibleAsync();
        await browser.AssertHealthyAsync();
    }

    /// <summary>
    /// "Correct my roof" with the mouse, as a resident places a chimney: "place on the roof" → the map in placing mode,
    /// said in words (Escape cancels) → a click beside the roof, then on the neighbour: each refused in words, nothing
    /// added → a click on a face of the roof: the obstacle there (that face, that spot), drawn in 3D → the same spot again:
    /// refused (one obstacle there already) → by keyboard, two obstacles left at one face's centre: refused, a side of 25 m:
    /// refused, nothing sent → sent: the API gets the clicked point, the page shows the API's answer and keeps the obstacle
    /// where it was → a refusal of the API (the request moved off the roof on its way) said under the obstacle's face → the
    /// form's selects show their arrows at the panel's width, in French and in English; axe clean.
    /// </summary>
    [Fact]
    public async Task CorrectMyRoof_AChimneyPlacedByAClick_DrawnThere_SentThere_BadClicksAndValuesRefused_InFrenchThenEnglish()
    {
        var step = Steps.Start();
        var (address, _) = await TwoComputedBuildingsAsync();
        var official = await ApiReportAsync($"/api/v1/solar/buildings/{address.Id}");
        var faces = official.GetProperty("roofFaces").EnumerateArray().Where(f => f.TryGetProperty("polygonWgs84", out var g) && g.ValueKind == JsonValueKind.Object).ToList();
        // The click: halfway from the middle of the largest four-sided face (convex, so its middle is on it) to its farthest
        // corner — not its centre, where the keyboard's way puts an obstacle.
        var faceIndex = faces.Select((f, i) => (f, i)).OrderBy(x => Ring(x.f).Count == 4 ? 0 : 1).ThenByDescending(x => x.f.GetProperty("areaM2").GetDouble()).First().i;
        var target = RoofPoint(faces[faceIndex], 0.5);
        var (groundLon, groundLat) = await OpenGroundNearAsync(address.Id);
        // On the neighbour: a point inside its footprint, at its roof's highest altitude (seen from above, a metre or two
        // lower shifts it by centimetres on the screen).
        var (neighbourId, neighbourLon, neighbourLat) = await NeighbourAsync(address.Id);
        var neighbourTop = (await ApiReportAsync($"/api/v1/solar/buildings/{neighbourId}")).GetProperty("roofFaces").EnumerateArray()
            .Where(f => f.TryGetProperty("polygonWgs84", out var g) && g.ValueKind == JsonValueKind.Object).SelectMany(f => Ring(f)).Max(c => c.Z ?? double.NaN);
        var neighbour = new RoofSpot(neighbourLon, neighbourLat, neighbourTop);
        await using var browser = await BrowserPage.OpenAsync(site);
        var page = browser.Page;
        page.SetDefaultTimeout(60_000);
        var whatIfs = new WhatIfRequests(page);
        await GoAsync(page, $"/?building={address.Id}");
        await WaitForMapAsync(page);
        await Assertions.Expect(page.Locator("#report-title")).ToHaveTextAsync(address.Label, new() { Timeout = SlowMs });
        // From straight above, between the roof and its neighbour, close enough for a 1 m chimney to show.
        await page.EvaluateAsync($"() => window.smartregionMap.setCamera({{ lon: {Inv((target.Lon + neighbour.Lon) / 2)}, lat: {Inv((target.Lat + neighbour.Lat) / 2)}, height: 110, heading: 0, pitch: -90 }})");
        await page.EvaluateAsync("() => window.smartregionMap.tilesSettled()");
        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.smartregionTest.countHue(172, 192)"));
        await page.Locator("summary", new() { HasText = "Corriger mon toit" }).ClickAsync();
        step("report, roof in view");

        // Placing mode, said in words over the map; Escape leaves it, nothing changed.
        var place = page.GetByRole(AriaRole.Button, new() { Name = "Placer sur le toit", Exact = true });
        var banner = page.Locator("#map-placing");
        var status = page.Locator("#obstacle-status");
        await place.ClickAsync();
        await Assertions.Expect(banner).ToContainTextAsync("Placement de l'obstacle 1 : cliquez sur un pan du toit sélectionné.");
        await Assertions.Expect(page.Locator("#map")).ToBeFocusedAsync();
        await browser.AssertAccessibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(banner).ToBeHiddenAsync();
        await Assertions.Expect(status).ToHaveTextAsync("Placement annulé : rien n'a changé.");
        await Assertions.Expect(place).ToBeFocusedAsync();
        step("placing mode, escape, axe");

        // A click beside the roof, then on the neighbour: refused in words, nothing added; then on the roof: placed there.
        var message = page.Locator("#map-placing-message");
        await place.ClickAsync();
        await ClickOnMapAsync(page, groundLon, groundLat, await GroundAltitudeAsync(page), null);
        await Assertions.Expect(message).ToHaveTextAsync("Rien n'est placé : ce clic est à côté du toit. Cliquez sur un pan du toit sélectionné.", new() { Timeout = SlowMs });
        await ClickOnMapAsync(page, neighbour.Lon, neighbour.Lat, neighbour.AltitudeM, neighbourId);
        await Assertions.Expect(message).ToHaveTextAsync($"Rien n'est placé : ce clic est sur un autre bâtiment (n° {neighbourId}). Cliquez sur le toit du bâtiment sélectionné.", new() { Timeout = SlowMs });
        await Assertions.Expect(page.Locator("#obstacle-list > li")).ToHaveCountAsync(0);
        await Assertions.Expect(banner).ToBeVisibleAsync();
        await ClickOnMapAsync(page, target.Lon, target.Lat, target.AltitudeM, address.Id);
        var faceNo = faces[faceIndex].GetProperty("faceNo").GetInt32();
        await Assertions.Expect(status).ToHaveTextAsync($"Obstacle 1 placé sur le pan {faceNo}, à l'endroit cliqué : indiquez son type, son côté et sa hauteur.", new() { Timeout = SlowMs });
        await Assertions.Expect(banner).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#obstacle-1-where")).ToHaveTextAsync($"sur le pan {faceNo}, à l'endroit cliqué");
        await Assertions.Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Pan de l'obstacle 1" })).ToHaveValueAsync(faceIndex.ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Type de l'obstacle 1" })).ToBeFocusedAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Hauteur de l'obstacle 1 au-dessus du pan, en mètres" }).FillAsync("3");
        // Drawn in 3D: a box of its side and height, in the obstacles' teal, where the roof was clicked.
        // (Cesium builds an entity's geometry in a worker: the box shows a few frames later.)
        await page.WaitForFunctionAsync("() => window.smartregionMap.obstacles.entities.values.length === 1");
        try
        {
            await page.WaitForFunctionAsync("() => window.smartregionTest.countHue(172, 192) >= 20", null, new() { Timeout = SlowMs, PollingInterval = 1000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{await page.EvaluateAsync<int>("() => window.smartregionTest.countHue(172, 192)")} pixels of the obstacle's teal drawn");
        }
        await page.Locator("#correct-obstacles").ScrollIntoViewIfNeededAsync();
        await browser.ScreenshotAsync("1-chimney-placed", fullPage: false);
        step("bad clicks refused, chimney placed and drawn");

        // The same spot again: one obstacle stands there already.
        await place.ClickAsync();
        await ClickOnMapAsync(page, target.Lon, target.Lat, target.AltitudeM, address.Id);
        await Assertions.Expect(message).ToHaveTextAsync("Rien n'est placé : l'obstacle 1 occupe déjà cet endroit. Cliquez à côté.", new() { Timeout = SlowMs });
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.Locator("#obstacle-list > li")).ToHaveCountAsync(1);

        // By keyboard: two obstacles left at the centre of one face overlap; a side of 25 m is out of range; nothing is sent.
        var otherFace = faces.Count > 1 ? (faceIndex + 1) % faces.Count : faceIndex;
        var add = page.GetByRole(AriaRole.Button, new() { Name = "Ajouter un obstacle" });
        foreach (var no in new[] { 2, 3 })
        {
            await add.ClickAsync();
            await page.GetByRole(AriaRole.Combobox, new() { Name = $"Pan de l'obstacle {no}" }).SelectOptionAsync(otherFace.ToString(CultureInfo.InvariantCulture));
        }
        await Assertions.Expect(page.Locator("#obstacle-3-where")).ToHaveTextAsync($"au centre du pan {faces[otherFace].GetProperty("faceNo").GetInt32()}");
        var size2 = page.GetByRole(AriaRole.Textbox, new() { Name = "Côté de l'obstacle 2, en mètres" });
        await size2.FillAsync("25");
        var submit = page.GetByRole(AriaRole.Button, new() { Name = "Recalculer avec mes corrections" });
        await submit.ClickAsync();
        await Assertions.Expect(page.Locator("#obstacle-2 .fr-error-text:visible")).ToHaveTextAsync("Côté de l'obstacle 2 : 25 m n'est pas un côté d'obstacle : de 0,2 à 20 m");
        await Assertions.Expect(size2).ToBeFocusedAsync();
        await size2.FillAsync("1,5");
        await submit.ClickAsync();
        await Assertions.Expect(page.Locator("#obstacle-3 .fr-error-text:visible")).ToHaveTextAsync(
            "Pan de l'obstacle 3 : il chevauche l'obstacle 2 : placez-le ailleurs (« Déplacer », ou un autre pan) ou réduisez son côté");
        await Assertions.Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Pan de l'obstacle 3" })).ToBeFocusedAsync();
        Assert.Equal(0, whatIfs.Count);
        await browser.ScreenshotAsync("2-overlap-refused", fullPage: false);
        await page.GetByRole(AriaRole.Button, new() { Name = "Retirer l'obstacle 3" }).ClickAsync();
        Assert.Empty(await page.EvaluateAsync<string[]>("() => window.smartregionTest.crampedSelects()"));
        step("overlap and range refused");

        // Sent: the chimney where the roof was clicked (its centre within a pixel's width of the point aimed at), on that face.
        await submit.ClickAsync();
        await Assertions.Expect(page.Locator("#report-simulation")).ToBeVisibleAsync(new() { Timeout = SlowMs });
        Assert.Equal(1, whatIfs.Count);
        using var request = JsonDocument.Parse(whatIfs.Last!);
        var obstacles = request.RootElement.GetProperty("obstacles").EnumerateArray().ToList();
        Assert.Equal(2, obstacles.Count);
        Assert.Equal(faceIndex + 1, obstacles[0].GetProperty("faceNo").GetInt32());
        Assert.Equal(3, obstacles[0].GetProperty("heightM").GetDouble());
        var square = Ring(obstacles[0].GetProperty("polygonWgs84"));
        var (centreLon, centreLat) = (square.Take(4).Average(c => c.Lon), square.Take(4).Average(c => c.Lat));
        var offM = Math.Sqrt(Math.Pow((centreLon - target.Lon) * 111_320 * Math.Cos(target.Lat * Math.PI / 180), 2) + Math.Pow((centreLat - target.Lat) * 111_320, 2));
        Assert.True(offM < 0.5, $"the chimney was sent {offM:F2} m from where the roof was clicked");
        Assert.Equal(1.0, (square.Max(c => c.Lat) - square.Min(c => c.Lat)) * 111_320, 2);
        Assert.Equal(otherFace + 1, obstacles[1].GetProperty("faceNo").GetInt32());
        // The page shows the API's answer to exactly that request, and keeps the chimney where it was clicked.
        using var http = new HttpClient { BaseAddress = site.BaseAddress };
        using var content = new StringContent(whatIfs.Last!, Encoding.UTF8, "application/json");
        var simulated = await (await http.PostAsync($"/api/v1/solar/buildings/{address.Id}/what-if", content, Ct)).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>(Ct);
        await ExpectNumberAsync(page, "#report-kwh", simulated.GetProperty("annualKwhAc").GetDouble(), 0);
        await ExpectNumberAsync(page, "#report-panels", simulated.GetProperty("panelCount").GetDouble(), 0);
        await ExpectNumberAsync(page, "#report-kwp", simulated.GetProperty("installableKwp").GetDouble(), 2);
        var answered = simulated.GetProperty("simulation").GetProperty("obstacles")[0].GetProperty("centreWgs84");
        Assert.Equal(centreLon, answered.GetProperty("lon").GetDouble(), 1e-6);
        Assert.Equal(centreLat, answered.GetProperty("lat").GetDouble(), 1e-6);
        await Assertions.Expect(page.Locator("#obstacle-1-where")).ToHaveTextAsync($"sur le pan {faceNo}, à l'endroit cliqué");
        await Assertions.Expect(page.Locator("#obstacle-2-where")).ToHaveTextAsync($"au centre du pan {faces[otherFace].GetProperty("faceNo").GetInt32()}");
        await page.WaitForFunctionAsync("() => window.smartregionMap.obstacles.entities.values.length === 2");
        await browser.ScreenshotAsync("3-simulation", fullPage: false);
        step("sent where clicked, the API's answer shown");

        // The API refusing: the request moved 200 m south on its way (off the roof); the API's words go under obstacle 1's face.
        await page.RouteAsync("**/what-if", async route =>
        {
            var body = JsonNode.Parse(route.Request.PostData!)!;
            foreach (var position in body["obstacles"]![0]!["polygonWgs84"]!["coordinates"]![0]!.AsArray())
            {
                position![1] = position[1]!.GetValue<double>() - 0.0018;
            }
            await route.ContinueAsync(new() { PostData = Encoding.UTF8.GetBytes(body.ToJsonString()) });
        });
        await submit.ClickAsync();
        await Assertions.Expect(page.Locator("#obstacle-1 .fr-error-text:visible")).ToContainTextAsync(
            "Pan de l'obstacle 1 : refusé par le calcul (obstacles[0].polygonWgs84 is off the roof", new() { Timeout = SlowMs });
        await Assertions.Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Pan de l'obstacle 1" })).ToBeFocusedAsync();
        await page.UnrouteAllAsync(new() { Behavior = UnrouteBehavior.Wait });
        browser.ForgetConsoleErrors(e => e.Contains("status of 400", StringComparison.Ordinal) && e.Contains("/what-if", StringComparison.Ordinal));
        step("the API's refusal");

        // English: the same form and words, the selects' arrows shown at the panel's width.
        await page.Locator("#chrome-language").ClickAsync();
        await page.WaitForURLAsync(new Regex("lang=en"));
        await WaitForMapAsync(page);
        await page.Locator("summary", new() { HasText = "Correct my roof" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add an obstacle" }).ClickAsync();
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Kind of obstacle 1" }).SelectOptionAsync("skylight");
        await page.GetByRole(AriaRole.Button, new() { Name = "Place on the roof", Exact = true }).ClickAsync();
        await Assertions.Expect(banner).ToContainTextAsync("Placing obstacle 2: click a face of the selected roof.");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.Locator("#obstacle-status")).ToHaveTextAsync("Placing cancelled: nothing changed.");
        Assert.Empty(await page.EvaluateAsync<string[]>("() => window.smartregionTest.crampedSelects()"));
        await page.Locator("#correct-obstacles").ScrollIntoViewIfNeededAsync();
        await browser.ScreenshotAsync("4-english", fullPage: false);
        await browser.AssertAccessibleAsync();
        await browser.AssertHealthyAsync();
        step("english, axe");
    }

    /// <summary>The what-if requests a page sends: how many, and the last one's body.</summary>
    private sealed class WhatIfRequests
    {
        private int _count;

        public WhatIfRequests(IPage page) => page.Request += (_, r) =>
        {
            if (r.Method == "POST" && r.Url.EndsWith("/what-if", StringComparison.Ordinal))
            {
                Last = r.PostData;
                Interlocked.Increment(ref _count);
            }
        };

        public int Count => Volatile.Read(ref _count);

        public string? Last { get; private set; }
    }

    private sealed record RoofSpot(double Lon, double Lat, double AltitudeM);

    /// <summary>The positions of a GeoJSON polygon's outer ring, without the closing one.</summary>
    private static List<(double Lon, double Lat, double? Z)> Ring(JsonElement face)
    {
        var polygon = face.TryGetProperty("polygonWgs84", out var p) ? p : face;
        var ring = polygon.GetProperty("coordinates")[0].EnumerateArray()
            .Select(c => (c[0].GetDouble(), c[1].GetDouble(), c.GetArrayLength() > 2 ? c[2].GetDouble() : (double?)null)).ToList();
        return ring.Take(ring.Count - 1).ToList();
    }

    /// <summary>
    /// A point of a roof face (its altitude on the face's plane): its corners' mean, moved a fraction of the way to its
    /// farthest corner (the plane is linear, so the altitudes mix as the positions do).
    /// </summary>
    private static RoofSpot RoofPoint(JsonElement face, double towardsCorner)
    {
        var ring = Ring(face);
        var (lon, lat, z) = (ring.Average(c => c.Lon), ring.Average(c => c.Lat), ring.Average(c => c.Z ?? double.NaN));
        var far = ring.OrderByDescending(c => Math.Pow(c.Lon - lon, 2) + Math.Pow(c.Lat - lat, 2)).First();
        Assert.True(double.IsFinite(z), "the report's faces carry their altitudes");
        return new RoofSpot(lon + towardsCorner * (far.Lon - lon), lat + towardsCorner * (far.Lat - lat), z + towardsCorner * (far.Z!.Value - z));
    }

    /// <summary>The ground's altitude as the map draws it (the tiles are lowered by the region's ground, so 0 on the globe).</summary>
    private static Task<double> GroundAltitudeAsync(IPage page) => page.EvaluateAsync<double>("() => window.smartregionMap.referenceGroundAltitudeM");

    /// <summary>
    /// Clicks where the map draws a point (NGF-IGN69 altitude), once it is in the view, clear of the words over it, and
    /// Cesium's own pick there finds <paramref name="building"/> (null: none) — the tiles around it refined and drawn.
    /// </summary>
    private static async Task ClickOnMapAsync(IPage page, double lon, double lat, double altitudeM, long? building)
    {
        var args = $"{Inv(lon)}, {Inv(lat)}, {Inv(altitudeM)}";
        var expected = building is { } id ? id.ToString(CultureInfo.InvariantCulture) : "null";
        try
        {
            await page.WaitForFunctionAsync($"() => window.smartregionTest.pickedBuilding({args}) === {expected}", null, new() { Timeout = SlowMs, PollingInterval = 500 });
        }
        catch (TimeoutException)
        {
            var found = await page.EvaluateAsync<JsonElement>($"() => [window.smartregionTest.pickedBuilding({args}), window.smartregionTest.pagePoint({args})]");
            await page.ScreenshotAsync(new() { Path = Path.Combine(WebSite.ArtifactsFolder, "MapPageTests-click-missed.png") });
            Assert.Fail($"at {lon}, {lat} ({altitudeM} m) the map shows building {found}, not {expected}");
        }
        var p = await page.EvaluateAsync<JsonElement>($"() => window.smartregionTest.pagePoint({Inv(lon)}, {Inv(lat)}, {Inv(altitudeM)})");
        Assert.True(p.ValueKind == JsonValueKind.Object, $"{lon}, {lat} is not in the view");
        double x = p.GetProperty("x").GetDouble(), y = p.GetProperty("y").GetDouble();
        double left = p.GetProperty("left").GetDouble(), top = p.GetProperty("top").GetDouble();
        Assert.InRange(x, left + 10, left + p.GetProperty("width").GetDouble() - 10);
        // The placing words take the map's top; its help line the bottom.
        Assert.InRange(y, top + 0.3 * p.GetProperty("height").GetDouble(), top + 0.88 * p.GetProperty("height").GetDouble());
        await page.Mouse.ClickAsync((float)x, (float)y);
    }

    /// <summary>A computed building 1 to 25 m from another (not touching it), the nearest, and a point inside its footprint (WGS84).</summary>
    private async Task<(long Id, double Lon, double Lat)> NeighbourAsync(long buildingId)
    {
        await using var cmd = site.Database.DataSource.CreateCommand("""
            SELECT o.id, ST_X(ST_Transform(ST_PointOnSurface(o.footprint), 4326)), ST_Y(ST_Transform(ST_PointOnSurface(o.footprint), 4326))
            FROM region.building b
            JOIN region.building o ON o.id <> b.id AND o.retired_run_id IS NULL AND ST_DWithin(o.footprint, b.footprint, 25) AND NOT ST_DWithin(o.footprint, b.footprint, 1)
            JOIN solar.building_latest l ON l.building_id = o.id AND l.status = 'ok'
            WHERE b.id = @id ORDER BY ST_Distance(o.footprint, b.footprint) LIMIT 1
            """);
        cmd.Parameters.AddWithValue("id", buildingId);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct), $"no computed building within 25 m of building {buildingId}");
        return (reader.GetInt64(0), reader.GetDouble(1), reader.GetDouble(2));
    }

    /// <summary>
    /// Writes each step's time since the test began to the test's output (a slow run says where its time went).
    /// </summary>
    private static class Steps
    {
        public static Action<string> Start()
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var last = TimeSpan.Zero;
            return name =>
            {
                var now = clock.Elapsed;
                TestContext.Current.TestOutputHelper?.WriteLine(FormattableString.Invariant($"{now.TotalSeconds,6:F1} s  (+{(now - last).TotalSeconds:F1} s)  {name}"));
                last = now;
            };
        }
    }

    /// <summary>The numbers of a French table row ("-1 505 € 3 942 €" → -1505, 3942).</summary>
    private static IEnumerable<double> Numbers(string row) =>
        Regex.Matches(Squash(row).Replace('\u2212', '-'), @"-?\d+(,\d+)?").Select(m => double.Parse(m.Value.Replace(',', '.'), CultureInfo.InvariantCulture));

    private static string Inv(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private sealed record Place(long Id, string Label, double Lat, double Lon);

    /// <summary>An address whose building has panels, and another computed building with panels 60 m or more from it.</summary>
    private async Task<(Place Address, Place Other)> TwoComputedBuildingsAsync()
    {
        await using var cmd = site.Database.DataSource.CreateCommand("""
            WITH b AS (
                SELECT l.building_id, l.centre, ST_Area(bb.footprint) AS area,
                       (SELECT a.label FROM region.address a WHERE ST_DWithin(a.point, bb.footprint, 1) ORDER BY a.point <-> l.centre LIMIT 1) AS label,
                       ST_Y(ST_Transform(l.centre, 4326)) AS lat, ST_X(ST_Transform(l.centre, 4326)) AS lon
                FROM solar.building_latest l JOIN region.building bb ON bb.id = l.building_id
                WHERE l.status = 'ok' AND l.panel_count >= 6 AND ST_Contains(bb.footprint, l.centre))
            SELECT a.building_id, a.label, a.lat, a.lon, o.building_id, o.lat, o.lon
            FROM b a JOIN LATERAL (SELECT * FROM b o WHERE ST_Distance(o.centre, a.centre) > 60 AND o.area > 120 ORDER BY o.area DESC LIMIT 1) o ON true
            WHERE a.label IS NOT NULL
            ORDER BY a.building_id LIMIT 1
            """);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct), "the demo district has no addressed building with panels");
        return (new Place(reader.GetInt64(0), reader.GetString(1), reader.GetDouble(2), reader.GetDouble(3)),
            new Place(reader.GetInt64(4), "", reader.GetDouble(5), reader.GetDouble(6)));
    }

    /// <summary>The alpha (0–255) of the footprints layer's pixel at a point, zoom 19 (≈ 20 cm), as the browser decodes the API's PNG.</summary>
    private static async Task<int> FootprintAlphaAsync(IPage page, double lon, double lat)
    {
        const int z = 19;
        var n = Math.Pow(2, z);
        var x = (lon + 180) / 360 * n;
        var phi = lat * Math.PI / 180;
        var y = (1 - Math.Log(Math.Tan(phi) + 1 / Math.Cos(phi)) / Math.PI) / 2 * n;
        return await page.EvaluateAsync<int>("""
            async ([url, px, py]) => {
              const answer = await fetch(url);
              if (!answer.ok || answer.headers.get('content-type') !== 'image/png') throw new Error(`${url}: ${answer.status} ${answer.headers.get('content-type')}`);
              const image = await createImageBitmap(await answer.blob());
              const canvas = new OffscreenCanvas(image.width, image.height);
              const ctx = canvas.getContext('2d');
              ctx.drawImage(image, 0, 0);
              return ctx.getImageData(px, py, 1, 1).data[3];
            }
            """, new object[] { $"/api/v1/map/footprints/{z}/{(long)x}/{(long)y}.png", (int)((x % 1) * 256), (int)((y % 1) * 256) });
    }

    /// <summary>A point of open ground within 10 m of a building and 3 m or more from every building (WGS84).</summary>
    private async Task<(double Lon, double Lat)> OpenGroundNearAsync(long buildingId)
    {
        await using var cmd = site.Database.DataSource.CreateCommand("""
            SELECT ST_X(p), ST_Y(p) FROM (
              SELECT ST_Transform(ST_PointOnSurface(ST_Difference(ST_Buffer(b.footprint, 10),
                       (SELECT ST_Buffer(ST_Union(o.footprint), 3) FROM region.building o
                        WHERE o.retired_run_id IS NULL AND ST_DWithin(o.footprint, b.footprint, 15)))), 4326) AS p
              FROM region.building b WHERE b.id = @id) q
            """);
        cmd.Parameters.AddWithValue("id", buildingId);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct) && !reader.IsDBNull(0), $"no open ground near building {buildingId}");
        return (reader.GetDouble(0), reader.GetDouble(1));
    }

    private async Task<JsonElement> ApiReportAsync(string path)
    {
        using var client = new HttpClient { BaseAddress = site.BaseAddress };
        return await client.GetFromJsonAsync<JsonElement>(path, Ct);
    }

    /// <summary>
    /// Opens a path of the site and waits for its load event only: the map keeps streaming tiles and samples, so the
    /// network is seldom idle on a busy machine; <see cref="WaitForMapAsync"/> says when the map is ready.
    /// </summary>
    private static Task GoAsync(IPage page, string path) => page.GotoAsync(path, new() { WaitUntil = WaitUntilState.Load, Timeout = 60_000 });

    /// <summary>
    /// For a step that waits on the 3D view or the API behind it: seconds on an idle machine, ten times that under the
    /// load of a full CI run (the expectations' default is 20 s). A cap, not a pace: each wait ends when its condition holds.
    /// </summary>
    private const int SlowMs = 60_000;

    private static async Task WaitForMapAsync(IPage page)
    {
        // Cesium parsed, the tileset and the first view's tiles loaded and drawn: 5-7 s idle, 25-40 s seen at load 50.
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-map-ready", "true", new() { Timeout = 180_000 });
        // Evaluated, not added as a <script>: the site's Content-Security-Policy forbids inline scripts.
        await page.EvaluateAsync(await File.ReadAllTextAsync(Path.Combine(SmartRegion.Testing.SharedData.RepositoryRoot, "tests", "SmartRegion.Web.Tests", "Map", "map-test-helpers.js"), Ct));
    }

    private static async Task ExpectNumberAsync(IPage page, string selector, double value, int digits)
    {
        var text = Squash(await page.Locator($"{selector} .sr-figure__value").InnerTextAsync());
        Assert.Equal(Format(value, digits), text);
    }

    /// <summary>
    /// A number as the French page writes it, without its group separators (Intl's narrow no-break spaces): a decimal comma.
    /// (The test host runs in invariant-globalization mode, so there is no fr-FR culture to format with.)
    /// </summary>
    private static string Format(double value, int digits) =>
        Math.Round(value, digits, MidpointRounding.AwayFromZero).ToString($"F{digits}", CultureInfo.InvariantCulture).Replace('.', ',');

    private static string Squash(string text) => new(text.Where(c => !char.IsWhiteSpace(c) && c != '\u202f' && c != '\u00a0').ToArray());

    private static string RemoveAccents(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        return new string(decomposed.Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark).ToArray()).Normalize(NormalizationForm.FormC);
    }
}
