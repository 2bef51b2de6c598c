using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using SmartRegion.Data.Solar;
using SmartRegion.Geo.Panels;
using SmartRegion.Geo.Roofs;
using SmartRegion.Geo.Shading;
using SmartRegion.Solar;
using SmartRegion.Solar.Finance;

namespace SmartRegion.Pipelines.Solar;

/// <summary>Everything a tile computation needs that is the same for the whole run.</summary>
public sealed class SolarRunContext
{
    public required SolarParameters Parameters { get; init; }

    public required StationSky Sky { get; init; }

    public required double StationLatitudeDeg { get; init; }

    public required double StationLongitudeDeg { get; init; }

    /// <summary>The station's name, for the reason given to buildings too far from it.</summary>
    public string StationName { get; init; } = "the run's station";

    public required SelfConsumption.Curve SelfConsumptionCurve { get; init; }

    /// <summary>Lambert-93 → WGS84, one per thread (ProjNet transforms keep state).</summary>
    public ThreadLocal<SmartRegion.Geo.Crs.CrsTransform> ToWgs84 { get; } = new(() => SmartRegion.Geo.Crs.CrsTransform.Create(SmartRegion.Geo.Crs.KnownCrs.Lambert93, 4326));

    /// <summary>Unshaded PV yield per orientation (1° tilt, 2° azimuth buckets), shared by all workers.</summary>
    public PvYieldCache YieldCache { get; } = new();

    /// <summary>Roof faces of the run's buildings, inferred once for the several tiles that load a building.</summary>
    internal BuildingCache<TileComputer.PreparedBuilding> Roofs { get; } = new();

    /// <summary>The batch kernel for this station (Perez, the run's albedo), built once and shared: Evaluate is thread-safe.</summary>
    public PlaneOfArrayBatch Batch => LazyInitializer.EnsureInitialized(ref _batch, ref _batchLock, () => new PlaneOfArrayBatch(Sky, SkyModel.Perez, Parameters.Albedo));

    private PlaneOfArrayBatch? _batch;
    private object? _batchLock;
}

/// <summary>Where a tile's computation spends its time (Stopwatch ticks, summed over tiles and threads).</summary>
public sealed class TilePhaseTimes
{
    /// <summary>Roof faces of the tile's buildings and neighbours, and the skyline index.</summary>
    public long RoofTicks;

    /// <summary>Sample grids of the target faces.</summary>
    public long SamplingTicks;

    /// <summary>Each sample's horizon.</summary>
    public long HorizonTicks;

    /// <summary>Plane-of-array irradiation under each sample's horizon.</summary>
    public long IrradiationTicks;

    /// <summary>Panel packing and PV energy.</summary>
    public long PanelTicks;

    /// <summary>Statistics, geometry, configurations, finance and JSON.</summary>
    public long OtherTicks;

    /// <summary>Adds the time since <paramref name="since"/> to <paramref name="phase"/>; returns now.</summary>
    public long Add(ref long phase, long since)
    {
        var now = Now();
        Interlocked.Add(ref phase, now - since);
        return now;
    }

    /// <summary>
    /// The calling thread's CPU time in Stopwatch ticks where the OS gives it (Linux), else the wall clock: on a shared
    /// machine the phases' CPU seconds are what compares from run to run.
    /// </summary>
    public static long Now()
    {
        if (_threadClock && OperatingSystem.IsLinux())
        {
            try
            {
                if (ClockGetTime(3 /* CLOCK_THREAD_CPUTIME_ID */, out var ts) == 0)
                {
                    return (long)((ts.Seconds * 1_000_000_000.0 + ts.Nanoseconds) * (Stopwatch.Frequency / 1e9));
                }
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
            }
            _threadClock = false;
        }
        return Stopwatch.GetTimestamp();
    }

    private static bool _threadClock = true;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>Seconds per phase.</summary>
    public object Seconds() => new
    {
        roofs = S(RoofTicks),
        sampling = S(SamplingTicks),
        horizon = S(HorizonTicks),
        irradiation = S(IrradiationTicks),
        panels = S(PanelTicks),
        other = S(OtherTicks),
    };

