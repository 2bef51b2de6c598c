using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using SmartRegion.Data;

namespace SmartRegion.Api.Infrastructure;

/// <summary>RFC 9457 problem details for every error, each with a stable <c>code</c> and the request id.</summary>
internal static class ProblemDetailsSetup
{
    public static IServiceCollection AddSmartRegionProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            ctx.ProblemDetails.Extensions["requestId"] = ctx.HttpContext.TraceIdentifier;
            ctx.ProblemDetails.Extensions.TryAdd("code", CodeForStatus(ctx.ProblemDetails.Status ?? ctx.HttpContext.Response.StatusCode));
            ctx.ProblemDetails.Instance ??= ctx.HttpContext.Request.Path;
        });
        services.AddExceptionHandler<ExceptionToProblem>();
        return services;
    }

    public static WebApplication UseSmartRegionProblemDetails(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>Unknown paths under /api answer a problem document rather than falling through to the static site.</summary>
    public static WebApplication MapApiFallback(this WebApplication app)
    {
        app.MapFallback("/api/{**rest}", (HttpContext ctx) => Results.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: "Not found",
            detail: $"No API resource at {ctx.Request.Path}.",
            extensions: new Dictionary<string, object?> { ["code"] = "not_found" }));
        return app;
    }

    internal static string CodeForStatus(int status) => status switch
    {
        400 => "bad_request",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        412 => "precondition_failed",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "unprocessable",
        429 => "rate_limited",
        503 => "unavailable",
        >= 500 => "internal_error",
        _ => "error",
    };

    /// <summary>What a 503 tells the client to wait before trying again.</summary>
    public const int RetryAfterSeconds = 2;

    /// <summary>
    /// The database went away or is out of resources (restart, shutdown, connection lost, class 08/53/57): a 503 the
    /// client may retry. Any other server error (a statement the server refused) is the platform's fault: a 500.
    /// </summary>
    internal static bool DatabaseIsAway(Npgsql.NpgsqlException e) => e is not Npgsql.PostgresException pg
        || TransientDatabase.IsTransient(pg) || pg.SqlState.StartsWith("08", StringComparison.Ordinal)
        || pg.SqlState.StartsWith("53", StringComparison.Ordinal) || pg.SqlState.StartsWith("57", StringComparison.Ordinal);

    /// <summary>Maps exceptions to problems; the client never sees SQL, a stack trace or a connection string.</summary>
    private sealed class ExceptionToProblem(IProblemDetailsService problems, ILogger<ExceptionToProblem> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            var (status, code, title) = exception switch
            {
                BadHttpRequestException b => (b.StatusCode, CodeForStatus(b.StatusCode), "Bad request"),
                // A data exception (SQLSTATE class 22) is PostgreSQL refusing a value the request brought: a NUL in text,
                // a number or date out of range. It is the client's to fix, not a database outage.
                Npgsql.PostgresException { SqlState: var state } when state.StartsWith("22", StringComparison.Ordinal) =>
                    (StatusCodes.Status400BadRequest, "invalid_value", "Invalid value"),
                Npgsql.NpgsqlException e when DatabaseIsAway(e) =>
                    (StatusCodes.Status503ServiceUnavailable, "database_unavailable", "The database is unavailable"),
                DatabaseSetupException or TimeoutException =>
                    (StatusCodes.Status503ServiceUnavailable, "database_unavailable", "The database is unavailable"),
                OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested =>
                    (499, "client_closed_request", "Client closed the request"),
                _ => (StatusCodes.Status500InternalServerError, "internal_error", "Internal server error"),
            };
            if (status >= 500 || exception is Npgsql.PostgresException)
            {
                logger.LogError(exception, "Unhandled {ExceptionType} mapped to {Status}", exception.GetType().Name, status);
            }
            httpContext.Response.StatusCode = status;
            if (status == StatusCodes.Status503ServiceUnavailable)
            {
                // A restarting database is back within seconds: tell clients (and balancers) when to try again.
                httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                Exception = exception,
                ProblemDetails = new ProblemDetails
                {
                    Status = status,
                    Title = title,
                    Detail = exception switch
                    {
                        Npgsql.PostgresException when status == StatusCodes.Status400BadRequest => "A value in the request cannot be stored or compared: text with a NUL character, or a number or date out of range.",
                        BadHttpRequestException when status == StatusCodes.Status400BadRequest => exception.Message,
                        _ => null,
                    },
                    Extensions = { ["code"] = code },
                },
            });
        }
    }
}
