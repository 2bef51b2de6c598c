using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace SmartRegion.Web.Tests.Validation;

/// <summary>
/// /validation shows what the validation command stored: on the shared site the committed bench/validation/result.json,
/// on <see cref="Dashboard.RegionSite"/> a copy with other headline numbers (the page reads the file, nothing is written
/// in it by hand); the scatter plot, the histogram, every comparison, the outliers with their reasons, method and limits.
/// </summary>
[Collection(Dashboard.RealData.Name)]
public sealed class ValidationPageTests(WebSite site, Dashboard.RegionSite region)
{
    private static JsonElement Stored(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    /// <summary>A fraction as the page writes it (French or English percent, one decimal).</summary>
    private static Task<string> PercentAsync(IPage page, double value, string locale, bool signed = false) =>
        page.EvaluateAsync<string>("([v, l, s]) => new Intl.NumberFormat(l, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: s ? 'exceptZero' : 'auto' }).format(v)",
            new object[] { value, locale, signed });

    private static async Task AssertHeadlineAsync(IPage page, JsonElement result, string locale)
    {
        var headline = result.GetProperty("headline");
        await Expect(page.Locator("[data-figure='roofs'] .sr-figure__value")).ToHaveTextAsync(
            await page.EvaluateAsync<string>("([v, l]) => new Intl.NumberFormat(l).format(v)", new object[] { headline.GetProperty("n").GetInt32(), locale }));
        await Expect(page.Locator("[data-figure='median'] .sr-figure__value")).ToHaveTextAsync(await PercentAsync(page, headline.GetProperty("medianAbsDiff").GetDouble(), locale));
        await Expect(page.Locator("[data-figure='p90'] .sr-figure__value")).ToHaveTextAsync(await PercentAsync(page, headline.GetProperty("p90AbsDiff").GetDouble(), locale));
        await Expect(page.Locator("[data-figure='bias'] .sr-figure__value")).ToHaveTextAsync(await PercentAsync(page, headline.GetProperty("bias").GetDouble(), locale, true));
    }

    [Fact]
    public async Task StoredResult_NumbersChartsOutliersMethodLimits()
    {
        var result = Stored(Path.Combine(SmartRegion.Testing.SharedData.RepositoryRoot, "bench", "validation", "result.json"));
        await using var browser = await BrowserPage.OpenAsync(site);
        var page = browser.Page;
        await browser.GotoAsync("/validation");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Validation");
        await AssertHeadlineAsync(page, result, "fr-FR");
        await Expect(page.Locator("#validation-run")).ToContainTextAsync(result.GetProperty("run").GetProperty("modelVersion").GetString()!);

        // The charts are drawn, with their numbers in tables: one row per pair, per histogram bin.
        await Expect(page.Locator("#scatter-chart")).ToBeVisibleAsync();
        await Expect(page.Locator("#histogram-chart")).ToBeVisibleAsync();
        var pairs = result.GetProperty("pairs").EnumerateArray().Count(p => p.GetProperty("diff").ValueKind == JsonValueKind.Number);
        Assert.Equal(pairs, await page.Locator("#section-scatter tbody tr").CountAsync());
        var histogram = await page.Locator("#section-histogram tbody tr td").AllTextContentsAsync();
        Assert.Equal(pairs, histogram.Sum(c => int.Parse(c.Replace("\u202f", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(await page.EvaluateAsync<bool>("() => Chart.getChart('scatter-chart').data.datasets[0].data.length > 0"));

        // Every comparison, every outlier with its reason in French, the method and the limits as stored.
        Assert.Equal(result.GetProperty("metrics").GetArrayLength(), await page.Locator("#metrics-table tbody tr").CountAsync());
        var outliers = result.GetProperty("outliers").EnumerateArray().ToList();
        await Expect(page.Locator("#outliers-table tbody tr")).ToHaveCountAsync(outliers.Count);
        await Expect(page.Locator("#outliers-table tbody tr").First).ToContainTextAsync(outliers[0].GetProperty("id").GetString()!);
        await Expect(page.Locator("#outliers-table tbody tr").First).ToContainTextAsync(outliers[0].GetProperty("reason").GetProperty("fr").GetString()!);
        await Expect(page.Locator("#method-list li")).ToHaveCountAsync(result.GetProperty("method").GetProperty("fr").GetArrayLength());
        await Expect(page.Locator("#limits-list li").First).ToHaveTextAsync(result.GetProperty("limits").GetProperty("fr")[0].GetString()!);
        await browser.ScreenshotAsync("validation-fr");
        await browser.AssertAccessibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "English" }).ClickAsync();
        await Expect(page.Locator("#limits-list li").First).ToHaveTextAsync(result.GetProperty("limits").GetProperty("en")[0].GetString()!);
        await AssertHeadlineAsync(page, result, "en-GB");
        await browser.ScreenshotAsync("validation-en");
        await browser.AssertAccessibleAsync();
        await browser.AssertHealthyAsync();
    }

    [Fact]
    public async Task AnotherStoredResult_ThePageShowsItsNumbers()
    {
        var result = Stored(region.ValidationResultPath);
        await using var browser = await BrowserPage.OpenAsync(site, baseAddress: region.BaseAddress);
        await browser.GotoAsync("/validation");
        await AssertHeadlineAsync(browser.Page, result, "fr-FR");
        await browser.AssertHealthyAsync();
    }
}
