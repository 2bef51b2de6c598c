using System.Numerics;

namespace SmartRegion.Geo.Readers;

/// <summary>
/// The double a JSON number denotes, correctly rounded, for the numbers files hold, without a general-purpose parser:
/// <list type="bullet">
/// <item>at most 15 significant digits and a decimal exponent within ±22: the integer digits and the power of ten are both
/// exact doubles, so one multiplication or division rounds correctly (Clinger's fast path);</item>
/// <item>longer ones (a GDAL export writes Lyon's coordinates with 22 significant digits, <c>1841205.541376449167728</c>):
/// the first 19 significant digits times a 128-bit power of five (Eisel–Lemire; D. Lemire, "Number parsing at a gigabyte
/// per second", Software: Practice and Experience 51(8), 2021; N. Mushtak and D. Lemire, "Fast number parsing without
/// fallback", 2023). When digits are cut, the 19 digits and the 19 digits plus one unit must round to the same double,
/// else the caller's general parser decides.</item>
/// </list>
/// Every double it gives is, bit for bit, what <see cref="double.Parse(string)"/> gives; it declines (false) subnormal and
/// out-of-range results, and the rare undecidable cut. .NET's own parser takes the slow arbitrary-precision path beyond 19
/// digits: about 0.2 µs more per number, 40 numbers per building.
/// </summary>
public static class JsonNumber
{
    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    private const int SmallestPowerOfTen = -342; // below, every 19-digit mantissa rounds to zero
    private const int LargestPowerOfTen = 308; // above, to infinity
    private const int MantissaBits = 52; // IEEE 754 binary64's explicit mantissa bits
    private const int MinimumExponent = -1023;
    private const int InfinitePower = 0x7FF;
    private const ulong NineteenDigits = 1_000_000_000_000_000_000;

    // 5^q for q in [-342, 308], normalised to 128 bits (most significant bit set): truncated for q ≥ 0, for q < 0 the
    // reciprocal's top 128 bits plus one — the table Lemire's paper specifies. Made once (651 BigInteger steps, < 5 ms).
    private static readonly ulong[] PowersOfFive = MakePowersOfFive();

