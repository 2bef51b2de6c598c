using NetTopologySuite.Geometries;
using SmartRegion.Geo.Shading;
using SmartRegion.Solar.Finance;

namespace SmartRegion.Rooftop;

/// <summary>
/// Computes the buildings of one tile: roof faces (<see cref="RoofPreparation"/>), a sample grid per face
/// (<see cref="FaceSampling"/>), each sample's horizon (<see cref="SampleHorizons"/>) and irradiation
/// (<see cref="FaceIrradiation"/>), modules (<see cref="ModuleLayout"/>) and their energy (<see cref="ModuleYield"/>), and the
/// building's <see cref="Report"/> with its <see cref="Uncertainty"/>.
/// </summary>
public static class TileComputer
{
    /// <summary>Computes every target building of <paramref name="buildings"/>; neighbours only cast shade.</summary>
    /// <param name="times">Adds the CPU time of each phase to it (benchmarks, progress reports).</param>
    /// <param name="method">The naive method is the benchmark's peer and the tests' reference.</param>
    /// <param name="corrections">Per building id, a resident's correction of its roof (a what-if): its faces, computed and
    /// casting shade, are the corrected ones, and its modules keep clear of the areas to keep free.</param>
    public static List<BuildingResult> Compute(
        IReadOnlyList<BuildingInput> buildings, SolarRunContext run, TilePhaseTimes? times = null, ShadingMethod method = ShadingMethod.Fast,
        IReadOnlyDictionary<long, RoofCorrection>? corrections = null)
    {
        times ??= new TilePhaseTimes();
        var tPrep = TilePhaseTimes.Now();
        var p = run.Parameters;
        var groundFallback = GroundFallback(buildings);

        // 1. Faces of every building (targets and neighbours): all of them cast shade.
        // A building's faces depend on it alone, unless its ground altitude is unknown (the tile's median stands in).
        var prepared = buildings.Select(b =>
        {
            var prep = b.GroundAltitudeM is null
                ? RoofPreparation.Prepare(b, groundFallback, p)
                : run.Roofs.GetOrAdd(b.Id, () => RoofPreparation.Prepare(b, groundFallback, p));
            return corrections is not null && corrections.TryGetValue(b.Id, out var correction)
                ? RoofCorrections.Apply(b, prep, correction, groundFallback, p)
                : prep;
        }).ToList();
        var allFaces = new List<Polygon>();
        var faceStart = new int[buildings.Count];
        for (var i = 0; i < buildings.Count; i++)
        {
            faceStart[i] = allFaces.Count;
            allFaces.AddRange(prepared[i].Faces.Select(f => f.Polygon));
        }
        // A correction's obstacles that rise above their face cast shade like any roof: after every building's faces, so
        // they belong to no face and every sample sees them, those of the face they stand on included.
        for (var i = 0; corrections is not null && i < buildings.Count; i++)
        {
            if (corrections.TryGetValue(buildings[i].Id, out var correction))
            {
                allFaces.AddRange(RoofCorrections.ObstacleTops(correction, prepared[i].Faces));
            }
        }
        var skyline = new SkylineIndex(allFaces, cellSizeM: Math.Max(10, p.HorizonRadiusM / 6));
        times.Add(ref times.RoofTicks, tPrep);

        var irradiation = new FaceIrradiation(skyline, run, method);
        var results = new List<BuildingResult>();

        for (var i = 0; i < buildings.Count; i++)
        {
            var b = buildings[i];
            if (!b.IsTarget)
            {
                continue;
            }
            var result = ComputeTarget(b, prepared[i], faceStart[i], irradiation, run, times, corrections?.GetValueOrDefault(b.Id));
            if (b.Facts is { } facts && run.Provenance is { } provenance)
            {
                var t0 = TilePhaseTimes.Now();
                // Stored: the modules as numbers beside the report, their ~300 bytes of JSON each written when it is read.
                result = result with
                {
                    ReportJson = ReportDocument.Write(result, facts, provenance, run.ToWgs84.Value!, panelsApart: true),
                    PanelLayout = ReportPanels.Encode(result.Faces),
                };
                times.Add(ref times.ReportTicks, t0);
            }
            results.Add(result);
        }
        return results;
    }

