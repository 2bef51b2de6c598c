using System.Runtime.CompilerServices;

namespace SmartRegion.Solar;

/// <summary>Twelve monthly values, January first (inline: no allocation).</summary>
[InlineArray(12)]
public struct MonthlyValues
{
    private double _january;
}

/// <summary>Plane-of-array irradiation of one plane over the typical year, kWh/m².</summary>
public struct PlaneIrradiation
{
    public double AnnualKwhPerM2;
    public double BeamKwhPerM2;
    public double SkyDiffuseKwhPerM2;
    public double GroundReflectedKwhPerM2;

    /// <summary>Sky-view factor of the plane under its horizon (the open-sky (1 + cos β)/2 without one).</summary>
    public double SkyViewFactor;

    /// <summary>Total (beam + sky diffuse + ground-reflected) per month.</summary>
    public MonthlyValues MonthlyKwhPerM2;
}

/// <summary>
/// Annual and monthly plane-of-array irradiation for many planes at one station, fast: the plane-independent part
/// of every hour is in <see cref="StationSky"/>, so per plane and daylight hour only the incidence projection
/// (three multiply-adds), the horizon test (one interpolated lookup against the precomputed sector and weight) and
/// the circumsolar/beam accumulation remain. No allocation per plane.
/// </summary>
/// <remarks>Same models and horizon treatment as <see cref="PlaneOfArray.Hourly"/>, which it reproduces.</remarks>
public sealed class PlaneOfArrayBatch
{
    private readonly StationSky _sky;
    private readonly SkyModel _model;
    private readonly double _albedo;
    private readonly double[] _isotropicHalf;
    private readonly double[] _circumsolar;
    private readonly double[] _horizonBand;
    private readonly double[] _monthlyIsotropicHalfWh = new double[12];
    private readonly double[] _monthlyGhiWh;

    public PlaneOfArrayBatch(StationSky sky, SkyModel model, double albedo)
    {
        _sky = sky;
        _model = model;
        _albedo = albedo;
        (_isotropicHalf, _circumsolar, _horizonBand) = model switch
        {
            SkyModel.Perez => (sky.PerezIsotropicHalf, sky.PerezCircumsolar, sky.PerezHorizon),
            SkyModel.HayDavies => (sky.HayDaviesIsotropicHalf, sky.HayDaviesCircumsolar, new double[sky.Count]),
            _ => (sky.DhiWPerM2.Select(d => d / 2).ToArray(), new double[sky.Count], new double[sky.Count]),
        };
        for (var h = 0; h < sky.Count; h++)
        {
            _monthlyIsotropicHalfWh[sky.Month[h]] += _isotropicHalf[h];
        }
        _monthlyGhiWh = sky.MonthlyGhiWh;
    }

    public StationSky Sky => _sky;

    /// <summary>
    /// Evaluates <paramref name="planes"/>. <paramref name="horizonsDeg"/> is empty (no horizon: nothing masked) or
    /// holds, per plane, <see cref="StationSky.HorizonSectors"/> skyline elevations at azimuths k·360/n.
    /// </summary>
    public void Evaluate(ReadOnlySpan<PlaneOrientation> planes, ReadOnlySpan<double> horizonsDeg, Span<PlaneIrradiation> results)
    {
        var sectors = _sky.HorizonSectors;
        var hasHorizon = !horizonsDeg.IsEmpty;
        if (hasHorizon && horizonsDeg.Length != planes.Length * sectors)
        {
            throw new ArgumentException($"horizonsDeg must hold {sectors} elevations per plane ({planes.Length * sectors}), not {horizonsDeg.Length}", nameof(horizonsDeg));
        }
        if (results.Length < planes.Length)
        {
            throw new ArgumentException("results is shorter than planes", nameof(results));
        }
        Span<double> padded = sectors <= 512 ? stackalloc double[sectors + 1] : new double[sectors + 1];
        Span<double> centres = sectors <= 512 ? stackalloc double[sectors] : new double[sectors];
        for (var p = 0; p < planes.Length; p++)
        {
            scoped ReadOnlySpan<double> horizon = default;
            if (hasHorizon)
            {
                horizonsDeg.Slice(p * sectors, sectors).CopyTo(padded);
                padded[sectors] = padded[0];
                for (var k = 0; k < sectors; k++)
                {
                    centres[k] = (padded[k] + padded[k + 1]) / 2;
                }
                horizon = padded;
            }
            results[p] = EvaluateOne(planes[p], horizon, centres);
        }
    }

