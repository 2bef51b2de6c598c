using System.Text.Json;
using SmartRegion.Api.Infrastructure;
using SmartRegion.Data.Catalog;

namespace SmartRegion.Api.Catalog;

/// <summary>Problem documents of the catalogue, with stable codes; the dataset 404 is the same bytes whether the dataset is missing or hidden.</summary>
internal static class CatalogProblems
{
    public const string ProblemJson = "application/problem+json";

    /// <summary>
    /// The one answer for a dataset the caller may not see or that does not exist. It carries no request id
    /// (that is in the X-Request-Id header) so the bytes depend only on the id asked for.
    /// </summary>
    public static IResult DatasetNotFound(string slug) => Results.Text(
        JsonSerializer.Serialize(new
        {
            type = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.5",
            title = "Not found",
            status = 404,
            detail = $"No dataset '{slug}'.",
            code = "dataset_not_found",
        }), ProblemJson, statusCode: StatusCodes.Status404NotFound);

    public static IResult Problem(int status, string code, string detail, IDictionary<string, object?>? extra = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (extra is not null)
        {
            foreach (var (k, v) in extra)
            {
                extensions[k] = v;
            }
        }
        return Results.Problem(statusCode: status, title: Title(status), detail: detail, extensions: extensions);
    }

    public static IResult Invalid(string field, string detail, string code = "invalid_field") =>
        Problem(StatusCodes.Status422UnprocessableEntity, code, detail, new Dictionary<string, object?> { ["field"] = field });

    public static IResult BadRequest(string code, string detail) => Problem(StatusCodes.Status400BadRequest, code, detail);

    public static IResult Forbidden(string detail) => Problem(StatusCodes.Status403Forbidden, "forbidden", detail);

    public static IResult MissingScope(string scope) =>
        Problem(StatusCodes.Status403Forbidden, "insufficient_scope", $"This call needs an API key with the '{scope}' scope.");

    public static IResult Unauthenticated() =>
        Problem(StatusCodes.Status401Unauthorized, "unauthenticated", "Sign in or send 'Authorization: Apikey <key>'.");

    /// <summary>For middleware that answers before routing.</summary>
    public static async Task Write(HttpContext ctx, int status, string code, string detail)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = ProblemJson;
        await ctx.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            type = "about:blank",
            title = Title(status),
            status,
            detail,
            code,
            requestId = ctx.TraceIdentifier,
        }), ctx.RequestAborted);
    }

    /// <summary>Maps the catalogue's typed exceptions to problems for every endpoint of the group.</summary>
    public static RouteGroupBuilder WithCatalogErrors(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (ctx, next) =>
        {
            try
            {
                return await next(ctx);
            }
            catch (CatalogValidationException e)
            {
                return Invalid(e.Field, e.Message);
            }
            catch (CatalogConflictException e)
            {
                return Problem(StatusCodes.Status409Conflict, e.Code, e.Message);
            }
            catch (JsonException e)
            {
                return BadRequest("invalid_json", $"The body is not valid JSON: {e.Message}");
            }
        });
        return group;
    }

    private static string Title(int status) => ProblemDetailsSetup.CodeForStatus(status) switch
    {
        "not_found" => "Not found",
        var c => char.ToUpperInvariant(c[0]) + c[1..].Replace('_', ' '),
    };
}
