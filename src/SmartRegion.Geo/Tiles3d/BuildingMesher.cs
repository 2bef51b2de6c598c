using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;
using NetTopologySuite.Triangulate.Polygon;
using SmartRegion.Geo.Crs;

namespace SmartRegion.Geo.Tiles3d;

/// <summary>
/// Turns a building into triangles of a tile: roof faces (triangulated in plan, each a feature coloured by its annual
/// irradiation) and walls (one feature per building) standing on the footprint from the ground up to the roof's edge, with
/// the gables and steps the roof faces make along each footprint edge.
/// </summary>
/// <remarks>
/// Vertices go storage CRS + NGF-IGN69 altitude → geodetic (StorageCrs: closed-form for Lambert-93) → ellipsoidal height (altitude +
/// the geoid undulation) → ECEF in double precision → the tile's east-north-up frame, and only then to single precision.
/// </remarks>
public sealed class BuildingMesher(EnuFrame frame, double geoidUndulationM)
{
    /// <summary>A roof vertex within this distance (m, in plan) of a footprint edge shapes the wall's top along that edge.</summary>
    private const double EdgeSnapM = 0.35;

    /// <summary>A footprint point within this distance (m) of a roof face takes that face's height.</summary>
    private const double FaceReachM = 0.35;

    private readonly EnuFrame _frame = frame;
    private readonly double _geoidUndulationM = geoidUndulationM;
    private TileBounds _bounds = TileBounds.Empty;

    /// <summary>The plan box and altitude range of every vertex added so far.</summary>
    public TileBounds Bounds => _bounds;

    /// <summary>Adds a building to <paramref name="mesh"/>; returns false (nothing added) when it has no usable geometry.</summary>
    public bool Add(TileMesh mesh, BuildingInput building)
    {
        if (building.Id is < 0 or > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(building), $"building id {building.Id} does not fit the tiles' UINT32 buildingId");
        }
        if (building.Footprint.IsEmpty || !double.IsFinite(building.GroundAltitudeM))
        {
            return false;
        }
        var id = (uint)building.Id;
        var faces = building.Faces.Select(f => FacePlane.Of(f)).Where(p => p is not null).Select(p => p!).ToList();
        var roofTop = double.IsFinite(building.RoofTopAltitudeM) ? building.RoofTopAltitudeM : building.GroundAltitudeM + 3;

        if (faces.Count > 0)
        {
            foreach (var face in faces)
            {
                AddRoofFace(mesh, building, id, face);
            }
        }
        else
        {
            AddFlatRoof(mesh, building, id, roofTop);
        }

