using System.Text.Json.Nodes;

namespace SmartRegion.Rooftop.Tests;

/// <summary>config/solar-defaults.json: every value with its source and date; runs stored before a setting existed resume with their rule.</summary>
public sealed class SolarParametersTests
{
    [Fact]
    public void Defaults_EveryValueHasASourceAndADate()
    {
        var doc = JsonNode.Parse(File.ReadAllText(SolarParameters.DefaultsPath))!.AsObject();
        var values = new List<string>();
        Walk(doc, "");
        Assert.True(values.Count >= 43, $"{values.Count} values");

        void Walk(JsonObject node, string path)
        {
            foreach (var (name, child) in node)
            {
                if (name == "$comment")
                {
                    continue;
                }
                var at = path + "/" + name;
                var obj = Assert.IsType<JsonObject>(child, exactMatch: false);
                if (obj.ContainsKey("value"))
                {
                    Assert.False(string.IsNullOrWhiteSpace((string?)obj["source"]), $"{at} has no source");
                    Assert.Matches(@"^\d{4}-\d{2}$", (string?)obj["date"] ?? "");
                    values.Add(at);
                }
                else
                {
                    Walk(obj, at);
                }
            }
        }
    }

    [Fact]
    public void StoredRunWithoutTheNewerSettings_ReadsTheValuesItWasComputedWith()
    {
        var current = SolarParameters.Load(SolarParameters.DefaultsPath, null);
        var doc = JsonNode.Parse(current.DocumentJson)!.AsObject();
        doc.Remove("roof");
        doc.Remove("uncertainty");
        doc.Remove("report");
        doc["layout"]!.AsObject().Remove("flatFaceMaxTiltDeg");
        doc["finance"]!.AsObject().Remove("selfConsumptionReferencePlane");

        var old = SolarParameters.FromJson(doc.ToJsonString(), "a stored run");

        // Today's defaults are the values the code used before they were settings: an old run resumes unchanged.
        Assert.Equal((current.Lod2MinAreaM2, current.Lod2MaxTiltDeg, current.MinFootprintPartAreaM2, current.StoreyHeightM),
            (old.Lod2MinAreaM2, old.Lod2MaxTiltDeg, old.MinFootprintPartAreaM2, old.StoreyHeightM));
        Assert.Equal(current.Uncertainty, old.Uncertainty);
        Assert.Equal((current.FlatFaceMaxTiltDeg, current.ConfigurationSizes, current.SelfConsumptionReferenceTiltDeg, current.SelfConsumptionReferenceAzimuthDeg),
            (old.FlatFaceMaxTiltDeg, old.ConfigurationSizes, old.SelfConsumptionReferenceTiltDeg, old.SelfConsumptionReferenceAzimuthDeg));
    }

    [Fact]
    public void Override_StoreyHeightOutOfRange_RefusedNamingTheSetting()
    {
        var path = Path.Combine(Path.GetTempPath(), $"solar-override-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "roof": { "storeyHeightM": 0 } }""");
        try
        {
            var e = Assert.Throws<SolarConfigurationException>(() => SolarParameters.Load(SolarParameters.DefaultsPath, path));
            Assert.Contains("roof.storeyHeightM must be in (0, 20]", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
