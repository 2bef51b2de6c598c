using System.Text;
using NetTopologySuite.Geometries;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Geo.Tests;

public sealed class GeoJsonFeatureParserTests
{
    private static readonly GeometryFactory Factory = new();

    private static SourceFeature Parse(string json) => GeoJsonFeatureParser.Parse(Encoding.UTF8.GetBytes(json), 7, null, Factory);

    [Fact]
    public void Parse_MembersInAnyOrder_ReadsIdPropertiesAndGeometryWithZ()
    {
        var f = Parse("""{"geometry":{"coordinates":[[[0,0,5],[10,0,5],[10,10,6],[0,0,5]]],"type":"Polygon"},"properties":{"h":9.5,"n":"é"},"id":42,"type":"Feature"}""");
        Assert.Equal(("42", """{"h":9.5,"n":"é"}""", 7), (f.Id, f.AttributesJson, f.Index));
        var polygon = Assert.IsType<Polygon>(f.Geometry);
        Assert.Equal(4, polygon.NumPoints);
        Assert.Equal(6, polygon.ExteriorRing.GetCoordinateN(2).Z);
    }

    [Fact]
    public void Parse_MixedDimensions_FirstPositionDecidesZ()
    {
        var f = Parse("""{"type":"Feature","properties":null,"geometry":{"type":"LineString","coordinates":[[1,2],[3,4,5,6]]}}""");
        var line = Assert.IsType<LineString>(f.Geometry);
        Assert.Equal("{}", f.AttributesJson);
        Assert.True(double.IsNaN(line.GetCoordinateN(1).Z));
        Assert.Equal(3, line.GetCoordinateN(1).X);
    }

    [Fact]
    public void Parse_GeometryCollectionAndMultiTypes_AreBuiltWhole()
    {
        var f = Parse("""{"type":"Feature","id":"g","properties":{},"geometry":{"type":"GeometryCollection","geometries":[{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]},{"type":"Point","coordinates":[]},{"type":"MultiPoint","coordinates":[[1,1],[2,2,3]]}]}}""");
        var collection = Assert.IsType<GeometryCollection>(f.Geometry);
        Assert.Equal(2, Assert.IsType<MultiPolygon>(collection.GetGeometryN(0)).NumGeometries);
        Assert.True(collection.GetGeometryN(1).IsEmpty);
        Assert.Equal(3, ((MultiPoint)collection.GetGeometryN(2)).GetGeometryN(1).Coordinate.Z);
    }

    [Theory]
    [InlineData("""{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1]]]}}""", "geometry.coordinates[0]", "has 3 positions, at least 4 needed")]
    [InlineData("""{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}""", "geometry.coordinates[0]", "ring is not closed")]
    [InlineData("""{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,"x"],[1,1],[0,0]]]}}""", "geometry.coordinates[0][1]", "holds \"x\", not a number")]
    [InlineData("""{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1e999,0]}}""", "geometry.coordinates", "not a finite number")]
    [InlineData("""{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1]}}""", "geometry.coordinates", "is not a position")]
    [InlineData("""{"type":"Feature","properties":{},"geometry":{"type":"Blob","coordinates":[1,2]}}""", "geometry.type", "'Blob' is not a GeoJSON geometry type")]
    [InlineData("""{"type":"Feature","properties":{},"geometry":{"coordinates":[1,2]}}""", "geometry.type", "is missing")]
    [InlineData("""{"type":"Feature","properties":{},"geometry":{"type":"Point"}}""", "geometry.coordinates", "is missing or not an array")]
    [InlineData("""{"type":"Feature","properties":{},"geometry":[1,2]}""", "geometry", "is a JSON Array, not a geometry object")]
    [InlineData("""{"type":"Feature","properties":[1],"geometry":null}""", "properties", "is a JSON Array, not an object")]
    [InlineData("""{"type":"Topology","properties":{},"geometry":null}""", "type", "is 'Topology', expected 'Feature'")]
    public void Parse_BadField_NamesFieldAndReason(string json, string field, string reason)
    {
        var e = Assert.Throws<FeatureFieldException>(() => Parse(json));
        Assert.Equal(field, e.Field);
        Assert.Contains(reason, e.Message);
    }
}
