namespace SmartRegion.Geo.Tiles3d;

/// <summary>Which part of a building a 3D tile feature is (the <c>surfaceKind</c> enum).</summary>
public enum SurfaceKind : byte
{
    Wall = 0,
    Roof = 1,
}

/// <summary>
/// One row of a tile's feature table: a building's walls (face 0) or one of its roof faces. Missing values are the
/// table's no-data values (<see cref="NoDataFloat"/>, suitability 0).
/// </summary>
public readonly record struct FeatureRow(
    uint BuildingId, ushort FaceNo, SurfaceKind Surface, ResultStatus Status, float AnnualIrradiationKwhPerM2, byte SuitabilityClass,
    float TiltDeg, float AzimuthDeg, float AreaM2)
{
    /// <summary>The no-data value of the table's float properties (walls, buildings without a result).</summary>
    public const float NoDataFloat = -1f;
}

/// <summary>
/// A tile's triangles in its local frame, glTF's y-up axes (x east, y up, z south), one vertex stream per attribute, and its
/// feature table: what <see cref="GlbWriter"/> writes as one mesh primitive.
/// </summary>
public sealed class TileMesh
{
    private float[] _positions = new float[3 * 1024];
    private float[] _normals = new float[3 * 1024];
    private uint[] _colours = new uint[1024];
    private float[] _featureIds = new float[1024];
    private uint[] _indices = new uint[3 * 1024];
    private readonly List<FeatureRow> _features = [];

    public int VertexCount { get; private set; }

    public int IndexCount { get; private set; }

    public IReadOnlyList<FeatureRow> Features => _features;

    public ReadOnlySpan<float> Positions => _positions.AsSpan(0, 3 * VertexCount);

    public ReadOnlySpan<float> Normals => _normals.AsSpan(0, 3 * VertexCount);

    /// <summary>RGBA, one byte each, little-endian packed (R in the low byte).</summary>
    public ReadOnlySpan<uint> Colours => _colours.AsSpan(0, VertexCount);

    public ReadOnlySpan<float> FeatureIds => _featureIds.AsSpan(0, VertexCount);

    public ReadOnlySpan<uint> Indices => _indices.AsSpan(0, IndexCount);

    /// <summary>Adds a feature row; returns its id (its row number).</summary>
    public int AddFeature(FeatureRow row)
    {
        _features.Add(row);
        return _features.Count - 1;
    }

    /// <summary>Adds a vertex (local east, north, up metres; unit normal in the same frame); returns its index.</summary>
    public uint AddVertex(double east, double north, double up, double nEast, double nNorth, double nUp, (byte R, byte G, byte B) colour, int featureId)
    {
        if (VertexCount == _colours.Length)
        {
            var n = VertexCount * 2;
            Array.Resize(ref _positions, 3 * n);
            Array.Resize(ref _normals, 3 * n);
            Array.Resize(ref _colours, n);
            Array.Resize(ref _featureIds, n);
        }
        var i = VertexCount++;
        // glTF is y-up: (x, y, z) = (east, up, -north); 3D Tiles turns it back to z-up.
        _positions[3 * i] = (float)east;
        _positions[3 * i + 1] = (float)up;
        _positions[3 * i + 2] = (float)-north;
        _normals[3 * i] = (float)nEast;
        _normals[3 * i + 1] = (float)nUp;
        _normals[3 * i + 2] = (float)-nNorth;
        _colours[i] = colour.R | (uint)colour.G << 8 | (uint)colour.B << 16 | 0xFFu << 24;
        _featureIds[i] = featureId;
        return (uint)i;
    }

    /// <summary>Adds a triangle of vertex indices.</summary>
    public void AddTriangle(uint a, uint b, uint c)
    {
        if (IndexCount + 3 > _indices.Length)
        {
            Array.Resize(ref _indices, _indices.Length * 2);
        }
        _indices[IndexCount++] = a;
        _indices[IndexCount++] = b;
        _indices[IndexCount++] = c;
    }
}