    private static double S(long ticks) => Math.Round(ticks / (double)Stopwatch.Frequency, 2);
}

/// <summary>Unshaded PV yield of an orientation (1° tilt, 2° azimuth buckets), computed once per bucket.</summary>
public sealed class PvYieldCache
{
    private readonly Dictionary<(int, int), PvYieldResult> _cache = [];
    private readonly Lock _lock = new();

    public PvYieldResult Get(SolarRunContext run, double tiltDeg, double azimuthDeg)
    {
        var key = ((int)Math.Round(tiltDeg), (int)Math.Round(Angles360(azimuthDeg) / 2) % 180);
        lock (_lock)
        {
            if (_cache.TryGetValue(key, out var hit))
            {
                return hit;
            }
        }
        var p = run.Parameters;
        var hourly = PlaneOfArray.Hourly(run.Sky, new PlaneOrientation(key.Item1, key.Item2 * 2), SkyModel.Perez, p.Albedo, null);
        var yield = PvYield.Compute(run.Sky, hourly, new PvSystem(1, p.SystemLosses, p.GammaPdcPerC, p.InverterEfficiency, PhysicalIam: true));
        lock (_lock)
        {
            _cache[key] = yield;
        }
        return yield;
    }

    private static double Angles360(double deg) => ((deg % 360) + 360) % 360;
}

