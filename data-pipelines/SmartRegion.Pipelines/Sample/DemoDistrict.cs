using System.Globalization;
using System.Text;
using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using SmartRegion.Geo.Crs;

namespace SmartRegion.Pipelines.Sample;

/// <summary>
/// A fictional district generated from a seed, for the demo: streets on a slightly rotated grid, blocks of terraced
/// houses with gable or hipped roofs, apartment blocks with flat roofs, courtyard blocks, a few towers and sheds, each
/// with BD TOPO-style attributes (hauteur, altitudes, storeys) and a street address. Same seed, same district.
/// Written as GeoJSON (EPSG:2154) and BAN-style CSV, so the demo loads it through the real ingestion commands.
/// </summary>
public static class DemoDistrict
{
    /// <summary>The district's south-west corner in Lambert-93, north of Paris (≈ 48.92° N, 2.36° E).</summary>
    public const double OriginX = 652_400;

    public const double OriginY = 6_867_800;

    /// <summary>The fictional commune's code; the INSEE range 99xxx is for foreign countries, never a French commune.</summary>
    public const string CommuneCode = "99999";

    public const string CommuneName = "Quartier de démonstration";

    private static readonly string[] StreetNames =
    [
        "Rue des Tilleuls", "Rue Marie Curie", "Avenue Jean Jaurès", "Rue de la République", "Rue Victor Hugo",
        "Rue des Écoles", "Boulevard Anatole France", "Rue Gabriel Péri", "Rue du Moulin", "Rue Pasteur",
        "Allée des Peupliers", "Rue Jules Ferry", "Rue de la Gare", "Avenue de la Liberté", "Rue Louise Michel",
        "Rue Émile Zola", "Rue du Château d'Eau", "Rue Paul Éluard", "Rue Danielle Casanova", "Rue Édouard Vaillant",
    ];

    /// <summary>What was generated.</summary>
    public sealed record Result(int BuildingCount, int AddressCount, string BuildingsPath, string AddressesPath, string BoundaryPath);

    /// <summary>Generates about <paramref name="targetBuildings"/> buildings into <paramref name="folder"/>.</summary>
    public static Result Generate(string folder, int seed, int targetBuildings)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(seed);
        var factory = new GeometryFactory(new PrecisionModel(), KnownCrs.Lambert93);
        // Blocks of 90 × 70 m separated by 14 m streets; the grid turns by a few degrees so roofs are not all due south.
        const double blockW = 90, blockH = 70, street = 14;
        var columns = Math.Max(2, (int)Math.Ceiling(Math.Sqrt(targetBuildings / 22.0 * 1.3)));
        var rotation = AffineTransformation.RotationInstance(-12 * Math.PI / 180, 0, 0);
        var buildings = new List<(Polygon Footprint, Dictionary<string, object?> Attributes)>();
        var addresses = new List<(int Number, string Street, Point Location)>();
        var addressesPerStreet = new Dictionary<string, int>(StringComparer.Ordinal);
        var counter = 0;

