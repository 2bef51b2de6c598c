using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NetTopologySuite;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace SmartRegion.Geo.Readers;

/// <summary>Which layers a <see cref="GeoPackageReader"/> may open, and which one when none is named.</summary>
/// <param name="AttributeTables">tables without geometry (gpkg_contents data_type 'attributes') are layers too</param>
/// <param name="FirstWhenSeveral">with several layers and none named, open the first; otherwise that is an error</param>
/// <param name="LayerOption">how the user names a layer, for that error ("--layer", "?layer=")</param>
public sealed record GeoPackageLayers(bool AttributeTables = false, bool FirstWhenSeveral = false, string LayerOption = "--layer");

/// <summary>What reading a GeoPackage may take (for files from outside: a layer may be a view computing anything).</summary>
/// <param name="MaxValueBytes">the longest value or row SQLite may make or read (its SQLITE_LIMIT_LENGTH): a view of
/// <c>zeroblob(1e9)</c> fails at its first row</param>
/// <param name="MaxMemoryBytes">SQLite's memory in this process (its hard heap limit, shared by every connection), with
/// sorts and temporary results kept in that memory rather than spilled to temporary files: a view that sorts an endless
/// recursive query fails when it reaches it, instead of filling the disk until the job's time budget</param>
public sealed record GeoPackageBudget(int MaxValueBytes, long MaxMemoryBytes);

