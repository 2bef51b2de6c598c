using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using SharpGLTF.Schema2;

namespace SmartRegion.Geo.Tiles3d;

/// <summary>
/// Writes a <see cref="TileMesh"/> as a binary glTF (GLB) 3D Tiles content with SharpGLTF: one primitive (positions,
/// normals, vertex colours, <c>_FEATURE_ID_0</c>), its features through <c>EXT_mesh_features</c> and their properties in an
/// <c>EXT_structural_metadata</c> property table (building id, face number, surface, result status, annual irradiation,
/// suitability class, tilt, azimuth, area).
/// </summary>
public static class GlbWriter
{
    /// <summary>The metadata class of every feature.</summary>
    public const string ClassName = "surface";

    static GlbWriter() => JsonObjectExtension.Register();

    /// <summary>The GLB bytes of a tile (throws when the mesh is empty).</summary>
    public static byte[] Write(TileMesh mesh)
    {
        if (mesh.VertexCount == 0 || mesh.Features.Count == 0)
        {
            throw new InvalidOperationException("an empty tile has no GLB");
        }
        var root = ModelRoot.CreateModel();
        root.Asset.Generator = "SmartRegion 3D Tiles (SharpGLTF)";

        var material = root.CreateMaterial("surface");
        material.InitializePBRMetallicRoughness();
        material.FindChannel("MetallicRoughness")?.SetFactor("MetallicFactor", 0f);
        material.FindChannel("MetallicRoughness")?.SetFactor("RoughnessFactor", 1f);
        material.DoubleSided = true; // LOD2 rings come in either winding; a wall seen from inside a courtyard must still show

        var primitive = root.CreateMesh("buildings").CreatePrimitive();
        primitive.DrawPrimitiveType = PrimitiveType.TRIANGLES;
        primitive.Material = material;
        primitive.SetVertexAccessor("POSITION", VertexAccessor(root, MemoryMarshal.AsBytes(mesh.Positions), mesh.VertexCount, DimensionType.VEC3, EncodingType.FLOAT, false));
        primitive.SetVertexAccessor("NORMAL", VertexAccessor(root, MemoryMarshal.AsBytes(mesh.Normals), mesh.VertexCount, DimensionType.VEC3, EncodingType.FLOAT, false));
        primitive.SetVertexAccessor("COLOR_0", VertexAccessor(root, MemoryMarshal.AsBytes(mesh.Colours), mesh.VertexCount, DimensionType.VEC4, EncodingType.UNSIGNED_BYTE, true));
        primitive.SetVertexAccessor("_FEATURE_ID_0", VertexAccessor(root, MemoryMarshal.AsBytes(mesh.FeatureIds), mesh.VertexCount, DimensionType.SCALAR, EncodingType.FLOAT, false));
        primitive.SetIndexAccessor(IndexAccessor(root, mesh));

        var features = primitive.UseExtension<MeshFeaturesExtension>();
        features.Content["featureIds"] = new JsonArray(new JsonObject
        {
            ["featureCount"] = mesh.Features.Count,
            ["attribute"] = 0,
            ["propertyTable"] = 0,
        });

        var metadata = root.UseExtension<StructuralMetadataExtension>();
        metadata.Content["schema"] = TileSchema.Json();
        metadata.Content["propertyTables"] = new JsonArray(PropertyTable(root, mesh.Features));

        root.UseScene(0).CreateNode("tile").Mesh = primitive.LogicalParent;
        root.MergeBuffers();
        return root.WriteGLB(new WriteSettings { Validation = SharpGLTF.Validation.ValidationMode.Skip }).ToArray();
    }

    private static Accessor VertexAccessor(ModelRoot root, ReadOnlySpan<byte> bytes, int count, DimensionType dimension, EncodingType encoding, bool normalized)
    {
        var view = root.UseBufferView(bytes.ToArray(), 0, null, 0, BufferMode.ARRAY_BUFFER);
        var accessor = root.CreateAccessor();
        accessor.SetVertexData(view, 0, count, new SharpGLTF.Memory.AttributeFormat(dimension, encoding, normalized));
        return accessor;
    }

    private static Accessor IndexAccessor(ModelRoot root, TileMesh mesh)
    {
        var accessor = root.CreateAccessor();
        if (mesh.VertexCount <= ushort.MaxValue)
        {
            var shorts = new ushort[mesh.IndexCount];
            var indices = mesh.Indices;
            for (var i = 0; i < shorts.Length; i++)
            {
                shorts[i] = (ushort)indices[i];
            }
            var view = root.UseBufferView(MemoryMarshal.AsBytes(shorts.AsSpan()).ToArray(), 0, null, 0, BufferMode.ELEMENT_ARRAY_BUFFER);
            accessor.SetIndexData(view, 0, shorts.Length, IndexEncodingType.UNSIGNED_SHORT);
        }
        else
        {
            var view = root.UseBufferView(MemoryMarshal.AsBytes(mesh.Indices).ToArray(), 0, null, 0, BufferMode.ELEMENT_ARRAY_BUFFER);
            accessor.SetIndexData(view, 0, mesh.IndexCount, IndexEncodingType.UNSIGNED_INT);
        }
        return accessor;
    }

