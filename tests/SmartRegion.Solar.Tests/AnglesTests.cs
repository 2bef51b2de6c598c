namespace SmartRegion.Solar.Tests;

public sealed class AnglesTests
{
    [Theory]
    [InlineData(0, 90)]     // math east is compass east
    [InlineData(90, 0)]     // math north
    [InlineData(180, 270)]
    [InlineData(-90, 180)]
    [InlineData(450, 0)]
    public void CompassFromMathDeg_CounterClockwiseFromEast_IsClockwiseFromNorth(double mathDeg, double compassDeg) =>
        Assert.Equal(compassDeg, Angles.CompassFromMathDeg(mathDeg), 1e-12);

    [Fact]
    public void VectorToCompass_OfCompassToHorizontalVector_GivesTheAzimuthBack()
    {
        for (var azimuth = 0.0; azimuth < 360; azimuth += 7.5)
        {
            var (east, north) = Angles.CompassToHorizontalVector(azimuth);
            Assert.Equal(azimuth, Angles.VectorToCompass(east, north), 1e-9);
            var (e3, n3, up) = Angles.CompassToVector(azimuth, 0);
            Assert.Equal((east, north, 0.0), (e3, n3, up));
        }
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(360.0, 0.0)]
    [InlineData(-90.0, 270.0)]
    [InlineData(725.5, 5.5)]
    [InlineData(-1e-15, 0.0)] // -1e-15 + 360 rounds to 360: still in [0, 360)
    public void Normalize360Deg_StaysInZeroTo360(double deg, double expected)
    {
        var r = Angles.Normalize360Deg(deg);
        Assert.Equal(expected, r, 1e-12);
        Assert.InRange(r, 0.0, 359.999999999);
    }
}
