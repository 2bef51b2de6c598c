using SmartRegion.Geo.Shading;
using SmartRegion.Solar;

namespace SmartRegion.Rooftop;

/// <summary>How a roof face's sample horizons and irradiation are computed.</summary>
public enum ShadingMethod
{
    /// <summary>
    /// The platform's method: each sample's near field through the skyline index, the far field scanned once per face
    /// from its centre and shifted to each sample's height, and the batch kernel (precomputed sky, one plane's
    /// sky-view terms shared by its samples).
    /// </summary>
    Fast,

    /// <summary>
    /// The naive peer of the benchmark and the reference of the tests: every edge within the radius tested for every
    /// sample (no index, no near/far split), and the hour-by-hour transposition (<see cref="PlaneOfArray.Hourly"/>).
    /// </summary>
    Naive,
}

/// <summary>
/// Each sample's horizon (the elevation of the skyline per azimuth sector) from every roof edge of the tile within the
/// run's radius, its own building included (one instance per tile and thread). Samples sit on the face; their horizon
/// is seen from <see cref="EyeHeightM"/> above it.
/// </summary>
public sealed class SampleHorizons
{
    /// <summary>A sample's horizon is seen from this height above the roof plane (m), so that the face itself does not hide the sky.</summary>
    public const double EyeHeightM = 0.1;

    private readonly SkylineIndex _skyline;
    private readonly double _radiusM;
    private readonly HorizonScratch _scratch = new();
    private readonly GatheredEdges _near = new();
    private readonly int _sectors;
    private readonly double[] _farTan, _farDistance, _nearTan, _nearDistance;
    private readonly float[] _horizon;

    public SampleHorizons(SkylineIndex skyline, double radiusM, int sectors)
    {
        _skyline = skyline;
        _radiusM = radiusM;
        _sectors = sectors;
        _farTan = new double[_sectors];
        _farDistance = new double[_sectors];
        _nearTan = new double[_sectors];
        _nearDistance = new double[_sectors];
        _horizon = new float[_sectors];
    }

    /// <summary>
    /// The platform's method: the far field (beyond a few face radii) is scanned once from the face's centre; each sample
    /// scans only its near field and shifts the far skyline to its own height (SkylineIndex.CombineFarField). Writes
    /// <c>sectors</c> elevations (tangents as the kernel reads them) per sample into <paramref name="horizons"/>.
    /// </summary>
    public void Compute(List<(double X, double Y, double Z)> samples, int faceIndex, Span<double> horizons)
    {
        double cx = 0, cy = 0, cz = 0;
        foreach (var (x, y, z) in samples)
        {
            cx += x / samples.Count;
            cy += y / samples.Count;
            cz += (z + EyeHeightM) / samples.Count;
        }
        var faceRadius = samples.Max(t => Math.Sqrt((t.X - cx) * (t.X - cx) + (t.Y - cy) * (t.Y - cy)));
        var nearRadius = Math.Clamp(4 * faceRadius + 10, 20, _radiusM);
        _skyline.Scan(cx, cy, cz, Math.Max(0, nearRadius - faceRadius), _radiusM, faceIndex, _farTan, _farDistance, _scratch);
        // The edges any sample's near field can reach, gathered once for the face.
        _skyline.Gather(cx, cy, samples.Min(t => t.Z) + EyeHeightM, nearRadius + faceRadius, faceIndex, _near, _scratch);
        for (var s = 0; s < samples.Count; s++)
        {
            var (x, y, z) = samples[s];
            _skyline.ScanGathered(_near, x, y, z + EyeHeightM, nearRadius, faceIndex, _nearTan, _nearDistance, _scratch);
            SkylineIndex.CombineFarField(_nearTan, _farTan, _farDistance, cz, z + EyeHeightM, _horizon);
            for (var k = 0; k < _sectors; k++)
            {
                horizons[s * _sectors + k] = _horizon[k];
            }
        }
    }

    /// <summary>The naive reference: every edge within the radius for every sample, as a horizon profile in degrees.</summary>
    public HorizonProfile?[] ComputeNaive(List<(double X, double Y, double Z)> samples, int faceIndex)
    {
        var azimuths = Enumerable.Range(0, _sectors).Select(k => k * 360.0 / _sectors).ToArray();
        var profiles = new HorizonProfile?[samples.Count + 1];
        for (var s = 0; s < samples.Count; s++)
        {
            var (x, y, z) = samples[s];
            _skyline.ScanEveryEdge(x, y, z + EyeHeightM, 0, _radiusM, faceIndex, _nearTan, _nearDistance, _scratch);
            profiles[s] = new HorizonProfile(azimuths, _nearTan.Select(t => t > 0 ? Math.Atan(t) * Angles.RadToDeg : 0).ToArray());
        }
        return profiles;
    }
}