/// <summary>
/// Computes the buildings of one tile: roof faces (LOD2 or inferred), a sample grid per face, each sample's horizon from
/// every building within the radius (its own included), plane-of-array irradiation with that horizon, per-face statistics,
/// panel layouts, PV energy, configurations, finance, CO₂ and an uncertainty band.
/// </summary>
public static class TileComputer
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 2154);

    /// <summary>Computes every target building of <paramref name="buildings"/>; neighbours only cast shade.</summary>
    /// <param name="times">Adds the CPU time of each phase to it (benchmarks, progress reports).</param>
    /// <param name="method">The naive method is the benchmark's peer and the tests' reference.</param>
    public static List<BuildingResultRow> Compute(
        IReadOnlyList<BuildingInput> buildings, SolarRunContext run, TilePhaseTimes? times = null, ShadingMethod method = ShadingMethod.Fast)
    {
        times ??= new TilePhaseTimes();
        var tPrep = TilePhaseTimes.Now();
        var p = run.Parameters;
        var groundFallback = Median(buildings.Where(b => b.GroundAltitudeM is not null).Select(b => b.GroundAltitudeM!.Value)) ?? 0;

        // 1. Faces of every building (targets and neighbours): all of them cast shade.
        // A building's faces depend on it alone, unless its ground altitude is unknown (the tile's median stands in).
        var prepared = buildings.Select(b => b.GroundAltitudeM is null
            ? PrepareFaces(b, groundFallback)
            : run.Roofs.GetOrAdd(b.Id, () => PrepareFaces(b, groundFallback))).ToList();
        var allFaces = new List<Polygon>();
        var faceStart = new int[buildings.Count];
        for (var i = 0; i < buildings.Count; i++)
        {
            faceStart[i] = allFaces.Count;
            allFaces.AddRange(prepared[i].Faces.Select(f => f.Polygon));
        }
        var skyline = new SkylineIndex(allFaces, cellSizeM: Math.Max(10, p.HorizonRadiusM / 6));
        times.Add(ref times.RoofTicks, tPrep);

        var shading = new FaceShading(skyline, run, method);
        var results = new List<BuildingResultRow>();

        for (var i = 0; i < buildings.Count; i++)
        {
            var b = buildings[i];
            if (!b.IsTarget)
            {
                continue;
            }
            var centre = b.Footprint.InteriorPoint;
            var prep = prepared[i];
            if (prep.Skip is { } reason)
            {
                results.Add(Skipped(b.Id, centre, reason));
                continue;
            }
            if (HaversineKm(centre, run) is var stationKm && !(stationKm <= p.StationMaxKm))
            {
                // The run's one typical year would be another climate's: say so per building rather than stop the run.
                results.Add(Skipped(b.Id, centre, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"no weather station within {p.StationMaxKm:0.#} km (the nearest, '{run.StationName}', is {stationKm:0} km away)")));
                continue;
            }
            try
            {
                results.Add(ComputeBuilding(b, prep, faceStart[i], centre, shading, run, times));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or TopologyException or IndexOutOfRangeException)
            {
                results.Add(new BuildingResultRow(b.Id, "failed", $"{e.GetType().Name}: {e.Message} @ {e.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}", null, centre,
                    null, null, null, null, null, null, null, null, null, null, null, null, []));
            }
        }
        return results;
    }

    internal sealed record FaceInput(Polygon Polygon, RoofPlane Plane, string Origin);

    internal sealed record PreparedBuilding(List<FaceInput> Faces, string? Skip, List<string> Notes, bool Inferred);

    private static PreparedBuilding PrepareFaces(BuildingInput b, double groundFallback)
    {
        var notes = new List<string>();
        var faces = new List<FaceInput>();
        foreach (var f in b.Lod2Faces)
        {
            var plane = RoofPlane.Fit(f.Polygon.ExteriorRing.Coordinates.Select(c => new CoordinateZ(c.X, c.Y, c.Z)).ToArray());
            if (plane is null || plane.Value.AreaM2 < 0.5)
            {
                notes.Add("degenerate LOD2 roof polygon ignored");
                continue;
            }
            if (plane.Value.TiltDeg > 75)
            {
                notes.Add("vertical LOD2 roof polygon ignored");
                continue;
            }
            faces.Add(new FaceInput(f.Polygon, plane.Value, "lod2"));
        }
        if (faces.Count > 0)
        {
            return new PreparedBuilding(faces, null, notes, false);
        }

        // Every part of a multi-part footprint has a roof (an ingest-repaired bow-tie becomes two triangles); parts
        // under 4 m² are slivers, not roofs.
        var geometry = b.Footprint;
        if (!geometry.IsValid)
        {
            geometry = NetTopologySuite.Geometries.Utilities.GeometryFixer.Fix(geometry);
            notes.Add("self-intersecting footprint repaired");
        }
        var parts = Polygons(geometry).Where(p => p.Area >= 4).ToList();
        if (parts.Count == 0)
        {
            return new PreparedBuilding(faces, "footprint smaller than 4 m² or empty", notes, true);
        }
        if (parts.Count > 1)
        {
            notes.Add($"footprint of {parts.Count} parts: a roof inferred for each");
        }
        var ground = b.GroundAltitudeM ?? groundFallback;
        if (b.GroundAltitudeM is null)
        {
            notes.Add("ground altitude unknown: the tile's median used");
        }
        double? top = b.RoofMaxAltitudeM ?? (b.HeightAboveGroundM is { } h ? ground + h : null);
        double? eaves = b.RoofMinAltitudeM ?? top;
        if (top is null && b.Storeys is > 0)
        {
            top = eaves = ground + 3.0 * b.Storeys.Value;
            notes.Add("no height: 3 m per storey assumed");
        }
        if (top is null || eaves is null)
        {
            return new PreparedBuilding(faces, "no height, roof altitude or storey count", notes, true);
        }
        if (top.Value - ground <= 0)
        {
            return new PreparedBuilding(faces, "roof not above the ground (zero or negative height)", notes, true);
        }
        foreach (var part in parts)
        {
            var roof = RoofInference.Infer(part, Math.Min(eaves.Value, top.Value), top.Value);
            faces.AddRange(roof.Faces.Select(f => new FaceInput(f.Polygon, f.Plane, "inferred")));
        }
        return faces.Count == 0
            ? new PreparedBuilding(faces, "no roof face could be inferred", notes, true)
            : new PreparedBuilding(faces, null, notes, true);
    }

    private static BuildingResultRow ComputeBuilding(
        BuildingInput b, PreparedBuilding prep, int firstFace, Point centre, FaceShading shading, SolarRunContext run, TilePhaseTimes times)
    {
        var p = run.Parameters;
        var faceRows = new List<FaceResultRow>();
        var allPanels = new List<(int Face, double KwhAc)>();

        for (var f = 0; f < prep.Faces.Count; f++)
        {
            var face = prep.Faces[f];
            var t0 = TilePhaseTimes.Now();
            var grid = SampleFace(face, p.SampleSpacingM);
            var (samples, samplesLocal, frame) = (grid.Points, grid.Local, grid.Frame);
            t0 = times.Add(ref times.SamplingTicks, t0);
            var irradiation = shading.Evaluate(samples, face.Plane, firstFace + f, times);
            t0 = TilePhaseTimes.Now();
            var unshaded = irradiation[samples.Count].AnnualKwhPerM2;

            var values = new float[samples.Count];
            var monthlyShaded = new double[12];
            for (var s = 0; s < samples.Count; s++)
            {
                values[s] = (float)irradiation[s].AnnualKwhPerM2;
                for (var m = 0; m < 12; m++)
                {
                    monthlyShaded[m] += irradiation[s].MonthlyKwhPerM2[m] / samples.Count;
                }
            }
            var mean = values.Average(v => (double)v);
            var quantiles = Quantiles(values);
            var shadingLoss = unshaded > 0 ? Math.Clamp(1 - mean / unshaded, 0, 1) : 0;

            // Panels: the face minus its setback and minus the cells of poorly lit samples.
            var halfCell = p.SampleSpacingM / 2;
            // A sample's cell is its grid square in the face's frame (the packer boxes it again if it packs in another frame).
            var poorCells = samplesLocal.Where((_, s) => values[s] < p.MinIrradiationKwhPerM2)
                .Select(c => new LocalBox(c.U - halfCell, c.V - halfCell, c.U + halfCell, c.V + halfCell))
                .ToList();
            var exclusions = poorCells.Count == 0 ? null : new CellExclusions(frame, poorCells);
            var isFlat = face.Plane.TiltDeg < p.FlatFaceMaxTiltDeg;
            var layout = isFlat
                ? PanelPacker.PackFlat(face.Polygon, p.Module, p.EdgeSetbackM, exclusions, p.FlatRoofRackTiltDeg, p.FlatRoofRackAzimuthDeg, run.StationLatitudeDeg)
                : PanelPacker.PackPitched(face.Polygon, face.Plane, p.Module, p.EdgeSetbackM, exclusions);
            if (layout.Modules.Count < p.MinModulesPerFace)
            {
                // Room for less than the smallest installation: no usable area either (layout.minModulesPerFace).
                layout = PanelLayout.Empty;
            }
            var moduleTilt = isFlat ? p.FlatRoofRackTiltDeg : face.Plane.TiltDeg;
            var moduleAzimuth = isFlat ? p.FlatRoofRackAzimuthDeg : face.Plane.AzimuthDeg;
            var yield = run.YieldCache.Get(run, moduleTilt, moduleAzimuth);
            var kwpPerModule = p.Module.PeakPowerWp / 1000.0;

            // Each module's energy: the unshaded specific yield of its orientation, scaled by the shading its nearest
            // sample sees (ratio of the face's shaded to unshaded irradiation at that point).
            var panelKwh = new float[layout.Modules.Count];
            var monthlyFaceKwh = new double[12];
            var index = new NearestSample(samples);
            for (var m = 0; m < layout.Modules.Count; m++)
            {
                var module = layout.Modules[m];
                var s = index.Nearest(module.CentreX, module.CentreY);
                // Month by month, because shading is seasonal: the module's year is the sum of its months, so the
                // monthly and annual figures agree (one annual ratio would weigh winter shade like summer shade).
                double moduleKwh = 0;
                for (var month = 0; month < 12; month++)
                {
                    var faceMonthlyUnshaded = irradiation[samples.Count].MonthlyKwhPerM2[month];
                    var monthRatio = faceMonthlyUnshaded > 0 ? irradiation[s].MonthlyKwhPerM2[month] / faceMonthlyUnshaded : 0;
                    var kwh = yield.MonthlyKwhAc[month] * kwpPerModule * monthRatio;
                    monthlyFaceKwh[month] += kwh;
                    moduleKwh += kwh;
                }
                panelKwh[m] = (float)moduleKwh;
                allPanels.Add((f, panelKwh[m]));
            }
            var faceKwh = panelKwh.Sum(v => (double)v);
            t0 = times.Add(ref times.PanelTicks, t0);
            var usable = layout.UsableAreaM2;
            faceRows.Add(new FaceResultRow(
                FaceNo: f + 1,
                Polygon: face.Polygon,
                Origin: face.Origin,
                TiltDeg: face.Plane.TiltDeg,
                AzimuthDeg: face.Plane.AzimuthDeg,
                AreaM2: face.Plane.AreaM2,
                UsableAreaM2: usable,
                AnnualIrradiationKwhPerM2: mean,
                QuantilesKwhPerM2: quantiles,
                ShadingLossFraction: shadingLoss,
                SuitabilityClass: (short)Suitability.Classify(mean, p.SuitabilityBandsKwhPerM2),
                PanelCount: layout.Modules.Count,
                InstallableKwp: layout.Modules.Count * kwpPerModule,
                AnnualKwhAc: faceKwh,
                MonthlyKwhAc: monthlyFaceKwh.Select(v => (float)v).ToArray(),
                SampleGrid: grid.Grid,
                SampleIj: grid.Ij,
                SampleKwhPerM2: values,
                Panels: layout.Modules.Count == 0 ? null : Factory.CreateMultiPolygon(layout.Modules.Select(m => m.Polygon).ToArray()),
                PanelKwhAc: panelKwh,
                PanelPortrait: layout.Modules.Count == 0 ? null : layout.Portrait));
            times.Add(ref times.OtherTicks, t0);
        }
        var tBuilding = TilePhaseTimes.Now();

        var roofArea = faceRows.Sum(f => f.AreaM2);
        var usableArea = faceRows.Sum(f => f.UsableAreaM2);
        var meanIrradiation = roofArea > 0 ? faceRows.Sum(f => f.AnnualIrradiationKwhPerM2 * f.AreaM2) / roofArea : 0;
        var panelCount = faceRows.Sum(f => f.PanelCount);
        var kwp = faceRows.Sum(f => f.InstallableKwp);
        var annual = faceRows.Sum(f => f.AnnualKwhAc);
        var monthly = Enumerable.Range(0, 12).Select(m => (float)faceRows.Sum(f => f.MonthlyKwhAc[m])).ToArray();

        var configurations = Configurations(allPanels, p, run);
        var fullFinance = FinanceModel.Evaluate(kwp, annual, run.SelfConsumptionCurve.At(annual), p.Finance);
        var recommended = configurations.Count == 0 ? null : configurations.MaxBy(c => c.NetGainEur);
        var financeJson = JsonSerializer.Serialize(new FinanceDocument(
            FinanceJson(fullFinance, panelCount, kwp, annual),
            recommended is null ? null : FinanceJson(recommended.Finance, recommended.PanelCount, recommended.InstallableKwp, recommended.AnnualKwhAc),
            "EUR", PricesIncludeVat: true), SolarResultJson.Default.FinanceDocument);
        var configurationsJson = JsonSerializer.Serialize(configurations.Select(c => new ConfigurationDocument(
            c.PanelCount,
            Math.Round(c.InstallableKwp, 3),
            Math.Round(c.AnnualKwhAc, 1),
            c.InstallableKwp > 0 ? Math.Round(c.AnnualKwhAc / c.InstallableKwp, 1) : 0,
            Math.Round(c.Finance.NetCostEur, 0),
            c.Finance.PaybackYears is { } y ? Math.Round(y, 1) : null,
            Math.Round(c.NetGainEur, 0),
            ReferenceEquals(c, recommended))).ToList(), SolarResultJson.Default.ListConfigurationDocument);

        var distanceKm = HaversineKm(centre, run);
        var (low, high, reasons) = Uncertainty(prep, distanceKm);
        var uncertaintyJson = JsonSerializer.Serialize(new UncertaintyDocument(
            Math.Round(low, 3),
            Math.Round(high, 3),
            Math.Round(annual * (1 - low), 0),
            Math.Round(annual * (1 + high), 0),
            reasons,
            prep.Notes), SolarResultJson.Default.UncertaintyDocument);

        times.Add(ref times.OtherTicks, tBuilding);
        return new BuildingResultRow(
            b.Id, "ok", prep.Notes.Count == 0 ? null : string.Join("; ", prep.Notes),
            prep.Faces.Select(f => f.Origin).Distinct().Count() > 1 ? "mixed" : prep.Faces[0].Origin,
            centre, roofArea, usableArea, meanIrradiation, panelCount, kwp, annual, monthly,
            configurationsJson, financeJson, annual * p.Finance.GridCo2KgPerKwh, uncertaintyJson, distanceKm, faceRows);
    }

    private sealed record Configuration(int PanelCount, double InstallableKwp, double AnnualKwhAc, FinanceResult Finance)
    {
        public double NetGainEur => Finance.NetGainEur;
    }

    /// <summary>Google-style: the best panels first; n panels → kWh/yr and money, at up to 20 sizes ending with the whole roof.</summary>
    private static List<Configuration> Configurations(List<(int Face, double KwhAc)> panels, SolarParameters p, SolarRunContext run)
    {
        var sorted = panels.Select(x => x.KwhAc).OrderDescending().ToArray();
        var list = new List<Configuration>();
        if (sorted.Length == 0)
        {
            return list;
        }
        var step = Math.Max(1, (int)Math.Ceiling(sorted.Length / 20.0));
        double cumulative = 0;
        for (var n = 1; n <= sorted.Length; n++)
        {
            cumulative += sorted[n - 1];
            if (n % step == 0 || n == sorted.Length || n <= 3)
            {
                var kwp = n * p.Module.PeakPowerWp / 1000;
                var finance = FinanceModel.Evaluate(kwp, cumulative, run.SelfConsumptionCurve.At(cumulative), p.Finance);
                list.Add(new Configuration(n, kwp, cumulative, finance));
            }
        }
        return list;
    }

    private static FinanceFigures FinanceJson(FinanceResult f, int panels, double kwp, double kwh) => new(
        panels,
        Math.Round(kwp, 3),
        Math.Round(kwh, 1),
        Math.Round(f.InstalledCostEur, 0),
        Math.Round(f.PremiumEur, 0),
        Math.Round(f.NetCostEur, 0),
        Math.Round(f.SelfConsumedFraction, 3),
        Math.Round(f.FirstYearSavingsEur, 0),
        Math.Round(f.FirstYearSurplusRevenueEur, 0),
        f.PaybackYears is { } y ? Math.Round(y, 1) : null,
        Math.Round(f.NetGainEur, 0),
        f.AnalysisYears);

    /// <summary>The relative band of the annual energy, from what is known about this building.</summary>
    private static (double Low, double High, List<string> Reasons) Uncertainty(PreparedBuilding prep, double stationDistanceKm)
    {
        // Base: typical-year weather vs any given year and the PV model (≈ ±7 %).
        double low = 0.07, high = 0.07;
        var reasons = new List<string> { "typical-year weather and PV model: ±7 %" };
        if (prep.Inferred)
        {
            low += 0.12;
            high += 0.08;
            reasons.Add("roof inferred from footprint and heights (no LOD2 model): −12 %/+8 %");
        }
        if (prep.Notes.Any(n => n.StartsWith("no height", StringComparison.Ordinal) || n.StartsWith("ground altitude unknown", StringComparison.Ordinal)))
        {
            low += 0.08;
            high += 0.08;
            reasons.Add("missing heights or ground altitude: ±8 %");
        }
        if (stationDistanceKm > 30)
        {
            var extra = Math.Min(0.10, (stationDistanceKm - 30) / 700);
            low += extra;
            high += extra;
            reasons.Add($"weather station {stationDistanceKm:F0} km away: ±{extra:P0}");
        }
        return (Math.Min(low, 0.9), high, reasons);
    }

    /// <summary>A face's sample points and the grid they lie on (see <see cref="FaceResultRow.SampleGrid"/>).</summary>
    private sealed record FaceSamples(List<(double X, double Y, double Z)> Points, List<(double U, double V)> Local, FaceFrame Frame, double[] Grid, float[] Ij);

    /// <summary>
    /// Sample points at the centres of a grid in the face's plane (spacing in true lengths), inside the face, with their
    /// (u, v) in the face's <see cref="FaceFrame"/> (the frame the panel packer works in, so a sample's cell is a box there)
    /// and their grid coordinates (i, j), which with the grid's origin and steps are what the database keeps of them.
    /// </summary>
    private static FaceSamples SampleFace(FaceInput face, double spacingM)
    {
        var frame = FaceFrame.ForFace(face.Polygon, face.Plane.AzimuthDeg, face.Plane.TiltDeg);
        var shell = frame.LocalRings(face.Polygon)[0];
        var (minU, minV, maxU, maxV) = FaceFrame.Bounds(shell);
        var plan = Factory.CreatePolygon(Factory.CreateLinearRing(face.Polygon.Shell.Coordinates.Select(c => new Coordinate(c.X, c.Y)).ToArray()),
            face.Polygon.Holes.Select(h => Factory.CreateLinearRing(h.Coordinates.Select(c => new Coordinate(c.X, c.Y)).ToArray())).ToArray());
        var inside = PreparedGeometryFactory.Prepare(plan);
        var list = new List<(double, double, double)>();
        var local = new List<(double, double)>();
        var ij = new List<float>();
        double u0 = minU + spacingM / 2, v0 = minV + spacingM / 2;
        for (var j = 0; v0 + j * spacingM < maxV; j++)
        {
            var v = v0 + j * spacingM;
            for (var i = 0; u0 + i * spacingM < maxU; i++)
            {
                var u = u0 + i * spacingM;
                var (x, y, z) = frame.ToWorld(u, v);
                if (inside.Contains(Factory.CreatePoint(new Coordinate(x, y))))
                {
                    list.Add((x, y, z));
                    local.Add((u, v));
                    ij.Add(i);
                    ij.Add(j);
                }
            }
        }
        if (list.Count == 0)
        {
            // A face narrower than the grid: one sample at a point inside it, at the plane's altitude there.
            var ip = plan.InteriorPoint;
            var (u, v) = frame.ToLocal(ip.X, ip.Y);
            list.Add((ip.X, ip.Y, frame.ToWorld(u, v).Z));
            local.Add((u, v));
            ij.Add((float)((u - u0) / spacingM));
            ij.Add((float)((v - v0) / spacingM));
        }
        var (ox, oy, oz) = frame.ToWorld(u0, v0);
        var (ix, iy, iz) = frame.ToWorld(u0 + spacingM, v0);
        var (jx, jy, jz) = frame.ToWorld(u0, v0 + spacingM);
        return new FaceSamples(list, local, frame, [ox, oy, oz, ix - ox, iy - oy, iz - oz, jx - ox, jy - oy, jz - oz], ij.ToArray());
    }

    private static float[] Quantiles(float[] values)
    {
        var sorted = values.Order().ToArray();
        var q = new float[11];
        for (var k = 0; k <= 10; k++)
        {
            var pos = k / 10.0 * (sorted.Length - 1);
            var lo = (int)Math.Floor(pos);
            var hi = Math.Min(lo + 1, sorted.Length - 1);
            q[k] = (float)(sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]));
        }
        return q;
    }

    private static BuildingResultRow Skipped(long id, Point centre, string reason) =>
        new(id, "skipped", reason, null, centre, null, null, null, null, null, null, null, null, null, null, null, null, []);

    /// <summary>The 2D polygons of a footprint (Z dropped), in the tile computer's factory.</summary>
    private static IEnumerable<Polygon> Polygons(Geometry g)
    {
        for (var i = 0; i < g.NumGeometries; i++)
        {
            if (g.GetGeometryN(i) is Polygon { IsEmpty: false } p)
            {
                yield return Factory.CreatePolygon(Factory.CreateLinearRing(p.Shell.Coordinates.Select(c => new Coordinate(c.X, c.Y)).ToArray()),
                    p.Holes.Select(h => Factory.CreateLinearRing(h.Coordinates.Select(c => new Coordinate(c.X, c.Y)).ToArray())).ToArray());
            }
        }
    }

    private static double? Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? null : sorted[sorted.Length / 2];
    }

    private static double HaversineKm(Point centreLambert93, SolarRunContext run)
    {
        var (lon, lat) = run.ToWgs84.Value!.Transform(centreLambert93.X, centreLambert93.Y);
        const double r = 6371.0088;
        double p1 = lat * Math.PI / 180, p2 = run.StationLatitudeDeg * Math.PI / 180;
        double dp = p2 - p1, dl = (run.StationLongitudeDeg - lon) * Math.PI / 180;
        var a = Math.Sin(dp / 2) * Math.Sin(dp / 2) + Math.Cos(p1) * Math.Cos(p2) * Math.Sin(dl / 2) * Math.Sin(dl / 2);
        return 2 * r * Math.Asin(Math.Sqrt(a));
    }

    /// <summary>Nearest sample by brute force: faces have tens to hundreds of samples.</summary>
    private sealed class NearestSample(List<(double X, double Y, double Z)> samples)
    {
        public int Nearest(double x, double y)
        {
            var best = 0;
            var bestD = double.MaxValue;
            for (var i = 0; i < samples.Count; i++)
            {
                var d = (samples[i].X - x) * (samples[i].X - x) + (samples[i].Y - y) * (samples[i].Y - y);
                if (d < bestD)
                {
                    bestD = d;
                    best = i;
                }
            }
            return best;
        }
    }
}