        // Rows of blocks are added until the target is reached (blocks hold from a handful to ~40 buildings).
        for (var r = 0; buildings.Count < targetBuildings; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                var x0 = c * (blockW + street);
                var y0 = r * (blockH + street);
                var kind = random.NextDouble();
                var southStreet = StreetNames[(r * 3 + 1) % StreetNames.Length];
                var northStreet = StreetNames[(r * 3 + 4) % StreetNames.Length];
                var lots = kind switch
                {
                    < 0.50 => Terraces(random, x0, y0, blockW, blockH),
                    < 0.80 => Apartments(random, x0, y0, blockW, blockH),
                    < 0.92 => Courtyard(random, x0, y0, blockW, blockH),
                    _ => Towers(random, x0, y0, blockW, blockH),
                };
                foreach (var lot in lots)
                {
                    counter++;
                    var footprint = (Polygon)rotation.Transform(lot.Shape);
                    footprint = (Polygon)AffineTransformation.TranslationInstance(OriginX, OriginY).Transform(footprint);
                    footprint.SRID = KnownCrs.Lambert93;
                    var ground = 32 + 0.01 * (lot.Shape.Centroid.X) + 0.015 * lot.Shape.Centroid.Y; // a gentle slope to the north-east
                    var eaves = ground + lot.EavesHeightM;
                    var ridge = eaves + lot.RiseM;
                    var front = lot.FrontsSouth ? southStreet : northStreet;
                    // Odd numbers on the south side of a block, even on the north, as French streets number them.
                    var onStreet = addressesPerStreet.GetValueOrDefault(front);
                    var number = 2 * (c * 12 + onStreet) + (lot.FrontsSouth ? 1 : 2);
                    var attributes = new Dictionary<string, object?>
                    {
                        ["cleabs"] = $"DEMOBATI{counter:D10}",
                        ["nature"] = lot.Nature,
                        ["usage_1"] = lot.Usage,
                        ["hauteur"] = Math.Round(ridge - ground, 1),
                        ["nombre_d_etages"] = lot.Storeys,
                        ["nombre_de_logements"] = Dwellings(lot),
                        ["altitude_minimale_sol"] = Math.Round(ground, 1),
                        ["altitude_maximale_sol"] = Math.Round(ground + 0.3, 1),
                        ["altitude_minimale_toit"] = Math.Round(eaves, 1),
                        ["altitude_maximale_toit"] = Math.Round(ridge, 1),
                        ["materiaux_de_la_toiture"] = lot.RiseM > 0.5 ? "TUILES" : "BETON",
                        ["code_insee"] = CommuneCode,
                        ["demo"] = true,
                    };
                    buildings.Add((footprint, attributes));
                    if (lot.Usage != "Annexe")
                    {
                        var entrance = (Point)AffineTransformation.TranslationInstance(OriginX, OriginY).Transform(rotation.Transform(factory.CreatePoint(lot.Entrance)));
                        addresses.Add((number, front, entrance));
                        addressesPerStreet[front] = onStreet + 1;
                    }
                }
                if (buildings.Count >= targetBuildings)
                {
                    break;
                }
            }
        }

        var buildingsPath = Path.Combine(folder, "demo-buildings.geojson");
        WriteBuildings(buildingsPath, buildings);
        var addressesPath = Path.Combine(folder, "demo-addresses.csv");
        WriteAddresses(addressesPath, addresses);
        var boundaryPath = Path.Combine(folder, "demo-commune.geojson");
        var hull = factory.BuildGeometry(buildings.Select(b => (Geometry)b.Footprint)).ConvexHull().Buffer(30);
        WriteBoundary(boundaryPath, (Polygon)hull);
        return new Result(buildings.Count, addresses.Count, buildingsPath, addressesPath, boundaryPath);
    }

    /// <summary>
    /// BD TOPO's number of dwellings, for the barometer's residential-use estimate: a house (under 150 m² on at most three
    /// storeys) is one; a block has one per 70 m² of floor area (a demo choice, not a statistic); other uses have none.
    /// </summary>
    private static int Dwellings(Lot lot) => lot.Usage != "Résidentiel" ? 0
        : lot.Shape.Area < 150 && lot.Storeys <= 3 ? 1
        : Math.Max(1, (int)Math.Round(lot.Shape.Area * lot.Storeys / 70));

    private sealed record Lot(Polygon Shape, double EavesHeightM, double RiseM, int Storeys, string Nature, string Usage, bool FrontsSouth, Coordinate Entrance);

    private static readonly GeometryFactory Local = new();

    private static Polygon Box(double x, double y, double w, double h) =>
        Local.CreatePolygon([new(x, y), new(x + w, y), new(x + w, y + h), new(x, y + h), new(x, y)]);

    /// <summary>Two rows of terraced houses back to back, gardens behind, some with a garden shed.</summary>
    private static IEnumerable<Lot> Terraces(Random random, double x0, double y0, double w, double h)
    {
        foreach (var south in new[] { true, false })
        {
            var x = x0 + 2;
            while (x < x0 + w - 7)
            {
                var width = Math.Min(6 + random.NextDouble() * 6, x0 + w - 2 - x);
                if (width < 5)
                {
                    break;
                }
                var depth = 9 + random.NextDouble() * 4;
                var y = south ? y0 + 3 : y0 + h - 3 - depth;
                var storeys = 1 + random.Next(3);
                var eaves = storeys * 2.9;
                var rise = 2.5 + random.NextDouble() * 2.5;
                var shape = Box(x, y, width, depth);
                yield return new Lot(shape, eaves, rise, storeys, "Indifférenciée", "Résidentiel", south, new Coordinate(x + width / 2, south ? y : y + depth));
                if (random.NextDouble() < 0.25)
                {
                    var shedY = south ? y + depth + 6 + random.NextDouble() * 6 : y - 9 - random.NextDouble() * 6;
                    yield return new Lot(Box(x + 1, shedY, 2.5 + random.NextDouble() * 1.5, 2.5 + random.NextDouble()), 2.2, 0, 1, "Indifférenciée", "Annexe", south, new Coordinate(x, shedY));
                }
                x += width;
            }
        }
    }

    /// <summary>Apartment slabs along the streets, flat roofs, some with an L-shaped wing.</summary>
    private static IEnumerable<Lot> Apartments(Random random, double x0, double y0, double w, double h)
    {
        foreach (var south in new[] { true, false })
        {
            var x = x0 + 3;
            while (x < x0 + w - 15)
            {
                var width = Math.Min(18 + random.NextDouble() * 22, x0 + w - 3 - x);
                if (width < 14)
                {
                    break;
                }
                var depth = 11 + random.NextDouble() * 5;
                var y = south ? y0 + 4 : y0 + h - 4 - depth;
                var storeys = 4 + random.Next(6);
                Polygon shape = Box(x, y, width, depth);
                if (random.NextDouble() < 0.3)
                {
                    var wing = Box(x, south ? y + depth - 0.01 : y - 12 + 0.01, 10, 12);
                    shape = (Polygon)shape.Union(wing);
                }
                var rise = random.NextDouble() < 0.2 ? 3 + random.NextDouble() * 2 : random.NextDouble() * 0.3;
                yield return new Lot(shape, storeys * 2.9, rise, storeys, "Indifférenciée", "Résidentiel", south, new Coordinate(x + width / 2, south ? y : y + depth));
                x += width + 6 + random.NextDouble() * 6;
            }
        }
    }

    /// <summary>A Haussmann-like block around a courtyard, split in lots with mansard-free flat or pitched roofs.</summary>
    private static IEnumerable<Lot> Courtyard(Random random, double x0, double y0, double w, double h)
    {
        var depth = 12 + random.NextDouble() * 3;
        var outer = Box(x0 + 2, y0 + 2, w - 4, h - 4);
        var inner = Box(x0 + 2 + depth, y0 + 2 + depth, w - 4 - 2 * depth, h - 4 - 2 * depth);
        var ring = outer.Difference(inner);
        var cuts = 3 + random.Next(4);
        for (var i = 0; i < cuts; i++)
        {
            var a = x0 + 2 + (w - 4) * i / cuts;
            var piece = ring.Intersection(Box(a, y0, (w - 4) / cuts, h));
            for (var p = 0; p < piece.NumGeometries; p++)
            {
                if (piece.GetGeometryN(p) is Polygon { Area: > 30 } poly)
                {
                    var storeys = 5 + random.Next(3);
                    var south = poly.Centroid.Y < y0 + h / 2;
                    var rise = random.NextDouble() < 0.5 ? 4 + random.NextDouble() * 2 : 0.2;
                    yield return new Lot(poly, storeys * 3.1, rise, storeys, "Indifférenciée", "Résidentiel", south, new Coordinate(poly.Centroid.X, south ? y0 + 2 : y0 + h - 2));
                }
            }
        }
    }

    /// <summary>A few tall towers on a podium and low commercial buildings: the district's big shade casters.</summary>
    private static IEnumerable<Lot> Towers(Random random, double x0, double y0, double w, double h)
    {
        var n = 2 + random.Next(2);
        for (var i = 0; i < n; i++)
        {
            var size = 18 + random.NextDouble() * 8;
            var x = x0 + 5 + i * (w - 10) / n;
            var y = y0 + 8 + random.NextDouble() * (h - 16 - size);
            var storeys = 10 + random.Next(12);
            yield return new Lot(Box(x, y, size, size), storeys * 3, 0.2, storeys, "Indifférenciée", "Résidentiel", true, new Coordinate(x + size / 2, y));
        }
        yield return new Lot(Box(x0 + 4, y0 + h - 16, w - 8, 12), 5, 0.1, 1, "Indifférenciée", "Commercial et services", false, new Coordinate(x0 + w / 2, y0 + h - 4));
    }

    /// <summary>Opens a FeatureCollection in Lambert-93, declared with the legacy <c>crs</c> member the readers honour.</summary>
    private static void StartFeatureCollection(Utf8JsonWriter json, string? name)
    {
        json.WriteStartObject();
        json.WriteString("type", "FeatureCollection");
        if (name is not null)
        {
            json.WriteString("name", name);
        }
        json.WriteStartObject("crs");
        json.WriteString("type", "name");
        json.WriteStartObject("properties");
        json.WriteString("name", $"urn:ogc:def:crs:EPSG::{KnownCrs.Lambert93}");
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartArray("features");
    }

    private static void WriteBuildings(string path, List<(Polygon Footprint, Dictionary<string, object?> Attributes)> buildings)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream);
        StartFeatureCollection(json, "SmartRegion demo district (synthetic buildings — demo data, not a real place)");
        foreach (var (footprint, attributes) in buildings)
        {
            json.WriteStartObject();
            json.WriteString("type", "Feature");
            json.WriteStartObject("properties");
            foreach (var (k, v) in attributes)
            {
                switch (v)
                {
                    case string s: json.WriteString(k, s); break;
                    case int i: json.WriteNumber(k, i); break;
                    case double d: json.WriteNumber(k, d); break;
                    case bool b: json.WriteBoolean(k, b); break;
                    default: json.WriteNull(k); break;
                }
            }
            json.WriteEndObject();
            json.WriteStartObject("geometry");
            json.WriteString("type", "MultiPolygon");
            json.WriteStartArray("coordinates");
            json.WriteStartArray();
            foreach (var ring in new[] { footprint.ExteriorRing }.Concat(footprint.InteriorRings))
            {
                json.WriteStartArray();
                foreach (var c in ring.Coordinates)
                {
                    json.WriteStartArray();
                    json.WriteNumberValue(Math.Round(c.X, 2));
                    json.WriteNumberValue(Math.Round(c.Y, 2));
                    json.WriteEndArray();
                }
                json.WriteEndArray();
            }
            json.WriteEndArray();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteAddresses(string path, List<(int Number, string Street, Point Location)> addresses)
    {
        var sb = new StringBuilder("id;numero;rep;nom_voie;code_postal;code_insee;nom_commune;x;y\n");
        var i = 0;
        foreach (var (number, street, p) in addresses)
        {
            i++;
            sb.Append(CultureInfo.InvariantCulture, $"{CommuneCode}_demo_{i:D5};{number};;{street};99999;{CommuneCode};{CommuneName};{p.X:F2};{p.Y:F2}\n");
        }
        File.WriteAllText(path, sb.ToString(), new UTF8Encoding(false));
    }

    private static void WriteBoundary(string path, Polygon area)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream);
        StartFeatureCollection(json, null);
        json.WriteStartObject();
        json.WriteString("type", "Feature");
        json.WriteStartObject("properties");
        json.WriteString("code", CommuneCode);
        json.WriteString("nom", CommuneName);
        json.WriteEndObject();
        json.WriteStartObject("geometry");
        json.WriteString("type", "Polygon");
        json.WriteStartArray("coordinates");
        json.WriteStartArray();
        foreach (var c in area.ExteriorRing.Coordinates)
        {
            json.WriteStartArray();
            json.WriteNumberValue(Math.Round(c.X, 2));
            json.WriteNumberValue(Math.Round(c.Y, 2));
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
