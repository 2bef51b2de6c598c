using System.Buffers;
using System.Text;
using System.Text.Json;
using SmartRegion.Geo.Crs;

namespace SmartRegion.Rooftop.Tests;

/// <summary>The report's positions: written fast, the same text as before.</summary>
public sealed class ReportDocumentTests
{
    /// <summary>
    /// The report's own writer of 7-decimal positions gives, character for character, what Utf8JsonWriter writes for
    /// Math.Round(v, 7): longitudes and latitudes of France and beyond, altitudes, values that round to few or no decimals,
    /// negative ones, and those the general writer keeps (tiny, huge, zero, non-finite).
    /// </summary>
    [Fact]
    public void WriteRounded7_SameTextAsTheGeneralWriter()
    {
        var random = new Random(20261207);
        var values = new List<double>
        {
            0, -0.0, 1, -1, 2.5, 48.9, 0.0001, 0.00012345678, 0.00009999, 1e-5, -1e-7, 4e-8, 99999999.99999994, 1e8, 1e15, 123456789.123,
            2.3614, 48.90825, -4.4861, 0.1, 0.7, 1.0000001, 9.9999999, 29.9999999949, double.MaxValue, double.Epsilon,
        };
        for (var i = 0; i < 200_000; i++)
        {
            values.Add(random.Next(4) switch
            {
                0 => -5.5 + 15 * random.NextDouble(),             // longitudes of metropolitan France and around
                1 => 41 + 11 * random.NextDouble(),               // latitudes
                2 => -20 + 5000 * random.NextDouble(),            // altitudes (m)
                _ => Math.Round((random.NextDouble() - 0.5) * 400, random.Next(8)) + random.Next(-3, 4) * 1e-9, // few decimals, near halves
            });
        }
        var mismatches = new List<string>();
        foreach (var v in values)
        {
            var expected = Write(w => w.WriteNumberValue(Math.Round(v, 7)));
            var actual = Write(w => ReportDocument.WriteRounded7(w, v));
            if (expected != actual && mismatches.Count < 10)
            {
                mismatches.Add($"{v:R}: {expected} expected, {actual} written");
            }
        }
        Assert.True(mismatches.Count == 0, string.Join("; ", mismatches));
    }

    /// <summary>Lambert-93 positions go to WGS 84 in closed form, within a millimetre of ProjNet's general pipeline.</summary>
    [Theory]
    [InlineData(652469.0, 6862035.0)]   // Paris
    [InlineData(655512.3, 6871234.9)]   // Saint-Denis
    [InlineData(1200000.0, 6100000.0)]  // Nice
    [InlineData(160000.0, 6840000.0)]   // Brest
    public void CrsTransform_Lambert93ToWgs84_IsTheClosedForm(double x, double y)
    {
        var (lon, lat) = CrsTransform.Create(KnownCrs.Lambert93, KnownCrs.Wgs84).Transform(x, y);
        var (closedLon, closedLat) = Lambert93.ToGeographicDeg(x, y);
        Assert.Equal(closedLon, lon);
        Assert.Equal(closedLat, lat);
        // And back through ProjNet's forward projection (the general pipeline from WGS 84): the same point within 1 mm.
        var (bx, by) = CrsTransform.Create(KnownCrs.Wgs84, KnownCrs.Lambert93).Transform(lon, lat);
        Assert.True(Math.Abs(bx - x) < 1e-3 && Math.Abs(by - y) < 1e-3, $"({x}, {y}) → ({lon}, {lat}) → ({bx}, {by})");
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            write(w);
            write(w);
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
