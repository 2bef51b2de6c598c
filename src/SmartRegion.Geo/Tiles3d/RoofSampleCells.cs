using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;

namespace SmartRegion.Geo.Tiles3d;

/// <summary>
/// The cells of a roof face's sample grid, for a per-sample heat map: each sample's square of the grid in the roof plane,
/// cut to the face's outline in plan, with its corners' altitudes on that plane.
/// </summary>
/// <remarks>
/// The grid is stored with each face (solar.face_result.sample_grid, migration 0310): the centre of cell (0, 0) and one cell's
/// step along the grid's two axes, [x0, y0, z0, ux, uy, uz, vx, vy, vz] in Lambert-93 metres and NGF-IGN69 altitudes, and
/// per sample its (i, j): centre = origin + i·u + j·v. A cell is centre ± u/2 ± v/2.
/// </remarks>
public static class RoofSampleCells
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 2154);

    /// <summary>
    /// One ring of (x, y, z) per sample, in the order of <paramref name="ij"/>: its cell clipped to <paramref name="face"/> in
    /// plan (the largest piece when the outline splits it), or an empty array when the cell falls outside the face. A grid
    /// whose axes are parallel in plan (a vertical face) has no cells.
    /// </summary>
    public static double[][] Cells(IReadOnlyList<double> grid, IReadOnlyList<float> ij, Polygon face)
    {
        if (grid.Count != 9 || ij.Count % 2 != 0)
        {
            throw new ArgumentException($"a sample grid has 9 numbers and (i, j) pairs; got {grid.Count} and {ij.Count}");
        }
        var samples = ij.Count / 2;
        var cells = new double[samples][];
        double x0 = grid[0], y0 = grid[1], z0 = grid[2], ux = grid[3], uy = grid[4], uz = grid[5], vx = grid[6], vy = grid[7], vz = grid[8];
        var det = ux * vy - uy * vx;
        if (Math.Abs(det) < 1e-9)
        {
            Array.Fill(cells, []);
            return cells;
        }
        // The altitude of a plan point on the grid's plane: its (s, t) in the grid's axes, then z0 + s·uz + t·vz.
        double Altitude(double x, double y)
        {
            double dx = x - x0, dy = y - y0;
            return z0 + (dx * vy - dy * vx) / det * uz + (ux * dy - uy * dx) / det * vz;
        }
        var outline = (Polygon)Factory.CreatePolygon(face.Shell.Coordinates.Select(c => new Coordinate(c.X, c.Y)).ToArray());
        var prepared = PreparedGeometryFactory.Prepare(outline);
        for (var k = 0; k < samples; k++)
        {
            double cx = x0 + ij[2 * k] * ux + ij[2 * k + 1] * vx, cy = y0 + ij[2 * k] * uy + ij[2 * k + 1] * vy;
            var corners = new[]
            {
                new Coordinate(cx - (ux + vx) / 2, cy - (uy + vy) / 2),
                new Coordinate(cx + (ux - vx) / 2, cy + (uy - vy) / 2),
                new Coordinate(cx + (ux + vx) / 2, cy + (uy + vy) / 2),
                new Coordinate(cx - (ux - vx) / 2, cy - (uy - vy) / 2),
                new Coordinate(cx - (ux + vx) / 2, cy - (uy + vy) / 2),
            };
            var cell = Factory.CreatePolygon(corners);
            Coordinate[] ring;
            if (prepared.Contains(cell))
            {
                ring = corners;
            }
            else
            {
                var piece = outline.Intersection(cell) switch
                {
                    Polygon p => p,
                    GeometryCollection c => c.Geometries.OfType<Polygon>().MaxBy(p => p.Area),
                    _ => null,
                };
                ring = piece is { IsEmpty: false } ? piece.Shell.Coordinates : [];
            }
            var values = new double[Math.Max(0, ring.Length - 1) * 3];   // open ring: the closing point is implied
            for (var n = 0; n < ring.Length - 1; n++)
            {
                values[3 * n] = ring[n].X;
                values[3 * n + 1] = ring[n].Y;
                values[3 * n + 2] = Altitude(ring[n].X, ring[n].Y);
            }
            cells[k] = values;
        }
        return cells;
    }
}
