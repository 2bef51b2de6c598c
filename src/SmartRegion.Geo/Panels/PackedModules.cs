using NetTopologySuite.Geometries;
using SmartRegion.Geo.Roofs;

namespace SmartRegion.Geo.Panels;

/// <summary>
/// The modules placed on one face, as numbers: the face's frame, the modules' size in it, the rise of a rack's back edge,
/// and each module's lower corner (u, v) in the frame, in the packer's order. A module's outline is computed from these,
/// by the packer and by whoever reads a stored layout, with the same arithmetic: the same doubles to the bit.
/// </summary>
/// <param name="W">A module's extent along u (along the contour), m.</param>
/// <param name="H">Its extent along v in the frame (up the slope; a rack's plan depth), m.</param>
/// <param name="Rise">How far a rack's back edge rises above the roof (0 on a pitched face), m.</param>
/// <param name="Uv">[u0, v0, u1, v1, …]: each module's corner (u, v).</param>
public sealed record PackedModules(FaceFrame Frame, double W, double H, double Rise, bool Portrait, double[] Uv)
{
    /// <summary>How many numbers <see cref="WriteHeader"/> writes before the modules' corners.</summary>
    public const int HeaderCount = FaceFrame.NumberCount + 4;

    public int Count => Uv.Length / 2;

    /// <summary>Module <paramref name="i"/>'s outline: its four corners and the first again, altitudes in Z.</summary>
    public Polygon Polygon(int i, GeometryFactory factory)
    {
        var corners = new Coordinate[] { new CoordinateZ(), new CoordinateZ(), new CoordinateZ(), new CoordinateZ(), new CoordinateZ() };
        Corners(i, corners);
        return factory.CreatePolygon(corners);
    }

    /// <summary>
    /// Sets the five points of module <paramref name="i"/>'s outline (<see cref="Polygon"/>'s, the first again last) into
    /// <paramref name="corners"/>, five <see cref="CoordinateZ"/> changed in place: the packer's order and arithmetic.
    /// </summary>
    public void Corners(int i, Coordinate[] corners)
    {
        double u = Uv[2 * i], v = Uv[2 * i + 1];
        Set(corners[0], u, v, 0.0);
        Set(corners[1], u + W, v, 0.0);
        Set(corners[2], u + W, v + H, Rise);
        Set(corners[3], u, v + H, Rise);
        Set(corners[4], u, v, 0.0);
    }

    /// <summary>Module <paramref name="i"/> as the packer gives it (outline, centre, orientation).</summary>
    public PlacedModule Module(int i, GeometryFactory factory, double tiltDeg)
    {
        double u = Uv[2 * i], v = Uv[2 * i + 1];
        var (cx, cy, cz) = Frame.ToWorld(u + W / 2, v + H / 2);
        return new PlacedModule(this, i, factory, cx, cy, cz + Rise / 2, Portrait, tiltDeg, Frame.AzimuthDeg);
    }

    /// <summary>The header: the frame's numbers, then W, H, Rise and the orientation (1 portrait, 0 landscape).</summary>
    public void WriteHeader(Span<double> numbers)
    {
        Frame.WriteNumbers(numbers);
        numbers[FaceFrame.NumberCount] = W;
        numbers[FaceFrame.NumberCount + 1] = H;
        numbers[FaceFrame.NumberCount + 2] = Rise;
        numbers[FaceFrame.NumberCount + 3] = Portrait ? 1 : 0;
    }

    /// <summary>The modules a header (<see cref="WriteHeader"/>) and their corners describe.</summary>
    public static PackedModules FromNumbers(ReadOnlySpan<double> header, double[] uv) => new(
        FaceFrame.FromNumbers(header),
        header[FaceFrame.NumberCount],
        header[FaceFrame.NumberCount + 1],
        header[FaceFrame.NumberCount + 2],
        header[FaceFrame.NumberCount + 3] != 0,
        uv);

    private void Set(Coordinate corner, double u, double v, double rise)
    {
        var (x, y, z) = Frame.ToWorld(u, v);
        corner.X = x;
        corner.Y = y;
        corner.Z = z + rise;
    }
}