    /// <summary>
    /// Parses <paramref name="text"/>, one JSON number token (as <c>Utf8JsonReader.ValueSpan</c> gives it); false when it is
    /// not one or when the result needs the general parser (subnormal, out of range, an undecidable cut of digits).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (i < text.Length && text[i] == (byte)'-')
        {
            negative = true;
            i++;
        }
        var number = new Digits();
        var start = i;
        number.Read(text, ref i, fraction: false);
        if (i == start)
        {
            return false;
        }
        if (i < text.Length && text[i] == (byte)'.')
        {
            start = ++i;
            number.Read(text, ref i, fraction: true);
            if (i == start)
            {
                return false;
            }
        }
        var exponent = number.Exponent;
        if (i < text.Length && (text[i] | 0x20) == (byte)'e')
        {
            i++;
            var exponentNegative = false;
            if (i < text.Length && text[i] is (byte)'+' or (byte)'-')
            {
                exponentNegative = text[i] == (byte)'-';
                i++;
            }
            var written = 0;
            start = i;
            for (; i < text.Length && (uint)(text[i] - '0') <= 9; i++)
            {
                if (written > 100_000)
                {
                    return false;
                }
                written = written * 10 + (text[i] - '0');
            }
            if (i == start)
            {
                return false;
            }
            exponent += exponentNegative ? -written : written;
        }
        if (i != text.Length)
        {
            return false;
        }
        if (number.Mantissa == 0)
        {
            value = negative ? -0.0 : 0.0;
            return true;
        }
        if (number.Count <= 15 && exponent is >= -22 and <= 22)
        {
            var m = (double)number.Mantissa;
            value = exponent >= 0 ? m * PowersOfTen[exponent] : m / PowersOfTen[-exponent];
        }
        else
        {
            var bits = Binary(exponent, number.Mantissa);
            if (bits < 0 || (number.Cut && Binary(exponent, number.Mantissa + 1) != bits))
            {
                return false;
            }
            value = BitConverter.Int64BitsToDouble(bits);
        }
        if (negative)
        {
            value = -value;
        }
        return true;
    }

    // The first 19 significant digits as an integer, the decimal exponent of its last digit, and whether digits were cut.
    private struct Digits
    {
        public ulong Mantissa;
        public int Count; // significant digits read (leading zeros not counted), cut ones included
        public int Exponent;
        public bool Cut;

        public void Read(ReadOnlySpan<byte> text, ref int i, bool fraction)
        {
            for (; i < text.Length && (uint)(text[i] - '0') <= 9; i++)
            {
                var digit = (uint)(text[i] - '0');
                if (Mantissa == 0 && digit == 0 && !Cut)
                {
                    Exponent -= fraction ? 1 : 0;
                    continue;
                }
                Count++;
                if (Mantissa < NineteenDigits && !Cut)
                {
                    Mantissa = Mantissa * 10 + digit;
                    Exponent -= fraction ? 1 : 0;
                }
                else
                {
                    Cut = true; // an integer digit past the 19th scales by ten; a fraction digit past it is dropped
                    Exponent += fraction ? 0 : 1;
                }
            }
        }
    }

    // w × 10^q (w > 0) rounded to the nearest double, as the double's bits; -1 when the result is subnormal, zero or
    // infinite (the general parser handles those).
    private static long Binary(int q, ulong w)
    {
        if (q < SmallestPowerOfTen || q > LargestPowerOfTen)
        {
            return -1;
        }
        var leadingZeros = BitOperations.LeadingZeroCount(w);
        w <<= leadingZeros;
        var index = 2 * (q - SmallestPowerOfTen);
        var high = Math.BigMul(w, PowersOfFive[index], out var low);
        const ulong precisionMask = ulong.MaxValue >> (MantissaBits + 3);
        if ((high & precisionMask) == precisionMask)
        {
            var secondHigh = Math.BigMul(w, PowersOfFive[index + 1], out _);
            low += secondHigh;
            if (secondHigh > low)
            {
                high++;
            }
        }
        var upperBit = (int)(high >> 63);
        var shift = upperBit + 64 - MantissaBits - 3;
        var mantissa = high >> shift;
        var power2 = (((152170 + 65536) * q) >> 16) + 63 + upperBit - leadingZeros - MinimumExponent;
        if (power2 <= 0)
        {
            return -1;
        }
        // Exactly between two doubles (possible only where 5^q fits in 64 bits): round to even.
        if (low <= 1 && q is >= -4 and <= 23 && (mantissa & 3) == 1 && (mantissa << shift) == high)
        {
            mantissa &= ~1UL;
        }
        mantissa += mantissa & 1;
        mantissa >>= 1;
        if (mantissa >= 2UL << MantissaBits)
        {
            mantissa = 1UL << MantissaBits;
            power2++;
        }
        mantissa &= ~(1UL << MantissaBits);
        if (power2 >= InfinitePower)
        {
            return -1;
        }
        return (long)(mantissa | ((ulong)power2 << MantissaBits));
    }

    private static ulong[] MakePowersOfFive()
    {
        var table = new ulong[2 * (LargestPowerOfTen - SmallestPowerOfTen + 1)];
        var two128 = BigInteger.One << 128;
        for (var q = SmallestPowerOfTen; q <= LargestPowerOfTen; q++)
        {
            BigInteger c;
            if (q >= 0)
            {
                c = BigInteger.Pow(5, q);
                var bits = (int)c.GetBitLength();
                c = bits < 128 ? c << (128 - bits) : c >> (bits - 128);
            }
            else
            {
                var power5 = BigInteger.Pow(5, -q);
                var z = (int)power5.GetBitLength(); // 2^z ≥ 5^-q
                var b = q >= -27 ? z + 127 : 2 * z + 128;
                c = (BigInteger.One << b) / power5 + 1;
                while (c >= two128)
                {
                    c >>= 1;
                }
            }
            var index = 2 * (q - SmallestPowerOfTen);
            table[index] = (ulong)(c >> 64);
            table[index + 1] = (ulong)(c & ulong.MaxValue);
        }
        return table;
    }
}
