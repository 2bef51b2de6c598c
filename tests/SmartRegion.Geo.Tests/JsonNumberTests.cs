using System.Globalization;
using System.Numerics;
using System.Text;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Geo.Tests;

// The number path must give, bit for bit, what the general parser gives, or decline.
public sealed class JsonNumberTests
{
    private static void AssertSameAsDoubleParse(string text)
    {
        var expected = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (JsonNumber.TryParse(Encoding.ASCII.GetBytes(text), out var value))
        {
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(value), $"{text}: {value:R} instead of {expected:R}");
        }
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("-0", true)]
    [InlineData("-0.0e5", true)]
    [InlineData("841094.2", true)]
    [InlineData("6520572.3", true)]
    [InlineData("2.35", true)]
    [InlineData("48.8566", true)]
    [InlineData("0.1", true)]
    [InlineData("1e22", true)]
    [InlineData("1E-22", true)]
    [InlineData("123456789012345", true)]
    [InlineData("0.000000000000000000001", true)]
    [InlineData("1234567890123456", true)] // 16 significant digits
    [InlineData("2.3598765432109876", true)]
    [InlineData("1841205.541376449167728", true)] // Lyon's GDAL export: 22 significant digits
    [InlineData("5175890.123456789012345678901234567890", true)]
    [InlineData("9007199254740993", true)] // 2^53 + 1: halfway, rounds to even
    [InlineData("1e23", true)]
    [InlineData("1e-23", true)]
    [InlineData("1.7976931348623157e308", true)]
    [InlineData("2.2250738585072014e-308", true)] // the smallest normal double
    [InlineData("1e400", false)] // infinite: the general parser's
    [InlineData("4.9e-324", false)] // subnormal: the general parser's
    [InlineData("2.2250738585072011e-308", false)]
    [InlineData("1e-400", false)]
    public void TryParse_KnownNumbers_ParsedOrLeftToTheGeneralParser(string text, bool parsed)
    {
        Assert.Equal(parsed, JsonNumber.TryParse(Encoding.ASCII.GetBytes(text), out _));
        AssertSameAsDoubleParse(text);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("1x")]
    [InlineData("--1")]
    public void TryParse_NotANumber_Declines(string text) => Assert.False(JsonNumber.TryParse(Encoding.ASCII.GetBytes(text), out _));

    [Fact]
    public void TryParse_RandomNumbers_BitForBitDoubleParse()
    {
        var random = new Random(20261202);
        for (var n = 0; n < 300_000; n++)
        {
            var digits = random.Next(1, 30);
            var mantissa = new string(Enumerable.Range(0, digits).Select(_ => (char)('0' + random.Next(10))).ToArray());
            var point = random.Next(digits + 1);
            var text = (random.Next(4) == 0 ? "-" : "") + (point == digits ? mantissa : mantissa[..Math.Max(point, 1)] + "." + mantissa[Math.Max(point, 1)..]);
            if (text.EndsWith('.'))
            {
                text += "0";
            }
            if (random.Next(3) == 0)
            {
                text += (random.Next(2) == 0 ? "e" : "E") + (random.Next(3) switch { 0 => "-", 1 => "+", _ => "" }) + random.Next(0, random.Next(2) == 0 ? 30 : 340);
            }
            AssertSameAsDoubleParse(text);
        }
    }

    // Coordinates as GDAL writes them (22 significant digits), and every double's shortest and 17-digit forms.
    [Fact]
    public void TryParse_CoordinatesAndRoundTrips_BitForBitAndNeverDeclined()
    {
        var random = new Random(20261207);
        var declined = 0;
        for (var n = 0; n < 200_000; n++)
        {
            var coordinate = random.NextDouble() * 7_000_000;
            foreach (var text in new[] { coordinate.ToString("F15", CultureInfo.InvariantCulture), coordinate.ToString("R", CultureInfo.InvariantCulture) })
            {
                AssertSameAsDoubleParse(text);
                declined += JsonNumber.TryParse(Encoding.ASCII.GetBytes(text), out _) ? 0 : 1;
            }
            var any = BitConverter.Int64BitsToDouble(random.NextInt64(0x0010_0000_0000_0000, 0x7FF0_0000_0000_0000));
            AssertSameAsDoubleParse(any.ToString("R", CultureInfo.InvariantCulture));
            AssertSameAsDoubleParse(any.ToString("G17", CultureInfo.InvariantCulture));
        }
        Assert.True(declined < 100, $"{declined} of 400,000 coordinates left to the general parser");
    }

    // Exactly halfway between two doubles (ties go to the even one), and a hair either side of halfway.
    [Fact]
    public void TryParse_HalfwayBetweenTwoDoubles_RoundsLikeDoubleParse()
    {
        var random = new Random(7);
        for (var n = 0; n < 20_000; n++)
        {
            var bits = n % 2 == 0
                ? random.NextInt64(0x0010_0000_0000_0000, 0x7FE0_0000_0000_0000)
                : BitConverter.DoubleToInt64Bits(random.NextDouble() * 7_000_000);
            var exponent = (int)((bits >> 52) & 0x7FF) - 1075; // the double is mantissa × 2^exponent
            var mantissa = (bits & 0xF_FFFF_FFFF_FFFF) | (1L << 52);
            var twice = new BigInteger(2 * mantissa + 1); // halfway to the next double: (2m + 1) × 2^(exponent - 1)
            var k = exponent - 1;
            var digits = k >= 0 ? (twice << k).ToString() : (twice * BigInteger.Pow(5, -k)).ToString();
            var scale = k >= 0 ? 0 : -k;
            foreach (var text in new[] { digits, digits + "1", digits[..^1] + "49999999" })
            {
                var extra = text.Length - digits.Length;
                AssertSameAsDoubleParse(text + "e" + (-(scale + extra)).ToString(CultureInfo.InvariantCulture));
            }
        }
    }
}