/// <summary>
/// The one GeoPackage reader (OGC 12-128r18): one layer of the SQLite file, opened read-only — its columns, its CRS from
/// gpkg_spatial_ref_sys, its rows, and its geometry blobs. Used by the region ingestion and by the catalogue's uploads.
/// </summary>
public sealed class GeoPackageReader : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly string _where;
    private readonly GeoPackageBudget? _budget;

    /// <summary>Opens <paramref name="path"/> read-only and selects <paramref name="layer"/> (or the one the choice allows).</summary>
    public GeoPackageReader(string path, string? layer, GeoPackageLayers? choice = null, GeoPackageBudget? budget = null)
    {
        choice ??= new GeoPackageLayers();
        var fileName = Path.GetFileName(path);
        _where = fileName + ": ";
        CheckSqliteHeader(path, _where);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        try
        {
            _connection.Open();
            if (budget is not null)
            {
                SQLitePCL.raw.sqlite3_limit(_connection.Handle, SQLitePCL.raw.SQLITE_LIMIT_LENGTH, budget.MaxValueBytes);
                SQLitePCL.raw.sqlite3_hard_heap_limit64(budget.MaxMemoryBytes);
                using var memory = _connection.CreateCommand();
                memory.CommandText = "PRAGMA temp_store = MEMORY";
                memory.ExecuteNonQuery();
                _budget = budget;
            }
            Layers = ListLayers(choice.AttributeTables);
            Layer = ChooseLayer(layer, choice);
            (GeometryColumn, DeclaredEpsg) = ReadGeometryColumn();
            Columns = Strings($"SELECT name FROM pragma_table_info('{Layer.Replace("'", "''", StringComparison.Ordinal)}')");
        }
        catch (SqliteException e)
        {
            _connection.Dispose();
            throw new SourceFormatException($"{_where}not a readable GeoPackage ({e.Message})", e);
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
        GeometryOrdinal = GeometryColumn is null ? -1 : Columns.ToList().IndexOf(GeometryColumn);
    }

    /// <summary>The file's layers, in gpkg_contents order.</summary>
    public IReadOnlyList<string> Layers { get; }

    /// <summary>The layer read.</summary>
    public string Layer { get; }

    /// <summary>The layer's columns, in table order (the geometry column among them).</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The geometry column (gpkg_geometry_columns), or null for an attribute table.</summary>
    public string? GeometryColumn { get; }

    /// <summary>The index of <see cref="GeometryColumn"/> in <see cref="Columns"/>, or -1.</summary>
    public int GeometryOrdinal { get; }

    /// <summary>The layer's CRS: the EPSG code gpkg_spatial_ref_sys gives, else its positive srs_id; null when it says nothing.</summary>
    public int? DeclaredEpsg { get; }

    /// <summary>
    /// The layer's rows in rowid order, each value as SQLite returns it (long, double, string, byte[] or null; the
    /// geometry as its blob). The array is reused from one row to the next.
    /// </summary>
    public IEnumerable<object?[]> ReadRows(CancellationToken cancellationToken)
    {
        using var cmd = _connection.CreateCommand();
        // Names come from the file itself (gpkg_contents, table_info) and are quoted: each stays one identifier.
        cmd.CommandText = $"SELECT {string.Join(", ", Columns.Select(Identifier))} FROM {Identifier(Layer)}";
        // A layer may be a view whose query never ends (a recursive CTE) inside one step: cancelling interrupts SQLite there.
        using var interrupt = cancellationToken.Register(() => SQLitePCL.raw.sqlite3_interrupt(_connection.Handle));
        using var r = Run(() => cmd.ExecuteReader(), 1);
        var values = new object?[Columns.Count];
        for (long row = 1; Run(r.Read, row); row++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = r.IsDBNull(i) ? null : r.GetValue(i);
            }
            yield return values;
        }

        // SQLite's refusals while stepping (past the budget, a damaged page) become the file's error, naming the row;
        // an interruption by the cancellation stays one.
        T Run<T>(Func<T> step, long row)
        {
            try
            {
                return step();
            }
            catch (SqliteException e) when (!cancellationToken.IsCancellationRequested)
            {
                var reason = (e.SqliteErrorCode, _budget) switch
                {
                    (SQLitePCL.raw.SQLITE_TOOBIG, { } b) => $"a value or row is larger than {b.MaxValueBytes:N0} bytes",
                    (SQLitePCL.raw.SQLITE_NOMEM, { } b) => $"reading it needs more than the {b.MaxMemoryBytes / (1024 * 1024):N0} MB of memory it may take (a view that sorts or computes too much?)",
                    _ => $"SQLite cannot read it ({e.Message})",
                };
                throw new SourceFormatException($"{_where}layer '{Layer}', row {row}: {reason}", e);
            }
        }
    }

    /// <summary>The layer's rows as features: the fid (first column named fid, ogc_fid or id) as id, the other columns as attributes.</summary>
    /// <param name="decodeGeometry">false: each feature keeps its geometry blob undecoded (<see cref="SourceFeature.EncodedGeometry"/>),
    /// for <see cref="GeoPackageBlob.Decode"/> on the thread that maps it</param>
    public IEnumerable<SourceFeature> Read(GeometryFactory factory, CancellationToken cancellationToken, bool decodeGeometry = true)
    {
        var wkb = new WKBReader(new NtsGeometryServices(factory.PrecisionModel, factory.SRID));
        var idOrdinal = Columns.Count > 0 && Columns[0] is "fid" or "ogc_fid" or "id" ? 0 : -1;
        var index = 0;
        foreach (var row in ReadRows(cancellationToken))
        {
            var id = idOrdinal >= 0 && row[idOrdinal] is { } fid ? Convert.ToString(fid, CultureInfo.InvariantCulture) : null;
            Geometry? geometry = null;
            FeatureFieldException? error = null;
            if (!decodeGeometry && GeometryOrdinal >= 0 && row[GeometryOrdinal] is byte[] encoded)
            {
                yield return new SourceFeature(index++, null, id, null, AttributesJson(row), []) { EncodedGeometry = new GeoPackageGeometry(encoded, GeometryColumn!) };
                continue;
            }
            if (GeometryOrdinal >= 0 && row[GeometryOrdinal] is byte[] blob)
            {
                try
                {
                    geometry = GeoPackageBlob.ToGeometry(blob, GeometryColumn!, wkb);
                }
                catch (FeatureFieldException e)
                {
                    error = e;
                }
            }
            yield return new SourceFeature(index, null, id, geometry, AttributesJson(row), [])
            {
                ErrorField = error?.Field,
                Error = error?.Message,
            };
            index++;
        }
    }

    /// <summary>Every column but the geometry as one JSON object (numbers as numbers; binary columns left out).</summary>
    private byte[] AttributesJson(object?[] row)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            for (var i = 0; i < row.Length; i++)
            {
                if (i == GeometryOrdinal)
                {
                    continue;
                }
                switch (row[i])
                {
                    case null:
                        json.WriteNull(Columns[i]);
                        break;
                    case long l:
                        json.WriteNumber(Columns[i], l);
                        break;
                    case double d when double.IsFinite(d):
                        json.WriteNumber(Columns[i], d);
                        break;
                    case byte[]:
                        break; // binary columns are not attributes anyone reads
                    case var v:
                        json.WriteString(Columns[i], Convert.ToString(v, CultureInfo.InvariantCulture));
                        break;
                }
            }
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private List<string> ListLayers(bool attributeTables)
    {
        if (Strings("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name = 'gpkg_contents'").Count == 0)
        {
            throw new SourceFormatException($"{_where}not a GeoPackage: the SQLite file has no gpkg_contents table");
        }
        return Strings(attributeTables
            ? "SELECT table_name FROM gpkg_contents WHERE data_type IN ('features', 'attributes') ORDER BY rowid"
            : "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY rowid");
    }

    private string ChooseLayer(string? layer, GeoPackageLayers choice)
    {
        var kind = choice.AttributeTables ? "feature or attribute" : "feature";
        if (Layers.Count == 0)
        {
            throw new SourceFormatException($"{_where}the GeoPackage has no {kind} layer (gpkg_contents lists none)");
        }
        if (layer is not null)
        {
            return Layers.Contains(layer) ? layer
                : throw new SourceFormatException($"{_where}the GeoPackage has no layer '{layer}'; its layers are: {string.Join(", ", Layers)}");
        }
        if (Layers.Count > 1 && !choice.FirstWhenSeveral)
        {
            throw new SourceFormatException($"{_where}the GeoPackage has {Layers.Count} {kind} layers; choose one with {choice.LayerOption}: {string.Join(", ", Layers)}");
        }
        return Layers[0];
    }

    private (string? Column, int? Epsg) ReadGeometryColumn()
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = """
            SELECT g.column_name, s.organization, s.organization_coordsys_id, g.srs_id
            FROM gpkg_geometry_columns g LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id
            WHERE g.table_name = $t
            """;
        cmd.Parameters.AddWithValue("$t", Layer);
        SqliteDataReader r;
        try
        {
            r = cmd.ExecuteReader();
        }
        catch (SqliteException) when (Strings("SELECT name FROM sqlite_master WHERE name = 'gpkg_geometry_columns'").Count == 0)
        {
            return (null, null); // an attributes-only GeoPackage may lack the table
        }
        using (r)
        {
            if (!r.Read())
            {
                return (null, null);
            }
            var organization = r.IsDBNull(1) ? null : r.GetString(1);
            int? epsg = string.Equals(organization, "EPSG", StringComparison.OrdinalIgnoreCase) && !r.IsDBNull(2) ? r.GetInt32(2)
                : !r.IsDBNull(3) && r.GetInt32(3) > 0 ? r.GetInt32(3)
                : null;
            return (r.GetString(0), epsg);
        }
    }

    private List<string> Strings(string sql)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var list = new List<string>();
        while (r.Read())
        {
            list.Add(r.GetString(0));
        }
        return list;
    }

    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static void CheckSqliteHeader(string path, string where)
    {
        var header = new byte[16];
        using (var f = File.OpenRead(path))
        {
            var n = f.ReadAtLeast(header, 16, throwOnEndOfStream: false);
            if (n == 16 && header.AsSpan().SequenceEqual("SQLite format 3\0"u8))
            {
                return;
            }
        }
        throw new SourceFormatException($"{where}not a GeoPackage: the file is not an SQLite database (its first bytes are not 'SQLite format 3')");
    }

    public void Dispose() => _connection.Dispose();
}

