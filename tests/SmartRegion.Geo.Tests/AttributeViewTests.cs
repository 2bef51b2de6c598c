using System.Text;
using System.Text.Json;
using SmartRegion.Geo.Buildings;

namespace SmartRegion.Geo.Tests;

// The mapper reads attributes through a byte scan: every answer must be JsonElement's.
public sealed class AttributeViewTests
{
    [Theory]
    [InlineData("""{"cleabs": "BATIMENT0001", "hauteur": 9.5, "nombre_d_etages": "4", "usage_1": "R\u00e9sidentiel", "x": null}""")]
    [InlineData("""{ "ID" : "B1" , "HAUTEUR":-1.5e3,"NB_ETAGES":4,"NATURE":"Indifférenciée","nested":{"hauteur":1},"list":[1,"a"] }""")]
    [InlineData("""{"hauteur": 1, "hauteur": "2"}""")] // repeated: the last one
    [InlineData("""{"h\u0061uteur": 7, "cleabs": "escaped key: read by a JsonDocument"}""")]
    [InlineData("""{"hauteur": 1e400, "altitude_minimale_sol": "", "altitude_maximale_toit": "  ", "usage_1": "a\"b"}""")]
    [InlineData("""{"é": "non-ASCII name", "hauteur": 3}""")]
    [InlineData("""{}""")]
    [InlineData("""null""")]
    [InlineData("""[1, 2]""")]
    public void Read_SameAnswersAsJsonElement(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        using var view = new AttributeView().Read(Encoding.UTF8.GetBytes(json));
        Assert.Equal(root.ValueKind == JsonValueKind.Object, view.IsObject);
        Assert.Equal(root.ValueKind == JsonValueKind.Object ? root.EnumerateObject().Select(p => p.Name) : [], view.Names());
        foreach (var name in new[] { "cleabs", "hauteur", "ID", "HAUTEUR", "NB_ETAGES", "NATURE", "nombre_d_etages", "usage_1", "x",
            "nested", "list", "altitude_minimale_sol", "altitude_maximale_toit", "absent", "h", "é" })
        {
            var expected = root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var e) ? e : (JsonElement?)null;
            Assert.Equal(expected is not null, view.TryGet(name, out var v));
            if (expected is not { } element)
            {
                continue;
            }
            Assert.Equal(element.ValueKind, v.Kind);
            Assert.Equal(element.GetRawText(), v.RawText);
            if (element.ValueKind == JsonValueKind.String)
            {
                Assert.Equal(element.GetString(), v.GetString());
            }
            if (element.ValueKind == JsonValueKind.Number)
            {
                Assert.Equal(element.TryGetDouble(out var d), v.TryGetDouble(out var w));
                Assert.Equal(d, w);
            }
        }
    }
}
