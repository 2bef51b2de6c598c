using Npgsql;
using SmartRegion.Geo.Crs;
using SmartRegion.Testing;

namespace SmartRegion.Data.Tests.Crs;

/// <summary>
/// SmartRegion.Geo's transforms (ProjNet) against the store's own ST_Transform (PostGIS, PROJ 9) on known points in each
/// supported CRS: what the loaders write and what PostGIS computes must agree.
/// </summary>
public sealed class CrsAgainstPostgisTests(TestDatabase db)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // A point inside each CRS's area: Paris, Lyon, Delft, Montréal, Zürich (in that CRS's own coordinates).
    public static TheoryData<int, double, double> KnownPoints => new()
    {
        { 4326, 2.3522, 48.8566 },
        { 3857, 261848.16, 6250566.72 },
        { 2154, 652469.0, 6862035.0 },
        { 3946, 1842873.0, 5175990.0 },
        { 28992, 85000.0, 447000.0 },
        { 7415, 85000.0, 447000.0 },
        { 26918, 611000.0, 5040000.0 },
        { 2056, 2683000.0, 1247000.0 },
    };

    [Theory]
    [MemberData(nameof(KnownPoints))]
    public async Task Transform_KnownPoint_MatchesPostgisWithin1Cm(int epsg, double x, double y)
    {
        // PROJ 9 has no operation from Amersfoort straight to RGF93 without the RDNAPTRANS grid (not installed), so a
        // direct ST_Transform(28992 → 2154) falls back to a "ballpark" null datum shift, 110 m off. Through WGS 84 it
        // uses the EPSG Helmert (the same 7 parameters as spatial_ref_sys's TOWGS84): that is the reference.
        var viaWgs84 = KnownCrs.Horizontal(epsg) == 28992;
        var (px, py) = await PostgisAsync(epsg, x, y, KnownCrs.Lambert93, viaWgs84);
        var (tx, ty) = CrsTransform.Create(epsg).Transform(x, y);
        var distanceM = Math.Sqrt(((tx - px) * (tx - px)) + ((ty - py) * (ty - py)));
        Assert.True(distanceM <= 0.01, $"EPSG:{epsg} ({x}, {y}) → 2154: ProjNet ({tx:F4}, {ty:F4}) vs PostGIS ({px:F4}, {py:F4}) = {distanceM * 100:F2} cm");
    }

    [Fact]
    public async Task ClampToAreaOfUse_WorldBox_IsCutToWherePostgisCanProjectLambert93()
    {
        var box = KnownCrs.ClampToAreaOfUse(KnownCrs.Lambert93, -180, -90, 180, 90);
        Assert.NotNull(box);
        var (minLon, minLat, maxLon, maxLat) = box.Value;
        Assert.True(minLon > -180 && minLat > 0 && maxLon < 20 && maxLat < 60, box.ToString());
        await using var conn = await db.DataSource.OpenConnectionAsync(Ct);
        await using var cmd = new NpgsqlCommand("SELECT ST_Area(ST_Transform(ST_MakeEnvelope($1, $2, $3, $4, 4326), 2154))", conn);
        foreach (var v in new[] { minLon, minLat, maxLon, maxLat })
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = v });
        }
        Assert.True((double)(await cmd.ExecuteScalarAsync(Ct))! > 0);

        Assert.Null(KnownCrs.ClampToAreaOfUse(KnownCrs.Lambert93, 140, -40, 150, -30));
        Assert.Equal((2.3, 48.8, 2.4, 48.9), KnownCrs.ClampToAreaOfUse(KnownCrs.Lambert93, 2.3, 48.8, 2.4, 48.9));
    }

    // The 3D tiles' closed-form Lambert-93 inverse (SmartRegion.Geo.Crs.Lambert93), on both sides of the projection.
    [Theory]
    [InlineData(652469.0, 6862035.0)]   // Paris
    [InlineData(842000.0, 6519000.0)]   // Lyon
    [InlineData(1200000.0, 6100000.0)]  // Nice, far from the projection's origin
    [InlineData(160000.0, 6840000.0)]   // Brest
    public async Task Lambert93_ToGeographic_ClosedFormMatchesPostgisWithin1Mm(double x, double y)
    {
        await using var cmd = db.DataSource.CreateCommand(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(@x, @y), 2154), 4326) p) t");
        cmd.Parameters.AddWithValue("x", x);
        cmd.Parameters.AddWithValue("y", y);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        var (lon, lat) = Lambert93.ToGeographicDeg(x, y);
        // 1 mm ≈ 9e-9° of latitude.
        Assert.Equal(reader.GetDouble(0), lon, 1.3e-8);
        Assert.Equal(reader.GetDouble(1), lat, 9e-9);
    }

    private async Task<(double X, double Y)> PostgisAsync(int from, double x, double y, int to, bool viaWgs84)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync(Ct);
        await using var cmd = new NpgsqlCommand(viaWgs84
            ? "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_Transform(ST_SetSRID(ST_MakePoint(@x, @y), @from), 4326), @to) p) t"
            : "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(@x, @y), @from), @to) p) t", conn);
        cmd.Parameters.AddWithValue("x", x);
        cmd.Parameters.AddWithValue("y", y);
        cmd.Parameters.AddWithValue("from", from);
        cmd.Parameters.AddWithValue("to", to);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        return (reader.GetDouble(0), reader.GetDouble(1));
    }
}
