using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SmartRegion.Web.Tests;

/// <summary>What every page relies on: clean URLs, the 404 page, vendor files, dictionaries with the same keys.</summary>
public sealed class SiteTests(WebSite site)
{
    private HttpClient Client() => new() { BaseAddress = site.BaseAddress };

    [Theory]
    [InlineData("/catalogue", "/js/catalogue/search.js")]
    [InlineData("/catalogue/", "/js/catalogue/search.js")]
    [InlineData("/catalogue/index.html", "/js/catalogue/search.js")]
    [InlineData("/catalogue/some-dataset", "/js/catalogue/dataset.js")]
    [InlineData("/portail", "/js/portal/main.js")]
    [InlineData("/portail/cles", "/js/portal/main.js")]
    [InlineData("/portail/jeux-de-donnees/some-dataset", "/js/portal/main.js")]
    public async Task CleanUrl_FolderOrIndex_ServesThePage(string path, string script)
    {
        using var response = await Client().GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(script, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownPage_Gets404Page_UnknownApiPath_GetsProblem()
    {
        using var page = await Client().GetAsync("/nothing-here", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        using var portalPart = await Client().GetAsync("/portail/nothing-here", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, portalPart.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/js/common/not-found.js", await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        using var api = await Client().GetAsync("/api/v1/nothing-here", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/vendor/dsfr/dsfr.min.css", "text/css")]
    [InlineData("/vendor/dsfr/dsfr.module.min.js", "text/javascript")]
    [InlineData("/vendor/dsfr/utility/icons/icons.min.css", "text/css")]
    [InlineData("/vendor/chart.js/chart.umd.min.js", "text/javascript")]
    public async Task VendorFiles_CopiedFromNpm_AreServed(string path, string type)
    {
        using var response = await Client().GetAsync(path, TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} (run ./smartregion build to copy web/vendor.list)");
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>
    /// Cesium.js (6 MB) goes out as its Brotli copy to a browser that accepts it — the same bytes once decoded, the script's
    /// type — and as itself to a client that does not, or refuses Brotli with q=0.
    /// </summary>
    [Fact]
    public async Task VendorScript_BrotliToClientsThatAcceptIt_PlainToOthers()
    {
        const string path = "/vendor/cesium/Cesium.js";
        var onDisk = await File.ReadAllBytesAsync(Path.Combine(SmartRegion.Testing.SharedData.RepositoryRoot, "web", "vendor", "cesium", "Cesium.js"), TestContext.Current.CancellationToken);
        using (var request = new HttpRequestMessage(HttpMethod.Get, path))
        {
            request.Headers.Add("Accept-Encoding", "gzip, deflate, br, zstd");
            using var response = await Client().SendAsync(request, TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} (run ./smartregion build to copy web/vendor.list)");
            Assert.Equal(["br"], response.Content.Headers.ContentEncoding);
            Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Accept-Encoding", response.Headers.Vary);
            var wire = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
            Assert.True(wire.Length < onDisk.Length / 3, $"{wire.Length} bytes on the wire for {onDisk.Length}");
            using var decoded = new MemoryStream();
            await using (var brotli = new System.IO.Compression.BrotliStream(new MemoryStream(wire), System.IO.Compression.CompressionMode.Decompress))
            {
                await brotli.CopyToAsync(decoded, TestContext.Current.CancellationToken);
            }
            Assert.True(onDisk.AsSpan().SequenceEqual(decoded.ToArray()), "the Brotli copy is not Cesium.js");
        }
        foreach (var acceptEncoding in new[] { null, "gzip", "br;q=0, gzip" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (acceptEncoding is not null)
            {
                request.Headers.Add("Accept-Encoding", acceptEncoding);
            }
            using var response = await Client().SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Empty(response.Content.Headers.ContentEncoding);
            Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(onDisk.Length, response.Content.Headers.ContentLength);
        }
    }

    /// <summary>The site's icon: every page names the SVG one (else browsers ask /favicon.ico, a 404 in every console); the .ico serves the others.</summary>
    [Fact]
    public async Task SiteIcon_EveryPageNamesIt_BothFormatsServed()
    {
        var web = Path.Combine(SmartRegion.Testing.SharedData.RepositoryRoot, "web");
        var pages = Directory.EnumerateFiles(web, "*.html", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}vendor{Path.DirectorySeparatorChar}", StringComparison.Ordinal)).ToList();
        Assert.True(pages.Count >= 9, $"{pages.Count} pages");
        Assert.All(pages, f => Assert.Contains("<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">", File.ReadAllText(f), StringComparison.Ordinal));
        foreach (var (path, type) in new[] { ("/favicon.svg", "image/svg+xml"), ("/favicon.ico", "image/x-icon") })
        {
            using var response = await Client().GetAsync(path, TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
            Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        }
    }

    /// <summary>
    /// A page that lists its modules as modulepreload links (the map: the browser asks for the whole graph at once instead
    /// of level by level) lists exactly the static import graph of its module scripts, each served: a module added or
    /// removed without the list would load late again, or be fetched for nothing.
    /// </summary>
    [Fact]
    public async Task ModulePreloads_AreThePagesWholeImportGraph()
    {
        var web = Path.Combine(SmartRegion.Testing.SharedData.RepositoryRoot, "web");
        var checkedPages = 0;
        foreach (var page in Directory.EnumerateFiles(web, "*.html", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}vendor{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var html = await File.ReadAllTextAsync(page, TestContext.Current.CancellationToken);
            var preloads = Regex.Matches(html, "<link rel=\"modulepreload\" href=\"([^\"]+)\">").Select(m => m.Groups[1].Value).ToList();
            if (preloads.Count == 0) continue;
            checkedPages++;
            var entries = Regex.Matches(html, "<script type=\"module\" src=\"([^\"]+)\">").Select(m => m.Groups[1].Value).ToList();
            var graph = new SortedSet<string>(StringComparer.Ordinal);
            var todo = new Queue<string>(entries);
            while (todo.TryDequeue(out var module))
            {
                var source = await File.ReadAllTextAsync(Path.Combine(web, module.TrimStart('/')), TestContext.Current.CancellationToken);
                foreach (Match import in Regex.Matches(source, "^\\s*(?:import|export)\\s[^'\"]*?['\"]([^'\"]+\\.js)['\"]", RegexOptions.Multiline))
                {
                    var target = import.Groups[1].Value;
                    if (target.StartsWith('.')) target = new Uri(new Uri("http://x" + module), target).AbsolutePath;
                    if (graph.Add(target)) todo.Enqueue(target);
                }
            }
            graph.ExceptWith(entries);
            Assert.True(graph.SetEquals(preloads), $"{Path.GetRelativePath(web, page)}: modulepreload lists [{string.Join(", ", preloads.Order(StringComparer.Ordinal))}], its import graph is [{string.Join(", ", graph)}]");
            Assert.Equal(preloads.Count, preloads.Distinct(StringComparer.Ordinal).Count());
            foreach (var module in preloads)
            {
                using var response = await Client().GetAsync(module, TestContext.Current.CancellationToken);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{module}: {(int)response.StatusCode}");
            }
        }
        Assert.True(checkedPages >= 1, "no page lists modulepreload links (the map should)");
    }

    [Fact]
    public async Task NotFoundPage_InTheBrowser_HasTheChromeAndIsAccessible()
    {
        await using var browser = await BrowserPage.OpenAsync(site);
        await browser.GotoAsync("/nothing-here");
        await Assertions.Expect(browser.Page.GetByRole(AriaRole.Heading, new() { Name = "Page introuvable", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(browser.Page.GetByRole(AriaRole.Navigation, new() { Name = "Menu principal" })).ToBeAttachedAsync();
        await browser.ScreenshotAsync("not-found");
        await browser.AssertAccessibleAsync();
        browser.ForgetConsoleErrors(e => e.Contains("404", StringComparison.Ordinal));
        await browser.AssertHealthyAsync();
    }

    [Fact]
    public void Dictionaries_FrenchAndEnglish_HaveTheSameKeys()
    {
        static IEnumerable<string> Keys(JsonElement e, string prefix) => e.ValueKind == JsonValueKind.Object
            ? e.EnumerateObject().SelectMany(p => Keys(p.Value, prefix.Length == 0 ? p.Name : $"{prefix}.{p.Name}"))
            : [prefix];
        var folder = Path.Combine(SmartRegion.Testing.SharedData.RepositoryRoot, "web", "i18n");
        var fr = Keys(JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "fr.json"))).RootElement, "").ToHashSet();
        var en = Keys(JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "en.json"))).RootElement, "").ToHashSet();
        Assert.Empty(fr.Except(en).Order());
        Assert.Empty(en.Except(fr).Order());
    }
}
