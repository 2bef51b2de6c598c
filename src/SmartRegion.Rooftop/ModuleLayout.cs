using NetTopologySuite.Geometries;
using SmartRegion.Geo.Panels;
using SmartRegion.Geo.Roofs;

namespace SmartRegion.Rooftop;

/// <summary>
/// Where modules go on a face (DESIGN.md, "The solar method", step 6): the face minus its edge setback and minus the cells
/// of poorly lit samples, packed with real rectangles — laid on a pitched face, on tilted racks on a flat one.
/// </summary>
public static class ModuleLayout
{
    /// <summary>The face's modules, or none when fewer than <see cref="SolarParameters.MinModulesPerFace"/> fit.</summary>
    /// <param name="keepFree">Areas where no module may go (a chimney, a window; plan outlines in the storage CRS): each keeps
    /// free the box around it in the face's plane, as the packer treats every exclusion.</param>
    public static PanelLayout Pack(
        FaceInput face, FaceSamples grid, float[] sampleKwhPerM2, SolarParameters p, double stationLatitudeDeg, IEnumerable<Polygon>? keepFree = null)
    {
        var halfCell = p.SampleSpacingM / 2;
        // A sample's cell is its grid square in the face's frame (the packer boxes it again if it packs in another frame).
        var poorCells = grid.Local.Where((_, s) => sampleKwhPerM2[s] < p.MinIrradiationKwhPerM2)
            .Select(c => new LocalBox(c.U - halfCell, c.V - halfCell, c.U + halfCell, c.V + halfCell))
            .ToList();
        foreach (var area in keepFree ?? [])
        {
            var corners = area.ExteriorRing.Coordinates;
            var local = new double[2 * corners.Length];
            for (var c = 0; c < corners.Length; c++)
            {
                (local[2 * c], local[2 * c + 1]) = grid.Frame.ToLocal(corners[c].X, corners[c].Y);
            }
            poorCells.Add(FaceFrame.Bounds(local));
        }
        var exclusions = poorCells.Count == 0 ? null : new CellExclusions(grid.Frame, poorCells);
        var layout = IsFlat(face, p)
            ? PanelPacker.PackFlat(face.Polygon, p.Module, p.EdgeSetbackM, exclusions, p.FlatRoofRackTiltDeg, p.FlatRoofRackAzimuthDeg, stationLatitudeDeg)
            : PanelPacker.PackPitched(face.Polygon, face.Plane, p.Module, p.EdgeSetbackM, exclusions);
        // Room for less than the smallest installation: no usable area either (layout.minModulesPerFace).
        return layout.Modules.Count < p.MinModulesPerFace ? PanelLayout.Empty : layout;
    }

    /// <summary>The modules' own orientation: the rack's on a flat face, the face's on a pitched one.</summary>
    public static (double TiltDeg, double AzimuthDeg) ModuleOrientation(FaceInput face, SolarParameters p) => IsFlat(face, p)
        ? (p.FlatRoofRackTiltDeg, p.FlatRoofRackAzimuthDeg)
        : (face.Plane.TiltDeg, face.Plane.AzimuthDeg);

    /// <summary>Faces flatter than <see cref="SolarParameters.FlatFaceMaxTiltDeg"/> get tilted racks rather than modules laid on the roof.</summary>
    private static bool IsFlat(FaceInput face, SolarParameters p) => face.Plane.TiltDeg < p.FlatFaceMaxTiltDeg;
}
