using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using nietras.SeparatedValues;
using SmartRegion.Data.RegionLoading;
using SmartRegion.Geo.Wkb;
using OurSnappy = SmartRegion.Bench.Dependencies.Replaced.Snappy;
using SmartRegion.Geo.Readers;

// Each part we wrote by hand against the library that could replace it (docs/dependencies.md): the same data in the same
// process, the contenders alternating round by round (this machine's speed drifts within minutes), medians of CPU time
// on one thread. Usage: SmartRegion.Bench.Dependencies <part> <data folder> <work folder> [rounds]
//   part: csv | snappy | geojson | gpkg | ewkb | all
var part = args.Length > 0 ? args[0] : "all";
var data = args.Length > 1 ? args[1] : "../shared/data";
var work = args.Length > 2 ? args[2] : Path.GetTempPath();
var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5;
Directory.CreateDirectory(work);

var parts = new Dictionary<string, Action>
{
    ["csv"] = () => Csv(),
    ["snappy"] = () => SnappyPart(),
    ["geojson"] = () => GeoJson(),
    ["gpkg"] = () => GeoPackage(),
    ["ewkb"] = () => Ewkb(),
};
foreach (var (name, run) in parts)
{
    if (part == "all" || part == name)
    {
        run();
    }
}
return;

// Runs every contender once to warm up (JIT, caches), then `rounds` alternating rounds; prints medians and ratios to the first.
void Race(string title, string unit, double units, params (string Name, Func<long> Run)[] contenders)
{
    Console.WriteLine($"\n## {title}");
    var checks = contenders.Select(c => c.Run()).ToArray();
    var times = contenders.Select(_ => new List<double>()).ToArray();
    for (var r = 0; r < rounds; r++)
    {
        for (var i = 0; i < contenders.Length; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var check = contenders[i].Run();
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            times[i].Add(cpu);
            if (check != checks[i])
            {
                throw new InvalidOperationException($"{contenders[i].Name}: {check} then {checks[i]}");
            }
        }
    }
    var medians = times.Select(t => t.Order().ElementAt(t.Count / 2)).ToArray();
    Console.WriteLine($"{"contender",-44} {"median CPU s",12} {unit + "/s",14} {"× ours",8}  check");
    for (var i = 0; i < contenders.Length; i++)
    {
        Console.WriteLine($"{contenders[i].Name,-44} {medians[i],12:F3} {units / medians[i],14:N0} {medians[i] / medians[0],8:F2}  {checks[i]}");
    }
    Console.WriteLine($"rounds: {rounds}; each time: {string.Join(" | ", times.Select(t => string.Join(" ", t.Select(x => x.ToString("F3", CultureInfo.InvariantCulture)))))}");
}

// CSV: a partner-style file (Paris's trees, ';'-delimited, UTF-8) replicated to ~75 MB; every field as a string.
void Csv()
{
    var source = Path.Combine(data, "partners", "paris_arbres_plantes.csv");
    var path = Path.Combine(work, "trees_x40.csv");
    var lines = File.ReadAllLines(source, Encoding.UTF8);
    using (var w = new StreamWriter(path, false, new UTF8Encoding(false)))
    {
        w.WriteLine(lines[0]);
        for (var k = 0; k < 40; k++)
        {
            for (var i = 1; i < lines.Length; i++)
            {
                w.WriteLine(lines[i]);
            }
        }
    }
    var bytes = new FileInfo(path).Length;
    Console.WriteLine($"CSV: {path}, {bytes / 1e6:F1} MB, {(lines.Length - 1) * 40:N0} rows");
    long Ours()
    {
        using var r = new CsvReader(File.OpenRead(path), "trees.csv");
        long n = 0;
        while (r.Next() is { } rec)
        {
            foreach (var f in rec.Fields)
            {
                n += f?.Length ?? 0;
            }
        }
        return n;
    }
    var delimiter = new CsvReader(File.OpenRead(path), "trees.csv").Delimiter;
    long Helper()
    {
        using var csv = CsvHelper.CsvReader.FromFile(path, new CsvHelper.CsvReaderOptions { Separator = delimiter, HasHeader = true });
        long n = 0;
        foreach (var row in csv)
        {
            for (var i = 0; i < row.FieldCount; i++)
            {
                n += row.GetString(i).Length;
            }
        }
        return n;
    }
    long SepReader()
    {
        using var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(path);
        long n = 0;
        foreach (var row in reader)
        {
            for (var i = 0; i < row.ColCount; i++)
            {
                n += row[i].ToString().Length;
            }
        }
        return n;
    }
    Race("CSV: tokenise every field to a string", "MB", bytes / 1e6,
        ("ours: CsvReader (detects encoding and delimiter)", Ours),
        ("CsvHelper 34 CsvReader (delimiter given)", Helper),
        ("Sep 0.18 (detects the delimiter)", SepReader));
}