/// <summary>
/// A GeoPackage geometry blob (OGC 12-128r18 §2.1.3): "GP", version, flags, srs_id, an optional envelope, then standard
/// WKB. The one parser of its header.
/// </summary>
public static class GeoPackageBlob
{
    /// <summary>Where the WKB starts, and whether the header marks the geometry empty; problems name <paramref name="column"/>.</summary>
    public static (int WkbOffset, bool Empty, int SrsId) Header(ReadOnlySpan<byte> blob, string column)
    {
        if (blob.Length < 8 || blob[0] != (byte)'G' || blob[1] != (byte)'P')
        {
            throw new FeatureFieldException(column, $"is not a GeoPackage geometry blob (no 'GP' magic; {blob.Length} bytes)");
        }
        var flags = blob[3];
        if ((flags & 0b0010_0000) != 0)
        {
            throw new FeatureFieldException(column, "uses an extended GeoPackage geometry type, which this reader does not support");
        }
        var envelopeBytes = ((flags >> 1) & 0b111) switch
        {
            0 => 0,
            1 => 32,
            2 or 3 => 48,
            4 => 64,
            var e => throw new FeatureFieldException(column, $"has an invalid envelope code {e}"),
        };
        var offset = 8 + envelopeBytes;
        var empty = (flags & 0b0001_0000) != 0;
        if (blob.Length < offset + 5 && !empty)
        {
            throw new FeatureFieldException(column, "is truncated (shorter than its header)");
        }
        var srs = (flags & 1) == 1 ? BinaryPrimitives.ReadInt32LittleEndian(blob[4..]) : BinaryPrimitives.ReadInt32BigEndian(blob[4..]);
        return (Math.Min(offset, blob.Length), empty, srs);
    }

