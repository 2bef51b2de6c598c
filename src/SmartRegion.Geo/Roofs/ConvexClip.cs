namespace SmartRegion.Geo.Roofs;

/// <summary>Polygon clipping against a convex window (Sutherland–Hodgman) and ring areas, on flat [x0, y0, x1, y1, …] arrays.</summary>
/// <remarks>
/// Used where an NTS overlay is overkill: the window is convex, so the result is exact for a convex subject and, for a
/// concave subject, has the right area (it may contain zero-width bridges, which area sums ignore).
/// </remarks>
public static class ConvexClip
{
    /// <summary>Clips <paramref name="subject"/> to the convex <paramref name="window"/> (counter-clockwise). Rings are open (no repeated first vertex).</summary>
    public static double[] Clip(double[] subject, double[] window)
    {
        var input = subject;
        var nw = window.Length / 2;
        for (var e = 0; e < nw && input.Length >= 6; e++)
        {
            double ax = window[2 * e], ay = window[2 * e + 1];
            double bx = window[2 * ((e + 1) % nw)], by = window[2 * ((e + 1) % nw) + 1];
            double ex = bx - ax, ey = by - ay;
            double Side(double x, double y) => ex * (y - ay) - ey * (x - ax); // ≥ 0: inside (left of a CCW edge)
            var output = new List<double>(input.Length + 4);
            var n = input.Length / 2;
            double px = input[2 * (n - 1)], py = input[2 * (n - 1) + 1];
            var ps = Side(px, py);
            for (var i = 0; i < n; i++)
            {
                double qx = input[2 * i], qy = input[2 * i + 1];
                var qs = Side(qx, qy);
                if ((ps >= 0) != (qs >= 0))
                {
                    var t = ps / (ps - qs);
                    output.Add(px + t * (qx - px));
                    output.Add(py + t * (qy - py));
                }
                if (qs >= 0)
                {
                    output.Add(qx);
                    output.Add(qy);
                }
                (px, py, ps) = (qx, qy, qs);
            }
            input = [.. output];
        }
        return input.Length >= 6 ? input : [];
    }

    /// <summary>Signed area (shoelace): positive for counter-clockwise rings.</summary>
    public static double SignedArea(double[] ring)
    {
        var n = ring.Length / 2;
        double a = 0;
        for (var i = 0; i < n; i++)
        {
            var j = (i + 1) % n;
            a += ring[2 * i] * ring[2 * j + 1] - ring[2 * j] * ring[2 * i + 1];
        }
        return a / 2;
    }

    /// <summary>The axis-aligned box as a counter-clockwise window.</summary>
    public static double[] Window(LocalBox b) => [b.MinU, b.MinV, b.MaxU, b.MinV, b.MaxU, b.MaxV, b.MinU, b.MaxV];
}
