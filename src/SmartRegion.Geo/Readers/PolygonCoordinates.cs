using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Implementation;

namespace SmartRegion.Geo.Readers;

/// <summary>What a <see cref="PolygonCoordinates"/> holds: the geometry type it was read as.</summary>
public enum PolygonalKind
{
    /// <summary>Nothing (cleared).</summary>
    None,

    Polygon,

    MultiPolygon,

    /// <summary>A GeometryCollection whose members are Polygons and MultiPolygons.</summary>
    Collection,
}

/// <summary>
/// A polygonal geometry's positions in flat arrays reused from one feature to the next: what the building ingest reads from
/// GeoJSON, checks, transforms and writes as EWKB without a NetTopologySuite object or an array per feature.
/// </summary>
/// <remarks>
/// Positions are x, y, z (<see cref="Stride"/> doubles each; z is NaN where the source has none), ring after ring, polygon after
/// polygon, in the source's order (a polygon's shell, then its holes). Each ring remembers whether its source had Z, so that
/// <see cref="ToGeometry"/> builds what the NetTopologySuite reader always built. Not thread-safe: one per thread.
/// </remarks>
public sealed class PolygonCoordinates
{
    /// <summary>Doubles per position in <see cref="Ordinates"/>: x, y, z.</summary>
    public const int Stride = 3;

    private double[] _xyz = new double[Stride * 256];
    private int[] _ringEnd = new int[16];      // ring r's positions are [RingStart(r), _ringEnd[r])
    private bool[] _ringHasZ = new bool[16];
    private int[] _polygonEnd = new int[8];    // polygon p's rings are [PolygonStart(p), _polygonEnd[p])
    private int[] _partEnd = new int[4];       // a collection's member m holds polygons [PartStart(m), _partEnd[m])
    private PolygonalKind[] _partKind = new PolygonalKind[4];

    public PolygonalKind Kind { get; private set; }

    public int PositionCount { get; private set; }

    public int RingCount { get; private set; }

    public int PolygonCount { get; private set; }

    /// <summary>Members of a <see cref="PolygonalKind.Collection"/> (0 otherwise).</summary>
    public int PartCount { get; private set; }

    /// <summary>True when no polygon has a position (as NetTopologySuite's IsEmpty).</summary>
    public bool IsEmpty => PositionCount == 0;

    /// <summary>x, y, z of every position (<see cref="Stride"/> per position).</summary>
    public ReadOnlySpan<double> Ordinates => _xyz.AsSpan(0, PositionCount * Stride);

    /// <summary>The ordinates, to be changed in place (e.g. by a change of CRS).</summary>
    public Span<double> OrdinatesToChange => _xyz.AsSpan(0, PositionCount * Stride);

    public int RingStart(int ring) => ring == 0 ? 0 : _ringEnd[ring - 1];

    public int RingEnd(int ring) => _ringEnd[ring];

    public bool RingHasZ(int ring) => _ringHasZ[ring];

    public int PolygonStart(int polygon) => polygon == 0 ? 0 : _polygonEnd[polygon - 1];

    public int PolygonEnd(int polygon) => _polygonEnd[polygon];

    public int PartStart(int part) => part == 0 ? 0 : _partEnd[part - 1];

    public int PartEnd(int part) => _partEnd[part];

    public PolygonalKind PartKind(int part) => _partKind[part];

    /// <summary>Forgets everything and starts a geometry of <paramref name="kind"/>.</summary>
    public void Reset(PolygonalKind kind)
    {
        Kind = kind;
        PositionCount = RingCount = PolygonCount = PartCount = 0;
    }

    /// <summary>Starts a member (Polygon or MultiPolygon) of a collection.</summary>
    public void StartPart(PolygonalKind kind)
    {
        Grow(ref _partEnd, PartCount);
        Grow(ref _partKind, PartCount);
        _partKind[PartCount] = kind;
        _partEnd[PartCount++] = PolygonCount;
    }

    /// <summary>Starts a polygon: the rings added next are its shell, then its holes.</summary>
    public void StartPolygon()
    {
        Grow(ref _polygonEnd, PolygonCount);
        _polygonEnd[PolygonCount++] = RingCount;
        if (PartCount > 0)
        {
            _partEnd[PartCount - 1] = PolygonCount;
        }
    }

    /// <summary>Adds a ring of <paramref name="count"/> positions, <paramref name="dimension"/> (2 or 3) doubles each, to the current polygon.</summary>
    public void AddRing(ReadOnlySpan<double> ordinates, int count, int dimension)
    {
        Grow(ref _ringEnd, RingCount);
        Grow(ref _ringHasZ, RingCount);
        if ((PositionCount + count) * Stride > _xyz.Length)
        {
            Array.Resize(ref _xyz, Math.Max(_xyz.Length * 2, (PositionCount + count) * Stride));
        }
        var to = _xyz.AsSpan(PositionCount * Stride, count * Stride);
        if (dimension == Stride)
        {
            ordinates[..(count * Stride)].CopyTo(to);
        }
        else
        {
            for (int i = 0, at = 0; i < count; i++, at += Stride)
            {
                to[at] = ordinates[i * dimension];
                to[at + 1] = ordinates[i * dimension + 1];
                to[at + 2] = dimension > 2 ? ordinates[i * dimension + 2] : double.NaN;
            }
        }
        PositionCount += count;
        _ringHasZ[RingCount] = dimension > 2;
        _ringEnd[RingCount++] = PositionCount;
        _polygonEnd[PolygonCount - 1] = RingCount;
    }

