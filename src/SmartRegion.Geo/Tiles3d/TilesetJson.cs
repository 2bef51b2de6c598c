using System.Text.Json.Nodes;

namespace SmartRegion.Geo.Tiles3d;

/// <summary>A tile's built content: where it is, its frame and its URI relative to the tileset.</summary>
public sealed record BuiltContent(TileBounds Bounds, EnuFrame Frame, string Uri, int BuildingCount);

/// <summary>What the tileset says about itself (3D Tiles tileset metadata, and the legend in <c>extras</c>).</summary>
public sealed record TilesetInfo(
    string Version, long? SourceRunId, double GeoidUndulationM, double ReferenceGroundAltitudeM, int BuildingCount, DateTimeOffset BuiltAt,
    IReadOnlyList<double> SuitabilityBandsKwhPerM2);

/// <summary>Writes a 3D Tiles 1.1 <c>tileset.json</c> for a built <see cref="TileNode"/> tree (explicit tiling, refine ADD).</summary>
public static class TilesetJson
{
    /// <summary>
    /// Screen-space geometric error per metre of a missing building's size (√area): with Cesium's default maximum screen-space
    /// error (16 px) at 800 px height, a tile adding 10 m houses (error 40 m) loads within about 1.7 km of the camera.
    /// </summary>
    public const double GeometricErrorPerMetre = 4;

    public static JsonObject Write(TileNode root, IReadOnlyDictionary<string, BuiltContent> contents, TilesetInfo info)
    {
        var rootJson = Tile(root, contents, info.GeoidUndulationM, parentFrame: null, out _)
            ?? throw new InvalidOperationException("the tileset has no content");
        return new JsonObject
        {
            ["asset"] = new JsonObject { ["version"] = "1.1", ["tilesetVersion"] = info.Version, ["generator"] = "SmartRegion" },
            ["schema"] = new JsonObject
            {
                ["id"] = "smartregion_tileset",
                ["classes"] = new JsonObject
                {
                    ["buildingsTileset"] = new JsonObject
                    {
                        ["properties"] = new JsonObject
                        {
                            ["sourceRunId"] = Scalar("INT64", "The latest complete solar run when the tiles were built"),
                            ["buildingCount"] = Scalar("UINT32", "Buildings drawn"),
                            ["geoidUndulationM"] = Scalar("FLOAT64", "Ellipsoidal height minus NGF-IGN69 altitude applied to every vertex (m)"),
                            ["referenceGroundAltitudeM"] = Scalar("FLOAT64", "Median ground altitude of the buildings (NGF-IGN69 m): a viewer without terrain can lower the tileset by this plus the undulation to stand it on the ellipsoid"),
                            ["builtAt"] = new JsonObject { ["type"] = "STRING", ["description"] = "When the tiles were built (ISO 8601)" },
                        },
                    },
                },
            },
            ["metadata"] = new JsonObject
            {
                ["class"] = "buildingsTileset",
                ["properties"] = WithoutNulls(new JsonObject
                {
                    ["sourceRunId"] = info.SourceRunId,
                    ["buildingCount"] = info.BuildingCount,
                    ["geoidUndulationM"] = info.GeoidUndulationM,
                    ["referenceGroundAltitudeM"] = Math.Round(info.ReferenceGroundAltitudeM, 2),
                    ["builtAt"] = info.BuiltAt.ToString("O"),
                }),
            },
            ["extras"] = new JsonObject { ["legend"] = Legend(info.SuitabilityBandsKwhPerM2) },
            ["geometricError"] = Math.Max(rootJson["geometricError"]!.GetValue<double>() * 2, 500),
            ["root"] = rootJson,
        };
    }

    /// <summary>The colour ramp and the suitability classes, for the map's legend.</summary>
    public static JsonObject Legend(IReadOnlyList<double> bandsKwhPerM2) => new()
    {
        ["unit"] = "kWh/m²/yr",
        ["stops"] = new JsonArray(IrradiationColours.Stops.Select(s => (JsonNode)new JsonObject
        {
            ["kwhPerM2"] = s.KwhPerM2,
            ["colour"] = IrradiationColours.Hex((s.R, s.G, s.B)),
        }).ToArray()),
        ["suitabilityBandsKwhPerM2"] = new JsonArray(bandsKwhPerM2.Select(b => (JsonNode)JsonValue.Create(b)).ToArray()),
        ["wallColour"] = IrradiationColours.Hex(IrradiationColours.Wall),
        ["noResultColour"] = IrradiationColours.Hex(IrradiationColours.NoResult),
    };

    private static JsonObject? Tile(TileNode node, IReadOnlyDictionary<string, BuiltContent> contents, double geoid, EnuFrame? parentFrame, out TileBounds subtree)
    {
        subtree = TileBounds.Empty;
        contents.TryGetValue(node.Key, out var content);
        if (content is not null)
        {
            subtree.Include(content.Bounds);
        }
        var frame = content?.Frame ?? parentFrame;
        var children = new JsonArray();
        foreach (var child in node.Children)
        {
            if (Tile(child, contents, geoid, frame, out var childBounds) is { } childJson)
            {
                children.Add(childJson);
                subtree.Include(childBounds);
            }
        }
        if (content is null && children.Count == 0)
        {
            return null;
        }
        var tile = new JsonObject
        {
            ["boundingVolume"] = new JsonObject { ["region"] = Array(subtree.ToRegion(geoid)) },
            ["geometricError"] = children.Count == 0 ? 0 : Math.Round(GeometricErrorPerMetre * Math.Sqrt(Math.Max(node.LargestDescendantAreaM2, 1)), 2),
            ["refine"] = "ADD",
        };
        if (content is not null)
        {
            tile["transform"] = Array(parentFrame is null ? content.Frame.ToColumnMajorMatrix() : content.Frame.RelativeTo(parentFrame));
            tile["content"] = new JsonObject
            {
                ["uri"] = content.Uri,
                ["boundingVolume"] = new JsonObject { ["region"] = Array(content.Bounds.ToRegion(geoid)) },
            };
        }
        if (children.Count > 0)
        {
            tile["children"] = children;
        }
        return tile;
    }

    private static JsonObject WithoutNulls(JsonObject o)
    {
        foreach (var name in o.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            o.Remove(name);
        }
        return o;
    }

    private static JsonArray Array(double[] values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    private static JsonObject Scalar(string componentType, string description) =>
        new() { ["type"] = "SCALAR", ["componentType"] = componentType, ["description"] = description };
}
