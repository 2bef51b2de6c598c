using NetTopologySuite.Geometries;

namespace SmartRegion.Rooftop.Tests;

/// <summary>
/// A what-if's obstacle with a height shades its roof through the horizons the neighbours' shade goes through (no
/// database): south of the modules of a south-facing face it lowers the face's yield; north of the face it takes only a
/// little sky; without a height it only keeps its area free.
/// </summary>
public sealed class ObstacleShadingTests
{
    // Lambert-93 near the demo station (48.92 N, 2.36 E).
    private const double X0 = 652_000, Y0 = 6_869_000, Ground = DemoRun.Ground, Eaves = Ground + 6;
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 2154);

    private static SolarRunContext RunContext => DemoRun.Value;

    // A gable 16 m (east–west) by 20 m in plan, 30° both ways: face 1 looks south (its eaves at y = 0), face 2 north, the
    // ridge at y = 10, 5.8 m above the eaves.
    private static readonly double Rise = 10 * Math.Tan(30 * Math.PI / 180);

    private const long HouseId = 9_100_001;

    private static BuildingInput House()
    {
        Polygon Face(double yEaves, double yRidge) => Factory.CreatePolygon(new[]
        {
            new CoordinateZ(X0, Y0 + yEaves, Eaves), new CoordinateZ(X0 + 16, Y0 + yEaves, Eaves), new CoordinateZ(X0 + 16, Y0 + yRidge, Eaves + Rise),
            new CoordinateZ(X0, Y0 + yRidge, Eaves + Rise), new CoordinateZ(X0, Y0 + yEaves, Eaves),
        }.Select(c => (Coordinate)c).ToArray());
        var footprint = Factory.CreatePolygon([new(X0, Y0), new(X0 + 16, Y0), new(X0 + 16, Y0 + 20), new(X0, Y0 + 20), new(X0, Y0)]);
        // An id of its own: the run context (DemoRun.Value) is shared by the assembly's tests and caches each building's
        // prepared roof by id, so another test's building 1 must not be this house (a full run failed on it).
        return new BuildingInput(HouseId, footprint, 6 + Rise, Ground, Eaves, Eaves + Rise, null, null, IsTarget: true,
            [new Lod2Face(Face(0, 10), 30, 180, 0), new Lod2Face(Face(20, 10), 30, 0, 0)]);
    }

    /// <summary>A 2 m × 2 m obstacle centred on (x, y) of face <paramref name="faceNo"/>, <paramref name="heightM"/> above it.</summary>
    private static RoofCorrection Obstacle(double x, double y, double heightM, int faceNo = 1) => new(null,
        [new KeepFreeArea(faceNo, Factory.CreatePolygon([new(x - 1, y - 1), new(x + 1, y - 1), new(x + 1, y + 1), new(x - 1, y + 1), new(x - 1, y - 1)]), heightM)]);

    private static FaceResult Face(RoofCorrection correction)
    {
        var house = House();
        var row = Assert.Single(TileComputer.Compute([house], RunContext, corrections: new Dictionary<long, RoofCorrection> { [house.Id] = correction }));
        Assert.Equal(BuildingStatus.Ok, row.Status);
        return row.Faces[0];
    }

    [Fact]
    public void TallObstacleSouthOfTheModules_LowersTheFacesYield()
    {
        // Near the eaves: most modules lie north of it, in its shadow when the sun is low in the south.
        var low = Face(Obstacle(X0 + 8, Y0 + 1.5, 0));
        var tall = Face(Obstacle(X0 + 8, Y0 + 1.5, 4));

        var loss = 1 - tall.AnnualKwhAc / low.AnnualKwhAc;
        TestContext.Current.TestOutputHelper?.WriteLine($"south: {tall.AnnualKwhAc:F0} vs {low.AnnualKwhAc:F0} kWh ({loss:P2}), {tall.PanelCount} vs {low.PanelCount} modules");
        Assert.True(loss > 0.02, $"a 4 m obstacle south of the modules costs {loss:P2} of the face's yield ({tall.AnnualKwhAc:F0} vs {low.AnnualKwhAc:F0} kWh)");
        Assert.True(tall.ShadingLossFraction > low.ShadingLossFraction, $"shading loss {tall.ShadingLossFraction:P2} vs {low.ShadingLossFraction:P2}");
    }

    [Fact]
    public void TallObstacleNorthOfTheFace_TheFacesYieldAlmostUnchanged()
    {
        var southLoss = 1 - Face(Obstacle(X0 + 8, Y0 + 1.5, 4)).AnnualKwhAc / Face(Obstacle(X0 + 8, Y0 + 1.5, 0)).AnnualKwhAc;
        // Just beyond the ridge, on the north face: every module of the south face lies south of it.
        var low = Face(Obstacle(X0 + 8, Y0 + 11.5, 0, faceNo: 2));
        var tall = Face(Obstacle(X0 + 8, Y0 + 11.5, 4, faceNo: 2));

        Assert.Equal(low.PanelCount, tall.PanelCount);
        var loss = 1 - tall.AnnualKwhAc / low.AnnualKwhAc;
        TestContext.Current.TestOutputHelper?.WriteLine($"north: {tall.AnnualKwhAc:F1} vs {low.AnnualKwhAc:F1} kWh ({loss:P3})");
        // It takes a little of the northern sky's diffuse light, nothing of the beam's.
        Assert.True(loss >= 0 && loss < 0.005, $"a 4 m obstacle north of the modules costs {loss:P3} of the face's yield");
        Assert.True(loss < southLoss / 10, $"north {loss:P3}, south {southLoss:P2}");
    }

    [Fact]
    public void ObstacleWithoutHeight_OnlyItsAreaKeptFree()
    {
        var none = Face(RoofCorrection.None);
        var flat = Face(Obstacle(X0 + 8, Y0 + 1.5, 0));

        // Its area is kept free of modules; the irradiation of the face is untouched.
        Assert.True(flat.PanelCount < none.PanelCount, $"{flat.PanelCount} modules with the obstacle, {none.PanelCount} without");
        Assert.Equal(none.AnnualIrradiationKwhPerM2, flat.AnnualIrradiationKwhPerM2, 1e-9);
    }

    [Fact]
    public void ObstacleTops_HeightAboveTheFaceAtItsCentre_AHorizontalTop()
    {
        var house = House();
        var faces = RoofPreparation.Prepare(house, Ground, RunContext.Parameters).Faces;

        var top = Assert.Single(RoofCorrections.ObstacleTops(Obstacle(X0 + 8, Y0 + 5, 2), faces));

        // Half-way up the 30° slope (2.9 m above the eaves), 2 m more.
        Assert.All(top.Coordinates, c => Assert.Equal(Eaves + Rise / 2 + 2, c.Z, 1e-6));
        Assert.Equal(4, top.Area, 1e-9);
        Assert.Empty(RoofCorrections.ObstacleTops(Obstacle(X0 + 8, Y0 + 5, 0), faces));
        Assert.Throws<ArgumentException>(() => RoofCorrections.ObstacleTops(
            new RoofCorrection(null, [new KeepFreeArea(3, top, 1)]), faces).ToList());
    }
}
