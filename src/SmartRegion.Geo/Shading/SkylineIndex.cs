using System.Runtime.CompilerServices;
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
                    for (var k = _cellStart[cell]; k < _cellStart[cell + 1]; k++)
                    {
                        if (FirstVisit(seen, _cellEdges[k], stamp))
                        {
                            ScanEdge(_cellEdges[k], ref ray, maxTan, distanceAtMax);
                        }
                    }
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
        // The gathered edges' ends, copied in scan order (nearest first): the samples of a face stream through them.
        ReadOnlySpan<double> ends = edges.Ends.AsSpan(0, 6 * edges.Count);
        for (var i = 0; i < ends.Length; i += 6)
        {
            ScanEdge(ends[i], ends[i + 1], ends[i + 2], ends[i + 3], ends[i + 4], ends[i + 5], ref ray, maxTan, distanceAtMax);
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
            ScanEdge(_x1[e], _y1[e], _z1[e], _x2[e], _y2[e], _z2[e], ref ray, maxTan, distanceAtMax);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ScanEdge(double x1, double y1, double z1, double x2, double y2, double z2, ref Ray ray, Span<double> maxTan, Span<double> distanceAtMax)
    {
        double dz1 = z1 - ray.Z, dz2 = z2 - ray.Z;
        if (dz1 <= 0 && dz2 <= 0)
        {
            return;
        }
        double ax = x1 - ray.Px, ay = y1 - ray.Py, bx = x2 - ray.Px, by = y2 - ray.Py;
        if (ray.Inner2 > 0 && ax * ax + ay * ay < ray.Inner2 && bx * bx + by * by < ray.Inner2)
        {
            return; // wholly in the near field: another scan's business
        }
        double ex = bx - ax, ey = by - ay;
        // Nearest point of the segment: skip edges entirely beyond the radius.
        var len2 = ex * ex + ey * ey;
        var tNear = len2 > 0 ? Math.Clamp(-(ax * ex + ay * ey) / len2, 0, 1) : 0;
        double nx = ax + tNear * ex, ny = ay + tNear * ey;
        var near2 = nx * nx + ny * ny;
        if (near2 > ray.Radius2)
        {
            return;
        }
        // An upper bound of the tangent this edge can reach; skip it when no sector could gain from it.
        var nearDist = Math.Max(Math.Sqrt(near2), _minDistanceM);
        var bestPossible = Math.Max(dz1, dz2) / nearDist;

        // Compass azimuths (radians, clockwise from north) of the two ends, and the sectors between them going the short
        // way round. The angles are approximate (FastAtan2), so one more sector on each side is tried: the ray–segment
        // test below decides which sectors the edge crosses.
        var aza = FastAtan2(ax, ay);
        var azb = FastAtan2(bx, by);
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
        var s = Wrap(kFrom, sectors);
        for (var kk = kFrom; kk <= kTo; kk++, s = s + 1 == sectors ? 0 : s + 1)
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
            var r = (ax * ey - ay * ex) * inverse;
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

    /// <summary>
    /// Combines a point's near-field tangents with a far field scanned from a reference height <paramref name="farZ"/>:
    /// the far skyline point of each sector is kept, only its height relative to the point changes
    /// (tan = far tan + (farZ − z) / distance). Writes elevations in degrees.
    /// </summary>
    public static void CombineFarField(ReadOnlySpan<double> nearTan, ReadOnlySpan<double> farTan, ReadOnlySpan<double> farDistance,
        double farZ, double z, Span<float> elevationDeg)
    {
        for (var s = 0; s < elevationDeg.Length; s++)
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

    /// <summary>x1, y1, z1, x2, y2, z2 of each kept edge (index-local coordinates), nearest first.</summary>
    internal double[] Ends { get; private set; } = new double[6 * 256];

    internal void SortNearestFirst(SkylineIndex index)
    {
        Array.Sort(_distance2, _edges, 0, Count);
        if (Ends.Length < 6 * Count)
        {
            Ends = new double[6 * _edges.Length];
        }
        for (var i = 0; i < Count; i++)
        {
            index.CopyEnds(_edges[i], Ends.AsSpan(6 * i, 6));
        }
    }
}
