using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using NetTopologySuite.Geometries;
using Npgsql;
using SmartRegion.Data;
using SmartRegion.Data.RegionLoading;
using SmartRegion.Geo.Buildings;
using SmartRegion.Geo.Crs;
using SmartRegion.Geo.Readers;
using SmartRegion.Pipelines.Cli;

namespace SmartRegion.Pipelines.Ingest;

/// <summary>What <c>ingest buildings</c> was asked to do.</summary>
internal sealed record BuildingIngestOptions(
    string Path, string Format, string? Layer, int? Epsg, string? Source, string? IdField, bool Strict, bool DryRun, bool ReplaceSource,
    CsvSourceOptions Csv, int Workers)
{
    /// <summary>
    /// A source's first load of a file this large (its content: decompressed, for a gzip file) copies straight into region.building
    /// (smaller files are staged).
    /// </summary>
    public long DirectLoadMinBytes { get; init; } = 32L << 20;
}

/// <summary>
/// <c>ingest buildings</c>: read (one thread) → parse, transform, validate (parallel, in batches, order kept) → binary COPY and
/// merge (one transaction). Memory holds a bounded number of batches, whatever the file size.
/// </summary>
internal static class BuildingIngest
{
    private const int BatchSize = 512;

    private sealed record Batch(Outcome[] Outcomes, BuildingRows Rows);

    private sealed record Outcome(int Index, BuildingRecord? Record, FeatureProblem? Rejection, IReadOnlyList<FeatureProblem> Warnings, BuildingSchema? Schema);

    public static async Task<IngestReport> RunAsync(NpgsqlDataSource dataSource, BuildingIngestOptions o, ProgressLine? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        // The database connection opens while the file's first feature is read.
        var warm = SmartRegionDatabase.WarmUpAsync(dataSource, cancellationToken);
        using var source = FeatureSources.Open(o.Path, o.Format, o.Layer, o.Csv, o.Epsg is not null);
        using var items = source.Read(cancellationToken).GetEnumerator();
        // GeoJSON declares its CRS before the features: read the first one to know it.
        var hasFirst = items.MoveNext();
        var epsg = o.Epsg ?? source.DeclaredEpsg ?? KnownCrs.Wgs84;
        if (!KnownCrs.IsSupported(epsg))
        {
            throw new UnsupportedCrsException($"{Path.GetFileName(o.Path)}: EPSG:{epsg} is not supported (supported: {string.Join(", ", KnownCrs.Supported.Select(s => "EPSG:" + s))}); reproject the file or pass --srs");
        }
        var report = new IngestReport { Kind = "buildings", File = o.Path, Source = o.Source ?? "(detected)", Format = source.Format, SourceCrs = "EPSG:" + epsg };
        var sourceName = o.Source;
        BuildingSchema? schema = source.Schema;
        if (sourceName is null)
        {
            // The first feature's vocabulary names the source (bdtopo, osm, 3dbag…), so reloading an update merges.
            var first = hasFirst ? Process(items.Current, new BuildingMapper(epsg, o.Strict, o.IdField), schema) : null;
            sourceName = SourceNameOf(first?.Schema ?? schema, o.Path);
        }
        report = new IngestReport { Kind = "buildings", File = o.Path, Source = sourceName, Format = source.Format, SourceCrs = "EPSG:" + epsg };

        // Recorded while the first batches are parsed (a small file's load is mostly this set-up): awaited before loading.
        var run = new IngestRunStart("buildings", sourceName, Path.GetFileName(o.Path), source.TotalBytes, source.Format, epsg,
            IngestRunJson.Write(new BuildingRunOptions(o.Strict, o.DryRun, o.ReplaceSource, o.Layer, o.IdField, o.Epsg)));
        var runStart = StartRunAsync(warm, dataSource, run, cancellationToken);
        string? sha = null;
        try
        {
            // A source's first load of a large file goes straight into region.building while the file is read; should the file
            // repeat an id, it is read again and staged, where duplicates are found and reported.
            var direct = SourceFile.ContentLength(o.Path) >= o.DirectLoadMinBytes && o.Format is "geojson" or "gpkg" or "csv";
            try
            {
                sha = await LoadAsync(dataSource, o, source, items, hasFirst, epsg, schema, runStart, sourceName, report, direct, progress, cancellationToken);
            }
            catch (DuplicateIdInDirectLoadException)
            {
                using var again = FeatureSources.Open(o.Path, o.Format, o.Layer, o.Csv, o.Epsg is not null);
                using var againItems = again.Read(cancellationToken).GetEnumerator();
                report = new IngestReport { Kind = "buildings", File = o.Path, Source = sourceName, Format = again.Format, SourceCrs = "EPSG:" + epsg };
                sha = await LoadAsync(dataSource, o, again, againItems, againItems.MoveNext(), epsg, schema, runStart, sourceName, report, false, progress, cancellationToken);
            }
            report.Status = o.DryRun ? "dry_run" : "succeeded";
        }
        catch (Exception e) when (e is SourceFormatException or UnsupportedCrsException or PostgresException or OperationCanceledException)
        {
            progress?.Done();
            report.Status = "failed";
            report.Error = e is PostgresException pe ? $"database: {pe.MessageText}" : e is OperationCanceledException ? "cancelled" : e.Message;
            var runId = await runStart; // when the run could not even be recorded, that is the error
            report.RunId = runId;
            await IngestRuns.FailAsync(dataSource, runId, new IngestRunCounts(report.Read, report.Accepted, report.Repaired, report.Rejected,
                report.Warnings, 0, 0, 0, 0), sha, report.Error);
            throw;
        }
        finally
        {
            report.FileSha256 = sha;
            report.DurationS = clock.Elapsed.TotalSeconds;
            report.RowsPerS = report.Read / Math.Max(report.DurationS, 1e-6);
        }
        return report;
    }


