using Npgsql;
using SmartRegion.Geo;
using SmartRegion.Rooftop;

namespace SmartRegion.Data.Solar;

/// <summary>What a stored run was computed with: its parameter document and its weather station.</summary>
public sealed record SolarRunSettings(string ParametersJson, WeatherStation Station);

/// <summary>The solar runs as the operator's commands see them: the area a run covers, runs to resume or help, a run's settings.</summary>
public sealed class SolarRunStore(NpgsqlDataSource dataSource)
{
    /// <summary>A WGS84 point inside the commune (or arrondissement) boundary <paramref name="code"/>; null when no such boundary is loaded.</summary>
    public async Task<(double LatitudeDeg, double LongitudeDeg)?> CommunePointAsync(string code, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT ST_Y(ST_Transform(ST_PointOnSurface(geometry), 4326)), ST_X(ST_Transform(ST_PointOnSurface(geometry), 4326))
            FROM region.boundary WHERE level IN ('commune', 'arrondissement') AND code = @c LIMIT 1
            """);
        cmd.Parameters.AddWithValue("c", code);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetDouble(0), reader.GetDouble(1)) : null;
    }

    /// <summary>A WGS84 box [minLon, minLat, maxLon, maxLat] as the Lambert-93 box that holds it [minX, minY, maxX, maxY].</summary>
    public async Task<double[]> BoxToLambert93Async(double[] bboxWgs84, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"""
            SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)
            FROM (SELECT ST_Transform(ST_MakeEnvelope(@a, @b, @c, @d, 4326), {RegionSettings.Srid}) AS b) t
            """);
        cmd.Parameters.AddWithValue("a", bboxWgs84[0]);
        cmd.Parameters.AddWithValue("b", bboxWgs84[1]);
        cmd.Parameters.AddWithValue("c", bboxWgs84[2]);
        cmd.Parameters.AddWithValue("d", bboxWgs84[3]);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return [reader.GetDouble(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3)];
    }

    /// <summary>The centre (WGS84) and the Lambert-93 extent, 1 m wider, of every current building; null when there is none.</summary>
    public async Task<(double LatitudeDeg, double LongitudeDeg, double[] ExtentLambert93)?> CurrentBuildingsExtentAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"""
            SELECT ST_Y(c), ST_X(c), ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
            FROM (SELECT ST_Transform(ST_SetSRID(ST_Centroid(ST_Extent(footprint)), {RegionSettings.Srid}), 4326) AS c, ST_Extent(footprint) AS e
                  FROM region.building WHERE retired_run_id IS NULL) t
            WHERE e IS NOT NULL
            """);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return (reader.GetDouble(0), reader.GetDouble(1),
            [reader.GetDouble(2) - 1, reader.GetDouble(3) - 1, reader.GetDouble(4) + 1, reader.GetDouble(5) + 1]);
    }

    /// <summary>The latest running run of the same area, parameters and station (an unfinished identical run is resumed).</summary>
    public async Task<long?> FindResumableRunAsync(string areaJson, string parametersJson, long stationId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT id FROM solar.run
            WHERE status = 'running' AND area = @a::jsonb AND parameters = @p::jsonb AND station_id = @s
            ORDER BY id DESC LIMIT 1
            """);
        cmd.Parameters.AddWithValue("a", areaJson);
        cmd.Parameters.AddWithValue("p", parametersJson);
        cmd.Parameters.AddWithValue("s", stationId);
        return await cmd.ExecuteScalarAsync(cancellationToken) as long?;
    }

    /// <summary>The oldest running run that still has jobs to take, for a worker without a run of its own.</summary>
    public async Task<long?> NextRunningRunAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT r.id FROM solar.run r WHERE r.status = 'running' AND EXISTS (SELECT 1 FROM solar.job j WHERE j.run_id = r.id AND j.status IN ('pending', 'running')) ORDER BY r.id LIMIT 1");
        return await cmd.ExecuteScalarAsync(cancellationToken) as long?;
    }

    /// <summary>The latest complete run over the commune <paramref name="communeCode"/> (an area given by --commune).</summary>
    public async Task<long?> LatestCompleteCommuneRunAsync(string communeCode, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT id FROM solar.run WHERE status = 'complete' AND area = jsonb_build_object('commune', @c::text) ORDER BY id DESC LIMIT 1");
        cmd.Parameters.AddWithValue("c", communeCode);
        return await cmd.ExecuteScalarAsync(cancellationToken) as long?;
    }

    /// <summary>The parameters and the weather station of run <paramref name="runId"/>; null when it does not exist or has no station.</summary>
    public async Task<SolarRunSettings?> SettingsAsync(long runId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT r.parameters::text, s.id, s.source, s.name, ST_Y(s.location_wgs84), ST_X(s.location_wgs84), coalesce(s.elevation_m, 0), s.timestamp_convention
            FROM solar.run r JOIN weather.station s ON s.id = r.station_id WHERE r.id = @id
            """);
        cmd.Parameters.AddWithValue("id", runId);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var station = new WeatherStation(reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetDouble(4), reader.GetDouble(5),
            reader.GetDouble(6), reader.IsDBNull(7) ? null : reader.GetString(7), 0);
        return new SolarRunSettings(reader.GetString(0), station);
    }

    /// <summary>What every tile of run <paramref name="runId"/> shares: its parameters, its station's sky (the weather read once), its provenance.</summary>
    public async Task<SolarRunContext> ContextAsync(long runId, SolarParameters parameters, WeatherStation station, CancellationToken cancellationToken)
    {
        var series = await TransientDatabase.RetryAsync(
            ct => new WeatherStationQueries(dataSource).LoadSeriesAsync(station, ct), "load the weather", cancellationToken);
        var provenance = await TransientDatabase.RetryAsync(ct => ProvenanceAsync(runId, ct), "read the run", cancellationToken);
        return SolarRunContext.Create(parameters, series, station.Name, provenance);
    }

    /// <summary>Run <paramref name="runId"/> as its reports name it (the part known while it computes).</summary>
    public async Task<ReportProvenance> ProvenanceAsync(long runId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT r.model_version, r.ingest_run_ids, s.id, s.name, s.source, s.licence, ST_Y(s.location_wgs84), ST_X(s.location_wgs84)
            FROM solar.run r LEFT JOIN weather.station s ON s.id = r.station_id WHERE r.id = @id
            """);
        cmd.Parameters.AddWithValue("id", runId);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException($"solar run {runId} does not exist");
        }
        var station = reader.IsDBNull(2) ? null : new ReportStation(reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
            reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetDouble(6), reader.GetDouble(7));
        return new ReportProvenance(runId, reader.GetString(0), reader.GetFieldValue<long[]>(1), station);
    }

    /// <summary>Run <paramref name="runId"/>'s own parameters and station, ready to compute more of it (or again, the same way).</summary>
    public async Task<(SolarParameters Parameters, WeatherStation Station)?> ParametersAsync(long runId, CancellationToken cancellationToken)
    {
        var settings = await SettingsAsync(runId, cancellationToken);
        return settings is null ? null : (SolarParameters.FromJson(settings.ParametersJson, $"solar run {runId}"), settings.Station);
    }
}
