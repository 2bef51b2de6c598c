using System.Diagnostics;
using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using Npgsql;
using SmartRegion.Data.RegionLoading;
using SmartRegion.Geo;
using SmartRegion.Geo.Crs;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Pipelines.Ingest;

internal sealed record BoundaryIngestOptions(string Path, string Level, string? CodeField, string? NameField, int? Epsg);

/// <summary><c>ingest boundaries</c>: communes, arrondissements, départements, regions from GeoJSON (a FeatureCollection or one Feature).</summary>
internal static class BoundaryIngest
{
    private static readonly string[] CodeFields = ["code", "c_arinsee", "code_insee", "insee", "INSEE_COM", "INSEE_DEP", "INSEE_REG"];
    private static readonly string[] NameFields = ["nom", "l_ar", "name", "nom_commune", "NOM", "NOM_COM"];

    public static async Task<IngestReport> RunAsync(NpgsqlDataSource dataSource, BoundaryIngestOptions o, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var fileName = Path.GetFileName(o.Path);
        using var stream = new HashingStream(File.OpenRead(o.Path));
        using var content = SourceFile.Content(stream, o.Path);
        using var features = new GeoJsonFeatureStream(content, fileName, ownsStream: false);
        var source = new GeometryFactory();
        var target = new GeometryFactory(new PrecisionModel(), RegionSettings.Srid);
        var report = new IngestReport { Kind = "boundaries", File = o.Path, Source = o.Level, Format = "geojson" };
        var runId = await IngestRuns.StartAsync(dataSource, new IngestRunStart("boundaries", o.Level, fileName, new FileInfo(o.Path).Length, "geojson", o.Epsg,
            IngestRunJson.Write(new BoundaryRunOptions(o.Level, o.CodeField, o.NameField))), cancellationToken);
        report.RunId = runId;
        var rows = new List<BoundaryRow>();
        try
        {
            CrsTransform? transform = null;
            var index = 0;
            while (features.Next() is { } bytes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var i = index++;
                report.Read++;
                transform ??= CrsTransform.Create(o.Epsg ?? (features.CrsName is { } n ? KnownCrs.Parse(n) : KnownCrs.Wgs84));
                report.SourceCrs = "EPSG:" + transform.SourceEpsg;
                SourceFeature f;
                try
                {
                    f = GeoJsonFeatureParser.Parse(bytes, i, null, source);
                }
                catch (FeatureFieldException e)
                {
                    report.Reject(new FeatureProblem(i, null, null, e.Field, e.Message));
                    continue;
                }
                using var doc = JsonDocument.Parse(f.AttributesJson);
                string? Field(string? chosen, string[] candidates) =>
                    (chosen is null ? candidates : [chosen]).Select(c => doc.RootElement.TryGetProperty(c, out var v) ? v : default)
                        .Where(v => v.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                        .Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()).FirstOrDefault();
                var code = Field(o.CodeField, CodeFields);
                var name = Field(o.NameField, NameFields) ?? code;
                if (code is null)
                {
                    report.Reject(new FeatureProblem(i, null, null, o.CodeField ?? "code", $"no code ({string.Join(", ", o.CodeField is null ? CodeFields : [o.CodeField])}); pass --code-field"));
                    continue;
                }
                if (f.Geometry is not (Polygon or MultiPolygon) || f.Geometry.IsEmpty)
                {
                    report.Reject(new FeatureProblem(i, null, code, "geometry", $"is {f.Geometry?.GeometryType ?? "null"}: a boundary must be a Polygon or MultiPolygon"));
                    continue;
                }
                var g = f.Geometry.Copy();
                transform.Apply(g);
                if (!g.IsValid)
                {
                    g = GeometryFixer.Fix(g);
                    report.Repair(new FeatureProblem(i, null, code, "geometry", "invalid polygon repaired by GeometryFixer"));
                }
                var polygons = g is MultiPolygon mp ? mp.Geometries.Cast<Polygon>() : g is Polygon p ? [p] : g is GeometryCollection gc ? gc.Geometries.OfType<Polygon>() : [];
                var multi = target.CreateMultiPolygon(polygons.Select(x => (Polygon)target.CreateGeometry(x)).ToArray());
                rows.Add(new BoundaryRow(o.Level, code, name!, multi, f.AttributesJson));
                report.Accepted++;
            }
            var sha = stream.HashHex();
            report.FileSha256 = sha;
            var (inserted, updated) = await SimpleLoaders.LoadBoundariesAsync(dataSource, runId, rows,
                r => new IngestRunCounts(report.Read, report.Accepted, report.Repaired, report.Rejected, 0, r.Item1, r.Item2, report.Accepted - r.Item1 - r.Item2, 0), sha, cancellationToken);
            report.Inserted = inserted;
            report.Updated = updated;
            report.Unchanged = report.Accepted - inserted - updated;
            report.Status = "succeeded";
        }
        catch (Exception e) when (e is SourceFormatException or UnsupportedCrsException or PostgresException or OperationCanceledException)
        {
            report.Status = "failed";
            report.Error = e.Message;
            await IngestRuns.FailAsync(dataSource, runId, new IngestRunCounts(report.Read, report.Accepted, report.Repaired, report.Rejected, 0, 0, 0, 0, 0), null, e.Message);
            throw;
        }
        finally
        {
            report.DurationS = clock.Elapsed.TotalSeconds;
            report.RowsPerS = report.Read / Math.Max(report.DurationS, 1e-6);
        }
        return report;
    }
}