    private static BuildingResult ComputeTarget(
        BuildingInput b, PreparedBuilding prep, int firstFace, FaceIrradiation irradiation, SolarRunContext run, TilePhaseTimes times,
        RoofCorrection? correction)
    {
        var p = run.Parameters;
        var centre = b.Footprint.InteriorPoint;
        if (prep.Skip is { } reason)
        {
            return Skipped(b.Id, BuildingStatus.Skipped, reason, prep.Notes, centre, null);
        }
        if (run.StationDistanceKm(centre) is var stationKm && !(stationKm <= p.StationMaxKm))
        {
            // The run's one typical year would be another climate's: say so per building rather than stop the run (the
            // distance goes with the result).
            return Skipped(b.Id, BuildingStatus.Skipped, SkipReason.StationTooFar, prep.Notes, centre, stationKm);
        }
        try
        {
            return ComputeBuilding(b, prep, firstFace, centre, irradiation, run, times, correction);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or TopologyException or IndexOutOfRangeException)
        {
            // The published reason is a code; the exception goes to the worker's log (BuildingResult.Failure).
            return Skipped(b.Id, BuildingStatus.Failed, SkipReason.ComputationFailed, prep.Notes, centre, null) with { Failure = e };
        }
    }

    private static BuildingResult ComputeBuilding(
        BuildingInput b, PreparedBuilding prep, int firstFace, Point centre, FaceIrradiation shading, SolarRunContext run, TilePhaseTimes times,
        RoofCorrection? correction)
    {
        var p = run.Parameters;
        var faceRows = new List<FaceResult>();
        var allPanels = new List<double>();
        var kwpPerModule = p.Module.PeakPowerWp / 1000.0;

        for (var f = 0; f < prep.Faces.Count; f++)
        {
            var face = prep.Faces[f];
            var t0 = TilePhaseTimes.Now();
            var grid = FaceSampling.Sample(face, p.SampleSpacingM);
            t0 = times.Add(ref times.SamplingTicks, t0);
            var irradiation = shading.Evaluate(grid.Points, face.Plane, firstFace + f, times);
            t0 = TilePhaseTimes.Now();
            var summary = FaceIrradiation.Summarize(irradiation, grid.Points.Count);

            var keepFree = correction?.KeepFree.Where(k => k.FaceNo == f + 1).Select(k => k.Plan);
            var layout = ModuleLayout.Pack(face, grid, summary.SampleKwhPerM2, p, run.StationLatitudeDeg, keepFree);
            var (moduleTilt, moduleAzimuth) = ModuleLayout.ModuleOrientation(face, p);
            var yield = run.YieldCache.Get(run, moduleTilt, moduleAzimuth);
            var energy = ModuleYield.Compute(layout.Modules, grid.Points, irradiation, yield, kwpPerModule);
            foreach (var kwh in energy.PanelKwhAc)
            {
                allPanels.Add(kwh);
            }
            t0 = times.Add(ref times.PanelTicks, t0);
            faceRows.Add(new FaceResult(
                FaceNo: f + 1,
                Polygon: face.Polygon,
                Origin: face.Origin,
                TiltDeg: face.Plane.TiltDeg,
                AzimuthDeg: face.Plane.AzimuthDeg,
                AreaM2: face.Plane.AreaM2,
                UsableAreaM2: layout.UsableAreaM2,
                AnnualIrradiationKwhPerM2: summary.MeanKwhPerM2,
                QuantilesKwhPerM2: summary.QuantilesKwhPerM2,
                ShadingLossFraction: summary.ShadingLossFraction,
                SuitabilityClass: (short)Suitability.Classify(summary.MeanKwhPerM2, p.SuitabilityBandsKwhPerM2),
                PanelCount: layout.Modules.Count,
                InstallableKwp: layout.Modules.Count * kwpPerModule,
                AnnualKwhAc: energy.AnnualKwhAc,
                MonthlyKwhAc: energy.MonthlyKwhAc.Select(v => (float)v).ToArray(),
                SampleGrid: grid.Grid,
                SampleIj: grid.Ij,
                SampleKwhPerM2: summary.SampleKwhPerM2,
                Modules: layout.Modules.Count == 0 ? null : layout.Packed,
                PanelKwhAc: energy.PanelKwhAc,
                PanelPortrait: layout.Modules.Count == 0 ? null : layout.Portrait));
            times.Add(ref times.OtherTicks, t0);
        }
        var tBuilding = TilePhaseTimes.Now();
        var result = Report.Build(b, prep, faceRows, allPanels, centre, run);
        times.Add(ref times.OtherTicks, tBuilding);
        return result;
    }

    private static BuildingResult Skipped(long id, BuildingStatus status, SkipReason reason, List<ResultNote> notes, Point centre, double? stationDistanceKm) =>
        new(id, status, reason, notes, null, centre, null, null, null, null, null, null, null, null, null, null, null, stationDistanceKm, []);

    /// <summary>The ground altitude that stands in for a building's unknown one: the median of the others' (0 when none is known).</summary>
    public static double GroundFallback(IReadOnlyList<BuildingInput> buildings) =>
        Median(buildings.Where(b => b.GroundAltitudeM is not null).Select(b => b.GroundAltitudeM!.Value)) ?? 0;

    private static double? Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? null : sorted[sorted.Length / 2];
    }
}
