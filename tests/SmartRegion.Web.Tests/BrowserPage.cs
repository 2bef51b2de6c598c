using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;

namespace SmartRegion.Web.Tests;

/// <summary>
/// A fresh browser context and page on the test site (French by default), which records every request that tries
/// to leave 127.0.0.1 (and aborts it), console errors, uncaught exceptions and missing translation keys.
/// Call <see cref="AssertHealthyAsync"/> at the end of a test; screenshots go to .smartregion/test-artifacts/web/.
/// </summary>
public sealed partial class BrowserPage : IAsyncDisposable
{
    private readonly List<string> _external = [];
    private readonly List<string> _errors = [];
    private readonly string _testName;

    private BrowserPage(IBrowserContext context, IPage page, string testName)
    {
        Context = context;
        Page = page;
        _testName = testName;
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>Opens a page: locale fr-FR (or en-GB), 1280×900 (or the size given, e.g. a phone's 390×844), Paris time; on the shared site, or on another host (<paramref name="baseAddress"/>).</summary>
    public static async Task<BrowserPage> OpenAsync(WebSite site, string? testName = null, string locale = "fr-FR", Uri? baseAddress = null,
        int width = 1280, int height = 900)
    {
        var context = await site.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = (baseAddress ?? site.BaseAddress).ToString().TrimEnd('/'),
            Locale = locale,
            TimezoneId = "Europe/Paris",
            ViewportSize = new ViewportSize { Width = width, Height = height },
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        var browserPage = new BrowserPage(context, page, testName ?? TestContext.Current.Test?.TestDisplayName ?? "page");
        // Only requests to another host are routed here (the pattern is matched inside Playwright's driver): routing every
        // request through this process cost each of the map's hundreds of tile requests a round trip to .NET.
        await context.RouteAsync(ExternalUrl(), async route =>
        {
            if (IsExternal(route.Request.Url))
            {
                lock (browserPage._external)
                {
                    browserPage._external.Add(route.Request.Url);
                }
                await route.AbortAsync("blockedbyclient");
                return;
            }
            await route.ContinueAsync();
        });
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !IgnoredConsoleError(message.Text, message.Location))
            {
                lock (browserPage._errors)
                {
                    browserPage._errors.Add($"console: {message.Text} ({message.Location})");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (browserPage._errors)
            {
                browserPage._errors.Add($"uncaught: {error}");
            }
        };
        return browserPage;
    }

    /// <summary>Goes to a path of the site and waits until the network is quiet.</summary>
    public async Task<IResponse?> GotoAsync(string path)
    {
        var response = await Page.GotoAsync(path, new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle });
        return response;
    }

    /// <summary>
    /// Saves a PNG as &lt;test&gt;-&lt;step&gt;.png and returns its path: the full page, or with <paramref name="fullPage"/>
    /// false the window alone — for a page drawn to the window's size (the 3D map), where a full-page capture resizes the
    /// window twice and each resize redraws the 3D view in software (seconds each on a loaded machine).
    /// </summary>
    public async Task<string> ScreenshotAsync(string step, bool fullPage = true)
    {
        var name = Safe().Replace(_testName, "-") + "-" + Safe().Replace(step, "-") + ".png";
        var path = Path.Combine(WebSite.ArtifactsFolder, name);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        return path;
    }

    /// <summary>axe-core on the current page: no serious or critical violation (nor a moderate one, with <paramref name="moderateToo"/>).</summary>
    public async Task AssertAccessibleAsync(bool moderateToo = false)
    {
        var result = await Page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical" || (moderateToo && v.Impact is "moderate")).ToList();
        Assert.True(bad.Count == 0, $"axe on {Page.Url}:\n" + string.Join("\n", bad.Select(v =>
            $"- {v.Impact} {v.Id}: {v.Help} — {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}")));
    }

    /// <summary>No request left 127.0.0.1, no console error or uncaught exception, no missing translation key.</summary>
    public async Task AssertHealthyAsync()
    {
        lock (_external)
        {
            Assert.True(_external.Count == 0, "requests left 127.0.0.1:\n" + string.Join("\n", _external));
        }
        lock (_errors)
        {
            Assert.True(_errors.Count == 0, "errors in the page:\n" + string.Join("\n", _errors));
        }
        var missing = await Page.EvaluateAsync<string[]>("() => [...(window.smartregionMissingKeys ?? [])]");
        Assert.True(missing.Length == 0, "missing translation keys: " + string.Join(", ", missing));
    }

    /// <summary>Forgets console errors recorded so far (for a test that provokes an expected failed request).</summary>
    public void ForgetConsoleErrors(Func<string, bool> which)
    {
        lock (_errors)
        {
            _errors.RemoveAll(e => which(e));
        }
    }

    /// <summary>Closes the context; what the page logged goes to the test's output, so a failing test says why.</summary>
    public async ValueTask DisposeAsync()
    {
        var output = TestContext.Current.TestOutputHelper;
        lock (_errors)
        {
            foreach (var error in _errors)
            {
                output?.WriteLine($"[{_testName}] {error}");
            }
        }
        lock (_external)
        {
            foreach (var url in _external)
            {
                output?.WriteLine($"[{_testName}] blocked external request: {url}");
            }
        }
        await Context.CloseAsync();
    }

    internal static bool IsExternal(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "ws" or "wss" && uri.Host != "127.0.0.1";

    // A failed HTTP request the test provoked on purpose is logged by Chromium as a console error; tests name theirs.
    // "Who am I" answering 401 is how a page learns that nobody is signed in: Chromium logs it, it is not an error.
    private static bool IgnoredConsoleError(string text, string location) =>
        text.Contains("GPU stall due to ReadPixels", StringComparison.Ordinal)
        || (text.Contains("status of 401", StringComparison.Ordinal) && location.Contains("/api/v1/auth/me", StringComparison.Ordinal));

    /// <summary>
    /// A URL whose host may not be 127.0.0.1 (a superset of <see cref="IsExternal"/>, which decides): written for both .NET
    /// and JavaScript, as Playwright hands it to its driver.
    /// </summary>
    [GeneratedRegex(@"^(?:https?|wss?)://(?!127\.0\.0\.1(?:[:/?#]|$))", RegexOptions.IgnoreCase)]
    internal static partial Regex ExternalUrl();

    [GeneratedRegex("[^A-Za-z0-9_.-]+")]
    private static partial Regex Safe();
}