// Snappy: the page bodies our writer compresses: text (the GeoJSON of real buildings) and PLAIN doubles (their coordinates),
// in 1 MiB pages like the writer's.
void SnappyPart()
{
    var text = File.ReadAllBytes(Path.Combine(data, "buildings", "lyon-1er_bdtopo_batiment_3946.geojson"));
    var numbers = Encoding.ASCII.GetString(text).Split(['[', ']', ',', ' '], StringSplitOptions.RemoveEmptyEntries)
        .Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN)
        .Where(d => !double.IsNaN(d)).ToArray();
    var doubles = new byte[numbers.Length * 8];
    Buffer.BlockCopy(numbers, 0, doubles, 0, doubles.Length);
    var pages = new List<byte[]>();
    for (var k = 0; k < 16; k++)
    {
        foreach (var source in new[] { text, doubles })
        {
            for (var p = 0; p < source.Length; p += 1 << 20)
            {
                pages.Add(source.AsSpan(p, Math.Min(1 << 20, source.Length - p)).ToArray());
            }
        }
    }
    var total = pages.Sum(p => (long)p.Length);
    Console.WriteLine($"Snappy: {pages.Count} pages, {total / 1e6:F1} MB (Lyon's GeoJSON text and its {numbers.Length:N0} coordinates as PLAIN doubles)");
    var output = new byte[OurSnappy.MaxCompressedLength(1 << 20) + 1024];
    var back = new byte[1 << 20];
    long OursC()
    {
        long n = 0;
        foreach (var p in pages)
        {
            n += OurSnappy.Compress(p, output);
        }
        return n;
    }
    long SnappierC()
    {
        long n = 0;
        foreach (var p in pages)
        {
            n += Snappier.Snappy.Compress(p, output);
        }
        return n;
    }
    long IronC()
    {
        long n = 0;
        foreach (var p in pages)
        {
            n += IronSnappy.Snappy.Encode(p).Length;
        }
        return n;
    }
    Race("Snappy: compress (check = compressed bytes)", "MB", total / 1e6,
        ("ours (Parquet/Compression/Snappy.cs until 2026-12-07)", OursC), ("Snappier 1.3.2", SnappierC), ("IronSnappy 1.3.0", IronC));
    // Decompression of the same streams (each library's own output, all valid Snappy; cross-checked below).
    var ours = pages.Select(p => output.AsSpan(0, OurSnappy.Compress(p, output)).ToArray()).ToList();
    for (var i = 0; i < pages.Count; i++)
    {
        var s = Snappier.Snappy.DecompressToArray(ours[i]);
        if (!s.AsSpan().SequenceEqual(pages[i]) || !IronSnappy.Snappy.Decode(ours[i]).AsSpan().SequenceEqual(pages[i]))
        {
            throw new InvalidOperationException($"page {i}: another library decodes our Snappy differently");
        }
        var theirs = Snappier.Snappy.CompressToArray(pages[i]);
        var mine = new byte[pages[i].Length];
        OurSnappy.Decompress(theirs, mine);
        if (!mine.AsSpan().SequenceEqual(pages[i]))
        {
            throw new InvalidOperationException($"page {i}: ours decodes Snappier's output differently");
        }
    }
    long OursD()
    {
        long n = 0;
        for (var i = 0; i < ours.Count; i++)
        {
            OurSnappy.Decompress(ours[i], back.AsSpan(0, pages[i].Length));
            n += back[pages[i].Length / 2];
        }
        return n;
    }
    long SnappierD()
    {
        long n = 0;
        for (var i = 0; i < ours.Count; i++)
        {
            Snappier.Snappy.Decompress(ours[i], back);
            n += back[pages[i].Length / 2];
        }
        return n;
    }
    long IronD()
    {
        long n = 0;
        for (var i = 0; i < ours.Count; i++)
        {
            n += IronSnappy.Snappy.Decode(ours[i])[pages[i].Length / 2];
        }
        return n;
    }
    Race("Snappy: decompress our pages (cross-checked: each library decodes the others' output to the same bytes)", "MB", total / 1e6,
        ("ours (until 2026-12-07)", OursD), ("Snappier 1.3.2", SnappierD), ("IronSnappy 1.3.0", IronD));
}

