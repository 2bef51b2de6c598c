using System.Text.Json.Nodes;
using NetTopologySuite.Geometries;

namespace SmartRegion.Rooftop.Tests;

/// <summary>
/// A building without a ridge altitude whose covering is laid only on a slope (tiles, slates) gets a pitched roof at the
/// material's minimum slope from its gutter height; its altitudes, when the source has them, still decide.
/// </summary>
public sealed class RoofCoveringInferenceTests
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 2154);
    private static readonly SolarParameters Defaults = SolarParameters.Load(SolarParameters.DefaultsPath, null);

    // 12 m × 8 m, long axis east–west: a gable with its ridge east–west, faces to the south and the north.
    private static readonly Polygon Footprint = Factory.CreatePolygon(
        [new(652_000, 6_862_000), new(652_012, 6_862_000), new(652_012, 6_862_008), new(652_000, 6_862_008), new(652_000, 6_862_000)]);

    private static BuildingInput Building(string? covering, double? roofMax = null) =>
        new(1, Footprint, HeightAboveGroundM: 6, GroundAltitudeM: 40, RoofMinAltitudeM: null, RoofMaxAltitudeM: roofMax, Storeys: null,
            RoofShape: null, IsTarget: true, Lod2Faces: [], RoofCovering: covering);

    [Theory]
    [InlineData("tiles")]
    [InlineData("slates")]
    [InlineData("tiles+metal")]
    public void Prepare_TilesOrSlatesWithoutRidge_GableAtTheMaterialsMinimumSlopeFromTheGutter(string covering)
    {
        var prepared = RoofPreparation.Prepare(Building(covering), 0, Defaults);

        var tilt = covering.StartsWith("slates", StringComparison.Ordinal) ? Defaults.SlatesMinTiltDeg!.Value : Defaults.TilesMinTiltDeg!.Value;
        Assert.Null(prepared.Skip);
        Assert.Contains(ResultNote.RoofPitchFromCovering, prepared.Notes);
        Assert.Equal(2, prepared.Faces.Count);
        Assert.All(prepared.Faces, f => Assert.Equal(tilt, f.Plane.TiltDeg, 1e-6));
        Assert.Equal([0.0, 180.0], prepared.Faces.Select(f => Math.Round(f.Plane.AzimuthDeg, 6) % 360).Order());
        var z = prepared.Faces.SelectMany(f => f.Polygon.Coordinates).Select(c => c.Z).ToArray();
        // The gutter at ground + hauteur; the ridge that slope makes over the half-width (4 m).
        Assert.Equal(46, z.Min(), 1e-9);
        Assert.Equal(46 + Math.Tan(tilt * Math.PI / 180) * 4, z.Max(), 1e-9);
        Assert.Equal(96, prepared.Faces.Sum(f => f.Plane.PlanAreaM2), 1e-6);
    }

    [Fact]
    public void Prepare_TilesAndSlates_TheSteeperOfTheTwoMinimums()
    {
        var prepared = RoofPreparation.Prepare(Building("tiles+slates"), 0, Defaults);

        Assert.All(prepared.Faces, f => Assert.Equal(Math.Max(Defaults.TilesMinTiltDeg!.Value, Defaults.SlatesMinTiltDeg!.Value), f.Plane.TiltDeg, 1e-6));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("metal")]
    [InlineData("concrete")]
    [InlineData("other")]
    public void Prepare_NoCoveringOrOneLaidFlat_FlatAtTheGutterAsBefore(string? covering)
    {
        var prepared = RoofPreparation.Prepare(Building(covering), 0, Defaults);

        Assert.DoesNotContain(ResultNote.RoofPitchFromCovering, prepared.Notes);
        Assert.All(prepared.Faces, f => Assert.Equal(0, f.Plane.TiltDeg, 1e-9));
        Assert.All(prepared.Faces.SelectMany(f => f.Polygon.Coordinates), c => Assert.Equal(46, c.Z, 1e-9));
    }

    [Fact]
    public void Prepare_TilesButTheSourcesRidgeAltitude_TheAltitudesDecide()
    {
        // BD TOPO measured the roof's highest point at the gutter: flat, whatever the covering says.
        var prepared = RoofPreparation.Prepare(Building("tiles", roofMax: 46), 0, Defaults);

        Assert.DoesNotContain(ResultNote.RoofPitchFromCovering, prepared.Notes);
        Assert.All(prepared.Faces, f => Assert.Equal(0, f.Plane.TiltDeg, 1e-9));
    }

    [Fact]
    public void Prepare_RunStoredBeforeTheSettingOrRuleTurnedOff_NoSlopeFromTheCovering()
    {
        var doc = JsonNode.Parse(Defaults.DocumentJson)!.AsObject();
        doc["roof"]!.AsObject().Remove("tilesMinTiltDeg");
        doc["roof"]!["slatesMinTiltDeg"] = 0;
        var old = SolarParameters.FromJson(doc.ToJsonString(), "a stored run");

        Assert.Null(old.TilesMinTiltDeg);
        Assert.Null(old.SlatesMinTiltDeg);
        foreach (var covering in new[] { "tiles", "slates" })
        {
            Assert.All(RoofPreparation.Prepare(Building(covering), 0, old).Faces, f => Assert.Equal(0, f.Plane.TiltDeg, 1e-9));
        }
    }
}
