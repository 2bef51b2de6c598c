namespace SmartRegion.Solar;

/// <summary>A receiving plane: tilt from horizontal and the compass azimuth it faces.</summary>
public readonly record struct PlaneOrientation(double TiltDeg, double AzimuthDeg);

/// <summary>Hour-by-hour plane-of-array irradiance of one plane, over a station's daylight hours, W/m² (= Wh/m² per hour).</summary>
public sealed class PlaneHourly
{
    public required double[] BeamWPerM2 { get; init; }
    public required double[] SkyDiffuseWPerM2 { get; init; }
    public required double[] GroundReflectedWPerM2 { get; init; }

    /// <summary>Angle of incidence of the beam, degrees.</summary>
    public required double[] AoiDeg { get; init; }

    public required double SkyViewFactor { get; init; }
}

/// <summary>
/// Plane-of-array irradiance of one plane, hour by hour, straight from the published model functions
/// (<see cref="Transposition"/>): the reference the batch kernel is tested against, and the input of PV yield.
/// </summary>
/// <remarks>
/// Horizon shading: beam and the circumsolar part of the sky are zero while the sun's apparent elevation is below
/// the skyline at its azimuth; the isotropic and horizon-band parts are scaled by SVF / ((1 + cos β)/2), the
/// sky-view factor under the skyline relative to the open-sky value (see <see cref="SkyView"/>). Reflected light is
/// GHI·albedo·(1 − SVF): the sky the skyline hides is replaced by lit surfaces, not by darkness
/// (<see cref="Transposition.ReflectedUnderSkyline"/>); without a skyline it is pvlib's GHI·albedo·(1 − cos β)/2.
/// Without a profile nothing is masked (as pvlib).
/// </remarks>
public static class PlaneOfArray
{
    public static PlaneHourly Hourly(StationSky sky, PlaneOrientation plane, SkyModel model, double albedo, HorizonProfile? horizon)
    {
        var n = sky.Count;
        var beam = new double[n];
        var diffuse = new double[n];
        var ground = new double[n];
        var aoi = new double[n];
        var openSky = (1 + Angles.CosDeg(plane.TiltDeg)) / 2;
        var svf = horizon is null ? openSky : SkyView.TiltedPlane(plane.TiltDeg, plane.AzimuthDeg, horizon);
        var ratio = openSky > 0 ? svf / openSky : 0;
        for (var h = 0; h < n; h++)
        {
            var zenith = sky.SunApparentZenithDeg[h];
            var azimuth = sky.SunAzimuthDeg[h];
            var cosAoi = Transposition.AngleOfIncidenceProjection(plane.TiltDeg, plane.AzimuthDeg, zenith, azimuth);
            aoi[h] = Math.Acos(cosAoi) * Angles.RadToDeg;
            var visible = horizon is null || sky.SunApparentElevationDeg[h] >= horizon.ElevationAtDeg(azimuth) ? 1.0 : 0.0;
            beam[h] = sky.DniWPerM2[h] * Math.Max(cosAoi, 0) * visible;
            var d = model switch
            {
                SkyModel.Isotropic => new SkyDiffuse(Transposition.Isotropic(plane.TiltDeg, sky.DhiWPerM2[h]), Transposition.Isotropic(plane.TiltDeg, sky.DhiWPerM2[h]), 0, 0),
                SkyModel.HayDavies => Transposition.HayDavies(plane.TiltDeg, plane.AzimuthDeg, sky.DhiWPerM2[h], sky.DniWPerM2[h], sky.DniExtraWPerM2[h], zenith, azimuth),
                _ => Transposition.Perez(plane.TiltDeg, plane.AzimuthDeg, sky.DhiWPerM2[h], sky.DniWPerM2[h], sky.DniExtraWPerM2[h], zenith, azimuth, sky.RelativeAirmass[h]),
            };
            diffuse[h] = horizon is null ? d.TotalWPerM2 : Math.Max((d.IsotropicWPerM2 + d.HorizonWPerM2) * ratio + d.CircumsolarWPerM2 * visible, 0);
            ground[h] = horizon is null
                ? Transposition.GroundReflected(plane.TiltDeg, sky.GhiWPerM2[h], albedo)
                : Transposition.ReflectedUnderSkyline(svf, sky.GhiWPerM2[h], albedo);
        }
        return new PlaneHourly { BeamWPerM2 = beam, SkyDiffuseWPerM2 = diffuse, GroundReflectedWPerM2 = ground, AoiDeg = aoi, SkyViewFactor = svf };
    }
}
