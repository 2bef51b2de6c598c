using System.Text.Json;
using System.Text.Json.Nodes;
using SharpGLTF.Schema2;

namespace SmartRegion.Geo.Tiles3d;

/// <summary>
/// A glTF extension object whose members are kept as JSON: SharpGLTF.Core has no classes for the 3D Tiles extensions
/// (<c>EXT_mesh_features</c>, <c>EXT_structural_metadata</c>), and registers extensions by type, so each gets a subclass.
/// </summary>
public abstract class JsonObjectExtension : ExtensionBase
{
    /// <summary>The extension object's members.</summary>
    public JsonObject Content { get; } = [];

    protected override void SerializeProperties(Utf8JsonWriter writer)
    {
        base.SerializeProperties(writer);
        foreach (var (name, value) in Content)
        {
            writer.WritePropertyName(name);
            if (value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                value.WriteTo(writer);
            }
        }
    }

    protected override void DeserializeProperty(string jsonPropertyName, ref Utf8JsonReader reader)
    {
        if (jsonPropertyName is "extensions" or "extras")
        {
            base.DeserializeProperty(jsonPropertyName, ref reader);
            return;
        }
        Content[jsonPropertyName] = JsonNode.Parse(ref reader);
    }

    private static int _registered;

    /// <summary>Registers both extensions with SharpGLTF (once per process).</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            ExtensionsFactory.RegisterExtension<ModelRoot, StructuralMetadataExtension>(StructuralMetadataExtension.Name, _ => new StructuralMetadataExtension());
            ExtensionsFactory.RegisterExtension<MeshPrimitive, MeshFeaturesExtension>(MeshFeaturesExtension.Name, _ => new MeshFeaturesExtension());
        }
    }
}

/// <summary><c>EXT_structural_metadata</c> on the glTF root: the schema and the property tables.</summary>
public sealed class StructuralMetadataExtension : JsonObjectExtension
{
    public const string Name = "EXT_structural_metadata";
}

/// <summary><c>EXT_mesh_features</c> on a mesh primitive: its feature ids and the property table they index.</summary>
public sealed class MeshFeaturesExtension : JsonObjectExtension
{
    public const string Name = "EXT_mesh_features";
}
