using System.Text;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Geo.Tests;

// The stream finds features after the first by a byte scan: strings holding braces, quotes and escapes, comments,
// whitespace and features cut by the buffer's edge must split exactly as a JSON reader would.
public sealed class GeoJsonFeatureStreamTests
{
    private static List<string> Split(string json)
    {
        using var features = new GeoJsonFeatureStream(new MemoryStream(Encoding.UTF8.GetBytes(json)), "t.geojson");
        var list = new List<string>();
        while (features.Next() is { } bytes)
        {
            list.Add(Encoding.UTF8.GetString(bytes));
        }
        return list;
    }

    [Fact]
    public void Next_StringsWithBracesQuotesAndEscapes_SplitWhereTheObjectsEnd()
    {
        string[] expected =
        [
            """{"type":"Feature","properties":{"a":"{"},"geometry":null}""",
            """{"type":"Feature","properties":{"b":"}}\"}{\\","c":{"d":[1,{"e":2}]}},"geometry":null}""",
            """{"type":"Feature","properties":{"f":"\\\"{"},"geometry":null}""",
            """{ "type" : "Feature" , "properties" : { } , "geometry" : null }""",
        ];
        var json = "{\"type\":\"FeatureCollection\",\"features\":[" + expected[0] + ",\n\t" + expected[1] + "\r\n ,  " + expected[2]
            + " /* a comment */ ," + expected[3] + "\n]}";
        Assert.Equal(expected, Split(json));
    }

    [Fact]
    public void Next_ManyFeaturesAcrossBufferRefills_AllWhole()
    {
        // Several MB of features: some are cut by the 1 MB buffer's edge and must be read whole once it is refilled.
        var feature = """{"type":"Feature","properties":{"id":"ID","pad":"PAD"},"geometry":{"type":"Point","coordinates":[1.5,2.5]}}""";
        var pad = new string('x', 997);
        var features = Enumerable.Range(0, 5000).Select(i => feature.Replace("ID", $"f{i}\\\"}}").Replace("PAD", pad[..(i % 997)])).ToArray();
        var split = Split("{\"type\":\"FeatureCollection\",\"features\":[" + string.Join(",", features) + "]}");
        Assert.Equal(features, split);
    }

    [Fact]
    public void Next_TruncatedInsideALaterFeature_SaysTruncated()
    {
        var json = """{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null},{"type":"Feature","properties":{"a":"}""";
        var e = Assert.Throws<SourceFormatException>(() => Split(json));
        Assert.Contains("truncated", e.Message);
    }

    [Theory]
    [InlineData("""{"type":"FeatureCollection","features":null}""", "'features' at byte 39 is null: it must be an array of Feature objects")]
    [InlineData("""{"type":"FeatureCollection","features":{"type":"Feature"}}""", "'features' at byte 39 is an object: it must be an array")]
    [InlineData("""[{"type":"Feature"}]""", "expected a GeoJSON object at byte 0, found an array")]
    public void Next_FeaturesNotAnArrayOrTopLevelArray_SaysWhatWasFound(string json, string expected)
    {
        var e = Assert.Throws<SourceFormatException>(() => Split(json));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("t.geojson", e.Message);
    }

    [Fact]
    public void Next_FeatureLargerThanTheBound_FailsNamingIt_SmallerOnesPass()
    {
        var small = """{"type":"Feature","properties":{},"geometry":null}""";
        var large = """{"type":"Feature","properties":{"s":"%"},"geometry":null}""".Replace("%", new string('x', 3_000_000));
        var json = $$"""{"type":"FeatureCollection","features":[{{small}},{{small}},{{large}}]}""";
        using var features = new GeoJsonFeatureStream(new MemoryStream(Encoding.UTF8.GetBytes(json)), fileName: null, maxFeatureBytes: 2_000_000);
        Assert.NotNull(features.Next());
        Assert.NotNull(features.Next());
        var e = Assert.Throws<SourceFormatException>(() => features.Next());
        Assert.Equal("feature 2 is larger than 1.9 MB (too many coordinates?); split or simplify it", e.Message);
    }
}
