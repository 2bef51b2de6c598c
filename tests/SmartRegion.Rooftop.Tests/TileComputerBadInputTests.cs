using NetTopologySuite.Geometries;

namespace SmartRegion.Rooftop.Tests;

/// <summary>
/// Bad input per building, straight through <see cref="TileComputer.Compute"/> (no database): each bad building gets a
/// status and a reason, its good neighbours are computed, and no value is NaN.
/// </summary>
public sealed class TileComputerBadInputTests
{
    // Lambert-93 near the demo station (48.92 N, 2.36 E): x ≈ 652 km, y ≈ 6,869 km.
    private const double X0 = 652_000, Y0 = 6_869_000, Ground = DemoRun.Ground;
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 2154);

    private static SolarRunContext RunContext => DemoRun.Value;

    private static Polygon Square(double x, double y, double size) => Factory.CreatePolygon(
        [new Coordinate(x, y), new Coordinate(x + size, y), new Coordinate(x + size, y + size), new Coordinate(x, y + size), new Coordinate(x, y)]);

    private static Polygon Ring3D(params (double X, double Y, double Z)[] points) =>
        Factory.CreatePolygon(points.Append(points[0]).Select(p => (Coordinate)new CoordinateZ(p.X, p.Y, p.Z)).ToArray());

    private static BuildingInput Building(long id, Polygon footprint, double? heightM, IReadOnlyList<Lod2Face>? lod2 = null) =>
        new(id, footprint, heightM, Ground, null, null, null, null, IsTarget: true, lod2 ?? []);

    private static Lod2Face Face(Polygon p) => new(p, 0, null, 0);

    private static BuildingResult Only(IEnumerable<BuildingResult> rows, long id) => Assert.Single(rows, r => r.BuildingId == id);

    [Fact]
    public void Lod2Roof_DegenerateAndVerticalPolygons_DroppedWithReasonAndGoodFaceComputed()
    {
        double x = X0, y = Y0, z = Ground + 10;
        var good = Ring3D((x, y, z), (x + 10, y, z), (x + 10, y + 10, z + 5), (x, y + 10, z + 5));      // 26.6°, facing south
        var vertical = Ring3D((x, y + 10, z + 5), (x + 10, y + 10, z + 5), (x + 10, y + 10, z + 8), (x, y + 10, z + 8));
        var collinear = Ring3D((x, y, z), (x + 5, y, z), (x + 10, y, z));
        var duplicateVertices = Ring3D((x, y, z), (x, y, z), (x, y, z));
        var zeroArea = Ring3D((x, y, z), (x + 10, y, z), (x + 10, y, z), (x, y, z));
        var noAltitude = Ring3D((x, y, double.NaN), (x + 10, y, double.NaN), (x + 10, y + 10, double.NaN));
        var building = Building(1, Square(x, y, 10), 10, [Face(good), Face(vertical), Face(collinear), Face(duplicateVertices), Face(zeroArea), Face(noAltitude)]);

        var row = Only(TileComputer.Compute([building], RunContext), 1);

        Assert.Equal(BuildingStatus.Ok, row.Status);
        Assert.Equal("lod2", row.RoofOrigin);
        var face = Assert.Single(row.Faces);
        Assert.Equal(Math.Atan(0.5) * 180 / Math.PI, face.TiltDeg, 1e-6);
        Assert.Equal(180, face.AzimuthDeg, 1e-6);
        // One code per kind of problem, however many polygons had it.
        Assert.Equal([ResultNote.Lod2VerticalPolygonIgnored, ResultNote.Lod2DegeneratePolygonIgnored], row.Notes);
        Assert.Equal("lod2_vertical_polygon_ignored;lod2_degenerate_polygon_ignored", row.ReasonCode);
        Assert.True(double.IsFinite(row.MeanIrradiationKwhPerM2!.Value) && row.MeanIrradiationKwhPerM2 > 800, $"{row.MeanIrradiationKwhPerM2}");
        Assert.All(face.SampleKwhPerM2!, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Lod2Roof_OnlyVerticalPolygons_FootprintInferredInstead()
    {
        double x = X0 + 100, y = Y0, z = Ground + 8;
        var wall = Ring3D((x, y, Ground), (x + 10, y, Ground), (x + 10, y, z), (x, y, z));
        var row = Only(TileComputer.Compute([Building(2, Square(x, y, 10), 8, [Face(wall)])], RunContext), 2);
        Assert.Equal(BuildingStatus.Ok, row.Status);
        Assert.Equal("inferred", row.RoofOrigin);
        Assert.Equal("lod2_vertical_polygon_ignored", row.ReasonCode);
        Assert.Equal(100, row.RoofAreaM2!.Value, 1e-6);
    }

    [Fact]
    public void BadBuildings_EachSkippedWithItsReason_NeighboursStillComputed()
    {
        var bowTie = Factory.CreatePolygon([new Coordinate(X0 + 300, Y0), new Coordinate(X0 + 320, Y0 + 20), new Coordinate(X0 + 320, Y0),
            new Coordinate(X0 + 300, Y0 + 20), new Coordinate(X0 + 300, Y0)]);
        BuildingInput[] buildings =
        [
            Building(10, Square(X0 + 200, Y0, 10), null),                    // no height, no roof altitude, no storeys
            Building(11, Square(X0 + 250, Y0, 1.5), 6),                      // 2.25 m²
            Building(12, bowTie, 8),                                         // self-intersecting
            Building(14, Square(X0 + 400, Y0, 12), 9),                       // an ordinary flat roof
            Building(15, Factory.CreatePolygon(), 9),                        // empty footprint
        ];

        var rows = TileComputer.Compute(buildings, RunContext);

        Assert.Equal(buildings.Length, rows.Count);
        Assert.Equal(("skipped", "no_height"), (Only(rows, 10).StatusCode, Only(rows, 10).ReasonCode));
        Assert.Equal(("skipped", "footprint_too_small"), (Only(rows, 11).StatusCode, Only(rows, 11).ReasonCode));
        Assert.Equal(("skipped", "footprint_too_small"), (Only(rows, 15).StatusCode, Only(rows, 15).ReasonCode));
        var bow = Only(rows, 12);
        Assert.Equal(BuildingStatus.Ok, bow.Status);
        Assert.Equal(200, bow.RoofAreaM2!.Value, 0.01);
        Assert.Equal("footprint_repaired;footprint_multi_part", bow.ReasonCode);
        // 700 km south (Marseille), in a tile of its own: no station within 100 km of it.
        var far = Only(TileComputer.Compute([Building(13, Square(893_000, 6_248_000, 10), 6)], RunContext), 13);
        Assert.Equal(("skipped", "station_too_far"), (far.StatusCode, far.ReasonCode));
        Assert.InRange(far.StationDistanceKm!.Value, 600, 700);
        var ok = Only(rows, 14);
        Assert.Equal(BuildingStatus.Ok, ok.Status);
        Assert.Null(ok.ReasonCode);
        Assert.True(ok.AnnualKwhAc > 0);
    }

    [Fact]
    public void SmallRoof_RoomForFewerModulesThanTheMinimum_NoUsableAreaAndNoModules()
    {
        // 3 × 3 m flat roof: 2 × 2 m inside the 0.5 m setback takes one module, below layout.minModulesPerFace (2).
        Assert.Equal(2, RunContext.Parameters.MinModulesPerFace);
        var rows = TileComputer.Compute([Building(20, Square(X0 + 600, Y0, 3), 6), Building(21, Square(X0 + 700, Y0, 12), 6)], RunContext);
        var small = Only(rows, 20);
        Assert.Equal(BuildingStatus.Ok, small.Status);
        Assert.Equal(9, small.RoofAreaM2!.Value, 1e-6);
        Assert.Equal((0.0, 0, 0.0), (small.UsableAreaM2!.Value, small.PanelCount!.Value, small.AnnualKwhAc!.Value));
        var large = Only(rows, 21);
        Assert.True(large.PanelCount >= 2 && large.UsableAreaM2 > 100, $"{large.PanelCount} modules, {large.UsableAreaM2} m²");
    }
}
