using SmartRegion.Testing;

namespace SmartRegion.Solar.Tests;

public sealed class HorizonAndPvTests
{
    [Fact]
    public void HorizonProfile_Parse_InterpolatesAndWrapsThroughNorth()
    {
        var h = HorizonProfile.Parse("0:10, 90:20, 180:0, 270:30");
        Assert.Equal(15, h.ElevationAtDeg(45), 1e-12);
        Assert.Equal(20, h.ElevationAtDeg(90), 1e-12);
        Assert.Equal(20, h.ElevationAtDeg(315), 1e-12); // between 270:30 and 360(=0):10
        Assert.Equal(10, h.ElevationAtDeg(360), 1e-12);
    }

    [Theory]
    [InlineData("0:10,90:20,45:5", "point 3: azimuth 45 does not increase (previous 90); the profile must be monotonic in azimuth")]
    [InlineData("0:10,400:20", "point 2: azimuth 400 is outside [0, 360]")]
    [InlineData("0:10,90", "point 2: '90' is not azimuth:elevation in degrees")]
    [InlineData("0:95", "point 1: elevation 95 is outside [-90, 90]")]
    public void HorizonProfile_Bad_NamesThePoint(string text, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => HorizonProfile.Parse(text));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void HorizonProfile_PvgisFile_Read()
    {
        var path = SharedData.Require("weather/pvgis_horizon_35.171_-106.465.csv");
        var h = HorizonProfile.ParseCsv(File.ReadAllText(path), path);
        Assert.Equal(48, h.AzimuthsDeg.Count);
        Assert.Equal(9.9, h.ElevationAtDeg(0), 1e-12);
        Assert.Equal((9.2 + 9.9) / 2, h.ElevationAtDeg(356.25), 1e-9);
    }

    [Theory]
    [InlineData(0, 180)]
    [InlineData(35, 180)]
    [InlineData(90, 90)]
    [InlineData(120, 0)]
    public void SkyView_FlatHorizon_IsIsotropicFactor(double tilt, double azimuth)
    {
        Assert.Equal((1 + Angles.CosDeg(tilt)) / 2, SkyView.TiltedPlane(tilt, azimuth, HorizonProfile.Flat), 1e-12);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(30)]
    public void SkyView_HorizontalPlaneUnderUniformSkyline_IsCosSquared(double skylineDeg)
    {
        // Analytic: (1/π)∫∫_{h}^{π/2} sin e cos e de dφ = cos² h.
        var h = new HorizonProfile([0.0], [skylineDeg]);
        Assert.Equal(Math.Pow(Angles.CosDeg(skylineDeg), 2), SkyView.TiltedPlane(0, 0, h), 1e-9);
    }

    [Theory]
    [InlineData(30, 180, 20)]
    [InlineData(60, 90, 15)]
    [InlineData(90, 180, 25)]
    [InlineData(130, 200, 10)]
    public void SkyView_TiltedPlane_MatchesBruteForceIntegral(double tilt, double azimuth, double skylineBase)
    {
        // A skyline varying with azimuth; brute force: (1/π) Σ max(n·d, 0) cos e ΔeΔφ over e ≥ max(0, skyline).
        var profile = HorizonProfile.Parse($"0:{skylineBase},90:{skylineBase / 2},180:{skylineBase * 1.5},270:0");
        var (nE, nN, nU) = Angles.PlaneNormal(tilt, azimuth);
        double sum = 0;
        const int nPhi = 720, nE2 = 900;
        for (var i = 0; i < nPhi; i++)
        {
            var phi = (i + 0.5) * 360.0 / nPhi;
            var low = Math.Max(0, profile.ElevationAtDeg(phi)) * Angles.DegToRad;
            var de = (Math.PI / 2 - low) / nE2;
            for (var j = 0; j < nE2; j++)
            {
                var e = low + (j + 0.5) * de;
                var dot = Math.Cos(e) * (nE * Angles.SinDeg(phi) + nN * Angles.CosDeg(phi)) + nU * Math.Sin(e);
                sum += Math.Max(dot, 0) * Math.Cos(e) * de;
            }
        }
        var brute = sum * (2 * Math.PI / nPhi) / Math.PI;
        Assert.Equal(brute, SkyView.TiltedPlane(tilt, azimuth, profile), 2e-4);
    }

    [Theory]
    // pvlib tests/test_iam.py test_physical (n 1.526, L 0.002, K 4).
    [InlineData(-90, 0)]
    [InlineData(-67.5, 0.8893998)]
    [InlineData(22.5, 0.99926198)]
    [InlineData(45, 0.98797788)]
    [InlineData(0, 1)]
    [InlineData(90, 0)]
    public void Iam_Physical_PvlibValues(double aoi, double expected) =>
        Assert.Equal(expected, IncidenceAngleModifier.Physical(aoi), 1e-7);

    [Fact]
    public void Faiman_PvlibDefaults()
    {
        Assert.Equal(20 + 900 / (25 + 6.84 * 5), CellTemperature.Faiman(900, 20, 5), 1e-12);
        Assert.Equal(35.202702702702705, CellTemperature.Faiman(900, 20, 5), 1e-9);
    }

    [Fact]
    public void PvWatts_ReferenceAndHot()
    {
        Assert.Equal(1000, PvWatts.DcPowerW(1000, 25, 1000, -0.0037), 1e-9);
        Assert.Equal(1000 * 0.8 * (1 - 0.0037 * 20), PvWatts.DcPowerW(800, 45, 1000, -0.0037), 1e-9);
    }
}
