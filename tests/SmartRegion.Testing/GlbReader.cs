using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace SmartRegion.Testing;

/// <summary>Reads a GLB back (header, JSON chunk, binary chunk) to check what the writer put in it.</summary>
public sealed class GlbReader
{
    public GlbReader(byte[] glb)
    {
        Assert.Equal(0x46546C67u, BinaryPrimitives.ReadUInt32LittleEndian(glb)); // "glTF"
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(glb.AsSpan(4)));
        Assert.Equal((uint)glb.Length, BinaryPrimitives.ReadUInt32LittleEndian(glb.AsSpan(8)));
        var jsonLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(glb.AsSpan(12));
        Json = JsonNode.Parse(Encoding.UTF8.GetString(glb, 20, jsonLength))!.AsObject();
        var binStart = 20 + jsonLength;
        var binLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(glb.AsSpan(binStart));
        Bin = glb.AsSpan(binStart + 8, binLength).ToArray();
    }

    public JsonObject Json { get; }

    public byte[] Bin { get; }

    public JsonObject Metadata => Json["extensions"]!["EXT_structural_metadata"]!.AsObject();

    public JsonObject Primitive => Json["meshes"]![0]!["primitives"]![0]!.AsObject();

    /// <summary>The bytes of a buffer view.</summary>
    public ReadOnlySpan<byte> View(int index)
    {
        var view = Json["bufferViews"]![index]!;
        var offset = view["byteOffset"]?.GetValue<int>() ?? 0;
        return Bin.AsSpan(offset, view["byteLength"]!.GetValue<int>());
    }

    /// <summary>A property table column as values of T.</summary>
    public T[] Column<T>(string property) where T : unmanaged
    {
        var view = Metadata["propertyTables"]![0]!["properties"]![property]!["values"]!.GetValue<int>();
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(View(view)).ToArray();
    }

    /// <summary>A vertex attribute as floats (FLOAT accessors only).</summary>
    public float[] FloatAttribute(string name)
    {
        var accessor = Json["accessors"]![Primitive["attributes"]![name]!.GetValue<int>()]!;
        Assert.Equal(5126, accessor["componentType"]!.GetValue<int>());
        var view = accessor["bufferView"]!.GetValue<int>();
        var offset = accessor["byteOffset"]?.GetValue<int>() ?? 0;
        var width = accessor["type"]!.GetValue<string>() switch { "SCALAR" => 1, "VEC2" => 2, "VEC3" => 3, _ => 4 };
        var bytes = View(view)[offset..];
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes)[..(width * accessor["count"]!.GetValue<int>())].ToArray();
    }
}
