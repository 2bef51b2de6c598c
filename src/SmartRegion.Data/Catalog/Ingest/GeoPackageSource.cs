using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace SmartRegion.Data.Catalog.Ingest;

/// <summary>
/// One layer of a GeoPackage (an SQLite file, opened read-only): its columns become fields and its geometry
/// column a WKB field, the GeoPackage binary header stripped. The CRS comes from gpkg_spatial_ref_sys.
/// </summary>
public sealed class GeoPackageSource : ITabularSource
{
    private readonly string _connectionString;
    private readonly string _layer;
    private readonly string? _geometryColumn;

    public GeoPackageSource(string path, IngestLimits limits, string? layer)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        using var connection = Open();
        var layers = Strings(connection, "SELECT table_name FROM gpkg_contents WHERE data_type IN ('features', 'attributes') ORDER BY rowid", "not a GeoPackage: the SQLite file has no gpkg_contents table");
        if (layers.Count == 0)
        {
            throw new IngestFailure("the GeoPackage has no feature or attribute layer");
        }
        _layer = layer ?? layers[0];
        if (!layers.Contains(_layer))
        {
            throw new IngestFailure($"the GeoPackage has no layer '{layer}'; its layers are {string.Join(", ", layers)}");
        }
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = """
                SELECT g.column_name, coalesce(CASE WHEN upper(s.organization) = 'EPSG' THEN s.organization_coordsys_id END, g.srs_id)
                FROM gpkg_geometry_columns g LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id WHERE g.table_name = $t
                """;
            cmd.Parameters.AddWithValue("$t", _layer);
            using var reader = cmd.ExecuteReader();
            if (reader.Read())
            {
                _geometryColumn = reader.GetString(0);
                var srid = reader.GetInt32(1);
                Srid = srid > 0 ? srid : 4326;
            }
        }
        var columns = Strings(connection, $"SELECT name FROM pragma_table_info({Literal(_layer)})", "cannot read the layer's columns");
        if (columns.Count > limits.MaxColumns)
        {
            throw new IngestFailure($"layer '{_layer}' has more than {limits.MaxColumns} columns");
        }
        Fields = columns.Select(c => new SourceField(c, c == _geometryColumn ? "wkb-hex" : null)).ToList();
        Detected = new Dictionary<string, object?> { ["layer"] = _layer, ["layers"] = layers, ["srid"] = Srid, ["rowIs"] = "row number" };
    }

    public IReadOnlyList<SourceField> Fields { get; }

    public IReadOnlyDictionary<string, object?> Detected { get; }

    public int Srid { get; } = 4326;

    public char DecimalSeparator => '.';

    public IEnumerable<SourceRow> ReadRows(CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT {string.Join(", ", Fields.Select(f => Identifier(f.Name)))} FROM {Identifier(_layer)}";
        using var reader = cmd.ExecuteReader();
        long line = 0;
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            line++;
            var values = new string?[Fields.Count];
            string? error = null;
            for (var i = 0; i < Fields.Count; i++)
            {
                if (reader.IsDBNull(i))
                {
                    continue;
                }
                var v = reader.GetValue(i);
                if (Fields[i].GeometryEncoding is not null)
                {
                    values[i] = v is byte[] blob ? WkbHex(blob, out error) : null;
                    continue;
                }
                values[i] = v switch
                {
                    long l => l.ToString(CultureInfo.InvariantCulture),
                    double d => d.ToString("R", CultureInfo.InvariantCulture),
                    byte[] b => Convert.ToBase64String(b),
                    _ => Convert.ToString(v, CultureInfo.InvariantCulture),
                };
            }
            yield return new SourceRow(line, values, error);
        }
    }

    /// <summary>The WKB inside a GeoPackage geometry blob, as hex (null for an empty geometry).</summary>
    private static string? WkbHex(byte[] blob, out string? error)
    {
        error = null;
        if (blob.Length < 8 || blob[0] != (byte)'G' || blob[1] != (byte)'P')
        {
            error = "geometry is not a GeoPackage binary (no 'GP' header)";
            return null;
        }
        var flags = blob[3];
        var envelope = ((flags >> 1) & 0x7) switch
        {
            0 => 0,
            1 => 32,
            2 or 3 => 48,
            4 => 64,
            _ => -1,
        };
        if (envelope < 0 || blob.Length < 8 + envelope)
        {
            error = "geometry has an invalid GeoPackage header";
            return null;
        }
        return (flags & 0x10) != 0 ? null : Convert.ToHexString(blob, 8 + envelope, blob.Length - 8 - envelope);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new IngestFailure($"not a readable GeoPackage: {e.Message}");
        }
    }

    private static List<string> Strings(SqliteConnection connection, string sql, string failure)
    {
        try
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            using var reader = cmd.ExecuteReader();
            var list = new List<string>();
            while (reader.Read())
            {
                list.Add(reader.GetString(0));
            }
            return list;
        }
        catch (SqliteException)
        {
            throw new IngestFailure(failure);
        }
    }

    // Names come from the file itself (listed in gpkg_contents / table_info) and are quoted, never from the request.
    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