    // One pass over the file: read (one thread) → parse, map (workers, order kept) → COPY; then merge and commit. Returns the file's SHA-256.
    private static async Task<string> LoadAsync(NpgsqlDataSource dataSource, BuildingIngestOptions o, IFeatureSource source, IEnumerator<FeatureWork> items,
        bool hasFirst, int epsg, BuildingSchema? schema, Task<long> runStart, string sourceName, IngestReport report, bool direct, ProgressLine? progress,
        CancellationToken cancellationToken)
    {
        // A direct load's rows name their run and source, and only the database says whether the load may be direct: it begins
        // first. A staged load (every small file) is parsed meanwhile, on the other core.
        var loadOptions = new BuildingLoadOptions(sourceName, o.ReplaceSource, o.DryRun);
        BuildingLoader? loader = null;
        if (direct)
        {
            report.RunId = await runStart;
            loader = await BuildingLoader.BeginAsync(dataSource, report.RunId.Value, loadOptions, allowDirect: true, cancellationToken);
        }
        var staged = loader is not { IsDirect: true };
        var mappers = new ThreadLocal<BuildingMapper>(() => new BuildingMapper(epsg, o.Strict, o.IdField));
        var encoders = new ThreadLocal<BuildingRowEncoder>(() => staged ? BuildingLoader.CreateStageEncoder() : loader!.CreateEncoder());
        // A batch is parsed, mapped and encoded as COPY rows on a worker; the loop below only keeps count and sends the bytes.
        Batch Run(FeatureWork[] work)
        {
            var outcomes = new Outcome[work.Length];
            var rows = new BuildingRows();
            var mapper = mappers.Value!;
            var encoder = encoders.Value!;
            for (var i = 0; i < work.Length; i++)
            {
                var outcome = outcomes[i] = Process(work[i], mapper, schema);
                if (outcome.Record is { } record)
                {
                    encoder.Add(rows, record, outcome.Warnings.Count);
                }
            }
            return new Batch(outcomes, rows);
        }
        // Stops the reading when the load fails (the reader may be waiting for room in the channel).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateBounded<Task<Batch>>(new BoundedChannelOptions(Math.Max(2, o.Workers * 2)) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(async () =>
        {
            try
            {
                var batch = new List<FeatureWork>(BatchSize);
                var more = hasFirst;
                while (more)
                {
                    batch.Add(items.Current);
                    if (batch.Count == BatchSize)
                    {
                        var work = batch.ToArray();
                        await channel.Writer.WriteAsync(Task.Run(() => Run(work), stop.Token), stop.Token);
                        batch.Clear();
                    }
                    more = items.MoveNext();
                }
                if (batch.Count > 0)
                {
                    var work = batch.ToArray();
                    await channel.Writer.WriteAsync(Task.Run(() => Run(work), stop.Token), stop.Token);
                }
                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                channel.Writer.Complete(e);
            }
        }, stop.Token);