    /// <summary>The blob's WKB bytes, or empty for an empty geometry.</summary>
    public static ReadOnlySpan<byte> Wkb(ReadOnlySpan<byte> blob, string column)
    {
        var (offset, empty, _) = Header(blob, column);
        return empty ? [] : blob[offset..];
    }

    /// <summary>
    /// <paramref name="feature"/> with its <see cref="SourceFeature.EncodedGeometry"/> decoded: a Polygon or MultiPolygon (2D or
    /// with Z) straight from the WKB into <paramref name="polygons"/> (<see cref="SourceFeature.Polygons"/>, no NetTopologySuite
    /// object), anything else by <paramref name="wkb"/>, as <see cref="ToGeometry"/> does; a bad blob becomes the feature's error.
    /// </summary>
    public static SourceFeature Decode(SourceFeature feature, WKBReader wkb, PolygonCoordinates polygons)
    {
        if (feature.EncodedGeometry is not { } encoded)
        {
            return feature;
        }
        try
        {
            var (offset, empty, _) = Header(encoded.Blob, encoded.Column);
            if (!(empty && encoded.Blob.Length < offset + 5) && WkbPolygons.TryRead(encoded.Blob.AsSpan(offset), polygons))
            {
                return feature with { EncodedGeometry = null, Polygons = polygons };
            }
            return feature with { EncodedGeometry = null, Geometry = ToGeometry(encoded.Blob, encoded.Column, wkb) };
        }
        catch (FeatureFieldException e)
        {
            return feature with { EncodedGeometry = null, ErrorField = e.Field, Error = e.Message };
        }
    }

    /// <summary>The blob's geometry (null when empty), its SRID the blob's srs_id.</summary>
    public static Geometry? ToGeometry(byte[] blob, string column, WKBReader wkb)
    {
        var (offset, empty, srs) = Header(blob, column);
        if (empty && blob.Length < offset + 5)
        {
            return null;
        }
        try
        {
            var g = wkb.Read(blob.AsSpan(offset).ToArray());
            g.SRID = srs;
            return g;
        }
        catch (Exception e) when (e is ParseException or ArgumentException or IndexOutOfRangeException or EndOfStreamException)
        {
            throw new FeatureFieldException(column, $"holds unreadable WKB: {e.Message}");
        }
    }
}

/// <summary>A geometry as a GeoPackage blob, not decoded yet, and the column it came from (for messages).</summary>
public sealed record GeoPackageGeometry(byte[] Blob, string Column);

