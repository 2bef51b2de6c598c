using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Operations;

public sealed class MetricsTests(TestDatabase db)
{
    private const string OperatorKey = "metrics-operator-key-0123456789";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> WithKey() => new() { ["Operations:Key"] = OperatorKey };

    [Fact]
    public async Task Metrics_Anonymous_401OperatorsOnly()
    {
        await using var factory = new ApiFactory(db.ApiConnectionString, WithKey());
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/metrics", Ct);
        using var wrongKey = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        wrongKey.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-operator-key-at-all");
        using var wrong = await client.SendAsync(wrongKey, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("operator_only", json.RootElement.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task Metrics_Operator_RequestsPerRouteDatabasePoolAndPlatformWork()
    {
        // A running solar run of 7 buildings in two tiles, one done (3 buildings): its own series, whatever other tests do.
        var runId = await ScalarAsync<long>("""
            INSERT INTO solar.run (model_version, parameters, area, tile_size_m, building_count, created_at)
            VALUES ('metrics-test', '{}', '{}', 500, 7, now() - interval '90 seconds') RETURNING id
            """);
        await ScalarAsync<long>("""
            INSERT INTO solar.job (run_id, tile_key, tile, building_count, building_ids, status)
            VALUES (@r, '0_0', ST_MakeEnvelope(0, 0, 500, 500, 2154), 3, '{1,2,3}', 'done'),
                   (@r, '0_1', ST_MakeEnvelope(0, 500, 500, 1000, 2154), 4, '{4,5,6,7}', 'pending');
            SELECT 1::bigint
            """, runId);
        try
        {
            // A host of its own: meters are process-wide, and in-memory hosts of other tests would add their series.
            await using var api = await ApiProcess.StartAsync(db.ApiConnectionString, new Dictionary<string, string> { ["Operations__Key"] = OperatorKey });
            var client = api.Client;
            for (var i = 0; i < 3; i++)
            {
                using var ok = await client.GetAsync("/api/v1/datasets", Ct);
                Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            }
            using (var missing = await client.GetAsync("/api/v1/datasets/no-such-dataset-here", Ct))
            {
                Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            }

            var text = await ScrapeAsync(client);

            Assert.Equal(3, Value(text, "http_server_request_duration_seconds_count", "http_route=\"/api/v1/datasets/\"", "http_response_status_code=\"200\""));
            Assert.Equal(1, Value(text, "http_server_request_duration_seconds_count", "http_route=\"/api/v1/datasets/{id}\"", "http_response_status_code=\"404\""));
            Assert.Contains("http_server_request_duration_seconds_bucket{", text);
            // Npgsql's series are per pool: the API's own and the stateless pool of the hot read paths (named apart).
            Assert.True(Sum(text, "db_client_operation_duration_seconds_count") >= 3, "Npgsql's operation histogram");
            Assert.Contains("db_client_connection_count{", text);
            Assert.Contains(text.Split('\n'), l => l.StartsWith("db_client_connection_count{", StringComparison.Ordinal)
                && l.Contains("smartregion-api-stateless", StringComparison.Ordinal));
            Assert.Contains("db_client_connection_max{", text);
            Assert.Equal(1, Value(text, "smartregion_metrics_database_up"));
            Assert.Equal(3, Value(text, "smartregion_solar_run_buildings", $"run_id=\"{runId}\"", "state=\"done\""));
            Assert.Equal(7, Value(text, "smartregion_solar_run_buildings", $"run_id=\"{runId}\"", "state=\"total\""));
            Assert.Equal(3.0 / 7, Value(text, "smartregion_solar_run_progress", $"run_id=\"{runId}\""), 6);
            Assert.Equal(2, Value(text, "smartregion_solar_run_jobs", $"run_id=\"{runId}\"", "state=\"total\""));
            // The pending tile has waited since its run was made, 90 s ago (or more: other tests' runs may be older).
            Assert.True(Value(text, "smartregion_jobs_oldest_age_seconds", "queue=\"solar\"", "status=\"queued\"") >= 90);
            Assert.True(Value(text, "smartregion_jobs", "queue=\"solar\"", "status=\"queued\"") >= 1);
            Assert.DoesNotContain("smartregion_database_read_up", text); // reads share the primary
            // The runtime's own meter: the soak reads the API's memory from here.
            Assert.True(Value(text, "dotnet_process_memory_working_set_bytes") > 10_000_000);
        }
        finally
        {
            await ScalarAsync<long>("DELETE FROM solar.run WHERE id = @r; SELECT 1::bigint", runId);
        }
    }

    [Fact]
    public async Task Metrics_DatabaseDown_StillServedWithDatabaseUpZero()
    {
        await using var api = await ApiProcess.StartAsync("Host=127.0.0.1;Port=9;Username=x;Password=y;Database=z;Timeout=2",
            new Dictionary<string, string> { ["Operations__Key"] = OperatorKey }, waitReady: false);

        var text = await ScrapeAsync(api.Client);

        Assert.Equal(0, Value(text, "smartregion_metrics_database_up"));
        Assert.DoesNotContain("smartregion_jobs{", text);
    }

    [Fact]
    public async Task Metrics_ReadDatabase_UpOrDown_LagOnlyForAReplica()
    {
        // A read database that is a primary (a second pool on the test database) answers and has no replication lag to report;
        // one that does not answer is 0. Without SMARTREGION_DB_READ neither series exists (Metrics_Operator_… has none).
        await using var separate = await ApiProcess.StartAsync(db.ApiConnectionString, new Dictionary<string, string>
        {
            ["Operations__Key"] = OperatorKey,
            ["SMARTREGION_DB_READ"] = db.ApiConnectionString,
        });
        await using var down = await ApiProcess.StartAsync(db.ApiConnectionString, new Dictionary<string, string>
        {
            ["Operations__Key"] = OperatorKey,
            ["SMARTREGION_DB_READ"] = "Host=127.0.0.1;Port=9;Username=x;Password=y;Database=replica;Timeout=2",
        });

        var answering = await ScrapeAsync(separate.Client);
        var silent = await ScrapeAsync(down.Client);

        Assert.Equal(1, Value(answering, "smartregion_database_read_up"));
        Assert.DoesNotContain("smartregion_database_replica_lag", answering);
        Assert.Equal(0, Value(silent, "smartregion_database_read_up"));
        Assert.DoesNotContain("smartregion_database_replica_lag", silent);
        Assert.Equal(1, Value(silent, "smartregion_metrics_database_up"));
    }

    private static async Task<string> ScrapeAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);
        using var response = await client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return text;
    }

    /// <summary>The sum of a metric's samples over all its series (e.g. every connection pool's).</summary>
    private static double Sum(string text, string metric) => text.Split('\n')
        .Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) || l.StartsWith(metric + " ", StringComparison.Ordinal))
        .Sum(l => double.Parse(Regex.Match(l, @"\}?\s([-+0-9.eE]+|NaN)(\s\d+)?$").Groups[1].Value, CultureInfo.InvariantCulture));

    /// <summary>The value of the one sample of <paramref name="metric"/> whose labels contain every one of <paramref name="labels"/>.</summary>
    private static double Value(string text, string metric, params string[] labels)
    {
        var samples = text.Split('\n')
            .Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) || l.StartsWith(metric + " ", StringComparison.Ordinal))
            .Where(l => labels.All(label => l.Contains(label, StringComparison.Ordinal)))
            .ToList();
        Assert.True(samples.Count == 1, $"{samples.Count} samples of {metric} with {string.Join(",", labels)}:\n{string.Join('\n', text.Split('\n').Where(l => l.StartsWith(metric, StringComparison.Ordinal)))}");
        var value = Regex.Match(samples[0], @"\}?\s([-+0-9.eE]+|NaN)(\s\d+)?$").Groups[1].Value;
        return double.Parse(value, CultureInfo.InvariantCulture);
    }

    private async Task<T> ScalarAsync<T>(string sql, long? run = null)
    {
        await using var cmd = db.DataSource.CreateCommand(sql);
        if (run is { } r)
        {
            cmd.Parameters.AddWithValue("r", r);
        }
        return (T)(await cmd.ExecuteScalarAsync(Ct))!;
    }
}
