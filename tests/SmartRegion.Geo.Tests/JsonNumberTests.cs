using System.Globalization;
using System.Text;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Geo.Tests;

// The short-number path must give, bit for bit, what the general parser gives, or decline.
public sealed class JsonNumberTests
{
    private static void AssertSameAsDoubleParse(string text)
    {
        var expected = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (JsonNumber.TryParseShort(Encoding.ASCII.GetBytes(text), out var value))
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
    [InlineData("1234567890123456", false)] // 16 significant digits
    [InlineData("2.3598765432109876", false)]
    [InlineData("1e23", false)]
    [InlineData("1e-23", false)]
    [InlineData("1e400", false)]
    public void TryParseShort_KnownNumbers_FastWhenShortAndExact(string text, bool fast)
    {
        Assert.Equal(fast, JsonNumber.TryParseShort(Encoding.ASCII.GetBytes(text), out _));
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
    public void TryParseShort_NotANumber_Declines(string text) => Assert.False(JsonNumber.TryParseShort(Encoding.ASCII.GetBytes(text), out _));

    [Fact]
    public void TryParseShort_RandomNumbers_BitForBitDoubleParse()
    {
        var random = new Random(20261202);
        for (var n = 0; n < 300_000; n++)
        {
            var digits = random.Next(1, 19);
            var mantissa = new string(Enumerable.Range(0, digits).Select(_ => (char)('0' + random.Next(10))).ToArray());
            var point = random.Next(digits + 1);
            var text = (random.Next(4) == 0 ? "-" : "") + (point == digits ? mantissa : mantissa[..Math.Max(point, 1)] + "." + mantissa[Math.Max(point, 1)..]);
            if (text.EndsWith('.'))
            {
                text += "0";
            }
            if (random.Next(3) == 0)
            {
                text += (random.Next(2) == 0 ? "e" : "E") + (random.Next(3) switch { 0 => "-", 1 => "+", _ => "" }) + random.Next(0, 30);
            }
            AssertSameAsDoubleParse(text);
        }
    }
}
