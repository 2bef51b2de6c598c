using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NetTopologySuite;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace SmartRegion.Geo.Readers;

/// <summary>Reads features from one layer of a GeoPackage (OGC 12-128r18): its SRS table, its geometry blobs, every attribute column.</summary>
public sealed class GeoPackageReader : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly string _fileName;
    private readonly string _geometryColumn;

    /// <summary>Opens <paramref name="path"/> read-only and selects <paramref name="layer"/> (or the only feature layer).</summary>
    public GeoPackageReader(string path, string? layer)
    {
        _fileName = Path.GetFileName(path);
        CheckSqliteHeader(path, _fileName);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        try
        {
            _connection.Open();
            Layers = ListLayers();
        }
        catch (SqliteException e)
        {
            _connection.Dispose();
            throw new SourceFormatException($"{_fileName}: not a readable GeoPackage ({e.Message})", e);
        }
        if (Layers.Count == 0)
        {
            _connection.Dispose();
            throw new SourceFormatException($"{_fileName}: the GeoPackage has no feature layer (gpkg_contents lists none)");
        }
        if (layer is null)
        {
            if (Layers.Count > 1)
            {
                _connection.Dispose();
                throw new SourceFormatException($"{_fileName}: the GeoPackage has {Layers.Count} feature layers; choose one with --layer: {string.Join(", ", Layers)}");
            }
            layer = Layers[0];
        }
        else if (!Layers.Contains(layer))
        {
            _connection.Dispose();
            throw new SourceFormatException($"{_fileName}: no feature layer '{layer}'; the layers are: {string.Join(", ", Layers)}");
        }
        Layer = layer;
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = """
            SELECT g.column_name, s.organization, s.organization_coordsys_id, g.srs_id
            FROM gpkg_geometry_columns g LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id
            WHERE g.table_name = $t
            """;
        cmd.Parameters.AddWithValue("$t", layer);
        using var r = cmd.ExecuteReader();
        if (!r.Read())
        {
            _connection.Dispose();
            throw new SourceFormatException($"{_fileName}: layer '{layer}' has no row in gpkg_geometry_columns");
        }
        _geometryColumn = r.GetString(0);
        var organization = r.IsDBNull(1) ? null : r.GetString(1);
        if (string.Equals(organization, "EPSG", StringComparison.OrdinalIgnoreCase) && !r.IsDBNull(2))
        {
            DeclaredEpsg = r.GetInt32(2);
        }
        else if (!r.IsDBNull(3) && r.GetInt32(3) > 0 && organization is null)
        {
            DeclaredEpsg = r.GetInt32(3);
        }
    }

    /// <summary>Feature layers (gpkg_contents data_type = 'features').</summary>
    public IReadOnlyList<string> Layers { get; }

    public string Layer { get; }

    /// <summary>The layer's CRS from gpkg_spatial_ref_sys, when it is an EPSG one.</summary>
    public int? DeclaredEpsg { get; }

    /// <summary>The features of the layer, in rowid order.</summary>
    public IEnumerable<SourceFeature> Read(GeometryFactory factory, CancellationToken cancellationToken)
    {
        var wkb = new WKBReader(new NtsGeometryServices(factory.PrecisionModel, factory.SRID));
        using var cmd = _connection.CreateCommand();
        // The layer name was checked against gpkg_contents; quoting keeps any name a single identifier.
        cmd.CommandText = $"SELECT * FROM \"{Layer.Replace("\"", "\"\"")}\"";
        using var r = cmd.ExecuteReader();
        var geometryOrdinal = r.GetOrdinal(_geometryColumn);
        var names = Enumerable.Range(0, r.FieldCount).Select(r.GetName).ToArray();
        var index = 0;
        while (r.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? id = null;
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                for (var i = 0; i < names.Length; i++)
                {
                    if (i == geometryOrdinal)
                    {
                        continue;
                    }
                    if (i == 0 && names[i] is "fid" or "ogc_fid" or "id")
                    {
                        id = r.IsDBNull(i) ? null : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
                    }
                    var v = r.GetValue(i);
                    switch (v)
                    {
                        case DBNull:
                            json.WriteNull(names[i]);
                            break;
                        case long l:
                            json.WriteNumber(names[i], l);
                            break;
                        case double d when double.IsFinite(d):
                            json.WriteNumber(names[i], d);
                            break;
                        case byte[]:
                            break; // binary columns are not attributes anyone reads
                        default:
                            json.WriteString(names[i], Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture));
                            break;
                    }
                }
                json.WriteEndObject();
            }
            Geometry? geometry = null;
            FeatureFieldException? error = null;
            if (!r.IsDBNull(geometryOrdinal))
            {
                try
                {
                    geometry = ReadBlob((byte[])r.GetValue(geometryOrdinal), wkb, index);
                }
                catch (FeatureFieldException e)
                {
                    error = e;
                }
            }
            yield return new SourceFeature(index, null, id, geometry, (ReadOnlyMemory<byte>)buffer.ToArray(), [])
            {
                ErrorField = error?.Field,
                Error = error?.Message,
            };
            index++;
        }
    }

    /// <summary>A GeoPackage geometry blob: "GP", version, flags, srs_id, optional envelope, then standard WKB.</summary>
    public Geometry? ReadBlob(byte[] blob, WKBReader wkb, int featureIndex)
    {
        if (blob.Length < 8 || blob[0] != (byte)'G' || blob[1] != (byte)'P')
        {
            throw new FeatureFieldException(_geometryColumn, $"is not a GeoPackage geometry blob (no 'GP' magic; {blob.Length} bytes)");
        }
        var flags = blob[3];
        if ((flags & 0b0010_0000) != 0)
        {
            throw new FeatureFieldException(_geometryColumn, "uses an extended GeoPackage geometry type, which this reader does not support");
        }
        var empty = (flags & 0b0001_0000) != 0;
        var envelopeBytes = ((flags >> 1) & 0b111) switch
        {
            0 => 0,
            1 => 32,
            2 or 3 => 48,
            4 => 64,
            var e => throw new FeatureFieldException(_geometryColumn, $"has an invalid envelope code {e}"),
        };
        var offset = 8 + envelopeBytes;
        if (blob.Length < offset + 5)
        {
            if (empty)
            {
                return null;
            }
            throw new FeatureFieldException(_geometryColumn, "is truncated (shorter than its header)");
        }
        try
        {
            var g = wkb.Read(blob.AsSpan(offset).ToArray());
            var littleEndianHeader = (flags & 1) == 1;
            var srs = littleEndianHeader ? BinaryPrimitives.ReadInt32LittleEndian(blob.AsSpan(4)) : BinaryPrimitives.ReadInt32BigEndian(blob.AsSpan(4));
            g.SRID = srs;
            return g;
        }
        catch (Exception e) when (e is ParseException or ArgumentException or IndexOutOfRangeException or EndOfStreamException)
        {
            throw new FeatureFieldException(_geometryColumn, $"holds unreadable WKB: {e.Message}");
        }
    }

    private List<string> ListLayers()
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY table_name";
        using var r = cmd.ExecuteReader();
        var list = new List<string>();
        while (r.Read())
        {
            list.Add(r.GetString(0));
        }
        return list;
    }

    private static void CheckSqliteHeader(string path, string fileName)
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
        throw new SourceFormatException($"{fileName}: not a GeoPackage: the file is not an SQLite database (its first bytes are not 'SQLite format 3')");
    }

    public void Dispose() => _connection.Dispose();
}
