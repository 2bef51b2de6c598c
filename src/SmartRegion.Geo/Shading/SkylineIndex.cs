using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NetTopologySuite.Geometries;

namespace SmartRegion.Geo.Shading;

/// <summary>
/// The 3D edges of every roof face of an area (the top of the walls and the roof lines), bucketed on a grid, answering
/// "what is the horizon from this point": the elevation angle of the skyline for each azimuth sector.
/// </summary>
/// <remarks>
/// A polyhedral building's skyline, seen from outside, is made of its roof-face edges (walls end at the eaves, which
/// are roof-face edges too), so the highest elevation along each azimuth is reached on one of them. Each sector's
/// central ray is intersected in plan with every edge nearer than the radius, and the edge's altitude at that point,
/// over the horizontal distance, gives the elevation's tangent. Edges of the face the point lies on are skipped: the
/// plane's own slope is the transposition model's business (cos θ ≤ 0), not a horizon's.
/// </remarks>
public sealed class SkylineIndex
{
    private readonly double _originX;
    private readonly double _originY;
    private readonly double _cellSizeM;
    private readonly int _columns;
    private readonly int _rows;
    private readonly double[] _x1, _y1, _z1, _x2, _y2, _z2;
    private readonly int[] _faceOfEdge;
    private readonly int[] _cellStart;  // CSR layout: edges of cell c are _cellEdges[_cellStart[c] .. _cellStart[c+1])
    private readonly int[] _cellEdges;
    private readonly double[] _cellMaxZ;   // the highest end of the cell's edges
    private readonly double[] _cellMinX, _cellMinY, _cellMaxX, _cellMaxY;  // the box of the cell's edges (they may reach out of it)
    private readonly double _minDistanceM;
    private readonly EdgeArrays _packed;   // the edges of _cellEdges (same order), ready for ScanRange

    /// <summary>The number of roof faces indexed.</summary>
    public int FaceCount { get; }

    /// <summary>The number of edges indexed.</summary>
    public int EdgeCount => _x1.Length;

    /// <summary>Indexes the faces; face i of the list is <c>faceIndex</c> i in <see cref="Horizon"/>.</summary>
    /// <param name="faces">3D roof faces (x, y metres in a projected CRS, z altitude metres).</param>
    /// <param name="cellSizeM">Grid cell size; about the radius over 6 is a good trade-off.</param>
    /// <param name="minDistanceM">Horizontal distances are clamped to at least this, so an edge touching the point is not a 90° wall.</param>
    public SkylineIndex(IReadOnlyList<Polygon> faces, double cellSizeM = 25, double minDistanceM = 0.5)
    {
        ArgumentNullException.ThrowIfNull(faces);
        _cellSizeM = cellSizeM;
        _minDistanceM = minDistanceM;
        FaceCount = faces.Count;
        var edges = new List<(double X1, double Y1, double Z1, double X2, double Y2, double Z2, int Face)>();
        var env = new Envelope();
        for (var f = 0; f < faces.Count; f++)
        {
            AddRing(faces[f].ExteriorRing, f);
            foreach (var hole in faces[f].InteriorRings)
            {
                AddRing(hole, f);
            }
        }

        void AddRing(LineString ring, int face)
        {
            var cs = ring.CoordinateSequence;
            for (var i = 0; i + 1 < cs.Count; i++)
            {
                double x1 = cs.GetX(i), y1 = cs.GetY(i), x2 = cs.GetX(i + 1), y2 = cs.GetY(i + 1);
                double z1 = cs.HasZ ? cs.GetZ(i) : 0, z2 = cs.HasZ ? cs.GetZ(i + 1) : 0;
                if (!double.IsFinite(z1) || !double.IsFinite(z2) || (x1 == x2 && y1 == y2))
                {
                    continue;
                }
                edges.Add((x1, y1, z1, x2, y2, z2, face));
                env.ExpandToInclude(x1, y1);
                env.ExpandToInclude(x2, y2);
            }
        }

        var n = edges.Count;
        _x1 = new double[n];
        _y1 = new double[n];
        _z1 = new double[n];
        _x2 = new double[n];
        _y2 = new double[n];
        _z2 = new double[n];
        _faceOfEdge = new int[n];
        _originX = env.IsNull ? 0 : env.MinX;
        _originY = env.IsNull ? 0 : env.MinY;
        _columns = env.IsNull ? 1 : Math.Max(1, (int)Math.Ceiling(env.Width / cellSizeM) + 1);
        _rows = env.IsNull ? 1 : Math.Max(1, (int)Math.Ceiling(env.Height / cellSizeM) + 1);
        var counts = new int[_columns * _rows + 1];
        for (var i = 0; i < n; i++)
        {
            var e = edges[i];
            _x1[i] = e.X1 - _originX;
            _y1[i] = e.Y1 - _originY;
            _z1[i] = e.Z1;
            _x2[i] = e.X2 - _originX;
            _y2[i] = e.Y2 - _originY;
            _z2[i] = e.Z2;
            _faceOfEdge[i] = e.Face;
            ForEachCell(i, c => counts[c + 1]++);
        }
        for (var c = 0; c < counts.Length - 1; c++)
        {
            counts[c + 1] += counts[c];
        }
        _cellStart = counts;
        _cellEdges = new int[counts[^1]];
        var fill = (int[])counts.Clone();
        var cells = _columns * _rows;
        _cellMaxZ = new double[cells];
        _cellMinX = new double[cells];
        _cellMinY = new double[cells];
        _cellMaxX = new double[cells];
        _cellMaxY = new double[cells];
        Array.Fill(_cellMaxZ, double.NegativeInfinity);
        Array.Fill(_cellMinX, double.PositiveInfinity);
        Array.Fill(_cellMinY, double.PositiveInfinity);
        Array.Fill(_cellMaxX, double.NegativeInfinity);
        Array.Fill(_cellMaxY, double.NegativeInfinity);
        for (var i = 0; i < n; i++)
        {
            var edge = i;
            ForEachCell(i, c =>
            {
                _cellEdges[fill[c]++] = edge;
                _cellMaxZ[c] = Math.Max(_cellMaxZ[c], Math.Max(_z1[edge], _z2[edge]));
                _cellMinX[c] = Math.Min(_cellMinX[c], Math.Min(_x1[edge], _x2[edge]));
                _cellMinY[c] = Math.Min(_cellMinY[c], Math.Min(_y1[edge], _y2[edge]));
                _cellMaxX[c] = Math.Max(_cellMaxX[c], Math.Max(_x1[edge], _x2[edge]));
                _cellMaxY[c] = Math.Max(_cellMaxY[c], Math.Max(_y1[edge], _y2[edge]));
            });
        }
        // The cells' edges again, their ends in cell order: a cell's scan streams through them four at a time.
        _packed = new EdgeArrays(_cellEdges.Length);
        for (var k = 0; k < _cellEdges.Length; k++)
        {
            _packed.Set(k, this, _cellEdges[k]);
        }
    }

