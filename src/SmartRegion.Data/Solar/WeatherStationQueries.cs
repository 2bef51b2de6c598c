using Npgsql;
using SmartRegion.Solar.Weather;

namespace SmartRegion.Data.Solar;

/// <summary>A weather station as stored.</summary>
public sealed record WeatherStation(long Id, string Source, string Name, double LatitudeDeg, double LongitudeDeg, double ElevationM, string? TimeConvention, double DistanceKm);

/// <summary>Finds stations and reads their hourly series back as a <see cref="WeatherSeries"/>.</summary>
public sealed class WeatherStationQueries(NpgsqlDataSource dataSource)
{
    /// <summary>The station nearest a WGS84 point within <paramref name="maxKm"/> (only those named <paramref name="name"/> when given), or null.</summary>
    public async Task<WeatherStation?> NearestAsync(double latitudeDeg, double longitudeDeg, double maxKm, CancellationToken cancellationToken, string? name = null)
    {
        await using var cmd = dataSource.CreateCommand("""
            WITH p AS (SELECT ST_SetSRID(ST_MakePoint(@lon, @lat), 4326)::geography AS g)
            SELECT s.id, s.source, s.name, ST_Y(s.location_wgs84), ST_X(s.location_wgs84), coalesce(s.elevation_m, 0), s.timestamp_convention,
                   ST_Distance(s.location_wgs84::geography, p.g) / 1000
            FROM weather.station s, p
            WHERE ST_DWithin(s.location_wgs84::geography, p.g, @maxm)
              AND EXISTS (SELECT 1 FROM weather.hourly h WHERE h.station_id = s.id)
              AND (@name::text IS NULL OR s.name = @name)
            ORDER BY s.location_wgs84::geography <-> p.g
            LIMIT 1
            """);
        cmd.Parameters.AddWithValue("lat", latitudeDeg);
        cmd.Parameters.AddWithValue("lon", longitudeDeg);
        cmd.Parameters.AddWithValue("maxm", maxKm * 1000);
        cmd.Parameters.AddWithValue("name", (object?)name ?? DBNull.Value);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new WeatherStation(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetDouble(3), reader.GetDouble(4),
            reader.GetDouble(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetDouble(7));
    }

    /// <summary>
    /// The station's series. Rows are stored at the instant their irradiance belongs to (the reader's convention already
    /// applied at ingestion), so the series comes back with a zero offset.
    /// </summary>
    public async Task<WeatherSeries> LoadSeriesAsync(WeatherStation station, CancellationToken cancellationToken)
    {
        var time = new List<DateTime>(8760);
        var ghi = new List<double>(8760);
        var dni = new List<double>(8760);
        var dhi = new List<double>(8760);
        var temp = new List<double>(8760);
        var wind = new List<double>(8760);
        await using (var cmd = dataSource.CreateCommand("""
            SELECT time_utc, coalesce(ghi_w_per_m2, 0), coalesce(dni_w_per_m2, 0), coalesce(dhi_w_per_m2, 0),
                   coalesce(air_temperature_c, 12), coalesce(wind_speed_m_per_s, 1)
            FROM weather.hourly WHERE station_id = @id ORDER BY time_utc
            """))
        {
            cmd.Parameters.AddWithValue("id", station.Id);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                time.Add(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc));
                ghi.Add(reader.GetFloat(1));
                dni.Add(reader.GetFloat(2));
                dhi.Add(reader.GetFloat(3));
                temp.Add(reader.GetFloat(4));
                wind.Add(reader.GetFloat(5));
            }
        }
        return new WeatherSeries
        {
            SourcePath = $"weather.station {station.Id} ({station.Name})",
            Format = station.Source,
            LatitudeDeg = station.LatitudeDeg,
            LongitudeDeg = station.LongitudeDeg,
            ElevationM = station.ElevationM,
            LabelUtc = time.ToArray(),
            Month = time.Select(t => t.Month).ToArray(),
            GhiWPerM2 = ghi.ToArray(),
            DniWPerM2 = dni.ToArray(),
            DhiWPerM2 = dhi.ToArray(),
            AirTemperatureC = temp.ToArray(),
            WindSpeedMPerS = wind.ToArray(),
            LineNumber = Enumerable.Range(1, time.Count).ToArray(),
            IrradianceOffset = TimeSpan.Zero,
            TimeConvention = station.TimeConvention ?? "instant of irradiance (as stored)",
        };
    }
}
