namespace SmartRegion.Geo.Tiles3d;

/// <summary>
/// The one colour scale of annual irradiation (kWh/m²/yr) shared by the 3D tiles' vertex colours and the map's legend
/// (which reads it from the tileset): a perceptually ordered ramp (matplotlib's "magma", sampled), dark where a roof gets
/// little sun, pale yellow where it gets most, its stops on the suitability bands' edges.
/// </summary>
public static class IrradiationColours
{
    /// <summary>Ramp stops: irradiation (kWh/m²/yr) → sRGB. Below the first and above the last the end colours hold.</summary>
    public static readonly (double KwhPerM2, byte R, byte G, byte B)[] Stops =
    [
        (600, 0x2d, 0x11, 0x60),
        (800, 0x72, 0x1f, 0x81),
        (1000, 0xb7, 0x37, 0x79),
        (1200, 0xf1, 0x60, 0x5d),
        (1400, 0xfe, 0xaf, 0x77),
        (1600, 0xfc, 0xfd, 0xbf),
    ];

    /// <summary>Walls: a warm neutral grey, so that only roofs carry the scale.</summary>
    public static readonly (byte R, byte G, byte B) Wall = (0xb4, 0xaf, 0xa6);

    /// <summary>The roof of a building without a solar result.</summary>
    public static readonly (byte R, byte G, byte B) NoResult = (0x80, 0x80, 0x80);

    /// <summary>The ramp's colour for an irradiation, interpolated linearly in sRGB between stops.</summary>
    public static (byte R, byte G, byte B) ForIrradiation(double kwhPerM2)
    {
        if (!double.IsFinite(kwhPerM2) || kwhPerM2 <= Stops[0].KwhPerM2)
        {
            return (Stops[0].R, Stops[0].G, Stops[0].B);
        }
        for (var i = 1; i < Stops.Length; i++)
        {
            if (kwhPerM2 <= Stops[i].KwhPerM2)
            {
                var a = Stops[i - 1];
                var b = Stops[i];
                var f = (kwhPerM2 - a.KwhPerM2) / (b.KwhPerM2 - a.KwhPerM2);
                return (Lerp(a.R, b.R, f), Lerp(a.G, b.G, f), Lerp(a.B, b.B, f));
            }
        }
        var last = Stops[^1];
        return (last.R, last.G, last.B);
    }

    private static byte Lerp(byte a, byte b, double f) => (byte)Math.Round(a + (b - a) * f);

    /// <summary>"#rrggbb" of a colour (for the legend in the tileset).</summary>
    public static string Hex((byte R, byte G, byte B) c) => $"#{c.R:x2}{c.G:x2}{c.B:x2}";
}