    private void ForEachCell(int edge, Action<int> action)
    {
        var c0 = CellColumn(Math.Min(_x1[edge], _x2[edge]));
        var c1 = CellColumn(Math.Max(_x1[edge], _x2[edge]));
        var r0 = CellRow(Math.Min(_y1[edge], _y2[edge]));
        var r1 = CellRow(Math.Max(_y1[edge], _y2[edge]));
        for (var r = r0; r <= r1; r++)
        {
            for (var c = c0; c <= c1; c++)
            {
                action(r * _columns + c);
            }
        }
    }

    private int CellColumn(double x) => Math.Clamp((int)(x / _cellSizeM), 0, _columns - 1);

    private int CellRow(double y) => Math.Clamp((int)(y / _cellSizeM), 0, _rows - 1);

    /// <summary>
    /// Fills <paramref name="elevationDeg"/> (one value per sector; sector k is centred on azimuth k·360/n, compass
    /// degrees) with the skyline's elevation above the horizontal seen from (x, y, z); 0 where nothing rises above it.
    /// </summary>
    /// <param name="faceIndex">The face the point lies on (its edges are skipped), or -1.</param>
    /// <param name="scratch">Reusable per-thread state (avoids allocating per sample).</param>
    public void Horizon(double x, double y, double z, double radiusM, int faceIndex, Span<float> elevationDeg, HorizonScratch scratch)
    {
        var sectors = elevationDeg.Length;
        scratch.Prepare(sectors, EdgeCount);
        Scan(x, y, z, 0, radiusM, faceIndex, scratch.MaxTan.AsSpan(0, sectors), scratch.DistanceAtMax.AsSpan(0, sectors), scratch);
        for (var s = 0; s < sectors; s++)
        {
            elevationDeg[s] = ToDegrees(scratch.MaxTan[s]);
        }
    }

    /// <summary>
    /// The tangent of the skyline's elevation per sector (and the horizontal distance where it is reached) from the edges
    /// that come nearer than <paramref name="outerRadiusM"/> and reach at least <paramref name="innerRadiusM"/> away.
    /// Splitting a horizon into a near field per point and a far field shared by nearby points is what makes a whole
    /// roof's horizons cheap; see <see cref="CombineFarField"/>.
    /// </summary>
    /// <remarks>
    /// Cells are visited in rings from the point outwards, and a cell is skipped when its highest edge, at the cell's
    /// nearest distance, could not raise any sector it spans above what nearer cells already gave: the result is the
    /// same as scanning every edge (<see cref="ScanEveryEdge"/>), with most far or low cells never opened.
    /// </remarks>
    public void Scan(double x, double y, double z, double innerRadiusM, double outerRadiusM, int faceIndex,
        Span<double> maxTan, Span<double> distanceAtMax, HorizonScratch scratch)
    {
        var ray = StartScan(x, y, z, innerRadiusM, outerRadiusM, faceIndex, maxTan, distanceAtMax, scratch);
        var seen = scratch.Seen;
        var stamp = scratch.NextStamp();

        var c0 = CellColumn(ray.Px - outerRadiusM);
        var c1 = CellColumn(ray.Px + outerRadiusM);
        var r0 = CellRow(ray.Py - outerRadiusM);
        var r1 = CellRow(ray.Py + outerRadiusM);
        var pc = CellColumn(ray.Px);
        var pr = CellRow(ray.Py);
        var rings = Math.Max(Math.Max(pc - c0, c1 - pc), Math.Max(pr - r0, r1 - pr));
        for (var ring = 0; ring <= rings; ring++)
        {
            var rowFrom = Math.Max(r0, pr - ring);
            var rowTo = Math.Min(r1, pr + ring);
            for (var row = rowFrom; row <= rowTo; row++)
            {
                // On the ring's top and bottom rows every column; on the others only its two ends.
                var edgeRow = row == pr - ring || row == pr + ring;
                var step = edgeRow ? 1 : Math.Max(1, 2 * ring);
                for (var col = pc - ring; col <= pc + ring; col += step)
                {
                    if (col < c0 || col > c1)
                    {
                        continue;
                    }
                    var cell = row * _columns + col;
                    if (_cellStart[cell] == _cellStart[cell + 1] || CellCannotRaise(cell, ref ray, maxTan))
                    {
                        continue;
                    }
                    ScanRange(_packed, _cellStart[cell], _cellStart[cell + 1], ref ray, maxTan, distanceAtMax, seen, stamp);
                }
            }
        }
    }