/// <summary>
/// Standard WKB (and the EWKB Z flag) of a Polygon or MultiPolygon, 2D or with Z, read into <see cref="PolygonCoordinates"/>.
/// Anything else — other types, M, an SRID, a ring NetTopologySuite would refuse (not closed, 1 to 3 points, an empty one),
/// bytes missing or left over — is declined, and the caller reads it with NetTopologySuite's WKBReader, whose geometry or
/// message it always gave.
/// </summary>
internal static class WkbPolygons
{
    [ThreadStatic]
    private static double[]? Scratch;

    public static bool TryRead(ReadOnlySpan<byte> wkb, PolygonCoordinates into)
    {
        var at = 0;
        if (!Header(wkb, ref at, out var little, out var type, out var withZ))
        {
            return false;
        }
        if (type == 3)
        {
            into.Reset(PolygonalKind.Polygon);
            if (!Polygon(wkb, ref at, little, withZ, into))
            {
                return false;
            }
        }
        else if (type == 6)
        {
            into.Reset(PolygonalKind.MultiPolygon);
            if (!UInt(wkb, ref at, little, out var n))
            {
                return false;
            }
            for (var p = 0u; p < n; p++)
            {
                if (!Header(wkb, ref at, out var partLittle, out var partType, out var partZ) || partType != 3 || partZ != withZ
                    || !Polygon(wkb, ref at, partLittle, withZ, into))
                {
                    return false;
                }
            }
        }
        else
        {
            return false;
        }
        if (at == wkb.Length)
        {
            return true;
        }
        into.Reset(PolygonalKind.None);
        return false;
    }

    private static bool Header(ReadOnlySpan<byte> wkb, ref int at, out bool little, out uint type, out bool withZ)
    {
        (little, type, withZ) = (false, 0, false);
        if (wkb.Length < at + 5 || wkb[at] > 1)
        {
            return false;
        }
        little = wkb[at++] == 1;
        UInt(wkb, ref at, little, out var code);
        if ((code & 0x60000000) != 0)
        {
            return false; // M or an SRID: left to NetTopologySuite
        }
        withZ = (code & 0x80000000) != 0;
        code &= 0x0FFFFFFF;
        (type, var dimensions) = (code % 1000, code / 1000);
        if (dimensions is not (0 or 1))
        {
            return false;
        }
        withZ |= dimensions == 1;
        return true;
    }

    private static bool Polygon(ReadOnlySpan<byte> wkb, ref int at, bool little, bool withZ, PolygonCoordinates into)
    {
        if (!UInt(wkb, ref at, little, out var rings))
        {
            return false;
        }
        into.StartPolygon();
        var dimension = withZ ? 3 : 2;
        for (var r = 0u; r < rings; r++)
        {
            if (!UInt(wkb, ref at, little, out var n) || n < 4 || (long)n * dimension * 8 > wkb.Length - at)
            {
                return false;
            }
            var count = (int)n;
            var ordinates = Scratch is { } s && s.Length >= count * dimension ? s : Scratch = new double[Math.Max(count * dimension, 1024)];
            for (var i = 0; i < count * dimension; i++, at += 8)
            {
                ordinates[i] = little ? BinaryPrimitives.ReadDoubleLittleEndian(wkb[at..]) : BinaryPrimitives.ReadDoubleBigEndian(wkb[at..]);
            }
            var last = (count - 1) * dimension;
            if (ordinates[0] != ordinates[last] || ordinates[1] != ordinates[last + 1])
            {
                return false; // not closed: NetTopologySuite's message
            }
            into.AddRing(ordinates, count, dimension);
        }
        return true;
    }

    private static bool UInt(ReadOnlySpan<byte> wkb, ref int at, bool little, out uint value)
    {
        if (wkb.Length < at + 4)
        {
            value = 0;
            return false;
        }
        value = little ? BinaryPrimitives.ReadUInt32LittleEndian(wkb[at..]) : BinaryPrimitives.ReadUInt32BigEndian(wkb[at..]);
        at += 4;
        return true;
    }
}
