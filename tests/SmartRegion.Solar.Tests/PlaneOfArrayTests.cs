namespace SmartRegion.Solar.Tests;

/// <summary>The batch kernel against the hour-by-hour reference, and physical sanity checks on the real files.</summary>
public sealed class PlaneOfArrayTests
{
    private static readonly Lazy<StationSky> PvgisSky = new(() => StationSky.Compute(WeatherReaderTests.Read(WeatherReaderTests.PvgisCsv)));

    public static TheoryData<SkyModel, bool> Models => new()
    {
        { SkyModel.Isotropic, false }, { SkyModel.HayDavies, false }, { SkyModel.Perez, false },
        { SkyModel.Isotropic, true }, { SkyModel.HayDavies, true }, { SkyModel.Perez, true },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Batch_ManyPlanes_EqualsHourlyReference(SkyModel model, bool withHorizon)
    {
        var sky = PvgisSky.Value;
        var batch = new PlaneOfArrayBatch(sky, model, 0.2);
        PlaneOrientation[] distinct = [new(0, 180), new(35, 180), new(30, 90), new(45, 270), new(90, 0), new(20, 135), new(150, 180)];
        // Each plane alone, then in runs of five (a roof face's samples: the hours behind the plane are set aside once).
        var planes = distinct.Concat(distinct.SelectMany(p => Enumerable.Repeat(p, 5))).ToArray();
        var profile = HorizonProfile.Parse("0:12,60:5,120:18,180:8,240:25,300:3");
        var horizons = withHorizon ? planes.SelectMany(_ => profile.ResampleUniform(sky.HorizonSectors)).ToArray() : [];
        var results = new PlaneIrradiation[planes.Length];
        batch.Evaluate(planes, horizons, results);
        for (var p = 0; p < planes.Length; p++)
        {
            var hourly = PlaneOfArray.Hourly(sky, planes[p], model, 0.2, withHorizon ? profile : null);
            var beam = hourly.BeamWPerM2.Sum() / 1000;
            var diffuse = hourly.SkyDiffuseWPerM2.Sum() / 1000;
            var ground = hourly.GroundReflectedWPerM2.Sum() / 1000;
            // The batch works in single precision per hour (sums in double): agreement to ~1e-6 relative.
            Assert.Equal(beam, results[p].BeamKwhPerM2, 1e-5 * Math.Max(1, beam));
            // The batch integrates the sky-view factor over its 72 sectors, the reference over 720 slices.
            Assert.Equal(diffuse, results[p].SkyDiffuseKwhPerM2, 2e-3 * Math.Max(1, diffuse));
            // Reflected light is GHI·albedo·(1 − SVF) under a skyline: the two differ exactly by their SVF quadratures.
            var ghiYear = sky.GhiWPerM2.Sum() / 1000;
            Assert.Equal(ground + 0.2 * ghiYear * (hourly.SkyViewFactor - results[p].SkyViewFactor), results[p].GroundReflectedKwhPerM2, 1e-6 * Math.Max(1, ground));
            var monthlyTotal = 0.0;
            for (var m = 0; m < 12; m++)
            {
                monthlyTotal += results[p].MonthlyKwhPerM2[m];
            }
            Assert.Equal(results[p].AnnualKwhPerM2, monthlyTotal, 1e-9);
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Batch_ManySamplesOfOnePlane_EqualOnePlaneAtATime(SkyModel model, bool tilted)
    {
        // A roof face's samples (a run of one plane, 37: two full groups of sixteen and a partial one, each sample its own
        // skyline, some open, some walled) against the same planes one at a time (interleaved with another plane, so no
        // run forms): the same figures to single-precision noise.
        var sky = PvgisSky.Value;
        var batch = new PlaneOfArrayBatch(sky, model, 0.2);
        var face = tilted ? new PlaneOrientation(35, 160) : new PlaneOrientation(0, 180);
        var other = new PlaneOrientation(20, 90);
        var random = new Random(14);
        const int samples = 37;
        var skylines = Enumerable.Range(0, samples).Select(s => Enumerable.Range(0, sky.HorizonSectors)
            .Select(k => s % 9 == 0 ? 0.0 : s == 5 ? 85.0 : Math.Max(0, random.NextDouble() * (s % 4) * 20 - 10)).ToArray()).ToArray();
        var run = new PlaneIrradiation[samples];
        batch.Evaluate(Enumerable.Repeat(face, samples).ToArray(), skylines.SelectMany(h => h).ToArray(), run);
        var alone = new PlaneIrradiation[2 * samples];
        batch.Evaluate(Enumerable.Range(0, 2 * samples).Select(i => i % 2 == 0 ? face : other).ToArray(),
            skylines.SelectMany(h => h.Concat(h)).ToArray(), alone);
        for (var s = 0; s < samples; s++)
        {
            var expected = alone[2 * s];
            Assert.Equal(expected.SkyViewFactor, run[s].SkyViewFactor, 1e-12);
            Assert.Equal(expected.BeamKwhPerM2, run[s].BeamKwhPerM2, 2e-6 * Math.Max(1, expected.BeamKwhPerM2));
            Assert.Equal(expected.SkyDiffuseKwhPerM2, run[s].SkyDiffuseKwhPerM2, 2e-6 * Math.Max(1, expected.SkyDiffuseKwhPerM2));
            Assert.Equal(expected.GroundReflectedKwhPerM2, run[s].GroundReflectedKwhPerM2, 1e-9);
            Assert.Equal(expected.AnnualKwhPerM2, run[s].AnnualKwhPerM2, 2e-6 * Math.Max(1, expected.AnnualKwhPerM2));
            for (var m = 0; m < 12; m++)
            {
                Assert.Equal(expected.MonthlyKwhPerM2[m], run[s].MonthlyKwhPerM2[m], 2e-6 * Math.Max(1, expected.MonthlyKwhPerM2[m]));
            }
        }
        // A walled sample loses its beam, an open one keeps it.
        Assert.True(run[5].BeamKwhPerM2 < 0.01 * run[0].BeamKwhPerM2);
    }

    private static readonly Lazy<StationSky> NsrdbSky = new(() => StationSky.Compute(WeatherReaderTests.Read(WeatherReaderTests.Nsrdb)));

    public static TheoryData<string, SkyModel> FilesAndModels => new()
    {
        { "pvgis", SkyModel.Isotropic }, { "pvgis", SkyModel.HayDavies }, { "pvgis", SkyModel.Perez },
        { "nsrdb", SkyModel.Isotropic }, { "nsrdb", SkyModel.HayDavies }, { "nsrdb", SkyModel.Perez },
    };

    [Theory]
    [MemberData(nameof(FilesAndModels))]
    public void Batch_EveryTiltAndAzimuth_AnnualWithinHalfPercentMonthlyWithinOnePercentOfReference(string file, SkyModel model)
    {
        // The tolerances, applied to the batch kernel against the hour-by-hour model functions on a 15° grid.
        var sky = file == "pvgis" ? PvgisSky.Value : NsrdbSky.Value;
        var planes = (from tilt in Enumerable.Range(0, 7) from az in Enumerable.Range(0, 24) select new PlaneOrientation(tilt * 15, az * 15)).ToArray();
        var results = new PlaneIrradiation[planes.Length];
        new PlaneOfArrayBatch(sky, model, 0.2).Evaluate(planes, [], results);
        for (var p = 0; p < planes.Length; p++)
        {
            var hourly = PlaneOfArray.Hourly(sky, planes[p], model, 0.2, null);
            var monthly = new double[12];
            for (var h = 0; h < sky.Count; h++)
            {
                monthly[sky.Month[h]] += (hourly.BeamWPerM2[h] + hourly.SkyDiffuseWPerM2[h] + hourly.GroundReflectedWPerM2[h]) / 1000;
            }
            Assert.Equal(monthly.Sum(), results[p].AnnualKwhPerM2, monthly.Sum() * 0.005);
            for (var m = 0; m < 12; m++)
            {
                Assert.Equal(monthly[m], results[p].MonthlyKwhPerM2[m], Math.Max(monthly[m] * 0.01, 1e-9));
            }
        }
    }

    [Theory]
    [MemberData(nameof(FilesAndModels))]
    public void HorizontalPlane_AnnualEqualsGhi(string file, SkyModel model)
    {
        // Tilt 0: beam·cos z + diffuse = GHI when the file's closure holds at the chosen instant (within 1%).
        var sky = file == "pvgis" ? PvgisSky.Value : NsrdbSky.Value;
        var r = new PlaneIrradiation[1];
        new PlaneOfArrayBatch(sky, model, 0.2).Evaluate([new(0, 180)], [], r);
        var ghi = sky.Weather.GhiWPerM2.Sum() / 1000;
        Assert.Equal(ghi, r[0].AnnualKwhPerM2, ghi * 0.01);
        Assert.Equal(0, r[0].GroundReflectedKwhPerM2, 1e-12);
    }

    [Fact]
    public void HorizontalPlane_UniformSkyline30Deg_ReflectsAlbedoGhiFromTheHiddenQuarterOfTheSky()
    {
        // A flat roof in a street canyon whose walls rise 30° all around sees cos²30° = 3/4 of the sky; the hidden quarter
        // is lit walls, not darkness: GHI·albedo·(1 − 3/4), where the open-sky formula gives a horizontal plane nothing.
        var sky = PvgisSky.Value;
        var r = new PlaneIrradiation[1];
        new PlaneOfArrayBatch(sky, SkyModel.Perez, 0.2).Evaluate([new(0, 180)], Enumerable.Repeat(30.0, sky.HorizonSectors).ToArray(), r);
        var ghiYear = sky.GhiWPerM2.Sum() / 1000;
        Assert.Equal(0.75, r[0].SkyViewFactor, 1e-3);
        Assert.Equal(0.2 * ghiYear * (1 - r[0].SkyViewFactor), r[0].GroundReflectedKwhPerM2, 1e-6 * ghiYear);
        Assert.Equal(Transposition.GroundReflected(35, 900, 0.2), Transposition.ReflectedUnderSkyline((1 + Math.Cos(35 * Math.PI / 180)) / 2, 900, 0.2), 1e-12);
    }

    [Fact]
    public void SouthFacing_BeatsNorthAndHorizontal_AtLatitude45()
    {
        var r = new PlaneIrradiation[3];
        new PlaneOfArrayBatch(PvgisSky.Value, SkyModel.Perez, 0.2).Evaluate([new(35, 180), new(0, 180), new(35, 0)], [], r);
        Assert.True(r[0].AnnualKwhPerM2 > r[1].AnnualKwhPerM2 * 1.08);
        Assert.True(r[2].AnnualKwhPerM2 < r[1].AnnualKwhPerM2 * 0.85);
        // June is sunnier than December on every plane.
        Assert.True(r[1].MonthlyKwhPerM2[5] > 3 * r[1].MonthlyKwhPerM2[11]);
    }

    [Fact]
    public void HighSkyline_RemovesBeamAndScalesDiffuse()
    {
        var sky = PvgisSky.Value;
        var wall = Enumerable.Repeat(89.0, sky.HorizonSectors).ToArray();
        var r = new PlaneIrradiation[1];
        new PlaneOfArrayBatch(sky, SkyModel.Perez, 0.2).Evaluate([new(0, 180)], wall, r);
        Assert.Equal(0, r[0].BeamKwhPerM2, 1e-9);
        Assert.Equal(Math.Pow(Angles.CosDeg(89), 2), r[0].SkyViewFactor, 1e-6);
    }

    [Fact]
    public void PvYield_SouthPlane_PlausibleSpecificYield()
    {
        var sky = PvgisSky.Value;
        var poa = PlaneOfArray.Hourly(sky, new(35, 180), SkyModel.Perez, 0.2, null);
        var y = PvYield.Compute(sky, poa, new PvSystem());
        var poaYear = (poa.BeamWPerM2.Sum() + poa.SkyDiffuseWPerM2.Sum() + poa.GroundReflectedWPerM2.Sum()) / 1000;
        // Performance ratio AC/(POA·kWp) of a PVWatts system with 14% losses and 96% inverter: 0.70…0.82.
        Assert.InRange(y.AnnualKwhAc / poaYear, 0.70, 0.82);
        Assert.Equal(y.AnnualKwhDc * 0.96, y.AnnualKwhAc, 1e-9);
        Assert.Equal(y.AnnualKwhAc, y.MonthlyKwhAc.Sum(), 1e-9);
        Assert.Equal(y.AnnualKwhAc, y.SpecificYieldKwhPerKwp, 1e-12);
    }
}
