using Npgsql;
using SmartRegion.Data;

namespace SmartRegion.Api.Health;

/// <summary>Liveness and database health for operators and load balancers.</summary>
internal static class HealthEndpoints
{
    private static readonly TimeSpan DatabaseDeadline = TimeSpan.FromSeconds(3);

    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.MapGet("/healthz", async (NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(DatabaseDeadline);
            var db = await HealthQueries.CheckAsync(dataSource, deadline.Token);
            var ok = db.Reachable && db.PostgisVersion is not null;
            var body = new HealthReport(
                Status: ok ? "ok" : "degraded",
                Database: db.Reachable ? (db.PostgisVersion is null ? "no_postgis" : "ok") : "unreachable",
                PostgisVersion: db.PostgisVersion,
                PostgresVersion: db.PostgresVersion,
                MigrationsApplied: db.MigrationsApplied,
                MigrationsKnown: Migrator.All.Count,
                DatabaseError: db.Error,
                Version: typeof(HealthEndpoints).Assembly.GetName().Version?.ToString() ?? "0");
            return Results.Json(body, statusCode: ok ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        })
        .WithName("Health")
        .WithTags("Operations")
        .WithSummary("Health of the host and its database")
        .WithDescription("200 when the database answers and has PostGIS; 503 otherwise, with the reason.")
        .Produces<HealthReport>(StatusCodes.Status200OK)
        .Produces<HealthReport>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }
}

/// <summary>The /healthz document.</summary>
internal sealed record HealthReport(
    string Status,
    string Database,
    string? PostgisVersion,
    string? PostgresVersion,
    int MigrationsApplied,
    int MigrationsKnown,
    string? DatabaseError,
    string Version);