// The result documents of solar.building_result (configurations, finance, uncertainty), serialized by the source-generated
// fast path (web defaults: camelCase names, numbers as the shortest round-trip text): the reflection-based serializer of
// anonymous objects was a fiftieth of a run's CPU. The property order is the documents' key order.
internal sealed record FinanceDocument(FinanceFigures FullRoof, FinanceFigures? Recommended, string Currency, bool PricesIncludeVat);

internal sealed record FinanceFigures(
    int PanelCount, double InstallableKwp, double AnnualKwhAc, double InstalledCostEur, double PremiumEur, double NetCostEur,
    double SelfConsumedFraction, double FirstYearSavingsEur, double FirstYearSurplusRevenueEur, double? PaybackYears, double NetGainEur,
    int AnalysisYears);

internal sealed record ConfigurationDocument(
    int PanelCount, double InstallableKwp, double AnnualKwhAc, double SpecificYieldKwhPerKwp, double NetCostEur, double? PaybackYears,
    double NetGainEur, bool Recommended);

internal sealed record UncertaintyDocument(
    double RelativeLow, double RelativeHigh, double AnnualKwhAcLow, double AnnualKwhAcHigh, List<string> Reasons, List<string> Notes);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(FinanceDocument))]
[JsonSerializable(typeof(List<ConfigurationDocument>))]
[JsonSerializable(typeof(UncertaintyDocument))]
internal sealed partial class SolarResultJson : JsonSerializerContext;
