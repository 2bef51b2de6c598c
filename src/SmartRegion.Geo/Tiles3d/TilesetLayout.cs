namespace SmartRegion.Geo.Tiles3d;

/// <summary>What the layout needs of a building: id, centre and plan area (storage CRS metres).</summary>
public readonly record struct BuildingSummary(long Id, double X, double Y, double AreaM2);

/// <summary>
/// One tile of the quadtree: the buildings it draws (the largest of its square that its ancestors did not take) and its
/// children (the rest, split by quadrant). Refinement is additive: a child adds smaller buildings to what its ancestors show.
/// </summary>
public sealed class TileNode
{
    internal TileNode(string key, int level, double minX, double minY, double size)
    {
        Key = key;
        Level = level;
        MinX = minX;
        MinY = minY;
        SizeM = size;
    }

    /// <summary>Quadtree address: "r", then one digit 0–3 per level (0 south-west, 1 south-east, 2 north-west, 3 north-east).</summary>
    public string Key { get; }

    public int Level { get; }

    public double MinX { get; }

    public double MinY { get; }

    public double SizeM { get; }

    /// <summary>The buildings this tile's content draws.</summary>
    public List<BuildingSummary> Buildings { get; } = [];

    public List<TileNode> Children { get; } = [];

    /// <summary>Largest plan area (m²) among the buildings of the descendants: what is missing until they load.</summary>
    public double LargestDescendantAreaM2 { get; internal set; }

    public IEnumerable<TileNode> SelfAndDescendants()
    {
        yield return this;
        foreach (var c in Children)
        {
            foreach (var d in c.SelfAndDescendants())
            {
                yield return d;
            }
        }
    }
}

/// <summary>
/// Splits a region's buildings into an adaptive quadtree (in the storage CRS), each tile holding at most
/// <c>maxBuildingsPerTile</c> buildings, the largest first: the root shows a region's largest buildings, each level adds
/// smaller ones where the camera comes closer (pg2b3dm's scheme, refine ADD), so every building is stored once.
/// </summary>
public static class TilesetLayout
{
    /// <summary>A square that keeps splitting because its buildings share one point stops here.</summary>
    public const int MaxLevel = 24;

    public static TileNode Build(IReadOnlyList<BuildingSummary> buildings, int maxBuildingsPerTile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBuildingsPerTile, 1);
        if (buildings.Count == 0)
        {
            return new TileNode("r", 0, 0, 0, 0);
        }
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        foreach (var b in buildings)
        {
            minX = Math.Min(minX, b.X);
            minY = Math.Min(minY, b.Y);
            maxX = Math.Max(maxX, b.X);
            maxY = Math.Max(maxY, b.Y);
        }
        var size = Math.Max(Math.Max(maxX - minX, maxY - minY), 1) * (1 + 1e-9);
        var root = new TileNode("r", 0, minX, minY, size);
        var sorted = buildings.OrderByDescending(b => b.AreaM2).ThenBy(b => b.Id).ToList();
        Fill(root, sorted, maxBuildingsPerTile);
        return root;
    }

    /// <summary>Fills a node from buildings sorted by area (descending): it keeps the first ones, its quadrants the rest.</summary>
    private static void Fill(TileNode node, List<BuildingSummary> sorted, int max)
    {
        if (sorted.Count <= max || node.Level >= MaxLevel)
        {
            node.Buildings.AddRange(sorted);
            return;
        }
        node.Buildings.AddRange(sorted.Take(max));
        var half = node.SizeM / 2;
        var quadrants = new List<BuildingSummary>[4];
        for (var q = 0; q < 4; q++)
        {
            quadrants[q] = [];
        }
        for (var i = max; i < sorted.Count; i++)
        {
            var b = sorted[i];
            var q = (b.X >= node.MinX + half ? 1 : 0) + (b.Y >= node.MinY + half ? 2 : 0);
            quadrants[q].Add(b);
        }
        node.LargestDescendantAreaM2 = sorted[max].AreaM2;
        for (var q = 0; q < 4; q++)
        {
            if (quadrants[q].Count == 0)
            {
                continue;
            }
            var child = new TileNode(node.Key + (char)('0' + q), node.Level + 1,
                node.MinX + (q & 1) * half, node.MinY + (q >> 1) * half, half);
            node.Children.Add(child);
            Fill(child, quadrants[q], max);
        }
    }
}
