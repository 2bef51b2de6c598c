using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SmartRegion.Parquet.Encodings;

/// <summary>Vectorised min/max of a column chunk's numbers, for statistics.</summary>
internal static class MinMax
{
    /// <summary>
    /// Min and max of INT32/INT64 (signed or unsigned order) or FLOAT/DOUBLE values, NaN left out; false when
    /// <typeparamref name="T"/> is none of those, so the caller falls back to its comparer.
    /// </summary>
    public static bool TryNumbers<T>(ReadOnlySpan<T> values, bool signed, out T min, out T max, out bool found)
    {
        min = max = default!;
        found = false;
        if (typeof(T) == typeof(int))
        {
            found = signed ? Of(Cast<T, int>(values), out min, out max) : Of(Cast<T, uint>(values), out min, out max);
            return true;
        }
        if (typeof(T) == typeof(long))
        {
            found = signed ? Of(Cast<T, long>(values), out min, out max) : Of(Cast<T, ulong>(values), out min, out max);
            return true;
        }
        if (typeof(T) == typeof(double))
        {
            found = Of(Cast<T, double>(values), out min, out max);
            return true;
        }
        if (typeof(T) == typeof(float))
        {
            found = Of(Cast<T, float>(values), out min, out max);
            return true;
        }
        return false;
    }

    private static ReadOnlySpan<TTo> Cast<TFrom, TTo>(ReadOnlySpan<TFrom> values) =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<TFrom, TTo>(ref MemoryMarshal.GetReference(values)), values.Length);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Of<TNumber, T>(ReadOnlySpan<TNumber> values, out T min, out T max)
        where TNumber : unmanaged, INumber<TNumber>
    {
        TNumber lo, hi;
        var i = 0;
        var width = Vector<TNumber>.Count;
        var nan = false;
        if (Vector.IsHardwareAccelerated && values.Length >= 2 * width)
        {
            var vlo = new Vector<TNumber>(values);
            var vhi = vlo;
            var ordered = Vector.Equals(vlo, vlo);
            for (i = width; i + width <= values.Length; i += width)
            {
                var v = new Vector<TNumber>(values[i..]);
                ordered &= Vector.Equals(v, v); // false lanes are NaN
                vlo = Vector.Min(vlo, v);
                vhi = Vector.Max(vhi, v);
            }
            // A NaN lane can poison a vector min/max either way; such chunks take the scalar loop, which skips NaN.
            nan = !Vector.EqualsAll(ordered, Vector.Equals(Vector<TNumber>.Zero, Vector<TNumber>.Zero));
            lo = vlo[0];
            hi = vhi[0];
            for (var k = 1; k < width; k++)
            {
                lo = TNumber.Min(lo, vlo[k]);
                hi = TNumber.Max(hi, vhi[k]);
            }
        }
        else
        {
            i = 0;
            lo = hi = default;
            nan = true; // no vector result: start the scalar loop from scratch
        }
        var found = !nan;
        if (nan)
        {
            i = 0;
        }
        for (; i < values.Length; i++)
        {
            var v = values[i];
            if (TNumber.IsNaN(v))
            {
                continue;
            }
            if (!found)
            {
                lo = hi = v;
                found = true;
                continue;
            }
            if (v < lo)
            {
                lo = v;
            }
            if (v > hi)
            {
                hi = v;
            }
        }
        min = Unsafe.As<TNumber, T>(ref lo);
        max = Unsafe.As<TNumber, T>(ref hi);
        return found;
    }
}
