using System.Buffers.Binary;
using NetTopologySuite.Geometries;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Geo.Wkb;

/// <summary>
/// Writes a geometry as little-endian EWKB (with its SRID) into one reusable buffer: the bytes NetTopologySuite's
/// <c>WKBWriter(LittleEndian, handleSRID: true, emitZ)</c> produces, without its stream, writer and array per geometry —
/// from a NetTopologySuite geometry or straight from <see cref="PolygonCoordinates"/> (no geometry object at all).
/// The returned memory is valid until the next write. Not thread-safe (one per writer).
/// </summary>
public sealed class EwkbBuffer(bool withZ)
{
    private const uint SridFlag = 0x20000000;
    private const uint ZFlag = 0x80000000;
    private byte[] _buffer = new byte[4096];
    private int _length;

    /// <summary>The geometry's EWKB (SRID from the geometry, Z when this buffer writes Z: NaN where a coordinate has none).</summary>
    public ReadOnlyMemory<byte> Write(Geometry geometry)
    {
        _length = 0;
        Geometry(geometry, withSrid: true);
        return _buffer.AsMemory(0, _length);
    }

    /// <summary>The EWKB of the polygonal geometry <paramref name="polygons"/> holds, as its type (what <see cref="Write(Geometry)"/> writes for <see cref="PolygonCoordinates.ToGeometry"/>).</summary>
    public ReadOnlyMemory<byte> Write(PolygonCoordinates polygons, int srid)
    {
        _length = 0;
        switch (polygons.Kind)
        {
            case PolygonalKind.Polygon:
                FlatPolygon(polygons, 0, withSrid: true, srid);
                break;
            case PolygonalKind.MultiPolygon:
                FlatMultiPolygon(polygons, 0, polygons.PolygonCount, withSrid: true, srid);
                break;
            case PolygonalKind.Collection:
                Header(7, withSrid: true, srid);
                UInt((uint)polygons.PartCount);
                for (var m = 0; m < polygons.PartCount; m++)
                {
                    if (polygons.PartKind(m) == PolygonalKind.Polygon)
                    {
                        FlatPolygon(polygons, polygons.PartStart(m), withSrid: false, 0);
                    }
                    else
                    {
                        FlatMultiPolygon(polygons, polygons.PartStart(m), polygons.PartEnd(m), withSrid: false, 0);
                    }
                }
                break;
            default:
                throw new ArgumentException("EWKB: no polygonal geometry is held", nameof(polygons));
        }
        return _buffer.AsMemory(0, _length);
    }

    /// <summary>Every polygon <paramref name="polygons"/> holds as one MultiPolygon (what <see cref="Write(Geometry)"/> writes for <see cref="PolygonCoordinates.ToFootprint2d"/> when this buffer is 2D).</summary>
    public ReadOnlyMemory<byte> WriteMultiPolygon(PolygonCoordinates polygons, int srid)
    {
        _length = 0;
        FlatMultiPolygon(polygons, 0, polygons.PolygonCount, withSrid: true, srid);
        return _buffer.AsMemory(0, _length);
    }

    private void FlatMultiPolygon(PolygonCoordinates polygons, int from, int to, bool withSrid, int srid)
    {
        Header(6, withSrid, srid);
        UInt((uint)(to - from));
        for (var p = from; p < to; p++)
        {
            FlatPolygon(polygons, p, withSrid: false, 0);
        }
    }

    private void FlatPolygon(PolygonCoordinates polygons, int p, bool withSrid, int srid)
    {
        Header(3, withSrid, srid);
        int first = polygons.PolygonStart(p), end = polygons.PolygonEnd(p);
        UInt((uint)(end - first));
        var xyz = polygons.Ordinates;
        for (var r = first; r < end; r++)
        {
            int start = polygons.RingStart(r), n = polygons.RingEnd(r) - start;
            Reserve(4 + n * (withZ ? 24 : 16));
            UInt((uint)n);
            var span = _buffer.AsSpan(_length);
            var at = 0;
            for (int i = 0, from = start * PolygonCoordinates.Stride; i < n; i++, from += PolygonCoordinates.Stride)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(span[at..], xyz[from]);
                BinaryPrimitives.WriteDoubleLittleEndian(span[(at + 8)..], xyz[from + 1]);
                at += 16;
                if (withZ)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(span[at..], xyz[from + 2]);
                    at += 8;
                }
            }
            _length += at;
        }
    }

    private void Geometry(Geometry g, bool withSrid)
    {
        switch (g)
        {
            case Point p:
                Header(1, withSrid, g.SRID);
                if (p.IsEmpty)
                {
                    Reserve(24);
                    Double(double.NaN);
                    Double(double.NaN);
                    if (withZ)
                    {
                        Double(double.NaN);
                    }
                }
                else
                {
                    Coordinates(p.CoordinateSequence, counted: false);
                }
                break;
            case LinearRing or LineString:
                Header(2, withSrid, g.SRID);
                Coordinates(((LineString)g).CoordinateSequence, counted: true);
                break;
            case Polygon p:
                Header(3, withSrid, g.SRID);
                if (p.IsEmpty)
                {
                    UInt(0);
                    break;
                }
                UInt((uint)(1 + p.NumInteriorRings));
                Coordinates(p.ExteriorRing.CoordinateSequence, counted: true);
                for (var i = 0; i < p.NumInteriorRings; i++)
                {
                    Coordinates(p.GetInteriorRingN(i).CoordinateSequence, counted: true);
                }
                break;
            case GeometryCollection c:
                Header(c switch { MultiPoint => 4u, MultiLineString => 5u, MultiPolygon => 6u, _ => 7u }, withSrid, g.SRID);
                UInt((uint)c.NumGeometries);
                for (var i = 0; i < c.NumGeometries; i++)
                {
                    Geometry(c.GetGeometryN(i), withSrid: false);
                }
                break;
            default:
                throw new ArgumentException($"EWKB: {g.GeometryType} is not supported", nameof(g));
        }
    }

    private void Header(uint type, bool withSrid, int srid)
    {
        Reserve(9);
        _buffer[_length++] = 1; // little endian
        // Z as NetTopologySuite writes it: both the ISO code (+1000) and the EWKB flag.
        var t = (withZ ? (type + 1000) | ZFlag : type) | (withSrid ? SridFlag : 0);
        UInt(t);
        if (withSrid)
        {
            UInt((uint)srid);
        }
    }

    private void Coordinates(CoordinateSequence seq, bool counted)
    {
        var n = seq.Count;
        Reserve(4 + n * (withZ ? 24 : 16));
        if (counted)
        {
            UInt((uint)n);
        }
        var span = _buffer.AsSpan(_length);
        var at = 0;
        for (var i = 0; i < n; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(span[at..], seq.GetX(i));
            BinaryPrimitives.WriteDoubleLittleEndian(span[(at + 8)..], seq.GetY(i));
            at += 16;
            if (withZ)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(span[at..], seq.GetZ(i));
                at += 8;
            }
        }
        _length += at;
    }

    private void UInt(uint value)
    {
        Reserve(4);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    private void Double(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    private void Reserve(int bytes)
    {
        if (_length + bytes > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
        }
    }
}
