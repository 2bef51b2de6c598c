using System.Diagnostics;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using SmartRegion.Data;

namespace SmartRegion.Api.Operations;

/// <summary>
/// Liveness (<c>/healthz/live</c>: the process serves) and readiness (<c>/healthz/ready</c> and <c>/healthz</c>: the database
/// answers, has PostGIS and every migration, and the host is not shutting down), on ASP.NET Core's health checks. Anyone
/// learns "up" or "down"; operators (<see cref="OperatorAccess"/>) also get versions, migrations and the reasons.
/// </summary>
internal static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    /// <summary>A database that has not answered within this is reported down: a probe must never hang.</summary>
    public static readonly TimeSpan DatabaseDeadline = TimeSpan.FromSeconds(3);

    /// <summary>What a client waiting for readiness is told to wait before asking again.</summary>
    public const int RetryAfterSeconds = 5;

    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddSingleton<OperatorAccess>();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag], timeout: DatabaseDeadline)
            .AddCheck<ReadDatabaseHealthCheck>("database-read", tags: [ReadyTag], timeout: DatabaseDeadline)
            .AddCheck<HostStoppingCheck>("host", tags: [ReadyTag]);
        return services;
    }

    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        // Resolved now so that a bad operator key or network fails the start, not the first probe.
        app.Services.GetRequiredService<OperatorAccess>();
        var group = app.MapGroup("/healthz").WithTags("Operations");
        group.MapGet("/live", (HttpContext ctx, HealthCheckService health, OperatorAccess access) =>
                ReportAsync(ctx, health, access, _ => false))
            .WithName("HealthLive")
            .WithSummary("Liveness: the process serves requests")
            .WithDescription("Always 200 {\"status\":\"up\"} while the process runs; it does not touch the database.")
            .Produces<HealthDocument>(StatusCodes.Status200OK);
        foreach (var (path, name) in new[] { ("/ready", "HealthReady"), ("", "Health") })
        {
            group.MapGet(path, (HttpContext ctx, HealthCheckService health, OperatorAccess access) =>
                    ReportAsync(ctx, health, access, r => r.Tags.Contains(ReadyTag)))
                .WithName(name)
                .WithSummary("Readiness: the database answers and is migrated")
                .WithDescription("200 {\"status\":\"up\"} when the database answers within 3 s, has PostGIS and every migration of this " +
                    "build, and the host is not shutting down; otherwise 503 {\"status\":\"down\"} with Retry-After. Operators (the " +
                    "operator key as a Bearer token, or a configured network) also get versions, migrations and reasons.")
                .Produces<HealthDocument>(StatusCodes.Status200OK)
                .Produces<HealthDocument>(StatusCodes.Status503ServiceUnavailable);
        }
        return app;
    }

    private static async Task<IResult> ReportAsync(
        HttpContext ctx, HealthCheckService health, OperatorAccess access, Func<HealthCheckRegistration, bool> predicate)
    {
        var report = await health.CheckHealthAsync(predicate, ctx.RequestAborted);
        // Degraded (the read replica is away or behind) still serves: writes and the primary are fine.
        var up = report.Status != HealthStatus.Unhealthy;
        ctx.Response.Headers.CacheControl = "no-store";
        if (!up)
        {
            ctx.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        var document = access.IsOperator(ctx)
            ? new HealthDocument(Word(up), Version, StartedAt, report.Entries.ToDictionary(
                e => e.Key,
                e => new HealthCheckDocument(e.Value.Status == HealthStatus.Degraded ? "degraded" : Word(e.Value.Status == HealthStatus.Healthy), e.Value.Description,
                    Math.Round(e.Value.Duration.TotalMilliseconds, 1), e.Value.Data.Count == 0 ? null : e.Value.Data.ToDictionary())))
            : new HealthDocument(Word(up));
        return Results.Json(document, statusCode: up ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static string Word(bool up) => up ? "up" : "down";

    private static readonly string Version = typeof(HealthEndpoints).Assembly.GetName().Version?.ToString() ?? "0";

    private static readonly DateTimeOffset StartedAt = new(Process.GetCurrentProcess().StartTime.ToUniversalTime(), TimeSpan.Zero);

    /// <summary>The database answers within the deadline, has PostGIS and has every migration this build knows.</summary>
    private sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource, ILogger<DatabaseHealthCheck> logger) : IHealthCheck
    {
        // Probes come every few seconds from each balancer: the log says when readiness changes, not at every probe.
        private static int s_lastReady = -1;

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
        {
            var db = await HealthQueries.CheckAsync(dataSource, cancellationToken);
            var data = new Dictionary<string, object>
            {
                ["database"] = dataSource.ConnectionString is { } cs ? SmartRegionDatabase.Describe(cs) : "",
                ["migrationsApplied"] = db.MigrationsApplied,
                ["migrationsKnown"] = Migrator.All.Count,
            };
            if (db.PostgresVersion is not null)
            {
                data["postgresVersion"] = db.PostgresVersion;
            }
            if (db.PostgisVersion is not null)
            {
                data["postgisVersion"] = db.PostgisVersion;
            }
            if (db.MigrationsPending.Count > 0)
            {
                data["migrationsPending"] = db.MigrationsPending;
            }
            var reason = !db.Reachable ? $"unreachable: {db.Error}"
                : db.PostgisVersion is null ? "the PostGIS extension is not installed in the database"
                : db.MigrationsPending.Count > 0 ? $"{db.MigrationsPending.Count} migration(s) not applied (first: {db.MigrationsPending[0]})"
                : null;
            var ready = reason is null ? 1 : 0;
            if (Interlocked.Exchange(ref s_lastReady, ready) != ready)
            {
                if (ready == 1)
                {
                    logger.LogInformation("Ready: the database answers and is migrated");
                }
                else
                {
                    logger.LogWarning("Not ready: {Reason}", reason);
                }
            }
            return reason is null
                ? HealthCheckResult.Healthy("the database answers and is migrated", data)
                : HealthCheckResult.Unhealthy(reason, data: data);
        }
    }

    /// <summary>
    /// The read-only endpoints' database when it is separate (<c>SMARTREGION_DB_READ</c>): whether it answers, is a replica, and
    /// has replayed what it received. Never makes the host unready (writes and the primary are fine): degraded instead, so an
    /// operator sees it while the balancer keeps the process.
    /// </summary>
    private sealed class ReadDatabaseHealthCheck(Infrastructure.ReadDatabase read) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
        {
            if (!read.Separate)
            {
                return HealthCheckResult.Healthy("reads share the primary's connection pool (SMARTREGION_DB_READ is not set)");
            }
            var data = new Dictionary<string, object>
            {
                ["database"] = read.DataSource.ConnectionString is { } cs ? SmartRegionDatabase.Describe(cs) : "",
            };
            try
            {
                var state = await HealthQueries.ReplicationAsync(read.DataSource, cancellationToken);
                data["inRecovery"] = state.InRecovery;
                if (state.ReplayCaughtUp is { } caughtUp)
                {
                    data["replayCaughtUp"] = caughtUp;
                }
                if (state.LastReplayAgeSeconds is { } age)
                {
                    data["lastReplayedTransactionAgeSeconds"] = Math.Round(age, 3);
                }
                return HealthCheckResult.Healthy(state.InRecovery ? "the read replica answers" : "the read database answers (not a replica)", data);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException or System.Net.Sockets.SocketException)
            {
                return HealthCheckResult.Degraded($"the read database does not answer: {(e is OperationCanceledException ? "timed out" : e.Message)}", data: data);
            }
        }
    }

    /// <summary>Down once the host is stopping, so that a load balancer sends no new request to a process that is draining.</summary>
    private sealed class HostStoppingCheck(IHostApplicationLifetime lifetime) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
            Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
                ? HealthCheckResult.Unhealthy("the host is shutting down")
                : HealthCheckResult.Healthy("serving"));
    }
}

/// <summary>A health answer: <c>up</c> or <c>down</c>, and for operators the version and each check.</summary>
internal sealed record HealthDocument(
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Version = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? StartedAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Dictionary<string, HealthCheckDocument>? Checks = null);

/// <summary>One check as operators see it.</summary>
internal sealed record HealthCheckDocument(
    string Status,
    string? Description,
    double DurationMs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Dictionary<string, object>? Data);