// GeoJSON: every feature of the real BD TOPO files, split once, then parsed to a geometry + attributes by each reader.
void GeoJson()
{
    var features = new List<byte[]>();
    foreach (var file in new[] { "lyon-1er_bdtopo_batiment_3946.geojson", "saint-denis_bdtopo_batiment.geojson" })
    {
        using var stream = new GeoJsonFeatureStream(File.OpenRead(Path.Combine(data, "buildings", file)), file);
        while (stream.Next() is { } f)
        {
            features.Add(f);
        }
    }
    var all = Enumerable.Range(0, 20).SelectMany(_ => features).ToList();
    Console.WriteLine($"GeoJSON: {all.Count:N0} features ({features.Count:N0} real BD TOPO buildings × 20), {all.Sum(f => (long)f.Length) / 1e6:F1} MB");
    var factory = new GeometryFactory();
    long Ours()
    {
        long n = 0;
        for (var i = 0; i < all.Count; i++)
        {
            var f = GeoJsonFeatureParser.Parse(all[i], i, null, factory);
            n += f.Geometry!.NumPoints + f.Attributes.Length;
        }
        return n;
    }
    var options = new JsonSerializerOptions();
    options.Converters.Add(new NetTopologySuite.IO.Converters.GeoJsonConverterFactory(factory));
    long Stj()
    {
        long n = 0;
        foreach (var bytes in all)
        {
            var f = JsonSerializer.Deserialize<IFeature>(bytes, options)!;
            // What the loader needs from it: the geometry, and the attributes as jsonb text.
            n += f.Geometry.NumPoints + JsonSerializer.SerializeToUtf8Bytes(f.Attributes, options).Length;
        }
        return n;
    }
    Race("GeoJSON: a feature to geometry + attributes JSON (one thread; the loader runs this on every core)", "features", all.Count,
        ("ours: GeoJsonFeatureParser", Ours), ("NetTopologySuite.IO.GeoJSON4STJ 4.0.0", Stj));
}

// GeoPackage: every geometry blob of the real reference GeoPackage, to the WKB the uploads send to PostGIS.
void GeoPackage()
{
    var path = Path.Combine(data, "buildings", "saint-denis_potentiel-solaire_reference.gpkg");
    using var reader = new GeoPackageReader(path, null, new GeoPackageLayers(FirstWhenSeveral: true));
    var blobs = reader.ReadRows(CancellationToken.None).Select(r => r[reader.GeometryOrdinal] as byte[]).OfType<byte[]>().ToList();
    var all = Enumerable.Range(0, 50).SelectMany(_ => blobs).ToList();
    Console.WriteLine($"GeoPackage: {all.Count:N0} blobs ({blobs.Count:N0} of {Path.GetFileName(path)} × 50)");
    long Ours()
    {
        long n = 0;
        foreach (var b in all)
        {
            n += GeoPackageBlob.Wkb(b, "geom").Length;
        }
        return n;
    }
    var gpkg = new GeoPackageGeoReader();
    var wkbWriter = new WKBWriter(ByteOrder.LittleEndian, false, false, false);
    long Nts()
    {
        long n = 0;
        foreach (var b in all)
        {
            n += wkbWriter.Write(gpkg.Read(b)).Length;
        }
        return n;
    }
    Race("GeoPackage: blob to WKB (what the uploads send)", "blobs", all.Count,
        ("ours: GeoPackageBlob.Wkb (header skipped)", Ours), ("NetTopologySuite.IO.GeoPackage 2.0.0 + WKBWriter", Nts));
}

// EWKB for COPY: the footprints of the real BD TOPO files, as the building loader writes them.
void Ewkb()
{
    var factory = new GeometryFactory(new PrecisionModel(), 2154);
    var geometries = new List<Geometry>();
    foreach (var file in new[] { "lyon-1er_bdtopo_batiment_3946.geojson", "saint-denis_bdtopo_batiment.geojson" })
    {
        using var stream = new GeoJsonFeatureStream(File.OpenRead(Path.Combine(data, "buildings", file)), file);
        var i = 0;
        while (stream.Next() is { } f)
        {
            if (GeoJsonFeatureParser.Parse(f, i++, null, factory).Geometry is { } g)
            {
                g.SRID = 2154;
                geometries.Add(g);
            }
        }
    }
    var all = Enumerable.Range(0, 50).SelectMany(_ => geometries).ToList();
    Console.WriteLine($"EWKB: {all.Count:N0} footprints ({geometries.Count:N0} real × 50), 3D");
    var ours = new EwkbBuffer(withZ: true);
    long Ours()
    {
        long n = 0;
        foreach (var g in all)
        {
            n += ours.Write(g).Length;
        }
        return n;
    }
    // Npgsql.NetTopologySuite writes geometry parameters with NetTopologySuite.IO.PostGisWriter.
    var postgis = new PostGisWriter { HandleOrdinates = Ordinates.XYZ };
    long Plugin()
    {
        long n = 0;
        foreach (var g in all)
        {
            n += postgis.Write(g).Length;
        }
        return n;
    }
    Race("EWKB: a footprint to the bytes COPY sends", "footprints", all.Count,
        ("ours: EwkbBuffer (reused buffer)", Ours), ("PostGisWriter (Npgsql.NetTopologySuite 10.0.3's)", Plugin));
    var bytes = all.Select(g => postgis.Write(g)).ToList();
    var wkbReader = new WKBReader();
    var postgisReader = new PostGisReader();
    long Points(Func<byte[], Geometry> read) => bytes.Sum(b => (long)read(b).NumPoints);
    long ReadNts() => Points(wkbReader.Read);
    long ReadPlugin() => Points(postgisReader.Read);
    Race("EWKB: bytes from PostGIS to a geometry (the solar store's reads)", "footprints", all.Count,
        ("ours today: NTS WKBReader on ST_AsBinary", ReadNts), ("PostGisReader (Npgsql.NetTopologySuite 10.0.3's)", ReadPlugin));
}
