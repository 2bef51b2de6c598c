using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using SmartRegion.Geo;
using SmartRegion.Geo.Crs;
using SmartRegion.Geo.Tiles3d;

namespace SmartRegion.Data.Tiles3d;

/// <summary>How a tileset is built.</summary>
public sealed record TilesetBuildOptions
{
    /// <summary>
    /// Ellipsoidal height minus NGF-IGN69 altitude (m) applied to every vertex. 44.6 m is the RAF20 grid's value around
    /// Paris and Saint-Denis (IGN, grille RAF20: 44–45 m over Île-de-France); set it for another region until a geoid grid
    /// is read.
    /// </summary>
    public double GeoidUndulationM { get; init; } = 44.6;

    /// <summary>At most this many buildings per tile (the largest first; the rest go to the quadrants below).</summary>
    public int MaxBuildingsPerTile { get; init; } = 500;

    /// <summary>Tiles meshed at once (each reads its buildings on its own connection).</summary>
    public int Parallelism { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>The suitability bands (kWh/m²/yr) the legend shows.</summary>
    public IReadOnlyList<double> SuitabilityBandsKwhPerM2 { get; init; } = [800, 1000, 1200, 1400];

    public JsonObject ToJson() => new()
    {
        ["geoidUndulationM"] = GeoidUndulationM,
        ["maxBuildingsPerTile"] = MaxBuildingsPerTile,
    };
}

/// <summary>What a build did.</summary>
/// <summary>
/// What a build did. <paramref name="SkippedBuildings"/>: left out (no footprint to draw); <paramref name="GroundAssumed"/>:
/// drawn on the region's median ground (<paramref name="MedianGroundM"/>), having no altitude of their own.
/// </summary>
public sealed record TilesetBuildResult(long TilesetId, long? SourceRunId, int BuildingCount, int SkippedBuildings, int TileCount, long ContentBytes,
    TimeSpan Elapsed, int GroundAssumed, double MedianGroundM);

/// <summary>
/// Builds the region's buildings as 3D Tiles from PostGIS: the quadtree of every current building, each tile's buildings read
/// with their latest complete solar result, meshed, written as GLB and stored with its ETag; then the tileset.json, and the
/// atomic switch that makes it the one served.
/// </summary>
public sealed class TilesetBuilder(Tiles3dStore store)
{
    // kWh/m² written as such, not as \u escapes.
    private static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Builds a new tileset; <paramref name="progress"/> gets (buildings done, buildings in all).</summary>
    public async Task<TilesetBuildResult> BuildAsync(TilesetBuildOptions options, IProgress<(int Done, int Total)>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var sourceRunId = await store.LatestServedRunIdAsync(cancellationToken);
        var summaries = await store.ReadBuildingSummariesAsync(cancellationToken);
        if (summaries.Count == 0)
        {
            throw new TilesetBuildException("there are no buildings to draw: ingest buildings first (./smartregion ingest buildings FILE)");
        }
        var groundAltitude = await store.MedianGroundAltitudeAsync(cancellationToken);
        var root = TilesetLayout.Build(summaries, options.MaxBuildingsPerTile);
        var tiles = root.SelfAndDescendants().Where(t => t.Buildings.Count > 0).ToList();
        var tilesetId = await store.CreateTilesetAsync(sourceRunId, options.ToJson(), cancellationToken);
        var version = tilesetId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var contents = new ConcurrentDictionary<string, BuiltContent>();
        int done = 0, skipped = 0, groundAssumed = 0;
        long bytes = 0;
        try
        {
            await Parallel.ForEachAsync(tiles, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = cancellationToken },
                async (node, ct) =>
                {
                    var (buildings, assumed) = await store.ReadTileBuildingsAsync(node.Buildings.Select(b => b.Id).ToArray(), groundAltitude, ct);
                    Interlocked.Add(ref groundAssumed, assumed);
                    var built = BuildTile(node, buildings, options.GeoidUndulationM, version, out var glb, out var added);
                    Interlocked.Add(ref skipped, node.Buildings.Count - added);
                    if (built is not null)
                    {
                        await store.WriteTileAsync(tilesetId, node.Key, glb!, ETagOf(glb!), added, ct);
                        contents[node.Key] = built;
                        Interlocked.Add(ref bytes, glb!.Length);
                    }
                    progress?.Report((Interlocked.Add(ref done, node.Buildings.Count), summaries.Count));
                });
            var drawn = summaries.Count - skipped;
            if (contents.IsEmpty)
            {
                throw new TilesetBuildException(FormattableString.Invariant(
                    $"none of the {summaries.Count:N0} buildings could be drawn: their footprints are empty or degenerate (region.building.footprint); re-ingest them from a file with valid polygons"));
            }
            var json = TilesetJson.Write(root, contents, new TilesetInfo(version, sourceRunId, options.GeoidUndulationM, groundAltitude, drawn,
                DateTimeOffset.UtcNow, options.SuitabilityBandsKwhPerM2)).ToJsonString(JsonOptions);
            await store.CompleteTilesetAsync(tilesetId, json, ETagOf(Encoding.UTF8.GetBytes(json)), drawn, contents.Count, bytes, cancellationToken);
            return new TilesetBuildResult(tilesetId, sourceRunId, drawn, skipped, contents.Count, bytes, clock.Elapsed, groundAssumed, groundAltitude);
        }
        catch (Exception e)
        {
            await store.FailTilesetAsync(tilesetId, e.Message, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Meshes one tile; null when none of its buildings could be drawn.</summary>
    private static BuiltContent? BuildTile(TileNode node, List<BuildingInput> buildings, double geoid, string version, out byte[]? glb, out int added)
    {
        glb = null;
        added = 0;
        if (buildings.Count == 0)
        {
            return null;
        }
        // The frame's origin: the centre of the tile's buildings, at their lowest ground.
        double sx = 0, sy = 0, minGround = double.MaxValue;
        foreach (var b in buildings)
        {
            var c = b.Footprint.EnvelopeInternal.Centre;
            sx += c.X;
            sy += c.Y;
            minGround = Math.Min(minGround, b.GroundAltitudeM);
        }
        var (lon, lat) = StorageCrs.ToGeographicRad(sx / buildings.Count, sy / buildings.Count);
        var frame = new EnuFrame(lon, lat, minGround + geoid);
        var mesh = new TileMesh();
        var mesher = new BuildingMesher(frame, geoid);
        foreach (var b in buildings)
        {
            if (mesher.Add(mesh, b))
            {
                added++;
            }
        }
        if (mesh.VertexCount == 0)
        {
            return null;
        }
        glb = GlbWriter.Write(mesh);
        return new BuiltContent(mesher.Bounds, frame, $"v{version}/{node.Key}.glb", added);
    }

    /// <summary>A strong ETag: the first 16 bytes of the SHA-256 of the content, quoted.</summary>
    public static string ETagOf(byte[] content) => $"\"{Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 16))}\"";
}

/// <summary>A build that cannot start or finish, with the reason for the operator.</summary>
public sealed class TilesetBuildException(string message) : Exception(message);
