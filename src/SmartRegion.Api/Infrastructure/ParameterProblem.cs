namespace SmartRegion.Api.Infrastructure;

/// <summary>The 400 problem of a query parameter that is missing or wrong: RFC 9457 with the parameter named.</summary>
internal static class ParameterProblem
{
    public static IResult Invalid(string parameter, string detail) => Results.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "Invalid parameter",
        detail: detail,
        extensions: new Dictionary<string, object?> { ["code"] = "invalid_parameter", ["parameter"] = parameter });
}
