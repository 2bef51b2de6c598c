using System.Text;
using NetTopologySuite.Geometries;
using SmartRegion.Solar.Weather;
using SmartRegion.Testing;

namespace SmartRegion.Rooftop.Tests;

/// <summary>
/// The stored report without its modules' JSON (<c>"panels":[]</c>) and the modules as numbers beside it
/// (<see cref="ReportPanels"/>): served, the two make the report written with its modules, byte for byte.
/// </summary>
public sealed class ReportPanelsTests
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 2154);

    private static Polygon Box(double x, double y, double w, double d) =>
        Factory.CreatePolygon([new(x, y), new(x + w, y), new(x + w, y + d), new(x, y + d), new(x, y)]);

    private static readonly BuildingFacts Facts = new("demo", "b-\"panels\":[]", [new("demo", "b-\"panels\":[]")], 9, "gable", "Résidentiel",
        new NearestAddress("1 \"panels\":[] rue du Test", 2.5m));

    [Fact]
    public async Task StoredReportAndLayout_Served_SameBytesAsTheReportWrittenWithItsModules()
    {
        var weather = await WeatherFile.ReadAsync(SharedData.Require("weather/pvgis_tmy_45.000_8.000_2005_2023.csv"), WeatherFormat.Auto, null, CancellationToken.None);
        var provenance = new ReportProvenance(7, "test", [1, 2], new ReportStation(3, "pvgis \"panels\":[]", "PVGIS", null, 45, 8));
        var run = SolarRunContext.Create(SolarParameters.Load(SolarParameters.DefaultsPath, null).WithStationMaxKm(1000), weather, "pvgis-45n-8e", provenance);
        const double x0 = 652_000, y0 = 6_862_000;
        // A gabled house (modules on both pitches), flat roofs (racks: modules with a rise), one in the shade of a tower
        // (poorly lit cells cut its rows), an L-shaped one, and one too small for any module.
        var lShape = Factory.CreatePolygon([new(x0 + 60, y0), new(x0 + 80, y0), new(x0 + 80, y0 + 8), new(x0 + 68, y0 + 8), new(x0 + 68, y0 + 20), new(x0 + 60, y0 + 20), new(x0 + 60, y0)]);
        BuildingInput Target(long id, Geometry footprint, double eaves, double ridge) =>
            new(id, footprint, ridge, 35, 35 + eaves, 35 + ridge, null, null, true, [], Facts);
        var buildings = new List<BuildingInput>
        {
            Target(1, Box(x0, y0, 14, 9), 6, 10),
            Target(2, Box(x0 + 25, y0, 16, 12), 7, 7),
            Target(3, Box(x0, y0 - 30, 18, 14), 6, 6),
            new(4, Box(x0 + 2, y0 - 12, 12, 8), 30, 35, 65, 65, null, null, false, []),
            Target(5, lShape, 5, 5),
            Target(6, Box(x0 + 100, y0, 3, 3), 5, 5),
        };

        var results = TileComputer.Compute(buildings, run);

        var members = ReportDocument.ProvenanceMembers(new DateTimeOffset(2026, 12, 7, 19, 0, 0, TimeSpan.Zero), "{\"a\":1}");
        var withModules = 0;
        foreach (var r in results)
        {
            Assert.Equal(BuildingStatus.Ok, r.Status);
            var expected = ReportDocument.CompleteProvenance(ReportDocument.Write(r, Facts, provenance, run.ToWgs84.Value!), members);
            var stored = Assert.IsType<string>(r.ReportJson);
            if (r.PanelCount == 0)
            {
                Assert.Null(r.PanelLayout);
                Assert.Equal(expected, ReportDocument.CompleteStored(stored, null, members));
                continue;
            }
            withModules++;
            Assert.Contains("\"panels\":[],\"provenance\":", stored, StringComparison.Ordinal);
            Assert.True(expected.Length - stored.Length > 250 * r.PanelCount, $"building {r.BuildingId}, {r.PanelCount} modules: stored {stored.Length} characters, served {expected.Length}");
            // Through the numbers as the database gives them back (a copy), and through both of the API's paths.
            var layout = r.PanelLayout!.ToArray();
            Assert.Equal(expected, ReportDocument.CompleteStored(stored, layout, members));
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(stored));
            using var served = await ReportDocument.CompleteStoredUtf8Async(stream, (int)stream.Length, layout, Encoding.UTF8.GetBytes(members), CancellationToken.None);
            Assert.Equal(expected, Encoding.UTF8.GetString(served.Memory.Span));
            Assert.Equal(r.PanelCount, ReportPanels.Decode(layout).Sum(f => f.Modules.Count));
        }
        Assert.True(withModules >= 4, $"{withModules} buildings with modules");
        Assert.Contains(results, r => r.Faces.Any(f => f.Modules is { Rise: > 0 }));
        Assert.Contains(results, r => r.Faces.Any(f => f.Modules is { Rise: 0, Count: > 0 }));
    }

    /// <summary>The report's module centre, computed without making the polygon: NetTopologySuite's centroid of it, to the bit.</summary>
    [Fact]
    public void PolygonCentroid_ModuleOutlines_NetTopologySuitesCentroidToTheBit()
    {
        var random = new Random(20261207);
        var corners = new Coordinate[] { new CoordinateZ(), new CoordinateZ(), new CoordinateZ(), new CoordinateZ(), new CoordinateZ() };
        var mismatches = new List<string>();
        for (var n = 0; n < 20_000; n++)
        {
            var face = Box(100_000 + 1_100_000 * random.NextDouble(), 6_100_000 + 1_000_000 * random.NextDouble(), 10, 10);
            var frame = Geo.Roofs.FaceFrame.ForFace(face, 360 * random.NextDouble(), random.Next(3) == 0 ? 0 : 75 * random.NextDouble());
            var rise = random.Next(2) == 0 ? 0 : random.NextDouble();
            var modules = new Geo.Panels.PackedModules(frame, 1 + random.NextDouble(), 1 + random.NextDouble(), rise, true, [30 * random.NextDouble() - 15, 30 * random.NextDouble() - 15]);
            modules.Corners(0, corners);
            var expected = modules.Polygon(0, Factory).Centroid;
            var (x, y) = ReportDocument.PolygonCentroid(corners);
            if ((x != expected.X || y != expected.Y) && mismatches.Count < 5)
            {
                mismatches.Add($"({x:R}, {y:R}) instead of ({expected.X:R}, {expected.Y:R})");
            }
        }
        Assert.True(mismatches.Count == 0, string.Join("; ", mismatches));
    }

    [Fact]
    public void Decode_NotALayout_FormatErrorSayingWhere()
    {
        var header = new double[Geo.Panels.PackedModules.HeaderCount];
        Assert.Contains("ends inside a face's header at number 0", Assert.Throws<FormatException>(() => ReportPanels.Decode([1, 2, 3])).Message);
        Assert.Contains("a face 1 of 5 modules at number 0", Assert.Throws<FormatException>(() => ReportPanels.Decode([1, 5, .. header, 0, 0])).Message);
        Assert.Contains("a face 0.5 of 1 modules", Assert.Throws<FormatException>(() => ReportPanels.Decode([0.5, 1, .. header, 0, 0, 0])).Message);
        Assert.Single(ReportPanels.Decode([2, 1, .. header, 0.5, 0.25, 100]));
        Assert.Contains("no empty panels member", Assert.Throws<FormatException>(() => ReportDocument.CompleteStored("{\"panels\":[1],\"p\":{}}", [2, 1, .. header, 0, 0, 1], "\"x\":1")).Message);
    }
}