        var wallFeature = mesh.AddFeature(new FeatureRow(id, 0, SurfaceKind.Wall, building.Status, FeatureRow.NoDataFloat, 0,
            FeatureRow.NoDataFloat, FeatureRow.NoDataFloat, FeatureRow.NoDataFloat));
        for (var p = 0; p < building.Footprint.NumGeometries; p++)
        {
            var polygon = (Polygon)building.Footprint.GetGeometryN(p);
            AddWalls(mesh, polygon.ExteriorRing, exterior: true, building, faces, roofTop, wallFeature);
            foreach (var hole in polygon.InteriorRings)
            {
                AddWalls(mesh, hole, exterior: false, building, faces, roofTop, wallFeature);
            }
        }
        return true;
    }

    /// <summary>Local east, north, up (m) of a storage-CRS point at an NGF-IGN69 altitude.</summary>
    public (double E, double N, double U) ToLocal(double x, double y, double altitudeM)
    {
        _bounds.Include(x, y, altitudeM);
        var (lon, lat) = StorageCrs.ToGeographicRad(x, y);
        var (ex, ey, ez) = EnuFrame.GeodeticToEcef(lon, lat, altitudeM + _geoidUndulationM);
        return _frame.FromEcef(ex, ey, ez);
    }

    private void AddRoofFace(TileMesh mesh, BuildingInput building, uint id, FacePlane face)
    {
        var f = face.Input;
        var feature = mesh.AddFeature(new FeatureRow(id, (ushort)Math.Clamp(f.FaceNo, 1, ushort.MaxValue), SurfaceKind.Roof, building.Status,
            (float)f.AnnualIrradiationKwhPerM2, (byte)Math.Clamp((int)f.SuitabilityClass, 0, 255), (float)f.TiltDeg, (float)f.AzimuthDeg, (float)f.AreaM2));
        AddTriangulated(mesh, f.PolygonZ, face.Z, IrradiationColours.ForIrradiation(f.AnnualIrradiationKwhPerM2), feature);
    }

    private void AddFlatRoof(TileMesh mesh, BuildingInput building, uint id, double roofTop)
    {
        var feature = mesh.AddFeature(new FeatureRow(id, 1, SurfaceKind.Roof, building.Status, FeatureRow.NoDataFloat, 0,
            0, FeatureRow.NoDataFloat, (float)building.Footprint.Area));
        for (var p = 0; p < building.Footprint.NumGeometries; p++)
        {
            AddTriangulated(mesh, (Polygon)building.Footprint.GetGeometryN(p), (_, _) => roofTop, IrradiationColours.NoResult, feature);
        }
    }

    /// <summary>Triangulates a polygon in plan; each vertex keeps its own altitude, else takes <paramref name="altitudeAt"/>'s; normals face the sky.</summary>
    private void AddTriangulated(TileMesh mesh, Polygon polygon, Func<double, double, double> altitudeAt, (byte R, byte G, byte B) colour, int feature)
    {
        Geometry triangles;
        try
        {
            triangles = PolygonTriangulator.Triangulate(polygon);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or TopologyException)
        {
            return; // a degenerate ring the triangulator refuses: the face is left out rather than the building
        }
        // Each distinct corner projected once and stored once (the triangles of a face share its corners and its normal).
        var corners = new Dictionary<(double X, double Y), int>();
        var local = new List<(double E, double N, double U)>();
        var triangleCorners = new int[triangles.NumGeometries * 3];
        for (var t = 0; t < triangles.NumGeometries; t++)
        {
            var ring = ((Polygon)triangles.GetGeometryN(t)).ExteriorRing.Coordinates;
            for (var k = 0; k < 3; k++)
            {
                var c = ring[k];
                if (!corners.TryGetValue((c.X, c.Y), out var index))
                {
                    index = local.Count;
                    corners[(c.X, c.Y)] = index;
                    local.Add(ToLocal(c.X, c.Y, double.IsFinite(c.Z) ? c.Z : altitudeAt(c.X, c.Y)));
                }
                triangleCorners[3 * t + k] = index;
            }
        }
        // One normal for the whole face (Newell's method over its triangles, turned to face the sky).
        double nx = 0, ny = 0, nz = 0;
        for (var i = 0; i < triangleCorners.Length; i += 3)
        {
            var (cx, cy, cz) = Cross(local[triangleCorners[i]], local[triangleCorners[i + 1]], local[triangleCorners[i + 2]]);
            nx += cx;
            ny += cy;
            nz += cz;
        }
        if (nz < 0)
        {
            (nx, ny, nz) = (-nx, -ny, -nz);
        }
        var len = Math.Sqrt(nx * nx + ny * ny + nz * nz);
        if (len == 0)
        {
            return;
        }
        (nx, ny, nz) = (nx / len, ny / len, nz / len);
        var first = uint.MaxValue;
        foreach (var p in local)
        {
            var v = mesh.AddVertex(p.E, p.N, p.U, nx, ny, nz, colour, feature);
            first = Math.Min(first, v);
        }
        for (var i = 0; i < triangleCorners.Length; i += 3)
        {
            int a = triangleCorners[i], b = triangleCorners[i + 1], c = triangleCorners[i + 2];
            var (cx, cy, cz) = Cross(local[a], local[b], local[c]);
            if (cx * nx + cy * ny + cz * nz < 0)
            {
                (b, c) = (c, b);
            }
            mesh.AddTriangle(first + (uint)a, first + (uint)b, first + (uint)c);
        }
    }

    private static (double X, double Y, double Z) Cross((double E, double N, double U) a, (double E, double N, double U) b, (double E, double N, double U) c)
    {
        double ux = b.E - a.E, uy = b.N - a.N, uz = b.U - a.U;
        double vx = c.E - a.E, vy = c.N - a.N, vz = c.U - a.U;
        return (uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx);
    }

    private void AddWalls(TileMesh mesh, LineString ring, bool exterior, BuildingInput building, List<FacePlane> faces, double roofTop, int feature)
    {
        var coords = ring.Coordinates;
        if (coords.Length < 4)
        {
            return;
        }
        // The outside of the building is on the right of an edge when the shell turns counter-clockwise (a hole: clockwise).
        var rightIsOutside = Orientation.IsCCW(coords) == exterior;
        var ground = building.GroundAltitudeM;
        var breaks = new List<double>(8);
        for (var i = 0; i + 1 < coords.Length; i++)
        {
            double x0 = coords[i].X, y0 = coords[i].Y, x1 = coords[i + 1].X, y1 = coords[i + 1].Y;
            double dx = x1 - x0, dy = y1 - y0;
            var length = Math.Sqrt(dx * dx + dy * dy);
            if (length < 0.01)
            {
                continue;
            }
            breaks.Clear();
            breaks.Add(0);
            breaks.Add(1);
            foreach (var face in faces)
            {
                foreach (var v in face.Input.PolygonZ.ExteriorRing.Coordinates)
                {
                    var t = ((v.X - x0) * dx + (v.Y - y0) * dy) / (length * length);
                    var off = Math.Abs((v.X - x0) * dy - (v.Y - y0) * dx) / length;
                    if (t > 0 && t < 1 && off <= EdgeSnapM)
                    {
                        breaks.Add(t);
                    }
                }
            }
            breaks.Sort();
            // Outward horizontal normal, in the local frame (grid north is not true north: take it from the frame).
            var a0 = ToLocal(x0, y0, ground);
            var a1 = ToLocal(x1, y1, ground);
            double ee = a1.E - a0.E, en = a1.N - a0.N;
            var hl = Math.Sqrt(ee * ee + en * en);
            var (ne, nn) = rightIsOutside ? (en / hl, -ee / hl) : (-en / hl, ee / hl);

            // Points along the edge are interpolated between its projected ends, and a wall's top stands on its foot along the
            // frame's up: over a tile (a few hundred metres) the vertical turns by under 0.01°, a few millimetres on a tall wall.
            var colour = IrradiationColours.Wall;
            var previousT = double.NaN;
            uint prevBottom = 0, prevTop = 0;
            foreach (var t in breaks)
            {
                if (!double.IsNaN(previousT) && (t - previousT) * length < 0.02)
                {
                    continue;
                }
                var top = Math.Max(RoofAltitudeAt(faces, x0 + t * dx, y0 + t * dy, roofTop), ground + 0.1);
                double e = a0.E + t * (a1.E - a0.E), n = a0.N + t * (a1.N - a0.N), u = a0.U + t * (a1.U - a0.U);
                _bounds.Include(x0 + t * dx, y0 + t * dy, top);
                var bottom = mesh.AddVertex(e, n, u, ne, nn, 0, colour, feature);
                var upper = mesh.AddVertex(e, n, u + (top - ground), ne, nn, 0, colour, feature);
                if (!double.IsNaN(previousT))
                {
                    // Counter-clockwise seen from outside: the normal's side.
                    if (rightIsOutside)
                    {
                        mesh.AddTriangle(prevBottom, upper, bottom);
                        mesh.AddTriangle(prevBottom, prevTop, upper);
                    }
                    else
                    {
                        mesh.AddTriangle(prevBottom, bottom, upper);
                        mesh.AddTriangle(prevBottom, upper, prevTop);
                    }
                }
                previousT = t;
                prevBottom = bottom;
                prevTop = upper;
            }
        }
    }

    /// <summary>
    /// The roof's altitude above a footprint point: the highest face whose plan contains it (within reach), else the nearest
    /// roof vertex within 3 m, else the building's roof top.
    /// </summary>
    private static double RoofAltitudeAt(List<FacePlane> faces, double x, double y, double fallback)
    {
        var best = double.NegativeInfinity;
        foreach (var f in faces)
        {
            if (f.Reaches(x, y, FaceReachM))
            {
                best = Math.Max(best, f.Z(x, y));
            }
        }
        if (double.IsFinite(best))
        {
            return best;
        }
        var nearest = double.PositiveInfinity;
        foreach (var f in faces)
        {
            foreach (var v in f.Input.PolygonZ.ExteriorRing.Coordinates)
            {
                var d = (v.X - x) * (v.X - x) + (v.Y - y) * (v.Y - y);
                if (d < nearest && d <= 9 && double.IsFinite(v.Z))
                {
                    nearest = d;
                    best = v.Z;
                }
            }
        }
        return double.IsFinite(best) ? best : fallback;
    }

    /// <summary>A roof face with its plane z = a·x + b·y + c (fitted by Newell's method) and its plan for point tests.</summary>
    private sealed class FacePlane
    {
        private readonly double _a, _b, _c;
        private readonly Coordinate[] _ring;

        private FacePlane(RoofFaceInput input, double a, double b, double c)
        {
            Input = input;
            (_a, _b, _c) = (a, b, c);
            _ring = input.PolygonZ.ExteriorRing.Coordinates;
        }

        public RoofFaceInput Input { get; }

        public static FacePlane? Of(RoofFaceInput face)
        {
            var ring = face.PolygonZ.ExteriorRing.Coordinates;
            if (ring.Length < 4)
            {
                return null;
            }
            double nx = 0, ny = 0, nz = 0, cx = 0, cy = 0, cz = 0;
            for (var i = 0; i + 1 < ring.Length; i++)
            {
                var p = ring[i];
                var q = ring[i + 1];
                if (!double.IsFinite(p.Z) || !double.IsFinite(q.Z))
                {
                    return null;
                }
                nx += (p.Y - q.Y) * (p.Z + q.Z);
                ny += (p.Z - q.Z) * (p.X + q.X);
                nz += (p.X - q.X) * (p.Y + q.Y);
                cx += p.X;
                cy += p.Y;
                cz += p.Z;
            }
            var n = ring.Length - 1;
            if (Math.Abs(nz) < 1e-9 * (Math.Abs(nx) + Math.Abs(ny) + 1e-30))
            {
                return null; // vertical
            }
            (cx, cy, cz) = (cx / n, cy / n, cz / n);
            var a = -nx / nz;
            var b = -ny / nz;
            return new FacePlane(face, a, b, cz - a * cx - b * cy);
        }

        public double Z(double x, double y) => _a * x + _b * y + _c;

        public bool Reaches(double x, double y, double tolerance)
        {
            if (PointLocation.IsInRing(new Coordinate(x, y), _ring))
            {
                return true;
            }
            for (var i = 0; i + 1 < _ring.Length; i++)
            {
                if (DistanceComputer.PointToSegment(new Coordinate(x, y), _ring[i], _ring[i + 1]) <= tolerance)
                {
                    return true;
                }
            }
            return false;
        }
    }
}
