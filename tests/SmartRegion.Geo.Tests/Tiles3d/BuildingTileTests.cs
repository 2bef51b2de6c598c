using NetTopologySuite.Geometries;
using SmartRegion.Geo.Crs;
using SmartRegion.Geo.Tiles3d;
using SmartRegion.Testing;
using Angles = SmartRegion.Solar.Angles;

namespace SmartRegion.Geo.Tests.Tiles3d;

/// <summary>Buildings into GLB tile contents: geodesy, walls and roofs, feature metadata, and the Khronos validator.</summary>
public sealed class BuildingTileTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), KnownCrs.Lambert93);
    private const double GeoidM = 44.0;

    [Fact]
    public void EnuFrame_ChildRelativeToParent_ComposesToTheChildFrame()
    {
        var parent = new EnuFrame(2.35 * Angles.DegToRad, 48.93 * Angles.DegToRad, 80);
        var child = new EnuFrame(2.37 * Angles.DegToRad, 48.91 * Angles.DegToRad, 75);
        var p = parent.ToColumnMajorMatrix();
        var r = child.RelativeTo(parent);
        var expected = child.ToColumnMajorMatrix();
        for (var col = 0; col < 4; col++)
        {
            for (var row = 0; row < 4; row++)
            {
                var v = 0.0;
                for (var k = 0; k < 4; k++)
                {
                    v += p[k * 4 + row] * r[col * 4 + k];
                }
                Assert.Equal(expected[col * 4 + row], v, row == 3 || col < 3 ? 1e-12 : 1e-6);
            }
        }
    }

    [Fact]
    public async Task GableHouse_Glb_HasWallsUpToTheRidgeFeaturesAndZeroValidatorErrors()
    {
        var house = GableHouse(id: 4242, x0: 652000, y0: 6862000);
        var glb = BuildTile([house], out var frame);
        var read = new GlbReader(glb);

        // Features: the walls (face 0) and the two roof faces, with their results.
        Assert.Equal(new uint[] { 4242, 4242, 4242 }, read.Column<uint>("buildingId"));
        Assert.Equal(new ushort[] { 1, 2, 0 }, read.Column<ushort>("faceNo"));
        Assert.Equal(new byte[] { 1, 1, 0 }, read.Column<byte>("surface"));
        Assert.Equal(new[] { 1250f, 780f, -1f }, read.Column<float>("annualIrradiationKwhPerM2"));
        Assert.Equal(new byte[] { 4, 1, 0 }, read.Column<byte>("suitabilityClass"));
        Assert.Equal(3, read.Primitive["extensions"]!["EXT_mesh_features"]!["featureIds"]![0]!["featureCount"]!.GetValue<int>());
        Assert.Contains("EXT_mesh_features", read.Json["extensionsUsed"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Contains("EXT_structural_metadata", read.Json["extensionsUsed"]!.AsArray().Select(n => n!.GetValue<string>()));

        // Heights: ground 35 m, eaves 41 m, ridge 45 m (NGF-IGN69) → + geoid; glTF y is up.
        var positions = read.FloatAttribute("POSITION");
        var ids = read.FloatAttribute("_FEATURE_ID_0");
        var mesher = new BuildingMesher(frame, GeoidM);
        var groundUp = mesher.ToLocal(652005, 6862004, 35).U;
        var ridgeUp = mesher.ToLocal(652005, 6862004, 45).U;
        var wallUps = Enumerable.Range(0, ids.Length).Where(i => ids[i] == 2).Select(i => (double)positions[3 * i + 1]).ToList();
        Assert.Equal(groundUp, wallUps.Min(), 0.01);
        Assert.Equal(ridgeUp, wallUps.Max(), 0.01);   // the gable ends reach the ridge
        var roofUps = Enumerable.Range(0, ids.Length).Where(i => ids[i] == 0).Select(i => (double)positions[3 * i + 1]).ToList();
        Assert.Equal(ridgeUp, roofUps.Max(), 0.01);
        Assert.Equal(mesher.ToLocal(652005, 6862000, 41).U, roofUps.Min(), 0.01);

        // Vertex colours: the south face is drawn in the ramp's colour for 1250 kWh/m².
        var colours = read.View(read.Json["accessors"]![read.Primitive["attributes"]!["COLOR_0"]!.GetValue<int>()]!["bufferView"]!.GetValue<int>()).ToArray();
        var southVertex = Array.IndexOf(ids, 0f);
        var expected = IrradiationColours.ForIrradiation(1250);
        Assert.Equal(new[] { expected.R, expected.G, expected.B, (byte)255 }, colours.AsSpan(4 * southVertex, 4).ToArray());

        var report = await ValidateAsync(glb);
        Assert.True(report.NumErrors == 0, string.Join("\n", report.Messages));
    }

    [Fact]
    public async Task BuildingWithoutResult_IsAFlatGreyBlockWithItsStatus_AndValidates()
    {
        var footprint = Square(652100, 6862100, 12);
        var building = new BuildingInput(7, footprint, 30, 39, ResultStatus.Skipped, []);
        var glb = BuildTile([building, GableHouse(8, 652130, 6862100)], out _);
        var read = new GlbReader(glb);
        Assert.Equal(new byte[] { 2, 2, 1, 1, 1 }, read.Column<byte>("status"));
        Assert.Equal(-1f, read.Column<float>("annualIrradiationKwhPerM2")[0]);
        var report = await ValidateAsync(glb);
        Assert.True(report.NumErrors == 0, string.Join("\n", report.Messages));
    }

    [Fact]
    public async Task CourtyardBuilding_HoleGetsWalls_AndValidates()
    {
        var shell = Factory.CreateLinearRing([new(652200, 6862200), new(652230, 6862200), new(652230, 6862230), new(652200, 6862230), new(652200, 6862200)]);
        var hole = Factory.CreateLinearRing([new(652210, 6862210), new(652210, 6862220), new(652220, 6862220), new(652220, 6862210), new(652210, 6862210)]);
        var footprint = Factory.CreateMultiPolygon([Factory.CreatePolygon(shell, [hole])]);
        var roof = Factory.CreatePolygon(
            Factory.CreateLinearRing(shell.Coordinates.Select(c => (Coordinate)new CoordinateZ(c.X, c.Y, 50)).ToArray()),
            [Factory.CreateLinearRing(hole.Coordinates.Select(c => (Coordinate)new CoordinateZ(c.X, c.Y, 50)).ToArray())]);
        var building = new BuildingInput(9, footprint, 32, 50, ResultStatus.Ok, [new RoofFaceInput(1, roof, 1100, 3, 0, 180, 800)]);
        var glb = BuildTile([building], out _);
        var read = new GlbReader(glb);
        var ids = read.FloatAttribute("_FEATURE_ID_0");
        // 8 wall quads (4 outside, 4 in the courtyard) of 4 vertices each.
        Assert.Equal(32, ids.Count(i => i == 1));
        var report = await ValidateAsync(glb);
        Assert.True(report.NumErrors == 0, string.Join("\n", report.Messages));
    }

    /// <summary>A 10 m × 8 m house, ridge along x at y0 + 4, eaves 41 m, ridge 45 m, ground 35 m; south face 1, north face 2.</summary>
    internal static BuildingInput GableHouse(long id, double x0, double y0)
    {
        var south = Factory.CreatePolygon([new CoordinateZ(x0, y0, 41), new CoordinateZ(x0 + 10, y0, 41), new CoordinateZ(x0 + 10, y0 + 4, 45),
            new CoordinateZ(x0, y0 + 4, 45), new CoordinateZ(x0, y0, 41)]);
        var north = Factory.CreatePolygon([new CoordinateZ(x0, y0 + 4, 45), new CoordinateZ(x0 + 10, y0 + 4, 45), new CoordinateZ(x0 + 10, y0 + 8, 41),
            new CoordinateZ(x0, y0 + 8, 41), new CoordinateZ(x0, y0 + 4, 45)]);
        return new BuildingInput(id, Rectangle(x0, y0, 10, 8), 35, 45, ResultStatus.Ok,
        [
            new RoofFaceInput(1, south, 1250, 4, 45, 180, 56.6),
            new RoofFaceInput(2, north, 780, 1, 45, 0, 56.6),
        ]);
    }

    private static MultiPolygon Square(double x, double y, double size) => Rectangle(x, y, size, size);

    private static MultiPolygon Rectangle(double x, double y, double w, double h) => Factory.CreateMultiPolygon(
        [Factory.CreatePolygon([new Coordinate(x, y), new Coordinate(x + w, y), new Coordinate(x + w, y + h), new Coordinate(x, y + h), new Coordinate(x, y)])]);

    private static byte[] BuildTile(IReadOnlyList<BuildingInput> buildings, out EnuFrame frame)
    {
        var c = buildings[0].Footprint.Centroid;
        var (lon, lat) = Lambert93.ToGeographicRad(c.X, c.Y);
        frame = new EnuFrame(lon, lat, buildings[0].GroundAltitudeM + GeoidM);
        var mesh = new TileMesh();
        var mesher = new BuildingMesher(frame, GeoidM);
        foreach (var b in buildings)
        {
            Assert.True(mesher.Add(mesh, b));
        }
        return GlbWriter.Write(mesh);
    }

    private static async Task<GltfValidator.Report> ValidateAsync(byte[] glb)
    {
        var path = Path.Combine(Path.GetTempPath(), $"smartregion-tile-{Guid.NewGuid():N}.glb");
        await File.WriteAllBytesAsync(path, glb, Ct);
        try
        {
            return Assert.Single(await GltfValidator.ValidateAsync([path], Ct));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
