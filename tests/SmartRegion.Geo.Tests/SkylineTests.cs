using NetTopologySuite.Geometries;
using SmartRegion.Geo.Roofs;
using SmartRegion.Geo.Shading;

namespace SmartRegion.Geo.Tests;

public sealed class SkylineTests
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 2154);

    private static Polygon FlatRoof(double x0, double y0, double width, double depth, double altitude) =>
        Factory.CreatePolygon([
            new CoordinateZ(x0, y0, altitude), new CoordinateZ(x0 + width, y0, altitude),
            new CoordinateZ(x0 + width, y0 + depth, altitude), new CoordinateZ(x0, y0 + depth, altitude), new CoordinateZ(x0, y0, altitude)]);

    [Fact]
    public void Horizon_TowerDueSouth_RaisesOnlySouthernSectors()
    {
        // A 20 m wide block whose north wall is 20 m south of the point and 20 m higher: 45° due south.
        var faces = new[] { FlatRoof(-10, -40, 20, 20, 30) };
        var index = new SkylineIndex(faces);
        var horizon = new float[72];

        index.Horizon(0, 0, 10, 150, -1, horizon, new HorizonScratch());

        Assert.Equal(45, horizon[36], 1e-4);                       // 180°
        Assert.Equal(Math.Atan(20 / (20 / Math.Cos(Math.PI / 12))) * 180 / Math.PI, horizon[33], 1e-4); // 165°: longer path to the same wall
        Assert.Equal(0, horizon[0]);                                // north is open
        Assert.Equal(0, horizon[18]);                               // east is open
        // The block spans ±26.6° around south: 155° sees it, 150° does not.
        Assert.True(horizon[31] > 0);
        Assert.Equal(0, horizon[30]);
    }

    [Fact]
    public void Horizon_BeyondRadiusOrBelowPoint_IsIgnored()
    {
        var faces = new[] { FlatRoof(-10, -300, 20, 20, 100), FlatRoof(20, 20, 10, 10, 5) };
        var index = new SkylineIndex(faces);
        var horizon = new float[36];

        index.Horizon(0, 0, 10, 150, -1, horizon, new HorizonScratch());

        Assert.All(horizon, h => Assert.Equal(0, h));
    }

    [Fact]
    public void Horizon_OwnFaceSkipped_OtherFaceOfSameBuildingCounts()
    {
        // A gable roof: a point on the south face near the eave sees its own face's ridge edge only through the plane
        // (skipped), while a taller neighbour face (index 1) behind counts.
        var gable = RoofInference.Infer(Factory.CreatePolygon([new(0, 0), new(20, 0), new(20, 10), new(0, 10), new(0, 0)]), 10, 13);
        var south = gable.Faces.Single(f => Math.Abs(f.Plane.AzimuthDeg - 180) < 1e-6).Polygon;
        var north = gable.Faces.Single(f => Math.Abs(f.Plane.AzimuthDeg) < 1e-6).Polygon;
        var index = new SkylineIndex([south, north]);
        var horizon = new float[72];

        index.Horizon(10, 1, 10.6, 150, 0, horizon, new HorizonScratch());

        // Due north the ridge (13 m) is 4 m away: the north face's ridge edge gives atan(2.4/4), which equals the slope of
        // the point's own plane in that direction (tilt atan(3/5)), so it adds no shade the plane does not already cause.
        Assert.Equal(Math.Atan(2.4 / 4) * 180 / Math.PI, horizon[0], 1e-4);
        Assert.Equal(Math.Atan(3.0 / 5) * 180 / Math.PI, horizon[0], 1e-4);
        Assert.Equal(0, horizon[36]);
    }

    [Fact]
    public void Horizon_SlopedEdge_InterpolatesAltitudeAlongIt()
    {
        // A single edge from (−10, 10, 0) to (10, 10, 20), seen from the origin at z 0: due north it is 10 m high, 10 m away.
        var triangle = Factory.CreatePolygon([new CoordinateZ(-10, 10, 0), new CoordinateZ(10, 10, 20), new CoordinateZ(10, 30, 20), new CoordinateZ(-10, 10, 0)]);
        var index = new SkylineIndex([triangle]);
        var horizon = new float[4];

        index.Horizon(0, 0, 0, 150, -1, horizon, new HorizonScratch());

        Assert.Equal(45, horizon[0], 1e-4);
    }

    [Fact]
    public void Scan_RandomCity_GridAndGatheredEdgesGiveTheTangentsOfEveryEdge()
    {
        // 400 blocks of random size, height and roof on a 600 m square; the grid scan (rings, cells skipped when they
        // cannot raise a sector) must give exactly what testing every edge gives, near field, far field and both.
        var random = new Random(7);
        var faces = new List<Polygon>();
        for (var b = 0; b < 400; b++)
        {
            double x = random.NextDouble() * 600, y = random.NextDouble() * 600, w = 6 + random.NextDouble() * 25, d = 6 + random.NextDouble() * 25;
            var eaves = 5 + random.NextDouble() * 30;
            var footprint = Factory.CreatePolygon([new(x, y), new(x + w, y), new(x + w, y + d), new(x, y + d), new(x, y)]);
            faces.AddRange(random.Next(2) == 0
                ? [FlatRoof(x, y, w, d, eaves)]
                : RoofInference.Infer(footprint, eaves, eaves + 1 + random.NextDouble() * 5).Faces.Select(f => f.Polygon));
        }
        var index = new SkylineIndex(faces, cellSizeM: 25);
        var scratch = new HorizonScratch();
        double[] gridTan = new double[72], gridDistance = new double[72], allTan = new double[72], allDistance = new double[72];
        var raised = 0;
        var gathered = new GatheredEdges();
        for (var i = 0; i < 300; i++)
        {
            var face = random.Next(faces.Count);
            var point = faces[face].InteriorPoint;
            var z = faces[face].Coordinates.Average(c => c.Z) + 0.1;
            var (inner, outer) = (i % 3) switch { 0 => (0.0, 30.0), 1 => (20.0, 150.0), _ => (0.0, 150.0) };
            index.Scan(point.X, point.Y, z, inner, outer, face, gridTan, gridDistance, scratch);
            index.ScanEveryEdge(point.X, point.Y, z, inner, outer, face, allTan, allDistance, scratch);
            Assert.Equal(allTan, gridTan);
            Assert.Equal(allDistance, gridDistance);
            if (inner == 0)
            {
                // Edges gathered for a 10 m disc around a point 6 m away, then scanned from the point.
                index.Gather(point.X + 6, point.Y, z - 0.5, outer + 10, face, gathered, scratch);
                index.ScanGathered(gathered, point.X, point.Y, z, outer, face, gridTan, gridDistance, scratch);
                Assert.Equal(allTan, gridTan);
            }
            raised += allTan.Count(t => t > 0);
        }
        Assert.True(raised > 300 * 72 / 4, $"only {raised} raised sectors: the city does not test much");
    }

    [Fact]
    public void FastAtan2_AllDirections_Within2e5RadiansOfMathAtan2()
    {
        for (var i = 0; i < 100_000; i++)
        {
            var angle = i * 2 * Math.PI / 100_000 - Math.PI;
            var (y, x) = Math.SinCos(angle);
            Assert.Equal(Math.Atan2(y * 37, x * 37), SkylineIndex.FastAtan2(y * 37, x * 37), 2e-5);
        }
        Assert.Equal(0, SkylineIndex.FastAtan2(0, 0));
    }

    [Fact]
    public void FastAtan2_FourAtOnce_SameAsOneByOne()
    {
        var rng = new Random(5);
        for (var i = 0; i < 20_000; i++)
        {
            var y = System.Runtime.Intrinsics.Vector256.Create((rng.NextDouble() - 0.5) * 100, 0, -3, rng.NextDouble() - 0.5);
            var x = System.Runtime.Intrinsics.Vector256.Create((rng.NextDouble() - 0.5) * 100, 0, rng.NextDouble() - 0.5, -7);
            var four = SkylineIndex.FastAtan2(y, x);
            for (var k = 0; k < 4; k++)
            {
                Assert.Equal(SkylineIndex.FastAtan2(y[k], x[k]), four[k]);
            }
        }
    }

    [Fact]
    public void Atan_FourAtOnce_WithinARoundingOfMathAtan()
    {
        var rng = new Random(7);
        for (var i = 0; i < 50_000; i++)
        {
            // Tangents of skylines: 0 to steep walls, across the reductions' bounds (0.66 and tan 3π/8).
            var x = System.Runtime.Intrinsics.Vector256.Create(rng.NextDouble() * 0.7, 0.6 + rng.NextDouble() * 2, rng.NextDouble() * 1e4, i * 1e-4);
            var atan = SkylineIndex.Atan(x);
            for (var k = 0; k < 4; k++)
            {
                Assert.Equal(Math.Atan(x[k]), atan[k], Math.Max(1e-15, Math.Atan(x[k]) * 4e-16));
            }
        }
    }

    [Fact]
    public void CombineFarField_KeepsTheHigherOfNearAndShiftedFar_InDegrees()
    {
        var rng = new Random(9);
        const int sectors = 74; // not a multiple of 4: the last sectors go one by one
        var near = new double[sectors];
        var far = new double[sectors];
        var distance = new double[sectors];
        for (var k = 0; k < sectors; k++)
        {
            near[k] = rng.NextDouble() < 0.3 ? 0 : rng.NextDouble() * 3;
            far[k] = rng.NextDouble() < 0.3 ? 0 : rng.NextDouble() * 0.5;
            distance[k] = 20 + rng.NextDouble() * 100;
        }
        var elevation = new float[sectors];
        SkylineIndex.CombineFarField(near, far, distance, 12.0, 10.5, elevation);
        for (var k = 0; k < sectors; k++)
        {
            var tan = far[k] > 0 ? Math.Max(near[k], far[k] + 1.5 / distance[k]) : near[k];
            Assert.Equal(tan > 0 ? Math.Atan(tan) * 180 / Math.PI : 0, elevation[k], 1e-4);
        }
    }
}
