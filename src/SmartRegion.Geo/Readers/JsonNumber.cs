namespace SmartRegion.Geo.Readers;

/// <summary>
/// The double a JSON number denotes, for the common short ones without a general-purpose parser: at most 15 significant digits
/// and a decimal exponent within ±22 make the integer digits and the power of ten both exact doubles, so one multiplication
/// or division rounds correctly (Clinger's fast path) and gives exactly what <see cref="double.Parse(string)"/> gives.
/// Coordinates are such numbers, and converting them was a tenth of a building's parse.
/// </summary>
public static class JsonNumber
{
    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>
    /// Parses <paramref name="text"/>, one JSON number token (as <c>Utf8JsonReader.ValueSpan</c> gives it), when the fast path
    /// applies; false otherwise (the caller then uses the general parser).
    /// </summary>
    public static bool TryParseShort(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (i < text.Length && text[i] == (byte)'-')
        {
            negative = true;
            i++;
        }
        ulong mantissa = 0;
        var digits = 0; // significant digits in the mantissa (leading zeros not counted)
        var exponent = 0; // decimal exponent of the mantissa's last digit
        var start = i;
        if (!Digits(text, ref i, ref mantissa, ref digits, ref exponent, fraction: false) || i == start)
        {
            return false;
        }
        if (i < text.Length && text[i] == (byte)'.')
        {
            start = ++i;
            if (!Digits(text, ref i, ref mantissa, ref digits, ref exponent, fraction: true) || i == start)
            {
                return false;
            }
        }
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
                if (written > 1000)
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
        if (mantissa == 0)
        {
            value = negative ? -0.0 : 0.0;
            return true;
        }
        if (exponent is < -22 or > 22)
        {
            return false;
        }
        var m = (double)mantissa;
        value = exponent >= 0 ? m * PowersOfTen[exponent] : m / PowersOfTen[-exponent];
        if (negative)
        {
            value = -value;
        }
        return true;
    }

    // Adds the digits at i to the mantissa (a fraction's lower its exponent); false past 15 significant digits.
    private static bool Digits(ReadOnlySpan<byte> text, ref int i, ref ulong mantissa, ref int digits, ref int exponent, bool fraction)
    {
        for (; i < text.Length && (uint)(text[i] - '0') <= 9; i++)
        {
            if (fraction)
            {
                exponent--;
            }
            if (mantissa == 0 && text[i] == (byte)'0')
            {
                continue;
            }
            if (++digits > 15)
            {
                return false;
            }
            mantissa = mantissa * 10 + (uint)(text[i] - '0');
        }
        return true;
    }
}
