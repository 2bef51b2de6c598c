using System.Globalization;
using System.Text;
using Npgsql;
using SmartRegion.Pipelines.Ingest;
using SmartRegion.Testing;

namespace SmartRegion.Pipelines.Tests;

/// <summary>Helpers shared by the ingest tests: temp files, a unique source name per test, quick queries.</summary>
internal static class Fixtures
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static string TempFile(string name, string content) => TempFile(name, Encoding.UTF8.GetBytes(content));

    public static string TempFile(string name, byte[] content)
    {
        var dir = Path.Combine(Path.GetTempPath(), "sr-ingest-tests", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>A square building in Lambert-93 as a GeoJSON Feature (CRS84 is the default, so files using it declare 2154).</summary>
    public static string SquareFeature(string id, double x, double y, double sizeM = 10, string extra = "\"hauteur\": 9.5")
    {
        string P(double px, double py) => string.Create(CultureInfo.InvariantCulture, $"[{px}, {py}]");
        var ring = $"[{P(x, y)},{P(x + sizeM, y)},{P(x + sizeM, y + sizeM)},{P(x, y + sizeM)},{P(x, y)}]";
        return "{\"type\":\"Feature\",\"properties\":{\"cleabs\":\"" + id + "\"," + extra + "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[" + ring + "]}}";
    }

    public static string Collection2154(params string[] features) =>
        "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::2154\"}},\"features\":[\n" + string.Join(",\n", features) + "\n]}";

    public static BuildingIngestOptions Options(string path, string source, bool strict = false, bool replace = false, string? format = null, string? layer = null) =>
        new(path, format ?? FeatureSources.Detect(path), layer, null, source, null, strict, false, replace, CsvSourceOptions.Default, 2);

    public static async Task<T> ScalarAsync<T>(TestDatabase db, string sql, params (string Name, object Value)[] parameters)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync(Ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (n, v) in parameters)
        {
            cmd.Parameters.AddWithValue(n, v);
        }
        return (T)(await cmd.ExecuteScalarAsync(Ct))!;
    }

    public static string UniqueSource(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];
}
