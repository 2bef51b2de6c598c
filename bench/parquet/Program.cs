using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using SmartRegion.Parquet;

// bench/parquet: write N rows × 10 mixed columns with our writer, or read a Parquet file back, timing only the Parquet work,
// twice in the same process (first: with JIT compilation, as a one-off command; second: steady state).
//   write FILE ROWS CODEC   → {"first":{"seconds":…,"cpuSeconds":…,…},"second":{…},"bytes":…,"rawBytes":…}
//   read FILE               → {"first":{…},"second":{…},"rows":…}
var culture = CultureInfo.InvariantCulture;
var cancel = CancellationToken.None;
switch (args.FirstOrDefault())
{
    case "write":
    {
        var path = args[1];
        var rows = int.Parse(args[2], culture);
        var codec = Enum.Parse<ParquetCodec>(args[3], ignoreCase: true);
        var schema = new ParquetSchema(
            new ParquetColumn("id", ParquetType.Int64, nullable: false),
            new ParquetColumn("building_id", ParquetType.String),
            new ParquetColumn("commune", ParquetType.String),
            new ParquetColumn("height_m", ParquetType.Double),
            new ParquetColumn("area_m2", ParquetType.Double),
            new ParquetColumn("annual_yield_kwh", ParquetType.Double),
            new ParquetColumn("floors", ParquetType.Int32),
            new ParquetColumn("computed_at", ParquetType.Timestamp),
            new ParquetColumn("suitable", ParquetType.Boolean),
            new ParquetColumn("geometry", ParquetType.Binary));
        // Generate everything first: only the writer is timed.
        const int batch = 65_536;
        var batches = new List<ColumnData[]>();
        long raw = 0;
        var random = new Random(42);
        string[] communes = [.. Enumerable.Range(0, 40).Select(i => $"Commune {i:000} — Île-de-France")];
        for (var start = 0; start < rows; start += batch)
        {
            var n = Math.Min(batch, rows - start);
            var id = new long[n];
            var building = new string[n];
            var commune = new string[n];
            var height = new double[n];
            var area = new double[n];
            var yield = new double[n];
            var floors = new int[n];
            var at = new DateTime[n];
            var suitable = new bool[n];
            var geometry = new byte[n][];
            var nulls = new bool[n];
            for (var k = 0; k < n; k++)
            {
                var i = start + k;
                id[k] = i;
                building[k] = $"BATIMENT{i * 7919L % 100_000_000_000:D16}";
                commune[k] = communes[random.Next(communes.Length)];
                height[k] = Math.Round(3 + random.NextDouble() * 40, 2);
                area[k] = Math.Round(20 + random.NextDouble() * 800, 1);
                yield[k] = random.NextDouble() * 100_000;
                floors[k] = 1 + random.Next(12);
                at[k] = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(i * 3 + random.Next(3));
                suitable[k] = random.Next(3) > 0;
                nulls[k] = random.Next(20) == 0;
                geometry[k] = Square(640_000 + i % 2000 * 15.0 + random.NextDouble(), 6_850_000 + i / 2000 * 15.0);
                raw += 8 + building[k].Length + commune[k].Length + 8 * 3 + 4 + 8 + 1 + geometry[k].Length;
            }
            batches.Add(
            [
                new(schema.Columns[0], id), new(schema.Columns[1], building), new(schema.Columns[2], commune),
                new(schema.Columns[3], height, nulls), new(schema.Columns[4], area), new(schema.Columns[5], yield),
                new(schema.Columns[6], floors), new(schema.Columns[7], at), new(schema.Columns[8], suitable), new(schema.Columns[9], geometry),
            ]);
        }
        // Settle the garbage of generating the data, so the collector does not bill it to the writer.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        // Let tiered compilation finish with the generator's hot loops, so its background JIT is not billed to the writer.
        for (var (k, jit) = (0, System.Runtime.JitInfo.GetCompilationTime()); k < 30; k++)
        {
            Thread.Sleep(100);
            var now = System.Runtime.JitInfo.GetCompilationTime();
            if (now == jit)
            {
                break;
            }
            jit = now;
        }
        // The first write pays for JIT compilation (as a one-off command would); the second shows the steady state.
        async Task WriteAll()
        {
            await using var writer = ParquetWriter.Create(path, schema, new ParquetWriterOptions
            {
                Codec = codec,
                Geo = new GeoParquetOptions { GeometryColumn = "geometry", Crs = GeoCrs.Lambert93 },
            });
            foreach (var b in batches)
            {
                await writer.WriteAsync(b, cancel);
            }
            await writer.CompleteAsync(cancel);
        }
        var cold = await TimeAsync(WriteAll);
        var warm = await TimeAsync(WriteAll);
        Console.WriteLine($"{{\"first\":{cold},\"second\":{warm},\"bytes\":{new FileInfo(path).Length},\"rawBytes\":{raw}}}");
        return 0;
    }
    case "read":
    {
        long rows = 0;
        async Task ReadAll()
        {
            rows = 0;
            await using var reader = await ParquetReader.OpenAsync(args[1], cancel);
            await foreach (var group in reader.ReadAsync(null, null, cancel))
            {
                rows += group.RowCount;
            }
        }
        var cold = await TimeAsync(ReadAll);
        var warm = await TimeAsync(ReadAll);
        Console.WriteLine($"{{\"first\":{cold},\"second\":{warm},\"rows\":{rows}}}");
        return 0;
    }
    default:
        Console.Error.WriteLine("usage: write FILE ROWS uncompressed|snappy|gzip | read FILE");
        return 2;
}

// Wall and CPU seconds (all threads of the process) of one run, and how much of it went to JIT and GC pauses, as JSON.
static async Task<string> TimeAsync(Func<Task> run)
{
    var culture = CultureInfo.InvariantCulture;
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var jit0 = System.Runtime.JitInfo.GetCompilationTime();
    var gc0 = GC.GetTotalPauseDuration();
    var watch = Stopwatch.StartNew();
    await run();
    watch.Stop();
    var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
    var jit = (System.Runtime.JitInfo.GetCompilationTime() - jit0).TotalSeconds;
    var gc = (GC.GetTotalPauseDuration() - gc0).TotalSeconds;
    return $"{{\"seconds\":{watch.Elapsed.TotalSeconds.ToString("F3", culture)},\"cpuSeconds\":{cpu.ToString("F3", culture)},\"jitSeconds\":{jit.ToString("F3", culture)},\"gcPauseSeconds\":{gc.ToString("F3", culture)}}}";
}

static byte[] Square(double x, double y)
{
    var wkb = new byte[13 + 5 * 16];
    wkb[0] = 1;
    BinaryPrimitives.WriteUInt32LittleEndian(wkb.AsSpan(1), 3);
    BinaryPrimitives.WriteUInt32LittleEndian(wkb.AsSpan(5), 1);
    BinaryPrimitives.WriteUInt32LittleEndian(wkb.AsSpan(9), 5);
    double[] ring = [x, y, x + 12, y, x + 12, y + 9, x, y + 9, x, y];
    for (var k = 0; k < ring.Length; k++)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(wkb.AsSpan(13 + k * 8), ring[k]);
    }
    return wkb;
}
