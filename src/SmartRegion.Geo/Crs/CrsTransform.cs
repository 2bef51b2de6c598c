using NetTopologySuite.Geometries;
using ProjNet.CoordinateSystems;
using ProjNet.CoordinateSystems.Transformations;

namespace SmartRegion.Geo.Crs;

/// <summary>A horizontal transform between two supported CRSs; Z passes through unchanged (heights keep their source datum).</summary>
/// <remarks>Not shared between threads: create one per worker (creation is cheap).</remarks>
public sealed class CrsTransform
{
    private static readonly CoordinateTransformationFactory Factory = new();
    private readonly IStep[]? _math;
    private readonly Envelope _area;
    private readonly bool _sourceIsProjected;
    private readonly MathTransform? _toLonLat;

    private CrsTransform(int sourceEpsg, int targetEpsg)
    {
        SourceEpsg = sourceEpsg;
        TargetEpsg = targetEpsg;
        var source = KnownCrs.Get(sourceEpsg);
        var target = KnownCrs.Get(targetEpsg);
        _math = KnownCrs.Horizontal(sourceEpsg) == KnownCrs.Horizontal(targetEpsg) ? null : BuildPipeline(KnownCrs.Horizontal(sourceEpsg), source, target);
        _area = KnownCrs.AreaOfUseLonLat(sourceEpsg);
        _sourceIsProjected = source is ProjectedCoordinateSystem;
        if (_sourceIsProjected)
        {
            _toLonLat = Factory.CreateFromCoordinateSystems(source, GeographicOf(source)).MathTransform;
        }
    }

    // ProjNet would route every change of datum through geocentric coordinates, whose iterative inverse costs ~5 mm even
    // for a null shift (WGS 84 → RGF93). PROJ treats datums with zero TOWGS84 as identical, so this does the same:
    // unproject, shift only when a datum has real Helmert parameters, project. Lambert-93 is unprojected in closed form
    // (Lambert93: within a millimetre of ProjNet and PostGIS, about ten times faster; the solar reports unproject every
    // vertex of every module).
    private static IStep[] BuildPipeline(int sourceHorizontalEpsg, CoordinateSystem source, CoordinateSystem target)
    {
        var steps = new List<IStep>();
        var sourceGeo = GeographicOf(source);
        var targetGeo = GeographicOf(target);
        if (sourceHorizontalEpsg == KnownCrs.Lambert93)
        {
            steps.Add(new Lambert93Step());
        }
        else if (source is ProjectedCoordinateSystem)
        {
            steps.Add(new ProjNetStep(Factory.CreateFromCoordinateSystems(source, sourceGeo).MathTransform));
        }
        if (!IsNullShift(sourceGeo) || !IsNullShift(targetGeo))
        {
            steps.Add(new HelmertStep(new HelmertShift(EllipsoidOf(sourceGeo), ShiftOf(sourceGeo), EllipsoidOf(targetGeo), ShiftOf(targetGeo))));
        }
        if (target is ProjectedCoordinateSystem)
        {
            steps.Add(new ProjNetStep(Factory.CreateFromCoordinateSystems(targetGeo, target).MathTransform));
        }
        return [.. steps];
    }

    private static GeographicCoordinateSystem GeographicOf(CoordinateSystem cs) => cs switch
    {
        ProjectedCoordinateSystem p => p.GeographicCoordinateSystem,
        GeographicCoordinateSystem g => g,
        _ => throw new UnsupportedCrsException($"{cs.Name} is neither geographic nor projected"),
    };

    private static bool IsNullShift(GeographicCoordinateSystem g) => g.HorizontalDatum.Wgs84Parameters is null || g.HorizontalDatum.Wgs84Parameters.HasZeroValuesOnly;

    private static HelmertShift.Ellipsoid EllipsoidOf(GeographicCoordinateSystem g) =>
        HelmertShift.Ellipsoid.FromInverseFlattening(g.HorizontalDatum.Ellipsoid.SemiMajorAxis, g.HorizontalDatum.Ellipsoid.InverseFlattening);

