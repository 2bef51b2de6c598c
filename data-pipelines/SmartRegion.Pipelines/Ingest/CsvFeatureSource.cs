using System.Globalization;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using SmartRegion.Geo.Buildings;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Pipelines.Ingest;

/// <summary>CSV options: where the geometry is (a WKT column, or longitude/latitude columns).</summary>
internal sealed record CsvSourceOptions(string? WktColumn, string? LonColumn, string? LatColumn, char? Delimiter)
{
    public static readonly CsvSourceOptions Default = new(null, null, null, null);
}

/// <summary>CSV with a WKT geometry column (BD TOPO exports) or lon/lat columns; BD TOPO's destroyed versions (gcms_detruit) are skipped.</summary>
internal sealed class CsvFeatureSource : IFeatureSource
{
    private static readonly string[] WktNames = ["geometrie", "geometry", "wkt", "the_geom", "geom", "wkt_geom"];
    private readonly HashingStream _stream;
    private readonly CsvReader _table;
    private readonly int _wkt;
    private readonly int _lon;
    private readonly int _lat;
    private readonly int _destroyed;
    private readonly string _fileName;

    public CsvFeatureSource(string path, CsvSourceOptions o)
    {
        _fileName = Path.GetFileName(path);
        TotalBytes = new FileInfo(path).Length;
        _stream = new HashingStream(File.OpenRead(path));
        _table = new CsvReader(SourceFile.Content(_stream, path), _fileName, CsvOptions.Default with { Delimiter = o.Delimiter });
        int Required(string name, string option)
        {
            var i = _table.Column(name);
            return i >= 0 ? i : throw new SourceFormatException($"{_fileName}: {option} '{name}' is not a column (columns: {string.Join(", ", _table.Header)})");
        }
        _wkt = o.WktColumn is { } w ? Required(w, "--wkt-col") : -1;
        _lon = o.LonColumn is { } lo ? Required(lo, "--lon-col") : -1;
        _lat = o.LatColumn is { } la ? Required(la, "--lat-col") : -1;
        if (_wkt < 0 && _lon < 0)
        {
            _wkt = WktNames.Select(_table.Column).FirstOrDefault(i => i >= 0, -1);
            if (_wkt < 0)
            {
                throw new SourceFormatException($"{_fileName}: no geometry column found (looked for {string.Join(", ", WktNames)}); name it with --wkt-col, or --lon-col/--lat-col");
            }
        }
        _destroyed = _table.Column("gcms_detruit");
    }

    public string Format => "csv";

    /// <summary>
    /// CSV carries no CRS: lon/lat columns and WKT in degrees are WGS 84; projected WKT in a BD TOPO export (cleabs column)
    /// is Lambert-93, IGN's delivery CRS for metropolitan France. Anything else needs --srs.
    /// </summary>
    public int? DeclaredEpsg { get; private set; }

    public BuildingSchema? Schema => null;

    public long BytesRead => _stream.Position2;

    private void GuessCrs(Geometry? first)
    {
        if (DeclaredEpsg is not null || first is null || first.IsEmpty)
        {
            return;
        }
        var e = first.EnvelopeInternal;
        if (Math.Abs(e.MinX) <= 180 && Math.Abs(e.MaxY) <= 90)
        {
            DeclaredEpsg = SmartRegion.Geo.Crs.KnownCrs.Wgs84;
        }
        else if (_table.Column("cleabs") >= 0)
        {
            DeclaredEpsg = SmartRegion.Geo.Crs.KnownCrs.Lambert93; // BD TOPO (cleabs) without a CRS: mainland France
        }
        else
        {
            throw new SourceFormatException($"{_fileName}: line {_table.RecordLine}: projected coordinates ({e.MinX}, {e.MinY}) and no CRS: pass --srs EPSG:N");
        }
    }

    public long TotalBytes { get; }

    public int Filtered { get; private set; }

    public IEnumerable<FeatureWork> Read(CancellationToken cancellationToken)
    {
        var factory = new GeometryFactory();
        var wkt = new WKTReader(new NetTopologySuite.NtsGeometryServices(factory.PrecisionModel, 0)) { IsOldNtsCoordinateSyntaxAllowed = false };
        var index = 0;
        while (_table.Next() is { } record)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var row = record.Fields;
            var line = record.Line;
            if (row.Length != _table.Header.Count)
            {
                var countProblem = $"{row.Length} fields where the header has {_table.Header.Count} (delimiter '{(_table.Delimiter == '\t' ? "tab" : _table.Delimiter)}')";
                yield return new FeatureWork(index, null, new SourceFeature(index, line, null, null, "{}", []) { ErrorField = "(row)", Error = countProblem });
                index++;
                continue;
            }
            // BD TOPO / BDUni exports carry the destroyed (historical) versions of objects: only current ones are buildings.
            if (_destroyed >= 0 && row[_destroyed] is "true" or "t" or "1")
            {
                Filtered++;
                continue;
            }
            Geometry? geometry = null;
            string? problemField = null;
            string? problem = null;
            if (_wkt >= 0)
            {
                var text = row[_wkt];
                if (!string.IsNullOrEmpty(text))
                {
                    try
                    {
                        geometry = wkt.Read(text);
                    }
                    catch (Exception e) when (e is ParseException or ArgumentException or FormatException)
                    {
                        problemField = _table.Header[_wkt];
                        problem = $"is not valid WKT: {e.Message}";
                    }
                }
            }
            else
            {
                if (double.TryParse(row[_lon], NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
                    && double.TryParse(row[_lat], NumberStyles.Float, CultureInfo.InvariantCulture, out var y))
                {
                    geometry = factory.CreatePoint(new Coordinate(x, y));
                }
                else if (!string.IsNullOrEmpty(row[_lon]) || !string.IsNullOrEmpty(row[_lat]))
                {
                    problemField = _table.Header[_lon];
                    problem = $"'{row[_lon]}', '{row[_lat]}' are not numbers";
                }
            }
            if (problem is not null)
            {
                yield return new FeatureWork(index, null, new SourceFeature(index, line, null, null, _table.AttributesJson(row, except: _wkt), []) { ErrorField = problemField, Error = problem });
                index++;
                continue;
            }
            GuessCrs(geometry);
            yield return new FeatureWork(index, null, new SourceFeature(index, line, null, geometry, _table.AttributesJson(row, except: _wkt), []));
            index++;
        }
    }

    public string Sha256() => _stream.HashHex();

    public void Dispose()
    {
        _table.Dispose();
        _stream.Dispose();
    }
}
