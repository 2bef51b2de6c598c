using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using SmartRegion.Parquet.Format;

namespace SmartRegion.Parquet.Encodings;

/// <summary>How a physical type's PLAIN bytes sit in memory, which decides how a column chunk is encoded.</summary>
internal enum PlainLayout
{
    /// <summary>Little-endian numbers: the values' memory is their PLAIN encoding, sliced into pages without copying.</summary>
    Fixed,

    /// <summary>Byte arrays: encoded once per chunk into one buffer, with the offset where each value starts.</summary>
    Variable,

    /// <summary>Booleans: bit-packed, encoded page by page.</summary>
    Bits,
}

/// <summary>Per physical type: PLAIN encoding and ordering for statistics. Dictionaries compare PLAIN bytes (<see cref="PlainDictionary"/>).</summary>
internal abstract class PhysicalOps<T> where T : notnull
{
    public abstract PhysicalType Type { get; }

    public abstract PlainLayout Layout { get; }

    public virtual bool CanDictionary => true;

    /// <summary>Fixed PLAIN width, or 0 when values vary in size.</summary>
    public abstract int FixedSize { get; }

    /// <summary>Bytes before each value in its PLAIN slice (BYTE_ARRAY's length), which statistics leave out.</summary>
    public virtual int PrefixBytes => 0;

    /// <summary>PLAIN encoding of <paramref name="values"/>, for <see cref="PlainLayout.Bits"/> pages.</summary>
    public virtual void WritePlain(ReadOnlySpan<T> values, ByteBuffer output) =>
        throw new InvalidOperationException($"{Type} values are not written page by page");

    /// <summary>
    /// PLAIN encoding of <paramref name="values"/> for <see cref="PlainLayout.Variable"/> types: value i is
    /// <c>output[starts[i]..starts[i + 1]]</c> (offsets from where the output stood on entry).
    /// </summary>
    public virtual void WritePlain(ReadOnlySpan<T> values, ByteBuffer output, Span<int> starts) =>
        throw new InvalidOperationException($"{Type} values are not variable-width");

    /// <summary>Order for statistics; byte-array types are ordered by their PLAIN bytes instead.</summary>
    public virtual int Compare(T a, T b) => throw new InvalidOperationException($"{Type} values are ordered as bytes");

    /// <summary>False for values that must not take part in min/max (NaN).</summary>
    public virtual bool Orderable(T value) => true;

    public virtual byte[] StatisticBytes(T value) => throw new InvalidOperationException($"{Type} statistics are PLAIN bytes");

    /// <summary>Whether the deprecated min/max fields (signed order) may also be written.</summary>
    public virtual bool SignedOrder => true;
}

internal sealed class BoolOps : PhysicalOps<bool>
{
    public static readonly BoolOps Instance = new();

    public override PhysicalType Type => PhysicalType.Boolean;

    public override PlainLayout Layout => PlainLayout.Bits;

    public override bool CanDictionary => false;

    public override int FixedSize => 1;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void WritePlain(ReadOnlySpan<bool> values, ByteBuffer output)
    {
        var dst = output.Reserve((values.Length + 7) / 8);
        dst.Clear();
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i])
            {
                dst[i >> 3] |= (byte)(1 << (i & 7));
            }
        }
    }

    public override int Compare(bool a, bool b) => a.CompareTo(b);

    public override byte[] StatisticBytes(bool value) => [value ? (byte)1 : (byte)0];
}

/// <summary>Fixed-width little-endian numbers: INT32, INT64 (signed or unsigned order), FLOAT and DOUBLE.</summary>
internal sealed class NumberOps<T>(PhysicalType type, Comparison<T> compare, bool signedOrder = true, Func<T, bool>? orderable = null)
    : PhysicalOps<T> where T : unmanaged
{
    private static readonly int Size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    public override PhysicalType Type => type;

    public override PlainLayout Layout => PlainLayout.Fixed;

    public override int FixedSize => Size;

    public override int Compare(T a, T b) => compare(a, b);

    public override bool Orderable(T value) => orderable?.Invoke(value) ?? true;

    public override byte[] StatisticBytes(T value) => MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)).ToArray();

    public override bool SignedOrder => signedOrder;
}

internal static class Numbers
{
    public static readonly NumberOps<int> Int32 = new(PhysicalType.Int32, (a, b) => a.CompareTo(b));
    public static readonly NumberOps<int> UInt32 = new(PhysicalType.Int32, (a, b) => ((uint)a).CompareTo((uint)b), signedOrder: false);
    public static readonly NumberOps<long> Int64 = new(PhysicalType.Int64, (a, b) => a.CompareTo(b));
    public static readonly NumberOps<long> UInt64 = new(PhysicalType.Int64, (a, b) => ((ulong)a).CompareTo((ulong)b), signedOrder: false);
    public static readonly NumberOps<float> Float = new(PhysicalType.Float, (a, b) => a.CompareTo(b), orderable: v => !float.IsNaN(v));
    public static readonly NumberOps<double> Double = new(PhysicalType.Double, (a, b) => a.CompareTo(b), orderable: v => !double.IsNaN(v));
}

/// <summary>BYTE_ARRAY from .NET strings, UTF-8 encoded; ordered as unsigned UTF-8 bytes, as Parquet requires.</summary>
internal sealed class StringOps : PhysicalOps<string>
{
    public static readonly StringOps Instance = new();

    public override PhysicalType Type => PhysicalType.ByteArray;

    public override PlainLayout Layout => PlainLayout.Variable;

    public override int FixedSize => 0;

    public override int PrefixBytes => 4;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void WritePlain(ReadOnlySpan<string> values, ByteBuffer output, Span<int> starts)
    {
        var origin = output.Length;
        for (var i = 0; i < values.Length; i++)
        {
            var s = values[i];
            // Room for the worst case (3 bytes per UTF-16 unit), so the transcoder never has to measure first.
            output.Ensure(4 + (s.Length + 1) * 3);
            var start = output.Length;
            starts[i] = start - origin;
            var n = Encoding.UTF8.GetBytes(s, output.Array.AsSpan(start + 4));
            BinaryPrimitives.WriteInt32LittleEndian(output.Array.AsSpan(start), n);
            output.Length = start + 4 + n;
        }
        starts[values.Length] = output.Length - origin;
    }

    public override bool SignedOrder => false;
}

/// <summary>BYTE_ARRAY (or FIXED_LEN_BYTE_ARRAY when <paramref name="fixedLength"/> &gt; 0) from byte arrays.</summary>
internal sealed class BytesOps(int fixedLength) : PhysicalOps<byte[]>
{
    public override PhysicalType Type => fixedLength > 0 ? PhysicalType.FixedLenByteArray : PhysicalType.ByteArray;

    public override PlainLayout Layout => PlainLayout.Variable;

    public override int FixedSize => fixedLength;

    public override int PrefixBytes => fixedLength > 0 ? 0 : 4;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void WritePlain(ReadOnlySpan<byte[]> values, ByteBuffer output, Span<int> starts)
    {
        var origin = output.Length;
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            starts[i] = output.Length - origin;
            if (fixedLength == 0)
            {
                output.WriteInt32(v.Length);
            }
            output.Write(v);
        }
        starts[values.Length] = output.Length - origin;
    }

    public override bool SignedOrder => false;
}