    private static double[]? ShiftOf(GeographicCoordinateSystem g)
    {
        if (IsNullShift(g))
        {
            return null;
        }
        var p = g.HorizontalDatum.Wgs84Parameters;
        return [p.Dx, p.Dy, p.Dz, p.Ex, p.Ey, p.Ez, p.Ppm];
    }

    /// <summary>True when the horizontal coordinates do not change (same horizontal CRS).</summary>
    public bool IsIdentity => _math is null;

    /// <summary>The source CRS (EPSG code).</summary>
    public int SourceEpsg { get; }

    /// <summary>The target CRS (EPSG code).</summary>
    public int TargetEpsg { get; }

    /// <summary>A transform from <paramref name="sourceEpsg"/> to <paramref name="targetEpsg"/> (default: the region's storage CRS).</summary>
    public static CrsTransform Create(int sourceEpsg, int? targetEpsg = null)
    {
        if (!KnownCrs.IsSupported(sourceEpsg))
        {
            KnownCrs.Get(sourceEpsg); // throws the typed error naming the supported list
        }
        return new CrsTransform(sourceEpsg, targetEpsg ?? RegionSettings.Srid);
    }

    /// <summary>Transforms one position (x = easting or longitude, y = northing or latitude).</summary>
    public (double X, double Y) Transform(double x, double y)
    {
        if (_math is null)
        {
            return (x, y);
        }
        return Run(_math, x, y);
    }

    /// <summary>True when (x, y) in the source CRS lies inside (or near) that CRS's area of use.</summary>
    public bool IsInAreaOfUse(double x, double y)
    {
        if (!double.IsFinite(x) || !double.IsFinite(y))
        {
            return false;
        }
        if (_sourceIsProjected)
        {
            // Far-off projected values can make the inverse projection diverge: reject absurd magnitudes first.
            if (Math.Abs(x) > 1e8 || Math.Abs(y) > 1e8)
            {
                return false;
            }
            (x, y) = _toLonLat!.Transform(x, y);
        }
        return _area.Contains(x, y);
    }

    /// <summary>Transforms every coordinate of <paramref name="geometry"/> in place and stamps the target SRID.</summary>
    public void Apply(Geometry geometry)
    {
        if (_math is not null)
        {
            geometry.Apply(new ReprojectFilter(_math));
            geometry.GeometryChanged();
        }
        geometry.SRID = TargetEpsg;
    }

    /// <summary>Transforms x, y of every position of packed <paramref name="ordinates"/> (<paramref name="stride"/> doubles per position) in place.</summary>
    public void Apply(Span<double> ordinates, int stride)
    {
        if (_math is null)
        {
            return;
        }
        for (var at = 0; at + 1 < ordinates.Length; at += stride)
        {
            (ordinates[at], ordinates[at + 1]) = Run(_math, ordinates[at], ordinates[at + 1]);
        }
    }

    private static (double X, double Y) Run(IStep[] steps, double x, double y)
    {
        foreach (var step in steps)
        {
            (x, y) = step.Transform(x, y);
        }
        return (x, y);
    }

    private sealed class ReprojectFilter(IStep[] math) : IEntireCoordinateSequenceFilter
    {
        public bool Done => false;

        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq)
        {
            for (var i = 0; i < seq.Count; i++)
            {
                var (x, y) = Run(math, seq.GetX(i), seq.GetY(i));
                seq.SetX(i, x);
                seq.SetY(i, y);
            }
        }
    }

    private interface IStep
    {
        (double X, double Y) Transform(double x, double y);
    }

    private sealed class ProjNetStep(MathTransform math) : IStep
    {
        public (double X, double Y) Transform(double x, double y) => math.Transform(x, y);
    }

    private sealed class Lambert93Step : IStep
    {
        public (double X, double Y) Transform(double x, double y) => Lambert93.ToGeographicDeg(x, y);
    }

    private sealed class HelmertStep(HelmertShift shift) : IStep
    {
        public (double X, double Y) Transform(double x, double y) => shift.Transform(x, y);
    }
}
