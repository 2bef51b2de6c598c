using NetTopologySuite.Geometries;
using SmartRegion.Geo.Buildings;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Geo.Tests;

/// <summary>The roof covering in one vocabulary: BD TOPO's two-digit land-registry codes and OSM's roof:material.</summary>
public sealed class RoofCoveringTests
{
    [Theory]
    [InlineData("10", "tiles")]
    [InlineData("01", "tiles")]
    [InlineData("1", "tiles")]
    [InlineData("20", "slates")]
    [InlineData("22", "slates")]
    [InlineData("13", "tiles+metal")]
    [InlineData("19", "tiles+other")]
    [InlineData("40", "concrete")]
    [InlineData("30", "metal")]
    [InlineData("90", "other")]
    [InlineData("09", "other")]
    [InlineData("00", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("1a", null)]
    [InlineData("75", null)]
    public void FromBdTopoCode_LandRegistryDigits_TheMaterialsNamed(string? code, string? expected) =>
        Assert.Equal(expected, RoofCovering.FromBdTopoCode(code));

    [Theory]
    [InlineData("roof_tiles", "tiles")]
    [InlineData("slate", "slates")]
    [InlineData("metal", "metal")]
    [InlineData("glass", "glass")]
    [InlineData("thatch", "other")]
    [InlineData(null, null)]
    public void FromOsm_RoofMaterialTag_TheMaterialNamed(string? tag, string? expected) =>
        Assert.Equal(expected, RoofCovering.FromOsm(tag));

    [Fact]
    public void Includes_AMaterialOfTwo_FoundByItsWholeName()
    {
        Assert.True(RoofCovering.Includes("tiles+metal", RoofCovering.Tiles));
        Assert.True(RoofCovering.Includes("tiles+metal", RoofCovering.Metal));
        Assert.False(RoofCovering.Includes("tiles+metal", RoofCovering.Slates));
        Assert.False(RoofCovering.Includes(null, RoofCovering.Tiles));
    }

    [Theory]
    [InlineData("""{"cleabs": "BATIMENT1", "hauteur": 6, "materiaux_de_la_toiture": "10"}""", "tiles")]
    [InlineData("""{"cleabs": "BATIMENT1", "hauteur": 6, "materiaux_de_la_toiture": "00"}""", null)]
    [InlineData("""{"ID": "BATIMENT1", "NATURE": "Indifférenciée", "HAUTEUR": 6, "MAT_TOITS": "20"}""", "slates")]
    [InlineData("""{"@id": "way/1", "building": "house", "roof:material": "roof_tiles"}""", "tiles")]
    public void Map_SourceAttributes_TheRecordCarriesTheCovering(string attributes, string? expected)
    {
        var factory = new GeometryFactory(new PrecisionModel(), 2154);
        var square = factory.CreatePolygon([new(652_000, 6_862_000), new(652_010, 6_862_000), new(652_010, 6_862_010), new(652_000, 6_862_010), new(652_000, 6_862_000)]);
        var mapper = new BuildingMapper(2154, strict: false, idField: null);

        var result = mapper.Map(new SourceFeature(0, 1, null, square, attributes, []));

        Assert.NotNull(result.Record);
        Assert.Equal(expected, result.Record.RoofCovering);
    }
}
