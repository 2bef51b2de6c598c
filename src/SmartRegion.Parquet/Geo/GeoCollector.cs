using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using SmartRegion.Parquet.Writing;

namespace SmartRegion.Parquet.Geo;

/// <summary>Gathers the geometry column's bbox and types while rows stream by, fills the covering column, and writes the <c>geo</c> metadata.</summary>
internal sealed class GeoCollector(GeoParquetOptions options, int columnIndex, ColumnBuffer<double>[]? covering)
{
    private readonly SortedSet<string> _types = new(StringComparer.Ordinal);
    private Box _box = Box.Empty;
    private string? _lastType;

    public int ColumnIndex { get; } = columnIndex;

    public bool HasCovering => covering is not null;

    /// <summary>Gathers bbox and types from one page of buffered geometries (used when no covering column must be filled row by row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Scan(ColumnBuffer<byte[]> buffer, ReadOnlySpan<byte[]> values, int firstValue, long firstRow)
    {
        for (var k = 0; k < values.Length; k++)
        {
            if (Measure(values[k], out _) is { } error)
            {
                throw Invalid(firstRow + buffer.RowOfValue(firstValue + k), error);
            }
        }
    }

    public void Add(ColumnData column, int offset, int count, long firstRow)
    {
        var values = column.As<byte[]>();
        for (var i = offset; i < offset + count; i++)
        {
            var wkb = column.IsNull(i) ? null : values[i];
            if (wkb is null)
            {
                if (covering is not null)
                {
                    foreach (var c in covering)
                    {
                        c.AppendNull();
                    }
                }
                continue;
            }
            if (Measure(wkb, out var box) is { } error)
            {
                throw Invalid(firstRow + i - offset, error);
            }
            if (covering is not null)
            {
                if (box.IsEmpty)
                {
                    foreach (var c in covering)
                    {
                        c.AppendNull();
                    }
                }
                else
                {
                    covering[0].AppendValue(box.XMin);
                    covering[1].AppendValue(box.YMin);
                    covering[2].AppendValue(box.XMax);
                    covering[3].AppendValue(box.YMax);
                }
            }
        }
    }

    /// <summary>Adds one geometry's type and box to the file's; returns the WKB error, if any, so callers can name the row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private FormatException? Measure(byte[] wkb, out Box box)
    {
        box = Box.Empty;
        try
        {
            var type = Wkb.Scan(wkb, ref box);
            if (!ReferenceEquals(type, _lastType))
            {
                _types.Add(type);
                _lastType = type;
            }
        }
        catch (FormatException e)
        {
            return e;
        }
        _box.Add(box);
        return null;
    }

    private ArgumentException Invalid(long row, FormatException e) =>
        new($"row {row}, column '{options.GeometryColumn}': not valid WKB ({e.Message})", e);

    public string MetadataJson()
    {
        var column = new JsonObject
        {
            ["encoding"] = "WKB",
            ["geometry_types"] = new JsonArray([.. _types.Select(t => (JsonNode)t)]),
        };
        if (!_box.IsEmpty)
        {
            column["bbox"] = new JsonArray(_box.XMin, _box.YMin, _box.XMax, _box.YMax);
        }
        if (options.Crs == GeoCrs.Lambert93)
        {
            column["crs"] = JsonNode.Parse(Projjson.Lambert93);
        }
        if (covering is not null)
        {
            column["covering"] = new JsonObject
            {
                ["bbox"] = new JsonObject
                {
                    ["xmin"] = new JsonArray("bbox", "xmin"),
                    ["ymin"] = new JsonArray("bbox", "ymin"),
                    ["xmax"] = new JsonArray("bbox", "xmax"),
                    ["ymax"] = new JsonArray("bbox", "ymax"),
                },
            };
        }
        var geo = new JsonObject
        {
            ["version"] = "1.1.0",
            ["primary_column"] = options.GeometryColumn,
            ["columns"] = new JsonObject { [options.GeometryColumn] = column },
        };
        return geo.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }
}

/// <summary>PROJJSON definitions of the CRSs the writer declares (as PROJ 9 prints them).</summary>
internal static class Projjson
{
    /// <summary>EPSG:2154, RGF93 v1 / Lambert-93 (Lambert Conic Conformal 2SP).</summary>
    public const string Lambert93 = """
        {
          "$schema": "https://proj.org/schemas/v0.7/projjson.schema.json",
          "type": "ProjectedCRS",
          "name": "RGF93 v1 / Lambert-93",
          "base_crs": {
            "name": "RGF93 v1",
            "datum": {
              "type": "GeodeticReferenceFrame",
              "name": "Reseau Geodesique Francais 1993 v1",
              "ellipsoid": { "name": "GRS 1980", "semi_major_axis": 6378137, "inverse_flattening": 298.257222101 }
            },
            "coordinate_system": {
              "subtype": "ellipsoidal",
              "axis": [
                { "name": "Geodetic latitude", "abbreviation": "Lat", "direction": "north", "unit": "degree" },
                { "name": "Geodetic longitude", "abbreviation": "Lon", "direction": "east", "unit": "degree" }
              ]
            },
            "id": { "authority": "EPSG", "code": 4171 }
          },
          "conversion": {
            "name": "Lambert-93",
            "method": { "name": "Lambert Conic Conformal (2SP)", "id": { "authority": "EPSG", "code": 9802 } },
            "parameters": [
              { "name": "Latitude of false origin", "value": 46.5, "unit": "degree", "id": { "authority": "EPSG", "code": 8821 } },
              { "name": "Longitude of false origin", "value": 3, "unit": "degree", "id": { "authority": "EPSG", "code": 8822 } },
              { "name": "Latitude of 1st standard parallel", "value": 49, "unit": "degree", "id": { "authority": "EPSG", "code": 8823 } },
              { "name": "Latitude of 2nd standard parallel", "value": 44, "unit": "degree", "id": { "authority": "EPSG", "code": 8824 } },
              { "name": "Easting at false origin", "value": 700000, "unit": "metre", "id": { "authority": "EPSG", "code": 8826 } },
              { "name": "Northing at false origin", "value": 6600000, "unit": "metre", "id": { "authority": "EPSG", "code": 8827 } }
            ]
          },
          "coordinate_system": {
            "subtype": "Cartesian",
            "axis": [
              { "name": "Easting", "abbreviation": "X", "direction": "east", "unit": "metre" },
              { "name": "Northing", "abbreviation": "Y", "direction": "north", "unit": "metre" }
            ]
          },
          "scope": "Engineering survey, topographic mapping.",
          "area": "France - onshore and offshore, mainland and Corsica (France métropolitaine including Corsica).",
          "bbox": { "south_latitude": 41.15, "west_longitude": -9.86, "north_latitude": 51.56, "east_longitude": 10.38 },
          "id": { "authority": "EPSG", "code": 2154 }
        }
        """;
}
