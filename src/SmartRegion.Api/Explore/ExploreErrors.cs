using System.Text.Json;
using System.Text.Json.Serialization;

namespace SmartRegion.Api.Explore;

/// <summary>Errors in the Opendatasoft shape, <c>{"message": …, "error_code": …}</c>, so that existing clients read them.</summary>
internal static class ExploreErrors
{
    public static IResult Result(int status, string errorCode, string message) =>
        Results.Json(new ExploreError(message, errorCode), ExploreJson.Options, statusCode: status);

    public static IResult Odsql(string message) => Result(StatusCodes.Status400BadRequest, "ODSQLError", message);

    public static IResult Parameter(string name, string message) =>
        Result(StatusCodes.Status400BadRequest, "InvalidRESTParameterError", $"Invalid value for {name} API parameter: {message}");

    public static IResult DatasetNotFound(string id) =>
        Result(StatusCodes.Status404NotFound, "NoSuchDataset", $"Unknown dataset: {Shorten(id)}");

    public static string Shorten(string s) => s.Length > 100 ? s[..100] + "…" : s;
}

/// <summary>An explore API error body.</summary>
/// <param name="Message">What is wrong and where (the clause and the character position for ODSQL).</param>
/// <param name="ErrorCode">ODSQLError, InvalidRESTParameterError, NoSuchDataset, NoSuchRecord, QueryTimeoutError, Forbidden.</param>
public sealed record ExploreError(string Message, [property: JsonPropertyName("error_code")] string ErrorCode);

internal static class ExploreJson
{
    // Relaxed escaping: messages keep their < and > (the reference's "0 <= limit <= 100") instead of \u003C.
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
