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
    Console.Error.WriteLine("usage: MapBrowserBench --url [NAME=]http://127.0.0.1:PORT [--url NAME=URL …] [--runs 5] [--orbit-frames 120] [--orbit-range-m 1200] [--chromium /usr/bin/chromium]");
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
        "--enable-precise-memory-info",   // performance.memory to the byte (the orbit's JS heap), not bucketed
        // Every request that would leave 127.0.0.1 goes to a proxy that is not there (loopback bypasses proxies).
        "--proxy-server=http://127.0.0.1:9",
    ],
});

var result = new JsonObject
{
    ["url"] = options.Url,
    ["viewport"] = "1280x800",
    ["loadBefore"] = Load(),
};

// 1. First frame with coloured roofs, in fresh contexts; with several hosts (--url NAME=URL, e.g. the same database served
// with two web roots), their visits alternate so that each variant meets the same machine load.
var variants = options.Urls.Select(u => (u.Name, u.Url, Runs: new JsonArray(), Roofs: new List<double>(), Frames: new List<double>())).ToList();
for (var i = 0; i < options.Runs; i++)
{
    foreach (var v in variants)
    {
        await using var context = await NewContextAsync(browser, v.Url);
        await context.AddInitScriptAsync(helpers);
        await context.AddInitScriptAsync(probe);
        var page = await context.NewPageAsync();
        // MAP_BENCH_PROFILE=DIR: a V8 CPU profile of each visit (Chrome DevTools Protocol), for where the main thread's time goes.
        var profileDir = Environment.GetEnvironmentVariable("MAP_BENCH_PROFILE");
        ICDPSession? cdp = null;
        if (profileDir is { Length: > 0 })
        {
            cdp = await context.NewCDPSessionAsync(page);
            await cdp.SendAsync("Profiler.enable");
            await cdp.SendAsync("Profiler.setSamplingInterval", new Dictionary<string, object> { ["interval"] = 1000 });
            await cdp.SendAsync("Profiler.start");
        }
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
                       htmlMs: nav?.responseEnd ?? null, cesiumJsAskedMs: cesium?.startTime ?? null, cesiumJsMs: cesium?.responseEnd ?? null,
                       cesiumJsBytes: cesium?.transferSize ?? null };
            }
            """);
        // MAP_BENCH_TIMELINE=DIR: each visit's timeline (the probe's marks: Cesium's global, the scene, every frame with the
        // tileset's statistics, tile loads) and resource timings, one JSON file per visit, to see where the time goes.
        if (Environment.GetEnvironmentVariable("MAP_BENCH_TIMELINE") is { Length: > 0 } timelineDir)
        {
            var detail = await page.EvaluateAsync<JsonElement>("""
                () => ({ timeline: window.smartregionBench.timeline,
                         resources: performance.getEntriesByType('resource').map((e) => ({ name: e.name.replace(location.origin, ''),
                           start: Math.round(e.startTime), responseStart: Math.round(e.responseStart), end: Math.round(e.responseEnd),
                           bytes: e.transferSize, status: e.responseStatus })) })
                """);
            await File.WriteAllTextAsync(Path.Combine(timelineDir, $"{v.Name}-{i + 1}.json"), detail.GetRawText());
        }
        if (cdp is not null)
        {
            var profile = await cdp.SendAsync("Profiler.stop");
            await File.WriteAllTextAsync(Path.Combine(profileDir!, $"{v.Name}-{i + 1}.cpuprofile"), profile?.GetProperty("profile").GetRawText());
        }
        var firstRoofs = r.GetProperty("firstRoofsMs").GetDouble();
        var firstFrame = r.GetProperty("firstFrameMs").GetDouble();
        v.Roofs.Add(firstRoofs);
        v.Frames.Add(firstFrame);
        v.Runs.Add(new JsonObject
        {
            ["firstRoofsMs"] = Math.Round(firstRoofs),
            ["firstFrameMs"] = Math.Round(firstFrame),
            ["roofShare"] = Math.Round(r.GetProperty("roofShare").GetDouble(), 4),
            ["framesChecked"] = r.GetProperty("framesChecked").GetInt32(),
            ["cesiumJsAskedMs"] = r.GetProperty("cesiumJsAskedMs").ValueKind == JsonValueKind.Number ? Math.Round(r.GetProperty("cesiumJsAskedMs").GetDouble()) : null,
            ["cesiumJsLoadedMs"] = r.GetProperty("cesiumJsMs").ValueKind == JsonValueKind.Number ? Math.Round(r.GetProperty("cesiumJsMs").GetDouble()) : null,
            ["cesiumJsTransferBytes"] = r.GetProperty("cesiumJsBytes").ValueKind == JsonValueKind.Number ? r.GetProperty("cesiumJsBytes").GetDouble() : null,
            ["load"] = load,
        });
        Console.Error.WriteLine(FormattableString.Invariant($"run {i + 1}/{options.Runs} {v.Name}: coloured roofs at {firstRoofs / 1000:F2} s, Cesium's first frame at {firstFrame / 1000:F2} s (load {load})"));
    }
}
JsonObject FirstRoofs((string Name, string Url, JsonArray Runs, List<double> Roofs, List<double> Frames) v) => new()
{
    ["what"] = "navigation start → first frame with the roof ramp's colours on > 1 % of the view (fresh context each run)",
    ["medianS"] = Math.Round(Median(v.Roofs) / 1000, 2),
    ["goalS"] = 3,
    ["peer"] = "Cesium's first frame of the same runs (the globe alone)",
    ["peerMedianS"] = Math.Round(Median(v.Frames) / 1000, 2),
    ["ratio"] = Math.Round(Median(v.Roofs) / Median(v.Frames), 2),
    ["runs"] = v.Runs.DeepClone(),   // the first variant's figures go out twice (firstRoofs and variants[0])
};
if (options.Runs > 0)
{
    result["firstRoofs"] = FirstRoofs(variants[0]);
}
if (variants.Count > 1 && options.Runs > 0)
{
    result["variants"] = new JsonArray(variants.Select(v => (JsonNode)new JsonObject { ["name"] = v.Name, ["url"] = v.Url, ["firstRoofs"] = FirstRoofs(v) }).ToArray());
    foreach (var v in variants)
    {
        Console.Error.WriteLine(FormattableString.Invariant($"{v.Name}: coloured roofs median {Median(v.Roofs) / 1000:F2} s, Cesium's first frame median {Median(v.Frames) / 1000:F2} s"));
    }
}

// 2. Orbit: frame times with the buildings, then the same orbit with them hidden.
if (options.OrbitFrames > 0)
{
    await using var context = await NewContextAsync(browser, options.Url);
    await context.AddInitScriptAsync(helpers);
    var page = await context.NewPageAsync();
    // The page opened on the orbit's first view (?cam=, the camera south of the tileset's centre, pitch −35°): its default
    // view, the whole city, would stream most of the city's tiles and footprints first.
    using var http = new HttpClient { BaseAddress = new Uri(options.Url) };
    var region = JsonNode.Parse(await http.GetStringAsync("/api/v1/3dtiles/buildings/tileset.json"))!["root"]!["boundingVolume"]!["region"]!.AsArray();
    var lon = (region[0]!.GetValue<double>() + region[2]!.GetValue<double>()) / 2 * 180 / Math.PI;
    var lat = (region[1]!.GetValue<double>() + region[3]!.GetValue<double>()) / 2 * 180 / Math.PI;
    var pitch = -35 * Math.PI / 180;
    var cam = FormattableString.Invariant(
        $"{lon:F6},{lat + options.OrbitRangeM * Math.Cos(pitch) * -1 / 111_320:F6},{options.OrbitRangeM * -Math.Sin(pitch):F0},0,-35");
    await page.GotoAsync($"/?cam={cam}", new() { WaitUntil = WaitUntilState.Load, Timeout = 120_000 });
    // Not the page's map-ready (every tile of its first view, the whole city, loaded: minutes on a loaded machine): the
    // tileset is there, and the orbit waits for the tiles of its own view.
    await page.WaitForFunctionAsync("() => !!window.smartregionMap?.tileset", null, new() { Timeout = 180_000 });
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
                   tilesWithContent: stats.numberOfTilesWithContentReady, featuresSelected: stats.numberOfFeaturesSelected,
                   tilesetBytes: map.tileset.totalMemoryUsageInBytes, geometryBytes: stats.geometryByteLength,
                   jsHeapBytes: performance.memory?.usedJSHeapSize ?? null };
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
        ["tilesWithContent"] = with.GetProperty("tilesWithContent").GetInt32(),
        ["featuresDrawn"] = with.GetProperty("featuresSelected").GetInt32(),
        ["tilesetMemoryMB"] = Math.Round(with.GetProperty("tilesetBytes").GetDouble() / 1e6, 1),
        ["geometryMB"] = Math.Round(with.GetProperty("geometryBytes").GetDouble() / 1e6, 1),
        ["jsHeapMB"] = with.GetProperty("jsHeapBytes").ValueKind == JsonValueKind.Number ? Math.Round(with.GetProperty("jsHeapBytes").GetDouble() / 1e6, 1) : null,
        ["browserMemoryMB"] = BrowserRssMb(),
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
if (!OutsideRequests.IsEmpty)
{
    Console.Error.WriteLine($"requests that would have left 127.0.0.1 (refused): {string.Join(", ", OutsideRequests.Distinct().Take(5))}");
    return 1;
}
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
    // Nothing leaves 127.0.0.1 (as in the tests): an outside request would be a bug, and would distort the timing. The
    // browser's proxy (below, at launch) refuses every one; they are counted here and fail the run. Not a Playwright route:
    // routing turns the browser's HTTP cache off, and a visitor has one (Cesium's second tileset.json is a 304, the
    // contents the page asks for early are read from it).
    context.Request += (_, request) =>
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(request.Url, @"^(?:(?:https?|wss?)://127\.0\.0\.1(?:[:/?#]|$)|data:|blob:)",
                System.Text.RegularExpressions.RegexOptions.IgnoreCase))
        {
            OutsideRequests.Add(request.Url);
        }
    };
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

// The resident memory of this bench's chromium processes (the browser, its renderers and its GPU process: descendants of
// this process, through Playwright's driver; other engineers' browsers are not counted), MB.
static double BrowserRssMb()
{
    static int Parent(string dir)
    {
        var stat = File.ReadAllText(Path.Combine(dir, "stat"));
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
    }
    bool Mine(string dir)
    {
        for (var (d, hops) = (dir, 0); hops < 16; hops++)
        {
            var parent = Parent(d);
            if (parent == Environment.ProcessId)
            {
                return true;
            }
            if (parent <= 1)
            {
                return false;
            }
            d = "/proc/" + parent.ToString(CultureInfo.InvariantCulture);
        }
        return false;
    }
    long kb = 0;
    foreach (var dir in Directory.EnumerateDirectories("/proc"))
    {
        try
        {
            var comm = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
            if (!comm.StartsWith("chrom", StringComparison.Ordinal) && comm != "headless_shell" || !Mine(dir))
            {
                continue;
            }
            var rss = File.ReadLines(Path.Combine(dir, "status")).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            if (rss is not null)
            {
                kb += long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
            // A process that ended while being read.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
    return Math.Round(kb / 1024.0, 1);
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

internal sealed record Options(IReadOnlyList<(string Name, string Url)> Urls, int Runs, int OrbitFrames, double OrbitRangeM, string Chromium)
{
    /// <summary>The first host's URL (the orbit's).</summary>
    public string Url => Urls[0].Url;

    public static Options? Parse(string[] args)
    {
        var urls = new List<(string, string)>();
        int runs = 5, orbit = 120;
        double range = 1200;
        var chromium = Environment.GetEnvironmentVariable("SMARTREGION_CHROMIUM") is { Length: > 0 } env ? env : "/usr/bin/chromium";
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                // --url URL, or --url NAME=URL (repeated: the hosts' first-frame visits alternate).
                case "--url" when value is not null:
                    var eq = value.IndexOf('=', StringComparison.Ordinal);
                    urls.Add(eq > 0 && !value[..eq].Contains(':', StringComparison.Ordinal) ? (value[..eq], value[(eq + 1)..]) : ("main", value));
                    i++;
                    break;
                case "--runs" when int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n >= 0: runs = n; i++; break;
                case "--orbit-frames" when int.TryParse(value, CultureInfo.InvariantCulture, out var f) && f >= 0: orbit = f; i++; break;
                case "--orbit-range-m" when double.TryParse(value, CultureInfo.InvariantCulture, out var m) && m > 0: range = m; i++; break;
                case "--chromium" when value is not null: chromium = value; i++; break;
                default: return null;
            }
        }
        return urls.Count == 0 ? null : new Options(urls, runs, orbit, range, chromium);
    }
}

internal static partial class Program
{
    /// <summary>URLs the pages asked for outside 127.0.0.1 (refused by the browser's proxy): the run fails when any.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentBag<string> OutsideRequests = [];
}
