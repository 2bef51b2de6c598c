// bench/map's browser half (issue 15): the map page (/) of a running SmartRegion host in Debian's headless chromium with
// SwiftShader WebGL, driven by Microsoft.Playwright like the browser tests.
//   first roofs: navigation start → the first frame whose pixels show coloured roofs (median of --runs fresh contexts: a
//                first-time visitor, nothing cached); its peer in the same runs is Cesium's first frame (the globe alone).
//   orbit:       --orbit-frames frames turning once around the view's centre (rendering every frame), frame time p50/p95
//                with the buildings, and the same orbit with the buildings hidden (the globe's own frame time) as the peer.
// Prints one JSON document on stdout; progress on stderr.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: MapBrowserBench --url http://127.0.0.1:PORT [--runs 5] [--orbit-frames 120] [--orbit-range-m 1200] [--chromium /usr/bin/chromium]");
    return 2;
}
var root = FindRepositoryRoot();
var helpers = await File.ReadAllTextAsync(Path.Combine(root, "tests", "SmartRegion.Web.Tests", "Map", "map-test-helpers.js"));
var probe = await File.ReadAllTextAsync(Path.Combine(root, "bench", "map", "MapBrowserBench", "first-frame.js"));

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = options.Chromium,
    Headless = true,
    // The browser tests' flags (tests/SmartRegion.Web.Tests/WebSite.cs).
    Args =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
    ],
});

var result = new JsonObject
{
    ["url"] = options.Url,
    ["viewport"] = "1280x800",
    ["loadBefore"] = Load(),
};

// 1. First frame with coloured roofs, in fresh contexts.
var runs = new JsonArray();
var roofs = new List<double>();
var frames = new List<double>();
for (var i = 0; i < options.Runs; i++)
{
    await using var context = await NewContextAsync(browser, options.Url);
    await context.AddInitScriptAsync(helpers);
    await context.AddInitScriptAsync(probe);
    var page = await context.NewPageAsync();
    var load = Load();
    await page.GotoAsync("/", new() { WaitUntil = WaitUntilState.Commit, Timeout = 120_000 });
    await page.WaitForFunctionAsync("() => window.smartregionBench?.firstRoofs !== null && window.smartregionBench?.firstRoofs !== undefined",
        null, new() { Timeout = 180_000, PollingInterval = 100 });
    var r = await page.EvaluateAsync<JsonElement>("""
        () => {
          const b = window.smartregionBench;
          const nav = performance.getEntriesByType('navigation')[0];
          const cesium = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/Cesium.js'));
          return { firstRoofsMs: b.firstRoofs, firstFrameMs: b.firstFrame, roofShare: b.roofShare, framesChecked: b.framesChecked,
                   htmlMs: nav?.responseEnd ?? null, cesiumJsMs: cesium?.responseEnd ?? null };
        }
        """);
    var firstRoofs = r.GetProperty("firstRoofsMs").GetDouble();
    var firstFrame = r.GetProperty("firstFrameMs").GetDouble();
    roofs.Add(firstRoofs);
    frames.Add(firstFrame);
    runs.Add(new JsonObject
    {
        ["firstRoofsMs"] = Math.Round(firstRoofs),
        ["firstFrameMs"] = Math.Round(firstFrame),
        ["roofShare"] = Math.Round(r.GetProperty("roofShare").GetDouble(), 4),
        ["framesChecked"] = r.GetProperty("framesChecked").GetInt32(),
        ["cesiumJsLoadedMs"] = r.GetProperty("cesiumJsMs").ValueKind == JsonValueKind.Number ? Math.Round(r.GetProperty("cesiumJsMs").GetDouble()) : null,
        ["load"] = load,
    });
    Console.Error.WriteLine(FormattableString.Invariant($"run {i + 1}/{options.Runs}: coloured roofs at {firstRoofs / 1000:F2} s, Cesium's first frame at {firstFrame / 1000:F2} s (load {load})"));
}
result["firstRoofs"] = new JsonObject
{
    ["what"] = "navigation start → first frame with the roof ramp's colours on > 1 % of the view (fresh context each run)",
    ["medianS"] = Math.Round(Median(roofs) / 1000, 2),
    ["goalS"] = 3,
    ["peer"] = "Cesium's first frame of the same runs (the globe alone)",
    ["peerMedianS"] = Math.Round(Median(frames) / 1000, 2),
    ["ratio"] = Math.Round(Median(roofs) / Median(frames), 2),
    ["runs"] = runs,
};

