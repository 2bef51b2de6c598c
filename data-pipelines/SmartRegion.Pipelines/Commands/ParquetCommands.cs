using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SmartRegion.Parquet;
using SmartRegion.Pipelines.Cli;

namespace SmartRegion.Pipelines.Commands;

/// <summary><c>parquet inspect | cat | sample | fuzz</c>: look into Parquet / GeoParquet files without another tool.</summary>
internal static class ParquetCommands
{
    public const string Usage = """
        parquet inspect FILE                    schema, row groups (codecs, encodings, statistics) and key-value metadata as JSON
        parquet cat FILE [--limit N] [--columns a,b]
                                                rows as JSON Lines (binary/WKB as hex, timestamps ISO 8601 UTC)
        parquet sample FILE [--rows N] [--codec snappy|gzip|zstd|uncompressed] [--no-dictionary] [--page-v2] [--row-group-rows N]
                                                write a GeoParquet sample with every column type (Lambert-93 polygons)
        parquet fuzz FILE… [--cases N] [--seed S]
                                                read FILEs with random byte flips; every case must fail cleanly or read
        """;

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        try
        {
            return await RunVerbAsync(args, cancellationToken);
        }
        catch (ParquetFormatException e)
        {
            throw new CliFailureException(e.Message);
        }
    }

    private static async Task<int> RunVerbAsync(string[] args, CancellationToken cancellationToken)
    {
        var verb = args.FirstOrDefault() ?? throw new CliUsageException("parquet needs a subcommand: inspect | cat | sample | fuzz");
        var options = CliArgs.Parse(args.Skip(1), "no-dictionary", "page-v2");
        switch (verb)
        {
            case "inspect":
            {
                var file = SingleFile(options);
                options.RejectUnknown();
                await using var reader = await OpenAsync(file, cancellationToken);
                CliJson.Write(Inspect(reader));
                return 0;
            }
            case "cat":
            {
                var file = SingleFile(options);
                var limit = options.Int("limit", 0) ?? int.MaxValue;
                var columns = options.String("columns")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                options.RejectUnknown();
                await using var reader = await OpenAsync(file, cancellationToken);
                if (columns?.FirstOrDefault(c => reader.Schema.IndexOf(c) < 0) is { } missing)
                {
                    throw new CliUsageException($"--columns: {file} has no column '{missing}' (it has {string.Join(", ", reader.Schema.Columns.Select(c => c.Name))})");
                }
                await CatAsync(reader, columns, limit, Console.OpenStandardOutput(), cancellationToken);
                return 0;
            }
            case "sample":
            {
                var file = SingleFile(options);
                var rows = options.Int("rows", 0) ?? 1000;
                var codec = options.Choice("codec", "snappy", "snappy", "gzip", "zstd", "uncompressed");
                var rowGroupRows = options.Int("row-group-rows", 1) ?? 122_880;
                var dictionary = !options.Flag("no-dictionary");
                var pageV2 = options.Flag("page-v2");
                options.RejectUnknown();
                var writerOptions = new ParquetWriterOptions
                {
                    Codec = codec switch { "gzip" => ParquetCodec.Gzip, "zstd" => ParquetCodec.Zstd, "uncompressed" => ParquetCodec.Uncompressed, _ => ParquetCodec.Snappy },
                    RowGroupRows = rowGroupRows,
                    Dictionary = dictionary,
                    DataPageV2 = pageV2,
                    Geo = new GeoParquetOptions { GeometryColumn = "geometry", Crs = GeoCrs.Lambert93, BboxCovering = true },
                };
                await ParquetSample.WriteAsync(file, rows, writerOptions, cancellationToken);
                Console.Error.WriteLine($"Wrote {rows} rows to {file}.");
                return 0;
            }
            case "fuzz":
            {
                if (options.Positionals.Count == 0)
                {
                    throw new CliUsageException("parquet fuzz needs at least one FILE");
                }
                var cases = options.Int("cases", 1) ?? 100_000;
                var seed = options.Int("seed") ?? 1;
                options.RejectUnknown();
                var files = new List<byte[]>();
                foreach (var f in options.Positionals)
                {
                    await using (var check = await OpenAsync(f, cancellationToken))
                    {
                    }
                    files.Add(await File.ReadAllBytesAsync(f, cancellationToken));
                }
                var report = await ByteFlipFuzzer.RunAsync(files, cases, seed, cancellationToken);
                CliJson.Write(new
                {
                    report.Cases,
                    report.Rejected,
                    report.Accepted,
                    failures = report.Failures.Count,
                    elapsedS = Math.Round(report.Elapsed.TotalSeconds, 1),
                    slowestCaseCpuMs = Math.Round(report.SlowestCase.TotalMilliseconds, 1),
                    firstFailures = report.Failures.Take(5),
                });
                return report.Failures.Count == 0 ? 0 : 1;
            }
            default:
                throw new CliUsageException($"unknown parquet subcommand '{verb}' (expected inspect | cat | sample | fuzz)");
        }
    }

    private static string SingleFile(CliArgs options) => options.Positionals.Count == 1
        ? options.Positionals[0]
        : throw new CliUsageException(options.Positionals.Count == 0 ? "FILE is required" : "give exactly one FILE");

    private static async Task<ParquetReader> OpenAsync(string file, CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            throw new CliFailureException($"{file}: no such file");
        }
        return await ParquetReader.OpenAsync(file, cancellationToken);
    }

    private static object Inspect(ParquetReader reader) => new
    {
        file = reader.Name,
        rowCount = reader.RowCount,
        createdBy = reader.CreatedBy,
        columns = reader.Schema.Columns.Select(c => new
        {
            name = c.Name,
            type = c.Type.ToString(),
            nullable = c.Nullable,
            precision = c.Type == ParquetType.Decimal ? c.Precision : (int?)null,
            scale = c.Type == ParquetType.Decimal ? c.Scale : (int?)null,
            fixedLength = c.Type == ParquetType.FixedBinary ? c.FixedLength : (int?)null,
            timestampIsUtc = c.Type == ParquetType.Timestamp ? c.TimestampIsUtc : (bool?)null,
        }),
        rowGroups = reader.RowGroups.Select(g => new
        {
            g.Index,
            g.RowCount,
            g.TotalBytes,
            columns = g.Columns.Select(c => new
            {
                c.Path,
                c.PhysicalType,
                c.Codec,
                c.Encodings,
                c.ValueCount,
                c.CompressedBytes,
                c.UncompressedBytes,
                c.NullCount,
                min = ToJson(c.Min),
                max = ToJson(c.Max),
            }),
        }),
        metadata = reader.Metadata,
    };

    private static JsonNode? ToJson(object? v) => v switch
    {
        null => null,
        byte[] b => Convert.ToHexStringLower(b),
        DateTime t => FormatTimestamp(t),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        double d when !double.IsFinite(d) => d.ToString(CultureInfo.InvariantCulture),
        float f when !float.IsFinite(f) => f.ToString(CultureInfo.InvariantCulture),
        _ => JsonValue.Create(v),
    };

    private static string FormatTimestamp(DateTime t) =>
        t.ToString(t.Kind == DateTimeKind.Utc ? "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'" : "yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    private static async Task CatAsync(ParquetReader reader, IReadOnlyList<string>? columns, int limit, Stream output, CancellationToken cancellationToken)
    {
        var written = 0;
        var buffer = new MemoryStream();
        await using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        await foreach (var group in reader.ReadAsync(columns, null, cancellationToken))
        {
            for (var r = 0; r < group.RowCount && written < limit; r++, written++)
            {
                json.WriteStartObject();
                foreach (var c in group.Columns)
                {
                    json.WritePropertyName(c.Column.Name);
                    WriteValue(json, c.GetValue(r));
                }
                json.WriteEndObject();
                await json.FlushAsync(cancellationToken);
                json.Reset();
                buffer.WriteByte((byte)'\n');
                if (buffer.Length > 1 << 16)
                {
                    await output.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
                    buffer.SetLength(0);
                }
            }
            if (written >= limit)
            {
                break;
            }
        }
        await output.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
        await output.FlushAsync(cancellationToken);
    }

    private static void WriteValue(Utf8JsonWriter json, object? v)
    {
        switch (v)
        {
            case null: json.WriteNullValue(); break;
            case bool b: json.WriteBooleanValue(b); break;
            case string s: json.WriteStringValue(s); break;
            case byte[] bytes: json.WriteStringValue(Convert.ToHexStringLower(bytes)); break;
            case DateTime t: json.WriteStringValue(FormatTimestamp(t)); break;
            case DateOnly d: json.WriteStringValue(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); break;
            case double d when !double.IsFinite(d): json.WriteStringValue(d.ToString(CultureInfo.InvariantCulture)); break;
            case float f when !float.IsFinite(f): json.WriteStringValue(f.ToString(CultureInfo.InvariantCulture)); break;
            case double d: json.WriteNumberValue(d); break;
            case float f: json.WriteNumberValue(f); break;
            case decimal m: json.WriteNumberValue(m); break;
            case ulong u: json.WriteNumberValue(u); break;
            case long l: json.WriteNumberValue(l); break;
            case uint u: json.WriteNumberValue(u); break;
            default: json.WriteNumberValue(Convert.ToInt64(v, CultureInfo.InvariantCulture)); break;
        }
    }
}
