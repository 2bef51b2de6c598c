using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using NetTopologySuite.Geometries;
using SmartRegion.Geo;
using SmartRegion.Geo.Buildings;
using SmartRegion.Geo.Wkb;

namespace SmartRegion.Data.RegionLoading;

/// <summary>
/// A batch of buildings already encoded as rows of the load's binary COPY (PostgreSQL's binary COPY format), built on a
/// parsing thread so the loader only copies bytes. Holds a pooled buffer: dispose once written.
/// </summary>
public sealed class BuildingRows : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 << 10);

    internal int Length { get; private set; }

    /// <summary>How many rows the batch holds.</summary>
    public int Count { get; internal set; }

    /// <summary>Whether a row carries LOD2 roof faces.</summary>
    public bool HasRoofs { get; internal set; }

    internal ReadOnlyMemory<byte> Bytes => _buffer.AsMemory(0, Length);

    internal Span<byte> Reserve(int bytes)
    {
        if (Length + bytes > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, Length + bytes));
            _buffer.AsSpan(0, Length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
        return _buffer.AsSpan(Length, bytes);
    }

    internal void Advance(int bytes) => Length += bytes;

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}

/// <summary>
/// Encodes buildings as binary COPY rows for one <see cref="BuildingLoader"/> (its column list: staged or direct). One per
/// thread: it reuses its geometry buffers.
/// </summary>
public sealed class BuildingRowEncoder
{
    private const uint Float8Oid = 701;
    private readonly bool _direct;
    private readonly byte[] _source;
    private readonly long _runId;
    private readonly EwkbBuffer _wkb3d = new(withZ: true);
    private readonly GeometryFactory _roofFactory = new(new PrecisionModel(), RegionSettings.Srid);

    internal BuildingRowEncoder(bool direct, string source, long runId)
    {
        _direct = direct;
        _source = Encoding.UTF8.GetBytes(source);
        _runId = runId;
    }

    /// <summary>Appends one building (<paramref name="warnings"/>: how many the report holds for it).</summary>
    public void Add(BuildingRows rows, BuildingRecord b, int warnings)
    {
        if (_direct && b.RoofFaces.Count > 0)
        {
            throw new InvalidOperationException("a direct load cannot take roof faces: begin the load without allowDirect");
        }
        Int16(rows, (short)(_direct ? 15 : 20));
        if (!_direct)
        {
            Int32Field(rows, b.FeatureIndex);
        }
        Text(rows, b.SourceId);
        Bytes(rows, b.FootprintEwkb.Span);
        if (b.Geometry3dEwkb is { } geometry3d)
        {
            Bytes(rows, geometry3d.Span);
        }
        else
        {
            Null(rows);
        }
        Text(rows, b.AltitudeDatum);
        Float8(rows, b.HeightAboveGroundM);
        Float8(rows, b.GroundAltitudeNgfIgn69M);
        Float8(rows, b.RoofMinAltitudeNgfIgn69M);
        Float8(rows, b.RoofMaxAltitudeNgfIgn69M);
        if (b.Storeys is { } storeys)
        {
            Int32Field(rows, storeys);
        }
        else
        {
            Null(rows);
        }
        Text(rows, b.RoofShape);
        Text(rows, b.Usage);
        Text(rows, b.RoofCovering);
        // jsonb's binary form: a version byte, then the JSON text: the source's own UTF-8 bytes, keys in jsonb's order.
        var json = b.Attributes.Span;
        var field = rows.Reserve(5 + json.Length);
        var length = JsonbKeyOrder.Write(json, field[5..]);
        BinaryPrimitives.WriteInt32BigEndian(field, length + 1);
        field[4] = 1;
        rows.Advance(5 + length);
        if (_direct)
        {
            Bytes(rows, _source);
            var run = rows.Reserve(12);
            BinaryPrimitives.WriteInt32BigEndian(run, 8);
            BinaryPrimitives.WriteInt64BigEndian(run[4..], _runId);
            rows.Advance(12);
            rows.Count++;
            return;
        }
        var flag = rows.Reserve(5);
        BinaryPrimitives.WriteInt32BigEndian(flag, 1);
        flag[4] = b.Repair is not null ? (byte)1 : (byte)0;
        rows.Advance(5);
        Int32Field(rows, warnings);
        var faces = b.RoofFaces;
        if (faces.Count == 0)
        {
            Null(rows);
            Null(rows);
            Null(rows);
            Null(rows);
        }
        else
        {
            rows.HasRoofs = true;
            var polygons = new Geometry[faces.Count];
            for (var i = 0; i < polygons.Length; i++)
            {
                polygons[i] = faces[i].Polygon;
            }
            var collection = _roofFactory.CreateGeometryCollection(polygons);
            collection.SRID = RegionSettings.Srid;
            Bytes(rows, _wkb3d.Write(collection).Span);
            Float8Array(rows, faces, f => f.TiltDeg);
            // NaN stands for "no azimuth" (a flat face); the insert turns it back into NULL.
            Float8Array(rows, faces, f => f.AzimuthDeg ?? double.NaN);
            Float8Array(rows, faces, f => f.AreaM2);
        }
        rows.Count++;
    }