    /// <summary>
    /// Gathers, once for all the points of a roof face, the edges that can rise above any of them within
    /// <paramref name="radiusM"/>: edges coming nearer than the radius to the disc's centre, higher than
    /// <paramref name="minZ"/>, not of the face itself; nearest first, so that high near edges raise the sectors early
    /// and far ones are skipped by their bound. <see cref="ScanGathered"/> then scans only them per point.
    /// </summary>
    public void Gather(double cx, double cy, double minZ, double radiusM, int faceIndex, GatheredEdges into, HorizonScratch scratch)
    {
        ArgumentNullException.ThrowIfNull(into);
        scratch.PrepareSeen(EdgeCount);
        var seen = scratch.Seen;
        var stamp = scratch.NextStamp();
        double px = cx - _originX, py = cy - _originY, radius2 = radiusM * radiusM;
        into.Clear();
        for (var row = CellRow(py - radiusM); row <= CellRow(py + radiusM); row++)
        {
            for (var col = CellColumn(px - radiusM); col <= CellColumn(px + radiusM); col++)
            {
                var cell = row * _columns + col;
                if (_cellMaxZ[cell] <= minZ)
                {
                    continue;
                }
                for (var k = _cellStart[cell]; k < _cellStart[cell + 1]; k++)
                {
                    var e = _cellEdges[k];
                    if (!FirstVisit(seen, e, stamp) || _faceOfEdge[e] == faceIndex || Math.Max(_z1[e], _z2[e]) <= minZ)
                    {
                        continue;
                    }
                    double ax = _x1[e] - px, ay = _y1[e] - py, ex = _x2[e] - _x1[e], ey = _y2[e] - _y1[e];
                    var len2 = ex * ex + ey * ey;
                    var t = len2 > 0 ? Math.Clamp(-(ax * ex + ay * ey) / len2, 0, 1) : 0;
                    double nx = ax + t * ex, ny = ay + t * ey;
                    var near2 = nx * nx + ny * ny;
                    if (near2 <= radius2)
                    {
                        into.Add(e, near2);
                    }
                }
            }
        }
        into.SortNearestFirst(this);
    }

    /// <summary>
    /// <see cref="Scan"/> with no inner radius over edges gathered by <see cref="Gather"/> for a disc that holds the point
    /// and reaches <paramref name="outerRadiusM"/> beyond it: the same tangents, without the grid.
    /// </summary>
    public void ScanGathered(GatheredEdges edges, double x, double y, double z, double outerRadiusM, int faceIndex,
        Span<double> maxTan, Span<double> distanceAtMax, HorizonScratch scratch)
    {
        ArgumentNullException.ThrowIfNull(edges);
        var ray = StartScan(x, y, z, 0, outerRadiusM, faceIndex, maxTan, distanceAtMax, scratch);
        ScanRange(edges.Arrays, 0, edges.Count, ref ray, maxTan, distanceAtMax, null, 0);
    }

