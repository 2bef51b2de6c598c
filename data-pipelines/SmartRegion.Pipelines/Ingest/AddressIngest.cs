using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NetTopologySuite.Geometries;
using Npgsql;
using SmartRegion.Data.RegionLoading;
using SmartRegion.Geo;
using SmartRegion.Geo.Crs;
using SmartRegion.Geo.Readers;
using SmartRegion.Geo.Text;

namespace SmartRegion.Pipelines.Ingest;

internal sealed record AddressIngestOptions(string Path, string Format, string? LatColumn, string? LonColumn, int? Epsg, string? Source);

/// <summary><c>ingest addresses</c>: BAN and BAL CSV (';', Lambert-93 x/y or lon/lat) and any CSV with lat/lon columns.</summary>
internal static class AddressIngest
{
    public static async Task<IngestReport> RunAsync(NpgsqlDataSource dataSource, AddressIngestOptions o, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var fileName = Path.GetFileName(o.Path);
        using var stream = new HashingStream(File.OpenRead(o.Path));
        using var table = new CsvReader(SourceFile.Content(stream, o.Path), fileName);
        var format = o.Format != "auto" ? o.Format
            : table.Column("cle_interop") >= 0 ? "bal"
            : table.Column("id_fantoir") >= 0 || (table.Column("nom_voie") >= 0 && table.Column("code_postal") >= 0) ? "ban"
            : "csv";
        int Col(params string[] names) => names.Select(table.Column).FirstOrDefault(i => i >= 0, -1);
        int Required(string? name, string option) => name is null ? -1 : table.Column(name) is var i and >= 0 ? i
            : throw new SourceFormatException($"{fileName}: {option} '{name}' is not a column (columns: {string.Join(", ", table.Header)})");
        var id = format switch { "bal" => Col("cle_interop", "uid_adresse"), "ban" => Col("id"), _ => Col("id", "identifiant", "uid") };
        var numberCol = Col("numero", "number");
        var suffixCol = Col("suffixe", "rep", "suffix");
        var streetCol = Col("voie_nom", "nom_voie", "street", "rue");
        var postcodeCol = Col("code_postal", "postcode", "cp");
        var communeCodeCol = Col("commune_insee", "code_insee", "code_commune");
        var communeNameCol = Col("commune_nom", "nom_commune", "commune", "city");
        var labelCol = Col("label", "adresse", "address", "adresse_1");
        var xCol = Col("x");
        var yCol = Col("y");
        var lonCol = o.LonColumn is not null ? Required(o.LonColumn, "--lon-col") : Col("long", "lon", "longitude");
        var latCol = o.LatColumn is not null ? Required(o.LatColumn, "--lat-col") : Col("lat", "latitude");
        var useXy = o.LonColumn is null && xCol >= 0 && yCol >= 0;
        if (!useXy && (lonCol < 0 || latCol < 0))
        {
            throw new SourceFormatException($"{fileName}: no coordinates: expected x/y (Lambert-93) or long/lat columns; name them with --lon-col and --lat-col");
        }
        if (streetCol < 0 && labelCol < 0)
        {
            throw new SourceFormatException($"{fileName}: no street (voie_nom, nom_voie) or label (label, adresse) column");
        }
        var sourceEpsg = o.Epsg ?? (useXy ? KnownCrs.Lambert93 : KnownCrs.Wgs84);
        var transform = CrsTransform.Create(sourceEpsg);
        var source = o.Source ?? format;
        var report = new IngestReport { Kind = "addresses", File = o.Path, Source = source, Format = format, SourceCrs = "EPSG:" + sourceEpsg };
        var runId = await IngestRuns.StartAsync(dataSource, new IngestRunStart("addresses", source, fileName, new FileInfo(o.Path).Length, format, sourceEpsg,
            IngestRunJson.Write(new AddressRunOptions(o.LatColumn, o.LonColumn))), cancellationToken);
        report.RunId = runId;
        var factory = new GeometryFactory(new PrecisionModel(), RegionSettings.Srid);
        var rows = new List<AddressRow>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var index = 0;
            while (table.Next() is { } record)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (line, row) = (record.Line, record.Fields);
                var i = index++;
                report.Read++;
                if (row.Length != table.Header.Count)
                {
                    report.Reject(new FeatureProblem(i, line, null, "(row)", $"{row.Length} fields where the header has {table.Header.Count}"));
                    continue;
                }
                string? Get(int c) => c >= 0 && row[c]?.Trim() is { Length: > 0 } v ? v : null;
                var xs = useXy ? Get(xCol) : Get(lonCol);
                var ys = useXy ? Get(yCol) : Get(latCol);
                var (xName, yName) = (table.Header[useXy ? xCol : lonCol], table.Header[useXy ? yCol : latCol]);
                var xOk = double.TryParse(xs, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x);
                var yOk = double.TryParse(ys, NumberStyles.Float, CultureInfo.InvariantCulture, out var y) && double.IsFinite(y);
                if (!xOk || !yOk)
                {
                    var (name, value) = !xOk ? (xName, xs) : (yName, ys);
                    report.Reject(new FeatureProblem(i, line, Get(id), name, value is null ? "is empty" : $"'{value}' is not a number"));
                    continue;
                }
                if (!transform.IsInAreaOfUse(x, y))
                {
                    report.Reject(new FeatureProblem(i, line, Get(id), $"{xName}/{yName}", $"({xs}, {ys}) is far outside the area of EPSG:{sourceEpsg}"));
                    continue;
                }
                var (px, py) = transform.Transform(x, y);
                var number = int.TryParse(Get(numberCol), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 && n < 99999 ? n : (int?)null;
                var suffix = Get(suffixCol);
                var street = Get(streetCol);
                var postcode = Get(postcodeCol);
                var communeName = Get(communeNameCol);
                var label = Get(labelCol) ?? string.Join(' ', new[] { number is null ? null : number + (suffix is null ? "" : " " + suffix), street, postcode, communeName }.Where(s => s is not null));
                if (number is null && Get(labelCol) is { } l && AddressSearchNumber(l) is { } parsed)
                {
                    number = parsed;
                }
                var sourceId = Get(id) ?? $"line-{line}";
                if (!seen.Add(sourceId))
                {
                    report.Reject(new FeatureProblem(i, line, sourceId, id >= 0 ? table.Header[id] : "id", $"duplicate id '{sourceId}'; only the first is loaded"));
                    continue;
                }
                var (searchLabel, searchStreet) = SearchTexts(label, street, postcode, communeName);
                rows.Add(new AddressRow(sourceId, label, number, suffix, street, postcode, Get(communeCodeCol), communeName,
                    factory.CreatePoint(new Coordinate(px, py)), searchLabel, searchStreet, Encoding.UTF8.GetString(table.AttributesJson(row))));
                report.Accepted++;
            }
            var sha = stream.HashHex();
            report.FileSha256 = sha;
            var (inserted, updated) = await Data.RegionLoading.SimpleLoaders.LoadAddressesAsync(dataSource, runId, source, rows,
                r => new IngestRunCounts(report.Read, report.Accepted, 0, report.Rejected, 0, r.Item1, r.Item2, report.Accepted - r.Item1 - r.Item2, 0), sha, cancellationToken);
            report.Inserted = inserted;
            report.Updated = updated;
            report.Unchanged = report.Accepted - inserted - updated;
            report.Status = "succeeded";
        }
        catch (Exception e) when (e is SourceFormatException or PostgresException or OperationCanceledException)
        {
            report.Status = "failed";
            report.Error = e.Message;
            await IngestRuns.FailAsync(dataSource, runId, new IngestRunCounts(report.Read, report.Accepted, 0, report.Rejected, 0, 0, 0, 0, 0), null, e.Message);
            throw;
        }
        finally
        {
            report.DurationS = clock.Elapsed.TotalSeconds;
            report.RowsPerS = report.Read / Math.Max(report.DurationS, 1e-6);
        }
        return report;
    }

    private static int? AddressSearchNumber(string label) => Data.Geocoding.AddressSearch.Parse(label).Number;

    /// <summary>
    /// What the geocoder matches a query against: the label completed with the postcode and commune the row gives in columns
    /// of their own (a school's "10 rue Pasteur" must answer "rue pasteur saint-denis"), and the street alone, taken from
    /// the label without its house number when the file has no street column.
    /// </summary>
    internal static (string Label, string Street) SearchTexts(string label, string? street, string? postcode, string? communeName)
    {
        var searchLabel = SearchText.Normalize(label);
        var commune = communeName is null ? "" : SearchText.Normalize(communeName);
        foreach (var part in new[] { postcode is null ? "" : SearchText.Normalize(postcode), commune })
        {
            if (part.Length > 0 && !$" {searchLabel} ".Contains($" {part} ", StringComparison.Ordinal))
            {
                searchLabel += " " + part;
            }
        }
        if (street is not null)
        {
            return (searchLabel, SearchText.Normalize(street));
        }
        var words = Data.Geocoding.AddressSearch.Parse(label).Text;
        if (commune.Length > 0 && words.EndsWith(" " + commune, StringComparison.Ordinal))
        {
            words = words[..^(commune.Length + 1)];
        }
        return (searchLabel, words.Length > 0 ? words : searchLabel);
    }
}
