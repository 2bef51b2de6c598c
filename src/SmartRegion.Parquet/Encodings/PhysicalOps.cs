using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using SmartRegion.Parquet.Format;

namespace SmartRegion.Parquet.Encodings;

/// <summary>Per physical type: PLAIN encoding, ordering for statistics, and equality for dictionaries.</summary>
internal abstract class PhysicalOps<T> where T : notnull
{
    public abstract PhysicalType Type { get; }

    public virtual bool CanDictionary => true;

    public virtual IEqualityComparer<T> Comparer => EqualityComparer<T>.Default;

    /// <summary>Bytes one value takes in PLAIN.</summary>
    public abstract int PlainSize(T value);

    /// <summary>Fixed PLAIN width, or 0 when values vary in size.</summary>
    public abstract int FixedSize { get; }

    public abstract void WritePlain(ReadOnlySpan<T> values, ByteBuffer output);

    public abstract int Compare(T a, T b);

    /// <summary>False for values that must not take part in min/max (NaN).</summary>
    public virtual bool Orderable(T value) => true;

    public abstract byte[] StatisticBytes(T value);

    /// <summary>Whether the deprecated min/max fields (signed order) may also be written.</summary>
    public virtual bool SignedOrder => true;
}

internal sealed class BoolOps : PhysicalOps<bool>
{
    public static readonly BoolOps Instance = new();

    public override PhysicalType Type => PhysicalType.Boolean;

    public override bool CanDictionary => false;

    public override int FixedSize => 1;

    public override int PlainSize(bool value) => 1;

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
    : PhysicalOps<T>, IEqualityComparer<T> where T : unmanaged, IEquatable<T>
{
    private static readonly int Size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    public override PhysicalType Type => type;

    public override int FixedSize => Size;

    // Bitwise, so -0.0 and 0.0 (and NaN payloads) keep their identity through the dictionary.
    public override IEqualityComparer<T> Comparer => this;

    public bool Equals(T x, T y) => MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in x)).SequenceEqual(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in y)));

    public int GetHashCode(T obj) => Size == 8
        ? MemoryMarshal.Read<long>(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in obj))).GetHashCode()
        : MemoryMarshal.Read<int>(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in obj)));

    public override int PlainSize(T value) => Size;

    public override void WritePlain(ReadOnlySpan<T> values, ByteBuffer output) => MemoryMarshal.AsBytes(values).CopyTo(output.Reserve(values.Length * Size));

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

    public override IEqualityComparer<string> Comparer => StringComparer.Ordinal;

    public override int FixedSize => 0;

    public override int PlainSize(string value) => 4 + Encoding.UTF8.GetByteCount(value);

    public override void WritePlain(ReadOnlySpan<string> values, ByteBuffer output)
    {
        foreach (var s in values)
        {
            output.Ensure(4 + Encoding.UTF8.GetMaxByteCount(s.Length));
            var start = output.Length;
            output.Length += 4;
            var n = Encoding.UTF8.GetBytes(s, output.Array.AsSpan(output.Length));
            BinaryPrimitives.WriteInt32LittleEndian(output.Array.AsSpan(start), n);
            output.Length += n;
        }
    }

    // UTF-16 ordinal order differs from UTF-8 byte order only for surrogates versus U+E000..U+FFFF; shift them.
    public override int Compare(string a, string b)
    {
        var i = a.AsSpan().CommonPrefixLength(b);
        return i < a.Length && i < b.Length ? Key(a[i]).CompareTo(Key(b[i])) : a.Length.CompareTo(b.Length);
    }

    private static int Key(char c) => c >= 0xD800 ? (c >= 0xE000 ? c - 0x800 : c + 0x2000) : c;

    public override byte[] StatisticBytes(string value) => Encoding.UTF8.GetBytes(value);

    public override bool SignedOrder => false;
}

/// <summary>BYTE_ARRAY (or FIXED_LEN_BYTE_ARRAY when <paramref name="fixedLength"/> &gt; 0) from byte arrays.</summary>
internal sealed class BytesOps(int fixedLength) : PhysicalOps<byte[]>, IEqualityComparer<byte[]>
{
    public override PhysicalType Type => fixedLength > 0 ? PhysicalType.FixedLenByteArray : PhysicalType.ByteArray;

    public override IEqualityComparer<byte[]> Comparer => this;

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj)
    {
        var h = new HashCode();
        h.AddBytes(obj);
        return h.ToHashCode();
    }

    public override int FixedSize => fixedLength;

    public override int PlainSize(byte[] value) => fixedLength > 0 ? fixedLength : 4 + value.Length;

    public override void WritePlain(ReadOnlySpan<byte[]> values, ByteBuffer output)
    {
        foreach (var v in values)
        {
            if (fixedLength == 0)
            {
                output.WriteInt32(v.Length);
            }
            output.Write(v);
        }
    }

    public override int Compare(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b);

    public override byte[] StatisticBytes(byte[] value) => value;

    public override bool SignedOrder => false;
}
