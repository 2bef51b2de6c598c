using System.Diagnostics;
using System.Globalization;
using SmartRegion.Solar;
using SmartRegion.Solar.Weather;

// Planes per second for one core: the batch kernel (precomputed StationSky) against the naive computation that
// recomputes the sun and the full transposition every hour, in the same run, on the same weather file.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var root = AppContext.BaseDirectory;
while (root is not null && !File.Exists(Path.Combine(root, "SmartRegion.sln")))
{
    root = Path.GetDirectoryName(root);
}
var data = Environment.GetEnvironmentVariable("SMARTREGION_SHARED_DATA") is { Length: > 0 } env
    ? env : Path.GetFullPath(Path.Combine(root ?? ".", "..", "shared", "data"));
var file = args.Length > 0 ? args[0] : Path.Combine(data, "weather", "pvgis_tmy_45.000_8.000_2005_2023.csv");
var planeCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
const int Sectors = 72;

var weather = await WeatherFile.ReadAsync(file, WeatherFormat.Auto, null, CancellationToken.None);
var sw = Stopwatch.StartNew();
var sky = StationSky.Compute(weather, Sectors);
Console.WriteLine($"weather: {Path.GetFileName(file)}; StationSky: {sky.Count} daylight hours precomputed in {sw.Elapsed.TotalMilliseconds:F0} ms");

var random = new Random(42);
var planes = new PlaneOrientation[planeCount];
var horizons = new double[planeCount * Sectors];
for (var p = 0; p < planeCount; p++)
{
    planes[p] = new PlaneOrientation(random.NextDouble() * 60, random.NextDouble() * 360);
    // A city skyline: a few buildings of random height and width around the sample.
    var baseElevation = random.NextDouble() * 8;
    for (var k = 0; k < Sectors; k++)
    {
        horizons[p * Sectors + k] = baseElevation;
    }
    for (var b = 0; b < 6; b++)
    {
        var start = random.Next(Sectors);
        var width = 2 + random.Next(8);
        var height = random.NextDouble() * 35;
        for (var k = 0; k < width; k++)
        {
            ref var e = ref horizons[p * Sectors + (start + k) % Sectors];
            e = Math.Max(e, height);
        }
    }
}
var results = new PlaneIrradiation[planeCount];

// The machine is shared: planes per CPU-second of this process (not wall time) is the per-core figure.
static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;

double Batch(SkyModel model, bool withHorizon)
{
    var batch = new PlaneOfArrayBatch(sky, model, 0.2);
    batch.Evaluate(planes.AsSpan(0, Math.Min(2000, planeCount)), withHorizon ? horizons.AsSpan(0, Math.Min(2000, planeCount) * Sectors) : default, results); // warm-up
    var best = 0.0;
    for (var run = 0; run < 3; run++)
    {
        var t = Cpu();
        batch.Evaluate(planes, withHorizon ? horizons : default, results);
        best = Math.Max(best, planeCount / (Cpu() - t).TotalSeconds);
    }
    return best;
}

double Naive(SkyModel model, bool withHorizon, int count)
{
    var t = Cpu();
    double sink = 0;
    var pressure = 100 * Math.Pow((44331.514 - weather.ElevationM) / 11880.516, 1 / 0.1902632) / 100;
    for (var p = 0; p < count; p++)
    {
        var plane = planes[p];
        HorizonProfile? profile = null;
        var svfRatio = 1.0;
        if (withHorizon)
        {
            var az = Enumerable.Range(0, Sectors).Select(k => k * 360.0 / Sectors).ToArray();
            profile = new HorizonProfile(az, horizons.AsSpan(p * Sectors, Sectors).ToArray());
            svfRatio = SkyView.TiltedPlane(plane.TiltDeg, plane.AzimuthDeg, profile) / ((1 + Angles.CosDeg(plane.TiltDeg)) / 2);
        }
        for (var i = 0; i < weather.Count; i++)
        {
            var instant = weather.SunInstantUtc(i);
            var sun = SolarPosition.Spa(instant, weather.LatitudeDeg, weather.LongitudeDeg, weather.ElevationM, pressure, weather.AirTemperatureC[i], 69);
            var dniExtra = Extraterrestrial.SpencerWPerM2(instant.DayOfYear);
            var airmass = Airmass.KastenYoung1989(sun.ApparentZenithDeg);
            var cosAoi = Transposition.AngleOfIncidenceProjection(plane.TiltDeg, plane.AzimuthDeg, sun.ApparentZenithDeg, sun.AzimuthDeg);
            var visible = profile is null || sun.ApparentElevationDeg >= profile.ElevationAtDeg(sun.AzimuthDeg) ? 1 : 0;
            var d = model == SkyModel.Perez
                ? Transposition.Perez(plane.TiltDeg, plane.AzimuthDeg, weather.DhiWPerM2[i], weather.DniWPerM2[i], dniExtra, sun.ApparentZenithDeg, sun.AzimuthDeg, airmass)
                : new SkyDiffuse(Transposition.Isotropic(plane.TiltDeg, weather.DhiWPerM2[i]), Transposition.Isotropic(plane.TiltDeg, weather.DhiWPerM2[i]), 0, 0);
            sink += weather.DniWPerM2[i] * Math.Max(cosAoi, 0) * visible
                    + Math.Max((d.IsotropicWPerM2 + d.HorizonWPerM2) * svfRatio + d.CircumsolarWPerM2 * visible, 0)
                    + Transposition.GroundReflected(plane.TiltDeg, weather.GhiWPerM2[i], 0.2);
        }
    }
    GC.KeepAlive(sink);
    return count / (Cpu() - t).TotalSeconds;
}

{
    // The per-plane sky-view factor alone (part of every horizon case).
    var centres = new double[Sectors];
    var t = Cpu();
    double sink = 0;
    for (var p = 0; p < planeCount; p++)
    {
        for (var k = 0; k < Sectors; k++)
        {
            centres[k] = (horizons[p * Sectors + k] + horizons[p * Sectors + (k + 1) % Sectors]) / 2;
        }
        sink += SkyView.TiltedPlane(planes[p].TiltDeg, planes[p].AzimuthDeg, centres);
    }
    Console.WriteLine($"sky-view factor alone: {planeCount / (Cpu() - t).TotalSeconds:N0} planes/CPU-s (mean {sink / planeCount:F3})");
}
Console.WriteLine($"{planeCount:N0} random planes (tilt 0–60°, any azimuth), {Sectors}-sector skylines; one thread; best of 3");
Console.WriteLine($"{"case",-28} {"batch planes/s",16} {"naive planes/s",16} {"speed-up",10}");
foreach (var (model, withHorizon) in new[] { (SkyModel.Isotropic, false), (SkyModel.Isotropic, true), (SkyModel.Perez, false), (SkyModel.Perez, true) })
{
    var fast = Batch(model, withHorizon);
    var naive = Naive(model, withHorizon, 3);
    var name = $"{model}{(withHorizon ? " + 72-sector horizon" : "")}";
    Console.WriteLine($"{name,-28} {fast,16:N0} {naive,16:N1} {fast / naive,9:N0}x");
}
