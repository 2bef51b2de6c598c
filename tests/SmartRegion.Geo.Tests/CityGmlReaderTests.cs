using System.Globalization;
using System.Text.Json;
using NetTopologySuite.Geometries;
using SmartRegion.Geo.Readers;
using SmartRegion.Geo.Roofs;
using SmartRegion.Testing;

namespace SmartRegion.Geo.Tests;

public sealed class CityGmlReaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("LYON_1ER_BATI_2015_small_house.gml", "BU_69381AB133", 2, 7)]
    [InlineData("LYON_2EME_BATI_2015_small_house.gml", "BU_69382AN2", 1, 6)]
    public void Lyon_OneHouse_RoofFacesAreTheModelsRoofSurfaces(string file, string id, int roofs, int surfaces)
    {
        var path = SharedData.Require("lod2/" + file);
        using var reader = new CityGmlReader(path);
        var f = Assert.Single(reader.Read(Ct));
        Assert.Null(f.Error);
        Assert.Equal(("2.0", (int?)null), (reader.Version, reader.DeclaredEpsg)); // Lyon's files name no CRS (EPSG:3946)
        Assert.Equal(id, f.Id);
        // The lod2Solid only references the boundedBy polygons (xlink:href): each surface counted once.
        Assert.Equal(surfaces, ((MultiPolygon)f.Solid3d!).NumGeometries);
        Assert.Equal(roofs, f.RoofSurfaces.Count);

        // What the model says, computed here from the file's own text: each RoofSurface's plane by a fan of cross products.
        var expected = CityGmlModel.Rings(path, "RoofSurface").Select(CityGmlModel.PlaneOf).ToList();
        var actual = f.RoofSurfaces.Select(r => RoofPlane.Fit(r)!.Value).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].TiltDeg, actual[i].TiltDeg, 1e-6);
            Assert.Equal(expected[i].AreaM2, actual[i].AreaM2, 1e-6);
            if (expected[i].TiltDeg > RoofPlane.FlatTiltDeg)
            {
                Assert.Equal(expected[i].AzimuthDeg, actual[i].AzimuthDeg, 1e-6);
            }
        }
        // The footprint is the GroundSurface's plan.
        var ground = CityGmlModel.Rings(path, "GroundSurface").Single();
        Assert.Equal(CityGmlModel.PlaneOf(ground).AreaM2, f.Geometry!.Area, 1e-6);
        var attributes = JsonDocument.Parse(f.AttributesJson).RootElement;
        Assert.Equal(JsonValueKind.Number, attributes.GetProperty("measuredHeight").ValueKind);
        Assert.Equal(id[3..], attributes.GetProperty("BUILDINGID").GetString());
        Assert.Equal(id + "_1", attributes.GetProperty("buildingParts")[0].GetString());
    }

    [Fact]
    public void Lyon1er_GableHouse_TwoFacesNorthAndSouthOfTheRidge()
    {
        using var reader = new CityGmlReader(SharedData.Require("lod2/LYON_1ER_BATI_2015_small_house.gml"));
        var planes = Assert.Single(reader.Read(Ct)).RoofSurfaces.Select(r => RoofPlane.Fit(r)!.Value).OrderBy(p => p.AzimuthDeg).ToList();
        // A gable of ~30° whose two faces look NNE and SSW (figures of the independent fit above, rounded).
        Assert.Equal((29.2, 17.7, 53.1), (Math.Round(planes[0].TiltDeg, 1), Math.Round(planes[0].AzimuthDeg, 1), Math.Round(planes[0].AreaM2, 1)));
        Assert.Equal((30.2, 197.7, 51.3), (Math.Round(planes[1].TiltDeg, 1), Math.Round(planes[1].AzimuthDeg, 1), Math.Round(planes[1].AreaM2, 1)));
    }

    [Fact]
    public void Read_CompoundSrsNamePosAndHole_Lambert93RoofWithItsHoleOut()
    {
        // A 10 × 10 m flat roof with a 2 × 2 m hole, written with gml:pos; walls in a lod2Solid.
        var xml = Model($"""
            <bldg:Building gml:id="B1">
              <bldg:measuredHeight uom="m">6</bldg:measuredHeight>
              <bldg:boundedBy><bldg:RoofSurface gml:id="R1"><bldg:lod2MultiSurface><gml:MultiSurface srsName="urn:ogc:def:crs,crs:EPSG::2154,crs:EPSG::5720" srsDimension="3"><gml:surfaceMember>
                <gml:Polygon><gml:exterior><gml:LinearRing>
                  <gml:pos>652000 6862000 46</gml:pos><gml:pos>652010 6862000 46</gml:pos><gml:pos>652010 6862010 46</gml:pos><gml:pos>652000 6862010 46</gml:pos><gml:pos>652000 6862000 46</gml:pos>
                </gml:LinearRing></gml:exterior>
                <gml:interior><gml:LinearRing><gml:posList>652004 6862004 46 652004 6862006 46 652006 6862006 46 652006 6862004 46 652004 6862004 46</gml:posList></gml:LinearRing></gml:interior></gml:Polygon>
              </gml:surfaceMember></gml:MultiSurface></bldg:lod2MultiSurface></bldg:RoofSurface></bldg:boundedBy>
              <bldg:boundedBy><bldg:GroundSurface><bldg:lod2MultiSurface><gml:MultiSurface><gml:surfaceMember>
                {Square("G1", 652000, 6862000, 10, 40)}
              </gml:surfaceMember></gml:MultiSurface></bldg:lod2MultiSurface></bldg:GroundSurface></bldg:boundedBy>
            </bldg:Building>
            """);
        using var reader = new CityGmlReader(Temp("hole.gml", xml));
        var f = Assert.Single(reader.Read(Ct));
        Assert.Null(f.Error);
        Assert.Equal(2154, reader.DeclaredEpsg);
        var roof = Assert.Single(f.RoofSurfaces);
        Assert.Equal(1, roof.NumInteriorRings);
        Assert.Equal(96, RoofPlane.Fit(roof)!.Value.AreaM2, 1e-9);
        Assert.Equal(0, RoofPlane.Fit(roof)!.Value.TiltDeg, 1e-9);
        Assert.Equal(100, f.Geometry!.Area, 1e-9);
        Assert.Equal(6, JsonDocument.Parse(f.AttributesJson).RootElement.GetProperty("measuredHeight").GetDouble());
    }

    [Fact]
    public void Read_BoundedBySurfacesReferenceTheSolidsPolygons_ResolvedOnceWithTheirSemantics()
    {
        // The other way round from Lyon's: the polygons are in the lod2Solid, the RoofSurface points at one by xlink:href;
        // two BuildingParts, each with a roof, make one building.
        var xml = Model($"""
            <bldg:Building gml:id="B2">
              <bldg:consistsOfBuildingPart><bldg:BuildingPart gml:id="P1">
                <bldg:lod2Solid><gml:Solid><gml:exterior><gml:CompositeSurface>
                  <gml:surfaceMember>{Square("P1-roof", 652000, 6862000, 10, 46)}</gml:surfaceMember>
                  <gml:surfaceMember>{Square("P1-ground", 652000, 6862000, 10, 40)}</gml:surfaceMember>
                </gml:CompositeSurface></gml:exterior></gml:Solid></bldg:lod2Solid>
                <bldg:boundedBy><bldg:RoofSurface><bldg:lod2MultiSurface><gml:MultiSurface><gml:surfaceMember xlink:href="#P1-roof"/></gml:MultiSurface></bldg:lod2MultiSurface></bldg:RoofSurface></bldg:boundedBy>
                <bldg:boundedBy><bldg:GroundSurface><bldg:lod2MultiSurface><gml:MultiSurface><gml:surfaceMember xlink:href="#P1-ground"/></gml:MultiSurface></bldg:lod2MultiSurface></bldg:GroundSurface></bldg:boundedBy>
              </bldg:BuildingPart></bldg:consistsOfBuildingPart>
              <bldg:consistsOfBuildingPart><bldg:BuildingPart gml:id="P2">
                <bldg:boundedBy><bldg:RoofSurface><bldg:lod2MultiSurface><gml:MultiSurface><gml:surfaceMember>{Square("P2-roof", 652010, 6862000, 5, 43)}</gml:surfaceMember></gml:MultiSurface></bldg:lod2MultiSurface></bldg:RoofSurface></bldg:boundedBy>
              </bldg:BuildingPart></bldg:consistsOfBuildingPart>
            </bldg:Building>
            """);
        using var reader = new CityGmlReader(Temp("href.gml", xml));
        var f = Assert.Single(reader.Read(Ct));
        Assert.Null(f.Error);
        Assert.Equal(2, f.RoofSurfaces.Count);
        Assert.Equal(3, ((MultiPolygon)f.Solid3d!).NumGeometries);
        Assert.Equal(100, f.Geometry!.Area, 1e-9); // the footprint is the GroundSurface (P2 has none)
    }

    [Fact]
    public void Read_AppearancesAndOtherCityObjects_SkippedUnread()
    {
        var texture = string.Concat(Enumerable.Repeat("0.1 0.2 ", 20_000));
        var xml = Model($"""
            <cityObjectMember><tran:Road xmlns:tran="http://www.opengis.net/citygml/transportation/2.0" gml:id="road"/></cityObjectMember>
            <app:appearanceMember><app:Appearance><app:surfaceDataMember><app:ParameterizedTexture><app:target uri="#R"><app:TexCoordList>
              <app:textureCoordinates ring="#x">{texture}</app:textureCoordinates></app:TexCoordList></app:target></app:ParameterizedTexture></app:surfaceDataMember></app:Appearance></app:appearanceMember>
            {Building("B3", 652000, 6862000)}
            """);
        using var reader = new CityGmlReader(Temp("app.gml", xml));
        Assert.Equal("B3", Assert.Single(reader.Read(Ct)).Id);
    }

    [Fact]
    public void Read_NotXml_SaysSoWithLine()
    {
        var e = Assert.Throws<SourceFormatException>(() => Read(Temp("json.gml", "{\"type\": \"CityJSON\"}")));
        Assert.StartsWith("json.gml: line 1, position 1: not XML: ", e.Message);
    }

    [Fact]
    public void Read_TruncatedLyonFile_FailsNamingTheLine()
    {
        var text = File.ReadAllText(SharedData.Require("lod2/LYON_1ER_BATI_2015_small_house.gml"));
        var cut = text[..(text.Length * 2 / 3)];
        var lines = cut.Count(c => c == '\n') + 1;
        var e = Assert.Throws<SourceFormatException>(() => Read(Temp("cut.gml", cut)));
        Assert.Matches($@"^cut\.gml: line {lines}, position \d+: .*\(the file is truncated\?\)$", e.Message);
    }

    [Fact]
    public void Read_NotACityModel_SaysWhatTheRootIs()
    {
        var e = Assert.Throws<SourceFormatException>(() => Read(Temp("kml.gml", "<?xml version=\"1.0\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\"/>")));
        Assert.Equal("kml.gml: line 2: not a CityGML document: the root element is <kml>, not <CityModel>", e.Message);
        var v3 = Assert.Throws<SourceFormatException>(() => Read(Temp("v3.gml", "<CityModel xmlns=\"http://www.opengis.net/citygml/3.0\"/>")));
        Assert.Contains("line 1: the CityModel's namespace 'http://www.opengis.net/citygml/3.0' is not CityGML 2.0 or 1.0", v3.Message);
    }

    [Theory]
    [InlineData("urn:adv:crs:ETRS89_UTM32*DE_DHHN92_NH", "srsName=\"urn:adv:crs:ETRS89_UTM32*DE_DHHN92_NH\" is not a CRS this reader knows")]
    [InlineData("EPSG:25832", "srsName=\"EPSG:25832\" is EPSG:25832, which is not supported")]
    public void Read_UnknownSrsName_FailsNamingItsLine(string srsName, string message)
    {
        var xml = Model(Building("B4", 652000, 6862000, $" srsName=\"{srsName}\""));
        var path = Temp("srs.gml", xml);
        var line = File.ReadAllLines(path).ToList().FindIndex(l => l.Contains(srsName, StringComparison.Ordinal)) + 1;
        var e = Assert.Throws<SourceFormatException>(() => Read(path));
        Assert.StartsWith($"srs.gml: line {line}: {message}", e.Message);
        // The operator's --srs overrides the file's names.
        using var given = new CityGmlReader(path, ignoreSrsNames: true);
        Assert.Null(Assert.Single(given.Read(Ct)).Error);
    }

    [Fact]
    public void Read_TwoSrsNames_OneCrsPerFile()
    {
        var xml = Model(Building("B5", 652000, 6862000, " srsName=\"EPSG:2154\"") + "\n" + Building("B6", 652100, 6862000, " srsName=\"EPSG:3946\""));
        var e = Assert.Throws<SourceFormatException>(() => Read(Temp("two.gml", xml)));
        Assert.Contains("srsName=\"EPSG:3946\" (EPSG:3946) differs from \"EPSG:2154\" (EPSG:2154) at line", e.Message);
    }

    [Theory]
    [InlineData("652000 6862000 46 652010 6862000 46", "the ring has 2 positions: a ring needs at least 4 (3 corners, then the first again)")]
    [InlineData("652000 6862000 46 652010 6862000 46 652010 6862010 46 652000 6862010 46", "the ring is not closed: its first position (652000 6862000 46) is not its last (652000 6862010 46); wrong srsDimension?")]
    [InlineData("652000 6862000 46 652010 6862000 46 652010 6862010 46 652000 6862000", "the ring has 11 values, not a multiple of srsDimension 3")]
    [InlineData("652000 6862000 46 652010 6862000 46 652010 six 46 652000 6862000 46", "'six' is not a number")]
    public void Read_BadRing_BuildingRejectedWithLineTheNextOneRead(string posList, string reason)
    {
        var xml = Model($"""
            <bldg:Building gml:id="BAD">
              <bldg:boundedBy><bldg:RoofSurface gml:id="R9"><bldg:lod2MultiSurface><gml:MultiSurface><gml:surfaceMember><gml:Polygon gml:id="P9"><gml:exterior><gml:LinearRing>
                <gml:posList>{posList}</gml:posList>
              </gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></bldg:lod2MultiSurface></bldg:RoofSurface></bldg:boundedBy>
            </bldg:Building>
            {Building("NEXT", 652100, 6862000)}
            """);
        var path = Temp("ring.gml", xml);
        var line = File.ReadAllLines(path).ToList().FindIndex(l => l.Contains("<gml:posList>" + posList, StringComparison.Ordinal)) + 1;
        var features = Read(path);
        Assert.Equal(["BAD", "NEXT"], features.Select(f => f.Id));
        Assert.Equal(("RoofSurface polygon P9/exterior", $"line {line}: {reason}"), (features[0].ErrorField, features[0].Error));
        Assert.Null(features[1].Error);
    }

    [Fact]
    public void Read_TwoDimensionalCoordinates_Rejected()
    {
        var xml = Model("""
            <bldg:Building gml:id="FLAT2D"><bldg:lod2MultiSurface><gml:MultiSurface srsDimension="2"><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing>
              <gml:posList>0 0 10 0 10 10 0 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></bldg:lod2MultiSurface></bldg:Building>
            """);
        var f = Assert.Single(Read(Temp("2d.gml", xml)));
        Assert.EndsWith("srsDimension is 2: a LOD2 surface needs 3D coordinates (x y z)", f.Error);
    }

    [Fact]
    public void Read_Lod1OnlyBuilding_RejectedWithReasonOthersRead()
    {
        var xml = Model($"""
            <bldg:Building gml:id="LOD1"><bldg:lod1Solid><gml:Solid><gml:exterior><gml:CompositeSurface><gml:surfaceMember>{Square("L1", 652000, 6862000, 10, 40)}</gml:surfaceMember></gml:CompositeSurface></gml:exterior></gml:Solid></bldg:lod1Solid></bldg:Building>
            {Building("LOD2", 652100, 6862000)}
            """);
        var path = Temp("lod1.gml", xml);
        var line = File.ReadAllLines(path).ToList().FindIndex(l => l.Contains("gml:id=\"LOD1\"", StringComparison.Ordinal)) + 1;
        var features = Read(path);
        Assert.Equal(("lod2", $"line {line}: has no LOD2 geometry (only lod1Solid); a building is read from its lod2Solid, lod2MultiSurface or boundedBy surfaces' lod2MultiSurface"),
            (features[0].ErrorField, features[0].Error));
        Assert.Null(features[0].Geometry);
        Assert.Null(features[1].Error);
    }

    [Fact]
    public void Read_HrefToNoPolygonOfTheBuilding_Rejected()
    {
        var xml = Model("""
            <bldg:Building gml:id="DANGLING"><bldg:boundedBy><bldg:RoofSurface><bldg:lod2MultiSurface><gml:MultiSurface>
              <gml:surfaceMember xlink:href="#elsewhere"/></gml:MultiSurface></bldg:lod2MultiSurface></bldg:RoofSurface></bldg:boundedBy></bldg:Building>
            """);
        var f = Assert.Single(Read(Temp("href.gml", xml)));
        Assert.Equal("xlink:href", f.ErrorField);
        Assert.EndsWith("xlink:href=\"#elsewhere\" points to no LOD2 polygon of this building (references to other buildings or files are not followed)", f.Error);
    }

    [Fact]
    public void Read_Gzip_SameFeatures()
    {
        var path = SharedData.Require("lod2/LYON_2EME_BATI_2015_small_house.gml");
        var gz = Path.Combine(Path.GetTempPath(), $"sr-citygml-{Guid.NewGuid():N}.gml.gz");
        using (var output = new System.IO.Compression.GZipStream(File.Create(gz), System.IO.Compression.CompressionLevel.Fastest))
        using (var input = File.OpenRead(path))
        {
            input.CopyTo(output);
        }
        var plain = Read(path).Single();
        var zipped = Read(gz).Single();
        Assert.Equal((plain.Id, plain.Solid3d!.ToText()), (zipped.Id, zipped.Solid3d!.ToText()));
    }

    // --- helpers ---------------------------------------------------------------------------------------------------------

    private static List<SourceFeature> Read(string path)
    {
        using var reader = new CityGmlReader(path);
        return reader.Read(Ct).ToList();
    }

    private static string Temp(string name, string content)
    {
        var dir = Path.Combine(Path.GetTempPath(), "sr-citygml-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static string Model(string members) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <CityModel xmlns="http://www.opengis.net/citygml/2.0" xmlns:bldg="http://www.opengis.net/citygml/building/2.0"
            xmlns:gen="http://www.opengis.net/citygml/generics/2.0" xmlns:app="http://www.opengis.net/citygml/appearance/2.0"
            xmlns:gml="http://www.opengis.net/gml" xmlns:xlink="http://www.w3.org/1999/xlink">
        {Wrap(members)}
        </CityModel>
        """;

    // Buildings go in cityObjectMember; other members are given wrapped.
    private static string Wrap(string members) =>
        System.Text.RegularExpressions.Regex.Replace(members, @"(<bldg:Building\b.*?</bldg:Building>)", "<cityObjectMember>$1</cityObjectMember>",
            System.Text.RegularExpressions.RegexOptions.Singleline);

    // A flat-roofed box's roof and ground, the roof's MultiSurface with the given attributes.
    private static string Building(string id, double x, double y, string multiSurfaceAttributes = "") => $"""
        <bldg:Building gml:id="{id}">
          <bldg:boundedBy><bldg:RoofSurface><bldg:lod2MultiSurface><gml:MultiSurface{multiSurfaceAttributes}><gml:surfaceMember>{Square(null, x, y, 10, 46)}</gml:surfaceMember></gml:MultiSurface></bldg:lod2MultiSurface></bldg:RoofSurface></bldg:boundedBy>
          <bldg:boundedBy><bldg:GroundSurface><bldg:lod2MultiSurface><gml:MultiSurface><gml:surfaceMember>{Square(null, x, y, 10, 40)}</gml:surfaceMember></gml:MultiSurface></bldg:lod2MultiSurface></bldg:GroundSurface></bldg:boundedBy>
        </bldg:Building>
        """;

    private static string Square(string? id, double x, double y, double sizeM, double z)
    {
        string P(double px, double py) => string.Create(CultureInfo.InvariantCulture, $"{px} {py} {z}");
        var idAttribute = id is null ? "" : $" gml:id=\"{id}\"";
        return $"<gml:Polygon{idAttribute}><gml:exterior><gml:LinearRing><gml:posList>{P(x, y)} {P(x + sizeM, y)} {P(x + sizeM, y + sizeM)} {P(x, y + sizeM)} {P(x, y)}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>";
    }
}
