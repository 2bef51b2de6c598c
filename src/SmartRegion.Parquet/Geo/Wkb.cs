using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace SmartRegion.Parquet.Geo;

/// <summary>Just enough WKB (ISO and EWKB flags) to find a geometry's type name and bounding box.</summary>
internal static class Wkb
{
    private static readonly string[] Names = ["Geometry", "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection"];
    private static readonly string[] NamesZ = [.. Names.Select(n => n + " Z")];

    /// <summary>Type name as GeoParquet spells it ("Polygon", "Point Z"), widening <paramref name="box"/> by every coordinate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string Scan(ReadOnlySpan<byte> wkb, ref Box box)
    {
        var p = 0;
        return Geometry(wkb, ref p, ref box, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string Geometry(ReadOnlySpan<byte> wkb, ref int p, ref Box box, int depth)
    {
        if (depth > 32)
        {
            throw new FormatException("WKB nested too deeply");
        }
        var little = Byte(wkb, ref p) == 1;
        var code = UInt(wkb, ref p, little);
        var hasZ = (code & 0x80000000) != 0;
        var hasM = (code & 0x40000000) != 0;
        if ((code & 0x20000000) != 0)
        {
            UInt(wkb, ref p, little); // EWKB SRID
        }
        code &= 0x0FFFFFFF;
        var iso = code / 1000;
        code %= 1000;
        hasZ |= iso is 1 or 3;
        hasM |= iso is 2 or 3;
        if (code is < 1 or > 7)
        {
            throw new FormatException($"WKB geometry type {code} is unknown");
        }
        var dims = 2 + (hasZ ? 1 : 0) + (hasM ? 1 : 0);
        switch (code)
        {
            case 1:
                Points(wkb, ref p, little, 1, dims, ref box);
                break;
            case 2:
                Points(wkb, ref p, little, Count(wkb, ref p, little, dims * 8), dims, ref box);
                break;
            case 3:
            {
                var rings = Count(wkb, ref p, little, 4);
                for (var r = 0; r < rings; r++)
                {
                    Points(wkb, ref p, little, Count(wkb, ref p, little, dims * 8), dims, ref box);
                }
                break;
            }
            default:
            {
                var parts = Count(wkb, ref p, little, 5);
                for (var k = 0; k < parts; k++)
                {
                    Geometry(wkb, ref p, ref box, depth + 1);
                }
                break;
            }
        }
        return hasZ ? NamesZ[code] : Names[code];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Points(ReadOnlySpan<byte> wkb, ref int p, bool little, int n, int dims, ref Box box)
    {
        if ((long)n * dims * 8 > wkb.Length - p)
        {
            throw new FormatException("WKB coordinates run past the value");
        }
        // Plain comparisons against a box that starts at ±infinity; NaN coordinates (empty points) fail them all.
        double xmin = box.XMin, ymin = box.YMin, xmax = box.XMax, ymax = box.YMax;
        var stride = dims * 8;
        var points = wkb.Slice(p, n * stride);
        for (var q = 0; q < points.Length; q += stride)
        {
            var x = little ? BinaryPrimitives.ReadDoubleLittleEndian(points[q..]) : BinaryPrimitives.ReadDoubleBigEndian(points[q..]);
            var y = little ? BinaryPrimitives.ReadDoubleLittleEndian(points[(q + 8)..]) : BinaryPrimitives.ReadDoubleBigEndian(points[(q + 8)..]);
            if (double.IsNaN(x) || double.IsNaN(y))
            {
                continue;
            }
            xmin = x < xmin ? x : xmin;
            xmax = x > xmax ? x : xmax;
            ymin = y < ymin ? y : ymin;
            ymax = y > ymax ? y : ymax;
            box.IsEmpty = false;
        }
        (box.XMin, box.YMin, box.XMax, box.YMax) = (xmin, ymin, xmax, ymax);
        p += n * stride;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Count(ReadOnlySpan<byte> wkb, ref int p, bool little, int minBytesEach)
    {
        var n = UInt(wkb, ref p, little);
        if (n > (uint)(wkb.Length - p) / (uint)minBytesEach)
        {
            throw new FormatException("WKB count runs past the value");
        }
        return (int)n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Byte(ReadOnlySpan<byte> wkb, ref int p) =>
        p < wkb.Length ? wkb[p++] : throw new FormatException("WKB ends early");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint UInt(ReadOnlySpan<byte> wkb, ref int p, bool little)
    {
        if (p + 4 > wkb.Length)
        {
            throw new FormatException("WKB ends early");
        }
        var v = little ? BinaryPrimitives.ReadUInt32LittleEndian(wkb[p..]) : BinaryPrimitives.ReadUInt32BigEndian(wkb[p..]);
        p += 4;
        return v;
    }
}

/// <summary>An axis-aligned box that starts empty.</summary>
internal struct Box
{
    public double XMin, YMin, XMax, YMax;
    public bool IsEmpty;

    public static Box Empty => new() { XMin = double.PositiveInfinity, YMin = double.PositiveInfinity, XMax = double.NegativeInfinity, YMax = double.NegativeInfinity, IsEmpty = true };

    public void Add(double x, double y)
    {
        IsEmpty = false;
        XMin = Math.Min(XMin, x);
        YMin = Math.Min(YMin, y);
        XMax = Math.Max(XMax, x);
        YMax = Math.Max(YMax, y);
    }

    public void Add(Box other)
    {
        if (!other.IsEmpty)
        {
            Add(other.XMin, other.YMin);
            Add(other.XMax, other.YMax);
        }
    }
}