    /// <summary>
    /// Scans edges [from, to) of <paramref name="a"/> four at a time: the tests that drop most of them (below the point,
    /// beyond the radius, wholly inside the inner radius) and the azimuths of the ends of the others in one vector pass;
    /// then each kept edge's sectors (<see cref="ScanSectors"/>), unless it is of the point's face or, with
    /// <paramref name="seen"/>, already scanned from another cell. The same tangents as <see cref="ScanEdge(int, ref Ray, Span{double}, Span{double})"/> edge by edge.
    /// </summary>
    private void ScanRange(EdgeArrays a, int from, int to, ref Ray ray, Span<double> maxTan, Span<double> distanceAtMax, int[]? seen, int stamp)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            for (var i = from; i < to; i++)
            {
                if (a.Face[i] != ray.FaceIndex && (seen is null || FirstVisit(seen, a.Edge[i], stamp)))
                {
                    ScanEdgeStep(a.X1[i], a.Y1[i], a.Z1[i], a.Ex[i], a.Ey[i], a.Z2[i], ref ray, maxTan, distanceAtMax);
                }
            }
            return;
        }
        ref var x1 = ref MemoryMarshal.GetArrayDataReference(a.X1);
        ref var y1 = ref MemoryMarshal.GetArrayDataReference(a.Y1);
        ref var z1 = ref MemoryMarshal.GetArrayDataReference(a.Z1);
        ref var z2 = ref MemoryMarshal.GetArrayDataReference(a.Z2);
        ref var exs = ref MemoryMarshal.GetArrayDataReference(a.Ex);
        ref var eys = ref MemoryMarshal.GetArrayDataReference(a.Ey);
        ref var inverseLength2 = ref MemoryMarshal.GetArrayDataReference(a.InverseLength2);
        ref var zMax = ref MemoryMarshal.GetArrayDataReference(a.ZMax);
        var px = Vector256.Create(ray.Px);
        var py = Vector256.Create(ray.Py);
        var pz = Vector256.Create(ray.Z);
        var radius2 = Vector256.Create(ray.Radius2);
        var inner2 = Vector256.Create(ray.Inner2);
        var hasInner = ray.Inner2 > 0;
        var minDistance = Vector256.Create(_minDistanceM);
        var laneNumbers = Vector256.Create(0.0, 1, 2, 3);
        Span<double> lanes = stackalloc double[4 * 5];
        for (var i = from; i < to; i += 4)
        {
            var dzMax = Vector256.LoadUnsafe(ref zMax, (nuint)i) - pz;
            var live = Vector256.GreaterThan(dzMax, Vector256<double>.Zero);
            if (to - i < 4)
            {
                live &= Vector256.LessThan(laneNumbers, Vector256.Create((double)(to - i)));
            }
            if (live == Vector256<double>.Zero)
            {
                continue;
            }
            var ax = Vector256.LoadUnsafe(ref x1, (nuint)i) - px;
            var ay = Vector256.LoadUnsafe(ref y1, (nuint)i) - py;
            var ex = Vector256.LoadUnsafe(ref exs, (nuint)i);
            var ey = Vector256.LoadUnsafe(ref eys, (nuint)i);
            var bx = ax + ex;
            var by = ay + ey;
            if (hasInner)
            {
                // Wholly in the near field: another scan's business.
                live = Vector256.AndNot(live, Vector256.LessThan(ax * ax + ay * ay, inner2) & Vector256.LessThan(bx * bx + by * by, inner2));
            }
            // Nearest point of the segment: edges entirely beyond the radius are dropped.
            var tNear = Vector256.Min(Vector256.Max(-(ax * ex + ay * ey) * Vector256.LoadUnsafe(ref inverseLength2, (nuint)i), Vector256<double>.Zero), Vector256<double>.One);
            var nx = ax + tNear * ex;
            var ny = ay + tNear * ey;
            var near2 = nx * nx + ny * ny;
            var bits = (live & Vector256.LessThanOrEqual(near2, radius2)).ExtractMostSignificantBits();
            if (bits == 0)
            {
                continue;
            }
            // An upper bound of the tangent each edge can reach, and the compass azimuths of its ends.
            (dzMax / Vector256.Max(Vector256.Sqrt(near2), minDistance)).CopyTo(lanes);
            FastAtan2(ax, ay).CopyTo(lanes[4..]);
            FastAtan2(bx, by).CopyTo(lanes[8..]);
            ax.CopyTo(lanes[12..]);
            ay.CopyTo(lanes[16..]);
            while (bits != 0)
            {
                var l = BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                var e = i + l;
                if (a.Face[e] == ray.FaceIndex || (seen is not null && !FirstVisit(seen, a.Edge[e], stamp)))
                {
                    continue;
                }
                ScanSectors(lanes[12 + l], lanes[16 + l], Unsafe.Add(ref exs, e), Unsafe.Add(ref eys, e), Unsafe.Add(ref z1, e) - ray.Z,
                    Unsafe.Add(ref z2, e) - ray.Z, lanes[l], lanes[4 + l], lanes[8 + l], ref ray, maxTan, distanceAtMax);
            }
        }
    }

    /// <summary>
    /// The same as <see cref="Scan"/> without the grid: every edge of the area is tested. The reference the grid scan is
    /// tested against, and the naive peer of the solar benchmark.
    /// </summary>
    public void ScanEveryEdge(double x, double y, double z, double innerRadiusM, double outerRadiusM, int faceIndex,
        Span<double> maxTan, Span<double> distanceAtMax, HorizonScratch scratch)
    {
        var ray = StartScan(x, y, z, innerRadiusM, outerRadiusM, faceIndex, maxTan, distanceAtMax, scratch);
        for (var e = 0; e < EdgeCount; e++)
        {
            ScanEdge(e, ref ray, maxTan, distanceAtMax);
        }
    }

    private Ray StartScan(double x, double y, double z, double innerRadiusM, double outerRadiusM, int faceIndex,
        Span<double> maxTan, Span<double> distanceAtMax, HorizonScratch scratch)
    {
        scratch.Prepare(maxTan.Length, EdgeCount);
        maxTan.Clear();
        distanceAtMax.Clear();
        return new Ray(x - _originX, y - _originY, z, innerRadiusM, outerRadiusM, faceIndex, maxTan.Length, scratch);
    }

    /// <summary>The point a scan looks from and its settings, in the index's local coordinates.</summary>
    private readonly ref struct Ray(double px, double py, double z, double innerRadiusM, double outerRadiusM, int faceIndex, int sectors, HorizonScratch scratch)
    {
        public readonly double Px = px;
        public readonly double Py = py;
        public readonly double Z = z;
        public readonly double Inner2 = innerRadiusM * innerRadiusM;
        public readonly double Radius2 = outerRadiusM * outerRadiusM;
        public readonly int FaceIndex = faceIndex;
        public readonly int Sectors = sectors;
        public readonly double SectorWidth = 2 * Math.PI / sectors;
        public readonly ReadOnlySpan<double> Sin = scratch.Sin.AsSpan(0, sectors);
        public readonly ReadOnlySpan<double> Cos = scratch.Cos.AsSpan(0, sectors);
    }

    /// <summary>
    /// True when no edge listed in the cell can raise any sector: the cell's highest edge point over the distance to the
    /// box of its edges is an upper bound of their tangents, and every sector that box spans already reaches it.
    /// </summary>
    private bool CellCannotRaise(int cell, ref Ray ray, Span<double> maxTan)
    {
        var dzMax = _cellMaxZ[cell] - ray.Z;
        if (dzMax <= 0)
        {
            return true;
        }
        double minX = _cellMinX[cell] - ray.Px, maxX = _cellMaxX[cell] - ray.Px, minY = _cellMinY[cell] - ray.Py, maxY = _cellMaxY[cell] - ray.Py;
        var dx = Math.Max(0, Math.Max(minX, -maxX));
        var dy = Math.Max(0, Math.Max(minY, -maxY));
        var d2 = dx * dx + dy * dy;
        if (d2 > ray.Radius2)
        {
            return true;
        }
        if (d2 == 0 || (ray.Inner2 > 0 && Math.Max(minX * minX, maxX * maxX) + Math.Max(minY * minY, maxY * maxY) < ray.Inner2))
        {
            // The point is in the box (every sector is possible), or the box is wholly inside the near field.
            return d2 > 0;
        }
        var bound = dzMax / Math.Max(Math.Sqrt(d2), _minDistanceM);
        // Compass azimuths of the box's corners around the direction of its centre: their extremes bound the sectors.
        var centre = FastAtan2((minX + maxX) / 2, (minY + maxY) / 2);
        double lo = 0, hi = 0;
        Extend(minX, minY);
        Extend(maxX, minY);
        Extend(minX, maxY);
        Extend(maxX, maxY);
        var kFrom = (int)Math.Floor((centre + lo) / ray.SectorWidth) - 1;
        var kTo = (int)Math.Ceiling((centre + hi) / ray.SectorWidth) + 1;
        if (kTo - kFrom >= ray.Sectors)
        {
            kTo = kFrom + ray.Sectors - 1;
        }
        for (int kk = kFrom, k = Wrap(kFrom, ray.Sectors); kk <= kTo; kk++, k = k + 1 == ray.Sectors ? 0 : k + 1)
        {
            if (maxTan[k] < bound)
            {
                return false;
            }
        }
        return true;

        void Extend(double cx, double cy)
        {
            var a = HalfTurnWrap(FastAtan2(cx, cy) - centre);
            lo = Math.Min(lo, a);
            hi = Math.Max(hi, a);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ScanEdge(int e, ref Ray ray, Span<double> maxTan, Span<double> distanceAtMax)
    {
        if (_faceOfEdge[e] != ray.FaceIndex)
        {
            ScanEdgeStep(_x1[e], _y1[e], _z1[e], _x2[e] - _x1[e], _y2[e] - _y1[e], _z2[e], ref ray, maxTan, distanceAtMax);
        }
    }

    /// <summary>One edge given by its first end and the step (ex, ey) to the second: the arithmetic of <see cref="ScanRange"/>, value for value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ScanEdgeStep(double x1, double y1, double z1, double ex, double ey, double z2, ref Ray ray, Span<double> maxTan, Span<double> distanceAtMax)
    {
        double dz1 = z1 - ray.Z, dz2 = z2 - ray.Z;
        if (dz1 <= 0 && dz2 <= 0)
        {
            return;
        }
        double ax = x1 - ray.Px, ay = y1 - ray.Py, bx = ax + ex, by = ay + ey;
        if (ray.Inner2 > 0 && ax * ax + ay * ay < ray.Inner2 && bx * bx + by * by < ray.Inner2)
        {
            return; // wholly in the near field: another scan's business
        }
        // Nearest point of the segment: skip edges entirely beyond the radius.
        var len2 = ex * ex + ey * ey;
        var tNear = len2 > 0 ? Math.Min(Math.Max(-(ax * ex + ay * ey) * (1 / len2), 0), 1) : 0;
        double nx = ax + tNear * ex, ny = ay + tNear * ey;
        var near2 = nx * nx + ny * ny;
        if (near2 > ray.Radius2)
        {
            return;
        }
        // An upper bound of the tangent this edge can reach; skip it when no sector could gain from it.
        var nearDist = Math.Max(Math.Sqrt(near2), _minDistanceM);
        var bestPossible = Math.Max(dz1, dz2) / nearDist;

        ScanSectors(ax, ay, ex, ey, dz1, dz2, bestPossible, FastAtan2(ax, ay), FastAtan2(bx, by), ref ray, maxTan, distanceAtMax);
    }

    /// <summary>
    /// Raises the sectors an edge crosses (ends a and a + e relative to the point, heights dz1 and dz2 above it, compass
    /// azimuths aza and azb of its ends) where it stands higher than what they hold and than <paramref name="bestPossible"/> allows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ScanSectors(double ax, double ay, double ex, double ey, double dz1, double dz2, double bestPossible, double aza, double azb,
        ref Ray ray, Span<double> maxTan, Span<double> distanceAtMax)
    {
        // The sectors between the ends' azimuths going the short way round. The angles are approximate (FastAtan2), so
        // one more sector on each side is tried: the ray–segment test below decides which sectors the edge crosses.
        var span = HalfTurnWrap(azb - aza);
        var from = span >= 0 ? aza : azb;
        var to = from + Math.Abs(span);
        var sectors = ray.Sectors;
        var kFrom = (int)Math.Ceiling(from / ray.SectorWidth) - 1;
        var kTo = (int)Math.Floor(to / ray.SectorWidth) + 1;
        if (kTo - kFrom >= sectors)
        {
            kTo = kFrom + sectors - 1;
        }
        var minDist = _minDistanceM;
        // from ∈ [−π, π]: kFrom ≥ −sectors/2 − 1, so one turn added is enough.
        var s = kFrom < 0 ? kFrom + sectors : kFrom >= sectors ? kFrom - sectors : kFrom;
        var cross = ax * ey - ay * ex;
        var kk = kFrom;
        if (Vector256.IsHardwareAccelerated)
        {
            // Four sectors at a time while they do not wrap past north (each sector is tested once per edge, so the order
            // does not matter): the same tests and values as the loop below.
            var vex = Vector256.Create(ex);
            var vey = Vector256.Create(ey);
            var vax = Vector256.Create(ax);
            var vay = Vector256.Create(ay);
            var vCross = Vector256.Create(cross);
            var vDz1 = Vector256.Create(dz1);
            var vDdz = Vector256.Create(dz2 - dz1);
            var vBest = Vector256.Create(bestPossible);
            var vInner2 = Vector256.Create(ray.Inner2);
            var vMinDist = Vector256.Create(minDist);
            var laneNumbers = Vector256.Create(0.0, 1, 2, 3);
            ref var tanRef = ref MemoryMarshal.GetReference(maxTan);
            ref var distanceRef = ref MemoryMarshal.GetReference(distanceAtMax);
            while (kk <= kTo && s + 4 <= sectors)
            {
                var current = Vector256.LoadUnsafe(ref tanRef, (nuint)s);
                // Sectors the edge could raise at best (nearly half the time none: nearer edges already stand higher).
                var open = Vector256.LessThan(laneNumbers, Vector256.Create((double)(kTo - kk + 1))) & Vector256.LessThan(current, vBest);
                if (open == Vector256<double>.Zero)
                {
                    kk += 4;
                    s = s + 4 == sectors ? 0 : s + 4;
                    continue;
                }
                var dx = Vector256.Create(ray.Sin.Slice(s, 4));
                var dy = Vector256.Create(ray.Cos.Slice(s, 4));
                // Ray p + r·d against segment a + t·e.
                var denom = dx * vey - dy * vex;
                var inverse = Vector256<double>.One / denom;
                var r = vCross * inverse;
                var t = (vax * dy - vay * dx) * inverse;
                var ok = open
                    & Vector256.GreaterThanOrEqual(Vector256.Abs(denom), Vector256.Create(1e-12))
                    & Vector256.GreaterThan(r, Vector256<double>.Zero)
                    & Vector256.GreaterThanOrEqual(t, Vector256.Create(-1e-9))
                    & Vector256.LessThanOrEqual(t, Vector256.Create(1 + 1e-9))
                    & Vector256.GreaterThanOrEqual(r * r, vInner2);
                if (ok != Vector256<double>.Zero)
                {
                    var dzt = vDz1 + Vector256.Min(Vector256.Max(t, Vector256<double>.Zero), Vector256<double>.One) * vDdz;
                    var distance = Vector256.Max(r, vMinDist);
                    var tan = dzt / distance;
                    var raise = ok & Vector256.GreaterThan(dzt, Vector256<double>.Zero) & Vector256.GreaterThan(tan, current);
                    if (raise != Vector256<double>.Zero)
                    {
                        Vector256.ConditionalSelect(raise, tan, current).StoreUnsafe(ref tanRef, (nuint)s);
                        Vector256.ConditionalSelect(raise, distance, Vector256.LoadUnsafe(ref distanceRef, (nuint)s)).StoreUnsafe(ref distanceRef, (nuint)s);
                    }
                }
                kk += 4;
                s += 4;
                if (s == sectors)
                {
                    s = 0;
                }
            }
        }
        for (; kk <= kTo; kk++, s = s + 1 == sectors ? 0 : s + 1)
        {
            if (maxTan[s] >= bestPossible)
            {
                continue;
            }
            double dx = ray.Sin[s], dy = ray.Cos[s];
            // Ray p + r·d against segment a + t·e.
            var denom = dx * ey - dy * ex;
            if (Math.Abs(denom) < 1e-12)
            {
                continue;
            }
            var inverse = 1 / denom;
            var r = cross * inverse;
            var t = (ax * dy - ay * dx) * inverse;
            if (r <= 0 || t < -1e-9 || t > 1 + 1e-9 || r * r < ray.Inner2)
            {
                continue; // behind, beside, or in the near field (another scan's business)
            }
            var dzt = dz1 + Math.Clamp(t, 0, 1) * (dz2 - dz1);
            if (dzt <= 0)
            {
                continue;
            }
            var distance = Math.Max(r, minDist);
            var tan = dzt / distance;
            if (tan > maxTan[s])
            {
                maxTan[s] = tan;
                distanceAtMax[s] = distance;
            }
        }
    }

    internal int FaceOfEdge(int e) => _faceOfEdge[e];

    internal void CopyEnds(int e, Span<double> ends)
    {
        ends[0] = _x1[e];
        ends[1] = _y1[e];
        ends[2] = _z1[e];
        ends[3] = _x2[e];
        ends[4] = _y2[e];
        ends[5] = _z2[e];
    }

    /// <summary>True the first time an edge is met in this scan (an edge is listed in every cell its box touches).</summary>
    private static bool FirstVisit(int[] seen, int edge, int stamp)
    {
        if (seen[edge] == stamp)
        {
            return false;
        }
        seen[edge] = stamp;
        return true;
    }

    /// <summary>An angle difference brought into [−π, π] (the short way round).</summary>
    private static double HalfTurnWrap(double a) => a > Math.PI ? a - 2 * Math.PI : a < -Math.PI ? a + 2 * Math.PI : a;

    /// <summary>k modulo n in [0, n) for any k (sector numbers below 0 or from n up wrap round).</summary>
    private static int Wrap(int k, int n)
    {
        var m = k % n;
        return m < 0 ? m + n : m;
    }

    /// <summary>atan2(y, x) in radians within about 1e-5 (a minimax polynomial): enough to pick the sectors to test.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double FastAtan2(double y, double x)
    {
        double ax = Math.Abs(x), ay = Math.Abs(y);
        var mx = Math.Max(ax, ay);
        if (mx == 0)
        {
            return 0;
        }
        var a = Math.Min(ax, ay) / mx;
        var s = a * a;
        var r = ((((-0.0117212 * s + 0.05265332) * s - 0.11643287) * s + 0.19354346) * s - 0.33262347) * s * a + 0.99997726 * a;
        if (ay > ax)
        {
            r = Math.PI / 2 - r;
        }
        if (x < 0)
        {
            r = Math.PI - r;
        }
        return y < 0 ? -r : r;
    }

    /// <summary><see cref="FastAtan2(double, double)"/> on four pairs at once (the same operations, the same results).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<double> FastAtan2(Vector256<double> y, Vector256<double> x)
    {
        var ax = Vector256.Abs(x);
        var ay = Vector256.Abs(y);
        var mx = Vector256.Max(ax, ay);
        var a = Vector256.Min(ax, ay) / mx;
        var s = a * a;
        var r = ((((Vector256.Create(-0.0117212) * s + Vector256.Create(0.05265332)) * s - Vector256.Create(0.11643287)) * s
            + Vector256.Create(0.19354346)) * s - Vector256.Create(0.33262347)) * s * a + Vector256.Create(0.99997726) * a;
        r = Vector256.ConditionalSelect(Vector256.GreaterThan(ay, ax), Vector256.Create(Math.PI / 2) - r, r);
        r = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<double>.Zero), Vector256.Create(Math.PI) - r, r);
        r = Vector256.ConditionalSelect(Vector256.LessThan(y, Vector256<double>.Zero), -r, r);
        return Vector256.ConditionalSelect(Vector256.Equals(mx, Vector256<double>.Zero), Vector256<double>.Zero, r);
    }

    /// <summary>
    /// Combines a point's near-field tangents with a far field scanned from a reference height <paramref name="farZ"/>:
    /// the far skyline point of each sector is kept, only its height relative to the point changes
    /// (tan = far tan + (farZ − z) / distance). Writes elevations in degrees.
    /// </summary>
    public static void CombineFarField(ReadOnlySpan<double> nearTan, ReadOnlySpan<double> farTan, ReadOnlySpan<double> farDistance,
        double farZ, double z, Span<float> elevationDeg)
    {
        var n = elevationDeg.Length;
        var s = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var dz = Vector256.Create(farZ - z);
            var toDegrees = Vector256.Create(180 / Math.PI);
            for (; s + 4 <= n; s += 4)
            {
                var far = Vector256.Create(farTan.Slice(s, 4));
                var tan = Vector256.Create(nearTan.Slice(s, 4));
                var shifted = far + dz / Vector256.Create(farDistance.Slice(s, 4));
                tan = Vector256.ConditionalSelect(Vector256.GreaterThan(far, Vector256<double>.Zero) & Vector256.GreaterThan(shifted, tan), shifted, tan);
                var degrees = Vector256.ConditionalSelect(Vector256.GreaterThan(tan, Vector256<double>.Zero), Atan(tan) * toDegrees, Vector256<double>.Zero);
                for (var k = 0; k < 4; k++)
                {
                    elevationDeg[s + k] = (float)degrees[k];
                }
            }
        }
        for (; s < n; s++)
        {
            var tan = nearTan[s];
            if (farTan[s] > 0)
            {
                var shifted = farTan[s] + (farZ - z) / farDistance[s];
                if (shifted > tan)
                {
                    tan = shifted;
                }
            }
            elevationDeg[s] = ToDegrees(tan);
        }
    }

    /// <summary>
    /// atan(x) for x ≥ 0 (other lanes: any value), to double precision (Cephes' atan: the argument brought below
    /// tan(π/8), then a rational approximation), four at a time.
    /// </summary>
    internal static Vector256<double> Atan(Vector256<double> x)
    {
        var big = Vector256.GreaterThan(x, Vector256.Create(2.414213562373095));   // tan(3π/8)
        var middle = Vector256.AndNot(Vector256.GreaterThan(x, Vector256.Create(0.66)), big);
        var reduced = Vector256.ConditionalSelect(big, -Vector256<double>.One / x,
            Vector256.ConditionalSelect(middle, (x - Vector256<double>.One) / (x + Vector256<double>.One), x));
        var y0 = Vector256.ConditionalSelect(big, Vector256.Create(Math.PI / 2), Vector256.ConditionalSelect(middle, Vector256.Create(Math.PI / 4), Vector256<double>.Zero));
        var z = reduced * reduced;
        var p = (((Vector256.Create(-8.750608600031904122785E-1) * z + Vector256.Create(-1.615753718733365076637E1)) * z
            + Vector256.Create(-7.500855792314704667340E1)) * z + Vector256.Create(-1.228866684490136173410E2)) * z + Vector256.Create(-6.485021904942025371773E1);
        var q = ((((z + Vector256.Create(2.485846490142306297962E1)) * z + Vector256.Create(1.650270098316988542046E2)) * z
            + Vector256.Create(4.328810604912902668951E2)) * z + Vector256.Create(4.853903996359136964868E2)) * z + Vector256.Create(1.945506571482613964425E2);
        var r = reduced * (z * p / q) + reduced;
        const double moreBits = 6.123233995736765886130E-17;
        r += Vector256.ConditionalSelect(big, Vector256.Create(moreBits), Vector256.ConditionalSelect(middle, Vector256.Create(0.5 * moreBits), Vector256<double>.Zero));
        return y0 + r;
    }

    private static float ToDegrees(double tan) => tan > 0 ? (float)(Math.Atan(tan) * (180 / Math.PI)) : 0f;
}

