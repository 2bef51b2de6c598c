using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using SmartRegion.Geo.Roofs;

namespace SmartRegion.Geo.Panels;

/// <summary>A PV module's size and rating.</summary>
/// <param name="LengthM">Long side (default 1.72 m).</param>
/// <param name="WidthM">Short side (default 1.13 m).</param>
/// <param name="PeakPowerWp">Rated power at STC (default 425 Wp).</param>
/// <param name="GapM">Gap between neighbouring modules (clamps).</param>
public sealed record ModuleSpec(double LengthM = 1.72, double WidthM = 1.13, double PeakPowerWp = 425, double GapM = 0.02);

/// <summary>One placed module.</summary>
/// <param name="Polygon">The module's outline in 3D (storage CRS, altitude in Z).</param>
/// <param name="Portrait">Long side up the slope (or across the row on flat roofs).</param>
/// <param name="TiltDeg">The module's own tilt: the face's on pitched roofs, the rack's on flat roofs.</param>
/// <param name="AzimuthDeg">The module's compass azimuth.</param>
public sealed record PlacedModule(Polygon Polygon, double CentreX, double CentreY, double CentreZ, bool Portrait, double TiltDeg, double AzimuthDeg);

/// <summary>The modules placed on one face.</summary>
/// <param name="UsableAreaM2">True area left after setbacks and exclusions (in the face's plane).</param>
public sealed record PanelLayout(IReadOnlyList<PlacedModule> Modules, double UsableAreaM2, bool Portrait)
{
    public static readonly PanelLayout Empty = new([], 0, true);
}

/// <summary>Packs real module rectangles on a roof face.</summary>
/// <remarks>
/// Work happens in the face's own plane (u along the contour, v up the slope, true lengths), so modules are true
/// rectangles on the roof. Rows are filled greedily from one end; both orientations and four row offsets are tried and
/// the layout with the most modules wins. Flat roofs carry racks tilted towards <c>rowAzimuthDeg</c>, with the row
/// pitch that keeps rows unshaded at solar noon on the winter solstice: pitch = L·cos β + L·sin β / tan(h), with
/// h = 90° − |φ| − 23.44°.
/// </remarks>
public static class PanelPacker
{
    private const double SearchStepM = 0.1;

    /// <summary>Packs modules flat on a pitched face, in its plane.</summary>
    /// <param name="face">The 3D face polygon.</param>
    /// <param name="plane">Its fitted plane.</param>
    /// <param name="setbackM">Distance kept free along every edge of the face.</param>
    /// <param name="exclusionsPlan">Plan (2D) areas where no module may go (poorly lit cells, obstacles), or null.</param>
    public static PanelLayout PackPitched(Polygon face, RoofPlane plane, ModuleSpec module, double setbackM, Geometry? exclusionsPlan)
    {
        var frame = Frame.ForFace(face, plane.AzimuthDeg, plane.TiltDeg);
        var layout = Pack(frame, face, module, setbackM, exclusionsPlan, rowPitchFactor: null);
        return layout;
    }

    /// <summary>Packs tilted racks in rows on a flat face.</summary>
    public static PanelLayout PackFlat(
        Polygon face, ModuleSpec module, double setbackM, Geometry? exclusionsPlan, double rackTiltDeg, double rowAzimuthDeg, double latitudeDeg)
    {
        var z = face.ExteriorRing.Coordinates.Average(c => double.IsFinite(c.Z) ? c.Z : 0);
        var frame = Frame.ForFlat(face, rowAzimuthDeg, z, rackTiltDeg);
        var noonElevation = Math.Max(5, 90 - Math.Abs(latitudeDeg) - 23.44);
        return Pack(frame, face, module, setbackM, exclusionsPlan, rowPitchFactor: Angles.DegToRad(noonElevation));
    }

    private static PanelLayout Pack(Frame frame, Polygon face, ModuleSpec module, double setbackM, Geometry? exclusionsPlan, double? rowPitchFactor)
    {
        var factory = face.Factory;
        Geometry local = frame.ToLocal(face, factory);
        if (setbackM > 0)
        {
            local = local.Buffer(-setbackM, 2);
        }
        if (exclusionsPlan is { IsEmpty: false })
        {
            local = local.Difference(frame.ToLocal(exclusionsPlan, factory));
        }
        if (local.IsEmpty || local.Area <= 0)
        {
            return PanelLayout.Empty;
        }
        // Local coordinates are true lengths in the face's plane, so this is the true usable area.
        var usable = local.Area;
        var prepared = PreparedGeometryFactory.Prepare(local);
        var env = local.EnvelopeInternal;

        List<(double U, double V, double W, double H)>? best = null;
        var bestPortrait = true;
        foreach (var portrait in new[] { true, false })
        {
            var w = portrait ? module.WidthM : module.LengthM;        // along the contour
            var slopeLength = portrait ? module.LengthM : module.WidthM; // up the slope (in the module's own plane)
            // On a rack the module's plan depth is its slope length × cos β; the rows need extra room for the shadow.
            var h = frame.RackTiltRad is { } beta ? slopeLength * Math.Cos(beta) : slopeLength;
            var pitch = rowPitchFactor is { } hNoon && frame.RackTiltRad is { } b
                ? slopeLength * Math.Cos(b) + slopeLength * Math.Sin(b) / Math.Tan(hNoon)
                : h + module.GapM;
            for (var k = 0; k < 4; k++)
            {
                var placed = new List<(double U, double V, double W, double H)>();
                for (var v = env.MinY + k * pitch / 4; v + h <= env.MaxY + 1e-9; v += pitch)
                {
                    var u = env.MinX;
                    while (u + w <= env.MaxX + 1e-9)
                    {
                        if (prepared.Contains(Rect(factory, u, v, w, h)))
                        {
                            placed.Add((u, v, w, h));
                            u += w + module.GapM;
                        }
                        else
                        {
                            u += SearchStepM;
                        }
                    }
                }
                if (best is null || placed.Count > best.Count)
                {
                    best = placed;
                    bestPortrait = portrait;
                }
            }
        }

        var modules = best!.Select(r => frame.ToWorld(r.U, r.V, r.W, r.H, factory, bestPortrait)).ToList();
        return new PanelLayout(modules, usable, bestPortrait);
    }