// 2. Orbit: frame times with the buildings, then the same orbit with them hidden.
if (options.OrbitFrames > 0)
{
    await using var context = await NewContextAsync(browser, options.Url);
    await context.AddInitScriptAsync(helpers);
    var page = await context.NewPageAsync();
    await page.GotoAsync("/", new() { WaitUntil = WaitUntilState.Load, Timeout = 120_000 });
    await page.WaitForFunctionAsync("() => document.body.dataset.mapReady === 'true'", null, new() { Timeout = 180_000 });
    const string orbit = """
        async ([frames, rangeM, buildings]) => {
          const map = window.smartregionMap;
          const C = map.Cesium, scene = map.viewer.scene, camera = map.viewer.camera;
          map.tileset.show = buildings;
          const r = map.regionRad;
          const centre = C.Cartesian3.fromRadians((r[0] + r[2]) / 2, (r[1] + r[3]) / 2, 0);
          const frame = C.Transforms.eastNorthUpToFixedFrame(centre);
          camera.lookAtTransform(frame, new C.HeadingPitchRange(0, C.Math.toRadians(-35), rangeM));
          await map.tilesSettled();
          const times = [];
          const loadedAtStart = map.tileset.statistics.numberOfLoadedTilesTotal;
          await new Promise((resolve) => {
            let last = null, n = 0;
            const remove = scene.postRender.addEventListener(() => {
              const now = performance.now();
              if (last !== null) times.push(now - last);
              last = now;
              if (++n > frames) { remove(); resolve(); return; }
              camera.lookAtTransform(frame, new C.HeadingPitchRange(C.Math.TWO_PI * n / frames, C.Math.toRadians(-35), rangeM));
              scene.requestRender();
            });
            scene.requestRender();
          });
          camera.lookAtTransform(C.Matrix4.IDENTITY);
          const stats = map.tileset.statistics;
          return { times, tilesLoaded: stats.numberOfLoadedTilesTotal, tilesLoadedDuringOrbit: stats.numberOfLoadedTilesTotal - loadedAtStart,
                   featuresSelected: stats.numberOfFeaturesSelected };
        }
        """;
    var loadOrbit = Load();
    var with = await page.EvaluateAsync<JsonElement>(orbit, new object[] { options.OrbitFrames, options.OrbitRangeM, true });
    var without = await page.EvaluateAsync<JsonElement>(orbit, new object[] { options.OrbitFrames, options.OrbitRangeM, false });
    var withTimes = with.GetProperty("times").EnumerateArray().Select(t => t.GetDouble()).ToList();
    var withoutTimes = without.GetProperty("times").EnumerateArray().Select(t => t.GetDouble()).ToList();
    result["orbit"] = new JsonObject
    {
        ["what"] = FormattableString.Invariant($"{options.OrbitFrames} frames turning once around the tileset's centre at {options.OrbitRangeM:F0} m, pitch −35°, a render every frame"),
        ["p50Ms"] = Math.Round(Percentile(withTimes, 0.5), 1),
        ["p95Ms"] = Math.Round(Percentile(withTimes, 0.95), 1),
        ["fps"] = Math.Round(1000 / Percentile(withTimes, 0.5), 1),
        ["tilesLoaded"] = with.GetProperty("tilesLoaded").GetInt32(),
        ["tilesLoadedDuringOrbit"] = with.GetProperty("tilesLoadedDuringOrbit").GetInt32(),
        ["peer"] = "the same orbit with the buildings hidden (the globe's own frame time)",
        ["peerP50Ms"] = Math.Round(Percentile(withoutTimes, 0.5), 1),
        ["peerP95Ms"] = Math.Round(Percentile(withoutTimes, 0.95), 1),
        ["ratioP50"] = Math.Round(Percentile(withTimes, 0.5) / Percentile(withoutTimes, 0.5), 2),
        ["load"] = loadOrbit,
    };
    Console.Error.WriteLine(FormattableString.Invariant(
        $"orbit: p50 {Percentile(withTimes, 0.5):F0} ms, p95 {Percentile(withTimes, 0.95):F0} ms per frame; without the buildings p50 {Percentile(withoutTimes, 0.5):F0} ms (load {loadOrbit})"));
}
result["loadAfter"] = Load();
Console.WriteLine(result.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
return 0;

static async Task<IBrowserContext> NewContextAsync(IBrowser browser, string url)
{
    var context = await browser.NewContextAsync(new BrowserNewContextOptions
    {
        BaseURL = url.TrimEnd('/'),
        Locale = "fr-FR",
        ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
    });
    // Nothing leaves 127.0.0.1 (as in the tests): an outside request would be a bug, and would distort the timing.
    await context.RouteAsync(u => !u.StartsWith(url.TrimEnd('/'), StringComparison.Ordinal) && !u.StartsWith("blob:", StringComparison.Ordinal)
        && !u.StartsWith("data:", StringComparison.Ordinal), route => route.AbortAsync("blockedbyclient"));
    return context;
}

static double Median(List<double> values) => Percentile(values, 0.5);

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    var rank = p * (sorted.Count - 1);
    var lo = (int)Math.Floor(rank);
    var hi = (int)Math.Ceiling(rank);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

static string Load() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

static string FindRepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "SmartRegion.sln")))
        {
            return dir.FullName;
        }
    }
    throw new DirectoryNotFoundException("the repository (SmartRegion.sln) is not above " + AppContext.BaseDirectory);
}

internal sealed record Options(string Url, int Runs, int OrbitFrames, double OrbitRangeM, string Chromium)
{
    public static Options? Parse(string[] args)
    {
        string? url = null;
        int runs = 5, orbit = 120;
        double range = 1200;
        var chromium = Environment.GetEnvironmentVariable("SMARTREGION_CHROMIUM") is { Length: > 0 } env ? env : "/usr/bin/chromium";
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--url" when value is not null: url = value; i++; break;
                case "--runs" when int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0: runs = n; i++; break;
                case "--orbit-frames" when int.TryParse(value, CultureInfo.InvariantCulture, out var f) && f >= 0: orbit = f; i++; break;
                case "--orbit-range-m" when double.TryParse(value, CultureInfo.InvariantCulture, out var m) && m > 0: range = m; i++; break;
                case "--chromium" when value is not null: chromium = value; i++; break;
                default: return null;
            }
        }
        return url is null ? null : new Options(url, runs, orbit, range, chromium);
    }
}