/// <summary>Per-thread working memory of <see cref="SkylineIndex.Horizon"/>.</summary>
public sealed class HorizonScratch
{
    private int _stamp;

    internal double[] MaxTan { get; private set; } = [];

    internal double[] DistanceAtMax { get; private set; } = [];

    internal double[] Sin { get; private set; } = [];

    internal double[] Cos { get; private set; } = [];

    internal int[] Seen { get; private set; } = [];

    internal void Prepare(int sectors, int edges)
    {
        if (MaxTan.Length != sectors)
        {
            MaxTan = new double[sectors];
            DistanceAtMax = new double[sectors];
            Sin = new double[sectors];
            Cos = new double[sectors];
            for (var s = 0; s < sectors; s++)
            {
                var az = 2 * Math.PI * s / sectors;
                Sin[s] = Math.Sin(az);
                Cos[s] = Math.Cos(az);
            }
        }
        PrepareSeen(edges);
    }

    internal void PrepareSeen(int edges)
    {
        if (Seen.Length < edges)
        {
            Seen = new int[edges];
            _stamp = 0;
        }
    }

    internal int NextStamp()
    {
        if (++_stamp == int.MaxValue)
        {
            Array.Clear(Seen);
            _stamp = 1;
        }
        return _stamp;
    }
}

