using System.Globalization;
using System.Text.Json;
using NetTopologySuite.Geometries;
using SmartRegion.Geo.Crs;
using SmartRegion.Geo.Readers;

// Usage: SmartRegion.Bench.Ingest OUTPUT.geojson COUNT SOURCE.geojson…
// Writes COUNT buildings in EPSG:2154 by replicating the source buildings on a grid of 6 km tiles, each copy with
// its own id (original id + "-k") and every source attribute, so both loaders do the same work as on real files.
// Coordinates keep the significant digits of the source's text (Lyon's GDAL export writes 22, e.g. 1841205.541376449167728;
// Saint-Denis's 8-9): parsing a 22-digit number costs several times a short one, for both loaders.
// Usage: SmartRegion.Bench.Ingest --citygml OUTPUT.gml COUNT SOURCE.gml…
// Writes COUNT CityGML LOD2 buildings by copying the sources' buildings on a grid (CityGmlSynthetic).
if (args is ["--citygml", var gmlOutput, var gmlCount, .. var gmlSources] && gmlSources.Length > 0)
{
    return CityGmlSynthetic.Write(gmlOutput, int.Parse(gmlCount, CultureInfo.InvariantCulture), gmlSources);
}
// Usage: SmartRegion.Bench.Ingest --first OUTPUT.geojson SOURCE.geojson
// Writes the source's first feature, verbatim, with the source's CRS: a loader's time on it is its start-up.
if (args is ["--first", var firstOutput, var firstSource])
{
    using var features = new GeoJsonFeatureStream(File.OpenRead(firstSource), Path.GetFileName(firstSource));
    var first = features.Next() ?? throw new InvalidDataException($"{firstSource} has no feature");
    using var file = File.Create(firstOutput);
    using var head = new Utf8JsonWriter(file);
    head.WriteStartObject();
    head.WriteString("type", "FeatureCollection");
    if (features.CrsName is { } crs)
    {
        head.WriteStartObject("crs");
        head.WriteString("type", "name");
        head.WriteStartObject("properties");
        head.WriteString("name", crs);
        head.WriteEndObject();
        head.WriteEndObject();
    }
    head.WriteStartArray("features");
    head.WriteRawValue(first);
    head.WriteEndArray();
    head.WriteEndObject();
    return 0;
}
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: SmartRegion.Bench.Ingest OUTPUT.geojson COUNT SOURCE.geojson…\n       SmartRegion.Bench.Ingest --first OUTPUT.geojson SOURCE.geojson");
    return 2;
}
var output = args[0];
var count = int.Parse(args[1], CultureInfo.InvariantCulture);
var originals = new List<(string Id, string Properties, Geometry Geometry, int Digits)>();
var factory = new GeometryFactory();
foreach (var path in args[2..])
{
    using var features = new GeoJsonFeatureStream(File.OpenRead(path), Path.GetFileName(path));
    var index = 0;
    CrsTransform? transform = null;
    while (features.Next() is { } bytes)
    {
        transform ??= CrsTransform.Create(features.CrsName is { } n ? KnownCrs.Parse(n) : KnownCrs.Wgs84);
        var f = GeoJsonFeatureParser.Parse(bytes, index++, null, factory);
        using var doc = JsonDocument.Parse(f.AttributesJson);
        var id = doc.RootElement.TryGetProperty("cleabs", out var c) ? c.GetString() : doc.RootElement.TryGetProperty("ID", out var i) ? i.GetString() : null;
        if (id is null || f.Geometry is null)
        {
            continue;
        }
        transform.Apply(f.Geometry);
        originals.Add((id, f.AttributesJson, f.Geometry, SignificantDigits(bytes)));
    }
}
// Keep the first occurrence of each id (the Saint-Denis file repeats 4).
originals = originals.GroupBy(o => o.Id).Select(g => g.First()).ToList();

using var stream = new BufferedStream(File.Create(output), 1 << 20);
// Text as in the real files: UTF-8 ("Indifférenciée"), not \u escapes (the writer's default), which every loader would decode.
using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
json.WriteStartObject();
json.WriteString("type", "FeatureCollection");
json.WriteStartObject("crs");
json.WriteString("type", "name");
json.WriteStartObject("properties");
json.WriteString("name", "urn:ogc:def:crs:EPSG::2154");
json.WriteEndObject();
json.WriteEndObject();
json.WriteStartArray("features");
for (var n = 0; n < count; n++)
{
    var k = n / originals.Count;
    var (id, properties, geometry, digits) = originals[n % originals.Count];
    var dx = k % 20 * 6000.0;
    var dy = k / 20 * 6000.0;
    using var props = JsonDocument.Parse(properties);
    json.WriteStartObject();
    json.WriteString("type", "Feature");
    json.WriteStartObject("properties");
    foreach (var p in props.RootElement.EnumerateObject())
    {
        if (p.Name is "cleabs" or "ID")
        {
            json.WriteString(p.Name, $"{id}-{k}");
        }
        else
        {
            p.WriteTo(json);
        }
    }
    json.WriteEndObject();
    json.WriteStartObject("geometry");
    json.WriteString("type", "MultiPolygon");
    json.WriteStartArray("coordinates");
    var polygons = geometry is MultiPolygon mp ? mp.Geometries.Cast<Polygon>() : [(Polygon)geometry];
    foreach (var polygon in polygons)
    {
        json.WriteStartArray();
        foreach (var ring in new[] { polygon.ExteriorRing }.Concat(polygon.InteriorRings))
        {
            json.WriteStartArray();
            foreach (var c in ring.Coordinates)
            {
                json.WriteStartArray();
                json.WriteRawValue(WithDigits(c.X + dx, digits));
                json.WriteRawValue(WithDigits(c.Y + dy, digits));
                if (!double.IsNaN(c.Z))
                {
                    json.WriteNumberValue(c.Z);
                }
                json.WriteEndArray();
            }
            json.WriteEndArray();
        }
        json.WriteEndArray();
    }
    json.WriteEndArray();
    json.WriteEndObject();
    json.WriteEndObject();
    if (n % 1000 == 0)
    {
        json.Flush();
    }
}
json.WriteEndArray();
json.WriteEndObject();
json.Flush();
Console.Error.WriteLine($"wrote {count} buildings from {originals.Count} originals to {output} ({new FileInfo(output).Length / 1e6:F0} MB)");
return 0;

// The significant digits of a feature's first x coordinate as its file writes it.
static int SignificantDigits(byte[] feature)
{
    var text = System.Text.Encoding.UTF8.GetString(feature);
    var m = System.Text.RegularExpressions.Regex.Match(text, @"""coordinates""\s*:\s*[\[\s]*-?(\d+)(?:\.(\d+))?");
    return m.Success ? m.Groups[1].Value.TrimStart('0').Length + m.Groups[2].Value.Length : 10;
}

// A coordinate written with that many significant digits (the exact decimal expansion of the double, as GDAL prints it).
static string WithDigits(double value, int digits)
{
    var integerDigits = Math.Max(1, (int)Math.Floor(Math.Log10(Math.Abs(value))) + 1);
    return value.ToString("F" + Math.Max(0, digits - integerDigits), CultureInfo.InvariantCulture);
}