    private static Polygon Rect(GeometryFactory f, double u, double v, double w, double h) =>
        f.CreatePolygon([new(u, v), new(u + w, v), new(u + w, v + h), new(u, v + h), new(u, v)]);

    /// <summary>The face's plane coordinates: u along the contour, v up the slope (true length) or towards the rows' back.</summary>
    private sealed class Frame
    {
        private double _ox, _oy, _oz;
        private double _hx, _hy;   // unit plan vector along u
        private double _dx, _dy;   // unit plan vector downslope (the way the modules face)
        private double _cosTilt = 1, _sinTilt;

        public double AzimuthDeg { get; private init; }

        public double ModuleTiltDeg { get; private init; }

        public double? RackTiltRad { get; private init; }

        public static Frame ForFace(Polygon face, double azimuthDeg, double tiltDeg)
        {
            var o = face.ExteriorRing.GetCoordinateN(0);
            var frame = new Frame { AzimuthDeg = azimuthDeg, ModuleTiltDeg = tiltDeg };
            frame.Init(o.X, o.Y, double.IsFinite(o.Z) ? o.Z : 0, azimuthDeg, tiltDeg);
            return frame;
        }

        public static Frame ForFlat(Polygon face, double rowAzimuthDeg, double z, double rackTiltDeg)
        {
            var o = face.ExteriorRing.GetCoordinateN(0);
            var frame = new Frame { AzimuthDeg = rowAzimuthDeg, ModuleTiltDeg = rackTiltDeg, RackTiltRad = Angles.DegToRad(rackTiltDeg) };
            frame.Init(o.X, o.Y, z, rowAzimuthDeg, 0);
            return frame;
        }

        private void Init(double ox, double oy, double oz, double azimuthDeg, double tiltDeg)
        {
            _ox = ox;
            _oy = oy;
            _oz = oz;
            (_dx, _dy) = Angles.VectorFromCompass(azimuthDeg);
            (_hx, _hy) = Angles.VectorFromCompass(azimuthDeg + 90);
            _cosTilt = Math.Cos(Angles.DegToRad(tiltDeg));
            _sinTilt = Math.Sin(Angles.DegToRad(tiltDeg));
        }

        private (double U, double V) Local(double x, double y)
        {
            double px = x - _ox, py = y - _oy;
            return (px * _hx + py * _hy, -(px * _dx + py * _dy) / _cosTilt);
        }

        private (double X, double Y, double Z) World(double u, double v) =>
            (_ox + u * _hx - v * _cosTilt * _dx, _oy + u * _hy - v * _cosTilt * _dy, _oz + v * _sinTilt);

        public Geometry ToLocal(Geometry g, GeometryFactory factory)
        {
            var copy = factory.CreateGeometry(g);
            copy.Apply(new LocalFilter(this));
            copy.GeometryChanged();
            return copy.IsValid ? copy : NetTopologySuite.Geometries.Utilities.GeometryFixer.Fix(copy);
        }

        public PlacedModule ToWorld(double u, double v, double w, double h, GeometryFactory factory, bool portrait)
        {
            // On a rack the module's back edge rises by slope length × sin β above the roof.
            var rise = RackTiltRad is { } beta ? h / Math.Cos(beta) * Math.Sin(beta) : 0;
            var corners = new[] { (u, v, 0.0), (u + w, v, 0.0), (u + w, v + h, rise), (u, v + h, rise), (u, v, 0.0) }
                .Select(c =>
                {
                    var (x, y, z) = World(c.Item1, c.Item2);
                    return (Coordinate)new CoordinateZ(x, y, z + c.Item3);
                })
                .ToArray();
            var (cx, cy, cz) = World(u + w / 2, v + h / 2);
            return new PlacedModule(factory.CreatePolygon(corners), cx, cy, cz + rise / 2, portrait, ModuleTiltDeg, AzimuthDeg);
        }

        private sealed class LocalFilter(Frame frame) : ICoordinateSequenceFilter
        {
            public bool Done => false;

            public bool GeometryChanged => true;

            public void Filter(CoordinateSequence seq, int i)
            {
                var (u, v) = frame.Local(seq.GetX(i), seq.GetY(i));
                seq.SetX(i, u);
                seq.SetY(i, v);
            }
        }
    }
}