/// <summary>
/// Edges laid out for <c>SkylineIndex.ScanRange</c>, in index-local coordinates: first end, the step to the second end,
/// the heights of both ends and the highest, 1 / the squared plan length, the edge's number and its face. Four entries
/// more than asked, so that the last four-edge load stays inside.
/// </summary>
internal sealed class EdgeArrays(int capacity)
{
    public readonly double[] X1 = new double[capacity + 4], Y1 = new double[capacity + 4], Z1 = new double[capacity + 4], Z2 = new double[capacity + 4],
        Ex = new double[capacity + 4], Ey = new double[capacity + 4], ZMax = new double[capacity + 4], InverseLength2 = new double[capacity + 4];

    public readonly int[] Edge = new int[capacity + 4], Face = new int[capacity + 4];

    public int Capacity => X1.Length - 4;

    public void Set(int i, SkylineIndex index, int edge)
    {
        Span<double> ends = stackalloc double[6];
        index.CopyEnds(edge, ends);
        X1[i] = ends[0];
        Y1[i] = ends[1];
        Z1[i] = ends[2];
        Z2[i] = ends[5];
        Ex[i] = ends[3] - ends[0];
        Ey[i] = ends[4] - ends[1];
        ZMax[i] = Math.Max(ends[2], ends[5]);
        InverseLength2[i] = 1 / (Ex[i] * Ex[i] + Ey[i] * Ey[i]);
        Edge[i] = edge;
        Face[i] = index.FaceOfEdge(edge);
    }
}

/// <summary>The edges <see cref="SkylineIndex.Gather"/> kept for one roof face (reused from face to face).</summary>
public sealed class GatheredEdges
{
    private int[] _edges = new int[256];
    private double[] _distance2 = new double[256];

    public int Count { get; private set; }

    internal void Clear() => Count = 0;

    internal void Add(int edge, double distance2)
    {
        if (Count == _edges.Length)
        {
            Array.Resize(ref _edges, Count * 2);
            Array.Resize(ref _distance2, Count * 2);
        }
        _edges[Count] = edge;
        _distance2[Count++] = distance2;
    }

    /// <summary>The kept edges, nearest first.</summary>
    internal EdgeArrays Arrays { get; private set; } = new(0);

    internal void SortNearestFirst(SkylineIndex index)
    {
        Array.Sort(_distance2, _edges, 0, Count);
        if (Arrays.Capacity < Count)
        {
            Arrays = new EdgeArrays(Math.Max(Count, _edges.Length));
        }
        for (var i = 0; i < Count; i++)
        {
            Arrays.Set(i, index, _edges[i]);
        }
    }
}
