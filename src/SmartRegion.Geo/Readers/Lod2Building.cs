using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Union;

namespace SmartRegion.Geo.Readers;

/// <summary>One LOD2 surface of a building as a 3D model gives it: the polygon and its semantic type (RoofSurface…), if any.</summary>
public readonly record struct Lod2Surface(Polygon Polygon, string? Semantic);

/// <summary>
/// A building's source feature from its 3D surfaces, the same for every 3D format (CityJSON, CityGML): the footprint from the
/// GroundSurface polygons, else from the LOD0 footprint, else from the projection of everything that is not a wall; the
/// RoofSurface polygons kept as the roofs; every surface kept as the 3D geometry.
/// </summary>
public static class Lod2Building
{
    public static SourceFeature Feature(GeometryFactory factory, int index, long? line, string? id, ReadOnlyMemory<byte> attributes,
        IReadOnlyList<Lod2Surface> surfaces, IReadOnlyList<Polygon> lod0)
    {
        var ground = surfaces.Where(s => s.Semantic == "GroundSurface").Select(s => Flatten(factory, s.Polygon)).ToList();
        if (ground.Count == 0)
        {
            ground = lod0.Select(p => Flatten(factory, p)).ToList();
        }
        if (ground.Count == 0)
        {
            // No ground surface: the footprint is the projection of everything that is not a wall.
            ground = surfaces.Where(s => s.Semantic != "WallSurface").Select(s => Flatten(factory, s.Polygon)).Where(p => p.IsValid && p.Area > 1e-6).ToList();
        }
        Geometry? footprint = ground.Count == 0 ? null : UnaryUnionOp.Union(ground.Where(g => g.IsValid).Cast<Geometry>().ToList());
        var solid = surfaces.Count == 0 ? null : factory.CreateMultiPolygon(surfaces.Select(s => s.Polygon).ToArray());
        var roofs = surfaces.Where(s => s.Semantic == "RoofSurface").Select(s => s.Polygon).ToList();
        return new SourceFeature(index, line, id, footprint, attributes, roofs) { Solid3d = solid };
    }

    /// <summary>The polygon projected on the horizontal plane.</summary>
    public static Polygon Flatten(GeometryFactory factory, Polygon p)
    {
        LinearRing Ring(LineString ring) => factory.CreateLinearRing(ring.Coordinates.Select(c => new Coordinate(c.X, c.Y)).ToArray());
        return factory.CreatePolygon(Ring(p.ExteriorRing), p.InteriorRings.Select(Ring).ToArray());
    }
}