    /// <summary>True when a position has a Z value (not NaN).</summary>
    public bool HasZ()
    {
        var xyz = Ordinates;
        for (var at = 2; at < xyz.Length; at += Stride)
        {
            if (!double.IsNaN(xyz[at]))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Holds <paramref name="geometry"/> when it is a Polygon, a MultiPolygon or a GeometryCollection of those (false, and
    /// <see cref="PolygonalKind.None"/>, otherwise).
    /// </summary>
    public bool TryLoad(Geometry geometry)
    {
        switch (geometry)
        {
            case Polygon p:
                Reset(PolygonalKind.Polygon);
                Add(p);
                return true;
            case MultiPolygon m:
                Reset(PolygonalKind.MultiPolygon);
                Add(m);
                return true;
            case GeometryCollection c and not (MultiPoint or MultiLineString) when c.Geometries.All(g => g is Polygon or MultiPolygon):
                Reset(PolygonalKind.Collection);
                foreach (var member in c.Geometries)
                {
                    StartPart(member is Polygon ? PolygonalKind.Polygon : PolygonalKind.MultiPolygon);
                    Add(member);
                }
                return true;
            default:
                Reset(PolygonalKind.None);
                return false;
        }
    }

    private void Add(Geometry polygonal)
    {
        if (polygonal is MultiPolygon m)
        {
            foreach (var part in m.Geometries)
            {
                Add(part);
            }
            return;
        }
        var p = (Polygon)polygonal;
        StartPolygon();
        if (p.IsEmpty)
        {
            return;
        }
        Add(p.ExteriorRing.CoordinateSequence);
        foreach (var hole in p.InteriorRings)
        {
            Add(hole.CoordinateSequence);
        }
    }

    private void Add(CoordinateSequence seq)
    {
        var n = seq.Count;
        var hasZ = seq.HasZ;
        if ((PositionCount + n) * Stride > _xyz.Length)
        {
            Array.Resize(ref _xyz, Math.Max(_xyz.Length * 2, (PositionCount + n) * Stride));
        }
        Grow(ref _ringEnd, RingCount);
        Grow(ref _ringHasZ, RingCount);
        var at = PositionCount * Stride;
        for (var i = 0; i < n; i++, at += Stride)
        {
            _xyz[at] = seq.GetX(i);
            _xyz[at + 1] = seq.GetY(i);
            _xyz[at + 2] = hasZ ? seq.GetZ(i) : double.NaN;
        }
        PositionCount += n;
        _ringHasZ[RingCount] = hasZ;
        _ringEnd[RingCount++] = PositionCount;
        _polygonEnd[PolygonCount - 1] = RingCount;
    }

    /// <summary>The NetTopologySuite geometry of the same shape, rings with Z where their source had it.</summary>
    public Geometry ToGeometry(GeometryFactory factory) => Kind switch
    {
        PolygonalKind.Polygon => BuildPolygon(factory, 0, withZ: true),
        PolygonalKind.MultiPolygon => factory.CreateMultiPolygon(Polygons(factory, 0, PolygonCount, withZ: true)),
        PolygonalKind.Collection => factory.CreateGeometryCollection(Enumerable.Range(0, PartCount).Select(m => _partKind[m] == PolygonalKind.Polygon
            ? (Geometry)BuildPolygon(factory, PartStart(m), withZ: true)
            : factory.CreateMultiPolygon(Polygons(factory, PartStart(m), PartEnd(m), withZ: true))).ToArray()),
        _ => throw new InvalidOperationException("no polygonal geometry is held"),
    };

    /// <summary>Every polygon, rings in x, y only, as one MultiPolygon (a building's footprint).</summary>
    public MultiPolygon ToFootprint2d(GeometryFactory factory) => factory.CreateMultiPolygon(Polygons(factory, 0, PolygonCount, withZ: false));

    private Polygon[] Polygons(GeometryFactory factory, int from, int to, bool withZ)
    {
        var polygons = new Polygon[to - from];
        for (var p = from; p < to; p++)
        {
            polygons[p - from] = BuildPolygon(factory, p, withZ);
        }
        return polygons;
    }

    private Polygon BuildPolygon(GeometryFactory factory, int p, bool withZ)
    {
        int first = PolygonStart(p), end = PolygonEnd(p);
        if (first == end)
        {
            return factory.CreatePolygon();
        }
        var holes = new LinearRing[end - first - 1];
        for (var r = first + 1; r < end; r++)
        {
            holes[r - first - 1] = Ring(factory, r, withZ);
        }
        return factory.CreatePolygon(Ring(factory, first, withZ), holes);
    }

    private LinearRing Ring(GeometryFactory factory, int r, bool withZ)
    {
        var dimension = withZ && _ringHasZ[r] ? 3 : 2;
        int start = RingStart(r), n = RingEnd(r) - start;
        var packed = new double[n * dimension];
        for (int i = 0, from = start * Stride; i < n; i++, from += Stride)
        {
            packed[i * dimension] = _xyz[from];
            packed[i * dimension + 1] = _xyz[from + 1];
            if (dimension == 3)
            {
                packed[i * dimension + 2] = _xyz[from + 2];
            }
        }
        return factory.CreateLinearRing(new PackedDoubleCoordinateSequence(packed, dimension, 0));
    }

    private static void Grow<T>(ref T[] array, int index)
    {
        if (index >= array.Length)
        {
            Array.Resize(ref array, array.Length * 2);
        }
    }
}