    private PlaneIrradiation EvaluateOne(PlaneOrientation plane, ReadOnlySpan<double> horizon, ReadOnlySpan<double> skylineCentres)
    {
        var (nE, nN, nU) = Angles.PlaneNormal(plane.TiltDeg, plane.AzimuthDeg);
        var openSky = (1 + nU) / 2;
        var svf = horizon.IsEmpty ? openSky : SkyView.TiltedPlane(plane.TiltDeg, plane.AzimuthDeg, skylineCentres);
        var ratio = openSky > 0 ? svf / openSky : 0;
        var kIso = (1 + nU) * ratio;
        var kHorizon = Angles.SinDeg(plane.TiltDeg) * ratio;
        var groundFactor = _albedo * (1 - nU) / 2;

        var sky = _sky;
        var sE = sky.SunEast;
        var sN = sky.SunNorth;
        var sU = sky.SunUp;
        var dni = sky.DniWPerM2;
        var iso = _isotropicHalf;
        var circ = _circumsolar;
        var band = _horizonBand;
        var sector = sky.Sector;
        var weight = sky.SectorWeight;
        var elevation = sky.SunApparentElevationDeg;

        var result = new PlaneIrradiation { SkyViewFactor = svf };
        double beamYear = 0, skyYear = 0, groundYear = 0;
        for (var m = 0; m < 12; m++)
        {
            int start = sky.MonthStart[m], end = sky.MonthStart[m + 1];
            double beam = 0, diffuse = 0;
            if (_model == SkyModel.Perez)
            {
                for (var h = start; h < end; h++)
                {
                    var c = Math.Max(sE[h] * nE + sN[h] * nN + sU[h] * nU, 0);
                    if (!horizon.IsEmpty)
                    {
                        var k = sector[h];
                        var skyline = horizon[k] + weight[h] * (horizon[k + 1] - horizon[k]);
                        c = elevation[h] >= skyline ? c : 0;
                    }
                    beam += dni[h] * c;
                    diffuse += Math.Max(iso[h] * kIso + circ[h] * c + band[h] * kHorizon, 0);
                }
            }
            else
            {
                // Isotropic and Hay–Davies parts are never negative: the isotropic sum is precomputed per month.
                for (var h = start; h < end; h++)
                {
                    var c = Math.Max(sE[h] * nE + sN[h] * nN + sU[h] * nU, 0);
                    if (!horizon.IsEmpty)
                    {
                        var k = sector[h];
                        var skyline = horizon[k] + weight[h] * (horizon[k + 1] - horizon[k]);
                        c = elevation[h] >= skyline ? c : 0;
                    }
                    beam += dni[h] * c;
                    diffuse += circ[h] * c;
                }
                diffuse += _monthlyIsotropicHalfWh[m] * kIso;
            }
            var ground = _monthlyGhiWh[m] * groundFactor;
            result.MonthlyKwhPerM2[m] = (beam + diffuse + ground) / 1000;
            beamYear += beam;
            skyYear += diffuse;
            groundYear += ground;
        }
        result.BeamKwhPerM2 = beamYear / 1000;
        result.SkyDiffuseKwhPerM2 = skyYear / 1000;
        result.GroundReflectedKwhPerM2 = groundYear / 1000;
        result.AnnualKwhPerM2 = (beamYear + skyYear + groundYear) / 1000;
        return result;
    }
}
