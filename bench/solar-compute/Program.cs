using System.Globalization;
using System.Text.Json;
using SmartRegion.Data;
using SmartRegion.Data.Solar;
using SmartRegion.Rooftop;

// The same tiles of a finished run computed twice on one thread: our method on every building of the tiles, the naive
// method (every edge within the radius per sample, hour-by-hour transposition) on a few buildings of each, in CPU
// seconds (the machine is shared). Prints one JSON object: both rates, the speed-up, and how far the results differ.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
long runId = 0;
int tiles = 4, naivePerTile = 3;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--run": runId = long.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--tiles": tiles = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--naive-buildings-per-tile": naivePerTile = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        default: throw new ArgumentException($"unknown option {args[i]}");
    }
}
if (runId <= 0 || tiles < 1 || naivePerTile < 1)
{
    // The comparison needs at least one tile and one building for the naive peer (0 gave a rate of Infinity, unwritable as JSON).
    Console.Error.WriteLine("usage: SolarComputeBench --run ID [--tiles 4 (≥ 1)] [--naive-buildings-per-tile 3 (≥ 1)]");
    return 2;
}

var ct = CancellationToken.None;
await using var dataSource = SmartRegionDatabase.CreateDataSource(SmartRegionDatabase.ConnectionStringFromEnvironment(), "solar-compute-bench");
var runs = new SolarRunStore(dataSource);
var settings = await runs.ParametersAsync(runId, ct);
if (settings is null)
{
    Console.Error.WriteLine($"solar run {runId} does not exist or has no weather station");
    return 1;
}
var (parameters, station) = settings.Value;
var context = await runs.ContextAsync(runId, parameters, station, ct);
var store = new SolarTileStore(dataSource);

// Tiles from the middle of the run's list (typical, not the city's edge).
var jobs = new List<long>();
await using (var cmd = dataSource.CreateCommand("""
    SELECT id FROM solar.job WHERE run_id = @run
    ORDER BY id OFFSET (SELECT count(*) / 2 FROM solar.job WHERE run_id = @run) LIMIT @n
    """))
{
    cmd.Parameters.AddWithValue("run", runId);
    cmd.Parameters.AddWithValue("n", tiles + 1);
    await using var reader = await cmd.ExecuteReaderAsync(ct);
    while (await reader.ReadAsync(ct))
    {
        jobs.Add(reader.GetInt64(0));
    }
}
if (jobs.Count < 2)
{
    Console.Error.WriteLine($"solar run {runId} has too few tiles");
    return 1;
}

// The first tile warms both paths up (JIT, PV yield cache) and is not counted.
var warm = await store.LoadTileAsync(jobs[0], parameters.HorizonRadiusM, ct);
TileComputer.Compute(warm, context);
TileComputer.Compute(FirstTargets(warm, 1), context, method: ShadingMethod.Naive);

var ours = new TilePhaseTimes();
var naive = new TilePhaseTimes();
long oursTicks = 0, naiveTicks = 0;
int oursBuildings = 0, naiveBuildings = 0;
long oursFaces = 0, oursSamples = 0, naiveFaces = 0, naiveSamples = 0;
var faceDiffs = new List<double>();
var buildingDiffs = new List<double>();
foreach (var job in jobs.Skip(1))
{
    var inputs = await store.LoadTileAsync(job, parameters.HorizonRadiusM, ct);
    var t0 = TilePhaseTimes.Now();
    var fast = TileComputer.Compute(inputs, context, ours);
    var t1 = TilePhaseTimes.Now();
    var subset = FirstTargets(inputs, naivePerTile);
    var reference = TileComputer.Compute(subset, context, naive, ShadingMethod.Naive);
    var t2 = TilePhaseTimes.Now();
    oursTicks += t1 - t0;
    naiveTicks += t2 - t1;
    oursBuildings += fast.Count;
    oursFaces += fast.Sum(r => r.Faces.Count);
    oursSamples += fast.Sum(r => r.Faces.Sum(f => (long)(f.SampleKwhPerM2?.Length ?? 0)));
    naiveBuildings += reference.Count;
    naiveFaces += reference.Sum(r => r.Faces.Count);
    naiveSamples += reference.Sum(r => r.Faces.Sum(f => (long)(f.SampleKwhPerM2?.Length ?? 0)));
    var byId = fast.ToDictionary(r => r.BuildingId);
    foreach (var r in reference.Where(r => r.Status == BuildingStatus.Ok))
    {
        var f = byId[r.BuildingId];
        buildingDiffs.Add(RelativeDiff(f.MeanIrradiationKwhPerM2!.Value, r.MeanIrradiationKwhPerM2!.Value));
        faceDiffs.AddRange(r.Faces.Zip(f.Faces, (a, b) => RelativeDiff(b.AnnualIrradiationKwhPerM2, a.AnnualIrradiationKwhPerM2)));
    }
}

var freq = (double)System.Diagnostics.Stopwatch.Frequency;
// The roofs of a tile and its neighbours are prepared once per tile whatever the method: the naive run, with a few
// targets per tile, is charged our roof time per building instead of a whole tile's.
double oursCpu = oursTicks / freq;
double naiveCpu = (naiveTicks - naive.RoofTicks) / freq + ours.RoofTicks / freq / oursBuildings * naiveBuildings;
double oursRate = oursBuildings / oursCpu, naiveRate = naiveBuildings / naiveCpu;
Console.WriteLine(JsonSerializer.Serialize(new
{
    tiles = jobs.Count - 1,
    ours = Rates(oursBuildings, oursFaces, oursSamples, oursCpu, ours, "the platform's: near field per sample through the index, far field per face, batch kernel"),
    naive = Rates(naiveBuildings, naiveFaces, naiveSamples, naiveCpu, naive,
        "every edge within the radius for every sample (no index, no near/far split), hour-by-hour Perez (PlaneOfArray.Hourly)"),
    speedupPerBuilding = Math.Round(oursRate / naiveRate, 0),
    // Ours against the naive reference on the same buildings: the far field seen from the face's centre, and the
    // kernel's 72-sector midpoint sky-view factor, are the approximations.
    meanIrradiationDiffPct = new
    {
        buildingsMedian = Percentile(buildingDiffs, 0.5),
        buildingsMax = Percentile(buildingDiffs, 1),
        facesMedian = Percentile(faceDiffs, 0.5),
        facesP95 = Percentile(faceDiffs, 0.95),
        facesMax = Percentile(faceDiffs, 1),
    },
}, new JsonSerializerOptions { WriteIndented = false }));
return 0;

static object Rates(int buildings, long faces, long samples, double cpuS, TilePhaseTimes phases, string method) => new
{
    buildings,
    faces,
    samples,
    cpuS = Math.Round(cpuS, 2),
    buildingsPerCpuS = Math.Round(buildings / cpuS, 2),
    facesPerCpuS = Math.Round(faces / cpuS, 1),
    samplesPerCpuS = Math.Round(samples / cpuS, 0),
    phasesCpuS = phases.Seconds(),
    method,
};

static List<BuildingInput> FirstTargets(IReadOnlyList<BuildingInput> inputs, int n)
{
    var kept = 0;
    return inputs.Select(b => b.IsTarget && kept++ >= n ? b with { IsTarget = false } : b).ToList();
}

static double RelativeDiff(double value, double reference) => reference == 0 ? 0 : Math.Abs(value - reference) / reference;

static double Percentile(List<double> values, double q)
{
    if (values.Count == 0)
    {
        return 0;
    }
    var sorted = values.Order().ToArray();
    return Math.Round(100 * sorted[(int)Math.Round(q * (sorted.Length - 1))], 3);
}
