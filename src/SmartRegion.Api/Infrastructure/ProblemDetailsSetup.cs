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
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "unprocessable",
        429 => "rate_limited",
        503 => "unavailable",
        >= 500 => "internal_error",
        _ => "error",
    };

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
                Npgsql.NpgsqlException or DatabaseSetupException or TimeoutException =>
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
                        Npgsql.PostgresException => "A value in the request cannot be stored or compared: text with a NUL character, or a number or date out of range.",
                        BadHttpRequestException when status == StatusCodes.Status400BadRequest => exception.Message,
                        _ => null,
                    },
                    Extensions = { ["code"] = code },
                },
            });
        }
    }
}