        try
        {
            if (loader is null)
            {
                report.RunId = await runStart;
                loader = await BuildingLoader.BeginAsync(dataSource, report.RunId.Value, loadOptions, allowDirect: false, cancellationToken);
            }
            await foreach (var task in channel.Reader.ReadAllAsync(cancellationToken))
            {
                var batch = await task;
                foreach (var outcome in batch.Outcomes)
                {
                    report.Read++;
                    if (outcome.Rejection is { } rejection)
                    {
                        report.Reject(rejection);
                        continue;
                    }
                    var b = outcome.Record!;
                    foreach (var w in outcome.Warnings)
                    {
                        report.Warn(w);
                    }
                    if (b.Repair is { } repair)
                    {
                        report.Repair(new FeatureProblem(b.FeatureIndex, null, b.SourceId, "geometry", repair));
                    }
                    report.Accepted++;
                }
                // Duplicate ids are found in the staging table at the end: memory stays flat however many ids the file has.
                using (batch.Rows)
                {
                    await loader.WriteAsync(batch.Rows, cancellationToken);
                }
                progress?.ReportBytes(source.BytesRead, source.TotalBytes, $"{report.Read:N0} features");
            }
            await producer;
            progress?.Done();
            var sha = source.Sha256();
            report.Filtered = source.Filtered;
            report.Format = source.Format; // a GeoJSONSeq is only known as such after its second feature
            var merged = await loader.MergeAsync(cancellationToken);
            report.DropDuplicates(merged);
            await loader.CommitAsync(new IngestRunCounts(report.Read, report.Accepted, report.Repaired, report.Rejected,
                report.Warnings, merged.Inserted, merged.Updated, merged.Unchanged, merged.Retired), sha, cancellationToken);
            report.FileSha256 = sha;
            report.Inserted = merged.Inserted;
            report.Updated = merged.Updated;
            report.Unchanged = merged.Unchanged;
            report.Retired = merged.Retired;
            report.MergeS = merged.MergeS;
            return sha;
        }
        finally
        {
            stop.Cancel();
            try
            {
                await producer;
            }
            catch (OperationCanceledException)
            {
                // Stopped before it started.
            }
            if (loader is not null)
            {
                await loader.DisposeAsync();
            }
        }
    }

    private static async Task<long> StartRunAsync(Task warm, NpgsqlDataSource dataSource, IngestRunStart run, CancellationToken cancellationToken)
    {
        await warm; // then the run record takes the warmed connection from the pool
        return await IngestRuns.StartAsync(dataSource, run, cancellationToken);
    }

    private static readonly GeometryFactory SourceFactory = new();

    // A GeoJSON footprint's coordinates, read straight into flat arrays reused from one feature to the next on each worker:
    // the mapper checks, transforms and writes them as EWKB without a NetTopologySuite object.
    [ThreadStatic]
    private static PolygonCoordinates? Polygons;

    // A GeoPackage geometry that is not a Polygon or MultiPolygon is read by NetTopologySuite (one reader per worker).
    [ThreadStatic]
    private static NetTopologySuite.IO.WKBReader? Wkb;

    private static Outcome Process(FeatureWork w, BuildingMapper mapper, BuildingSchema? schema)
    {
        SourceFeature feature;
        try
        {
            feature = w.Parsed is { } parsed
                ? GeoPackageBlob.Decode(parsed, Wkb ??= new NetTopologySuite.IO.WKBReader(new NetTopologySuite.NtsGeometryServices(SourceFactory.PrecisionModel, SourceFactory.SRID)), Polygons ??= new PolygonCoordinates())
                : GeoJsonFeatureParser.Parse(w.Json!, w.Index, null, SourceFactory, Polygons ??= new PolygonCoordinates());
        }
        catch (FeatureFieldException e)
        {
            return new Outcome(w.Index, null, new FeatureProblem(w.Index, null, null, e.Field, e.Message), [], null);
        }
        if (feature.Error is { } error)
        {
            return new Outcome(w.Index, null, new FeatureProblem(w.Index, feature.Line, feature.Id, feature.ErrorField, error), [], null);
        }
        try
        {
            var result = mapper.Map(feature, schema);
            return new Outcome(w.Index, result.Record, result.Rejection, result.Warnings, result.Schema);
        }
        catch (FeatureFieldException e)
        {
            return new Outcome(w.Index, null, new FeatureProblem(w.Index, feature.Line, feature.Id, e.Field, e.Message), [], null);
        }
    }

    private static string SourceNameOf(BuildingSchema? schema, string path) => schema switch
    {
        BuildingSchema.BdTopo or BuildingSchema.BdTopoShapefile => "bdtopo",
        BuildingSchema.Osm => "osm",
        BuildingSchema.Bag3d => "3dbag",
        BuildingSchema.Roofer => "roofer",
        _ => Path.GetFileName(path).Split('.')[0].ToLowerInvariant(),
    };
}