    private static JsonObject PropertyTable(ModelRoot root, IReadOnlyList<FeatureRow> rows)
    {
        int View<T>(Func<FeatureRow, T> value) where T : unmanaged
        {
            var values = new T[rows.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = value(rows[i]);
            }
            return root.UseBufferView(MemoryMarshal.AsBytes(values.AsSpan()).ToArray()).LogicalIndex;
        }
        return new JsonObject
        {
            ["class"] = ClassName,
            ["count"] = rows.Count,
            ["properties"] = new JsonObject
            {
                ["buildingId"] = new JsonObject { ["values"] = View(r => r.BuildingId) },
                ["faceNo"] = new JsonObject { ["values"] = View(r => r.FaceNo) },
                ["surface"] = new JsonObject { ["values"] = View(r => (byte)r.Surface) },
                ["status"] = new JsonObject { ["values"] = View(r => (byte)r.Status) },
                ["annualIrradiationKwhPerM2"] = new JsonObject { ["values"] = View(r => r.AnnualIrradiationKwhPerM2) },
                ["suitabilityClass"] = new JsonObject { ["values"] = View(r => r.SuitabilityClass) },
                ["tiltDeg"] = new JsonObject { ["values"] = View(r => r.TiltDeg) },
                ["azimuthDeg"] = new JsonObject { ["values"] = View(r => r.AzimuthDeg) },
                ["areaM2"] = new JsonObject { ["values"] = View(r => r.AreaM2) },
            },
        };
    }
}

/// <summary>The metadata schema of the buildings' tiles: one class, <c>surface</c>, and its two enums.</summary>
public static class TileSchema
{
    public const string Id = "smartregion_buildings";

    /// <summary>The schema as JSON (glTF's <c>EXT_structural_metadata.schema</c>; also the tileset's <c>schema</c>).</summary>
    public static JsonObject Json() => new()
    {
        ["id"] = Id,
        ["name"] = "SmartRegion buildings and roof faces",
        ["description"] = "A building's walls (faceNo 0) or one of its roof faces, with the roof face's solar result.",
        ["enums"] = new JsonObject
        {
            ["surfaceKind"] = Enum("UINT8", ("WALL", 0), ("ROOF", 1)),
            ["resultStatus"] = Enum("UINT8", ("NONE", 0), ("OK", 1), ("SKIPPED", 2), ("FAILED", 3)),
        },
        ["classes"] = new JsonObject
        {
            [GlbWriter.ClassName] = new JsonObject
            {
                ["name"] = "Building surface",
                ["properties"] = new JsonObject
                {
                    ["buildingId"] = Scalar("UINT32", "Platform building id (the solar API's /api/v1/solar/buildings/{id})", required: true),
                    ["faceNo"] = Scalar("UINT16", "Roof face number of the solar result (0: the walls)", required: true),
                    ["surface"] = new JsonObject { ["type"] = "ENUM", ["enumType"] = "surfaceKind", ["required"] = true },
                    ["status"] = new JsonObject
                    {
                        ["type"] = "ENUM", ["enumType"] = "resultStatus", ["required"] = true,
                        ["description"] = "The building's solar result: NONE when no run computed it, SKIPPED or FAILED with a reason in the solar API",
                    },
                    ["annualIrradiationKwhPerM2"] = Scalar("FLOAT32", "Mean annual irradiation of the roof face (kWh/m²/yr)", noData: -1),
                    ["suitabilityClass"] = Scalar("UINT8", "Suitability class of the roof face, 1 (poor) to 5 (excellent)", noData: 0),
                    ["tiltDeg"] = Scalar("FLOAT32", "Tilt of the roof face (degrees, 0 = flat)", noData: -1),
                    ["azimuthDeg"] = Scalar("FLOAT32", "Compass azimuth the roof face looks to (degrees, N 0, E 90, S 180, W 270)", noData: -1),
                    ["areaM2"] = Scalar("FLOAT32", "True (sloped) area of the roof face (m²)", noData: -1),
                },
            },
        },
    };

    private static JsonObject Scalar(string componentType, string description, bool required = false, double? noData = null)
    {
        var o = new JsonObject { ["type"] = "SCALAR", ["componentType"] = componentType, ["description"] = description };
        if (required)
        {
            o["required"] = true;
        }
        if (noData is { } n)
        {
            o["noData"] = n;
        }
        return o;
    }

    private static JsonObject Enum(string valueType, params (string Name, int Value)[] values) => new()
    {
        ["valueType"] = valueType,
        ["values"] = new JsonArray(values.Select(v => (JsonNode)new JsonObject { ["name"] = v.Name, ["value"] = v.Value }).ToArray()),
    };
}
