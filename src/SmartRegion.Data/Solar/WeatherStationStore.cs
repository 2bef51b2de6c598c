using Npgsql;
using NpgsqlTypes;
using SmartRegion.Solar.Weather;

namespace SmartRegion.Data.Solar;

/// <summary>Saves a weather series as a station and its hourly rows, replacing the station's previous series atomically.</summary>
public static class WeatherStationStore
{
    /// <summary>
    /// Upserts the station (source, name) and replaces its hourly rows, each stored at the instant its irradiance belongs
    /// to (the reader's time convention applied), inside <paramref name="transaction"/>. Returns the station id.
    /// </summary>
    public static async Task<long> SaveAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string source, string name, string? licence, WeatherSeries series,
        long ingestRunId, CancellationToken cancellationToken)
    {
        long stationId;
        await using (var cmd = new NpgsqlCommand("""
            INSERT INTO weather.station (source, name, location_wgs84, elevation_m, time_step_min, timestamp_convention, licence, attributes, ingest_run_id)
            VALUES (@source, @name, ST_SetSRID(ST_MakePoint(@lon, @lat), 4326), @elev, 60, @conv, @licence, @attrs::jsonb, @run)
            ON CONFLICT (source, name) DO UPDATE
               SET location_wgs84 = EXCLUDED.location_wgs84, elevation_m = EXCLUDED.elevation_m,
                   timestamp_convention = EXCLUDED.timestamp_convention, licence = coalesce(EXCLUDED.licence, weather.station.licence),
                   attributes = EXCLUDED.attributes, ingest_run_id = EXCLUDED.ingest_run_id
            RETURNING id
            """, connection, transaction))
        {
            cmd.Parameters.AddWithValue("source", source);
            cmd.Parameters.AddWithValue("name", name);
            cmd.Parameters.AddWithValue("lon", series.LongitudeDeg);
            cmd.Parameters.AddWithValue("lat", series.LatitudeDeg);
            cmd.Parameters.AddWithValue("elev", series.ElevationM);
            cmd.Parameters.AddWithValue("conv", $"{series.TimeConvention}; stored at the irradiance instant (label + {series.IrradianceOffset.TotalMinutes:0} min)");
            cmd.Parameters.AddWithValue("licence", NpgsqlDbType.Text, (object?)licence ?? DBNull.Value);
            cmd.Parameters.AddWithValue("attrs", System.Text.Json.JsonSerializer.Serialize(new { format = series.Format, file = Path.GetFileName(series.SourcePath) }));
            cmd.Parameters.AddWithValue("run", ingestRunId);
            stationId = (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        }
        await using (var cmd = new NpgsqlCommand("DELETE FROM weather.hourly WHERE station_id = @id", connection, transaction))
        {
            cmd.Parameters.AddWithValue("id", stationId);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var importer = await connection.BeginBinaryImportAsync("""
            COPY weather.hourly (station_id, time_utc, ghi_w_per_m2, dni_w_per_m2, dhi_w_per_m2, air_temperature_c, wind_speed_m_per_s)
            FROM STDIN (FORMAT BINARY)
            """, cancellationToken))
        {
            for (var i = 0; i < series.Count; i++)
            {
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(stationId, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(DateTime.SpecifyKind(series.SunInstantUtc(i), DateTimeKind.Utc), NpgsqlDbType.TimestampTz, cancellationToken);
                await importer.WriteAsync((float)series.GhiWPerM2[i], NpgsqlDbType.Real, cancellationToken);
                await importer.WriteAsync((float)series.DniWPerM2[i], NpgsqlDbType.Real, cancellationToken);
                await importer.WriteAsync((float)series.DhiWPerM2[i], NpgsqlDbType.Real, cancellationToken);
                await importer.WriteAsync((float)series.AirTemperatureC[i], NpgsqlDbType.Real, cancellationToken);
                await importer.WriteAsync((float)series.WindSpeedMPerS[i], NpgsqlDbType.Real, cancellationToken);
            }
            await importer.CompleteAsync(cancellationToken);
        }
        return stationId;
    }
}