    private static void Int16(BuildingRows rows, short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(rows.Reserve(2), value);
        rows.Advance(2);
    }

    private static void Null(BuildingRows rows)
    {
        BinaryPrimitives.WriteInt32BigEndian(rows.Reserve(4), -1);
        rows.Advance(4);
    }

    private static void Int32Field(BuildingRows rows, int value)
    {
        var s = rows.Reserve(8);
        BinaryPrimitives.WriteInt32BigEndian(s, 4);
        BinaryPrimitives.WriteInt32BigEndian(s[4..], value);
        rows.Advance(8);
    }

    private static void Float8(BuildingRows rows, double? value)
    {
        if (value is not { } v)
        {
            Null(rows);
            return;
        }
        var s = rows.Reserve(12);
        BinaryPrimitives.WriteInt32BigEndian(s, 8);
        BinaryPrimitives.WriteDoubleBigEndian(s[4..], v);
        rows.Advance(12);
    }

    private static void Text(BuildingRows rows, string? value)
    {
        if (value is null)
        {
            Null(rows);
            return;
        }
        var s = rows.Reserve(4 + Encoding.UTF8.GetMaxByteCount(value.Length));
        var n = Encoding.UTF8.GetBytes(value, s[4..]);
        BinaryPrimitives.WriteInt32BigEndian(s, n);
        rows.Advance(4 + n);
    }

    private static void Bytes(BuildingRows rows, ReadOnlySpan<byte> value)
    {
        var s = rows.Reserve(4 + value.Length);
        BinaryPrimitives.WriteInt32BigEndian(s, value.Length);
        value.CopyTo(s[4..]);
        rows.Advance(4 + value.Length);
    }

    // A one-dimensional float8[] in PostgreSQL's binary array format.
    private static void Float8Array(BuildingRows rows, IReadOnlyList<RoofFace> faces, Func<RoofFace, double> value)
    {
        var n = faces.Count;
        var size = 20 + n * 12;
        var s = rows.Reserve(4 + size);
        BinaryPrimitives.WriteInt32BigEndian(s, size);
        BinaryPrimitives.WriteInt32BigEndian(s[4..], 1);          // dimensions
        BinaryPrimitives.WriteInt32BigEndian(s[8..], 0);          // no nulls
        BinaryPrimitives.WriteUInt32BigEndian(s[12..], Float8Oid);
        BinaryPrimitives.WriteInt32BigEndian(s[16..], n);         // length
        BinaryPrimitives.WriteInt32BigEndian(s[20..], 1);         // lower bound
        var at = 24;
        for (var i = 0; i < n; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(s[at..], 8);
            BinaryPrimitives.WriteDoubleBigEndian(s[(at + 4)..], value(faces[i]));
            at += 12;
        }
        rows.Advance(4 + size);
    }
}
