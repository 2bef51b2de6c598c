using System.Text.Json;

namespace SmartRegion.Api.Validation;

/// <summary>
/// The stored result of the validation against an independent solar cadastre (<c>bench/validation/run</c> writes it), served
/// as written: the /validation page shows its numbers and nothing else.
/// </summary>
internal static class ValidationEndpoints
{
    public const string Schema = "smartregion.validation/1";

    public static WebApplication MapValidationEndpoints(this WebApplication app)
    {
        app.MapGet("/api/v1/validation", async (HttpContext http, IConfiguration configuration, CancellationToken ct) =>
        {
            var path = configuration["Validation:ResultPath"] ?? FindResult();
            if (path is null || !File.Exists(path))
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No validation result",
                    detail: "No stored validation result: run bench/validation/run (or set Validation:ResultPath).",
                    extensions: new Dictionary<string, object?> { ["code"] = "validation_missing" });
            }
            var bytes = await File.ReadAllBytesAsync(path, ct);
            try
            {
                using var doc = JsonDocument.Parse(bytes);
                if (!doc.RootElement.TryGetProperty("schema", out var schema) || schema.GetString() != Schema)
                {
                    throw new JsonException($"schema is not {Schema}");
                }
            }
            catch (JsonException e)
            {
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Validation result unreadable",
                    detail: $"The stored validation result is not a {Schema} document ({e.Message}); run bench/validation/run again.",
                    extensions: new Dictionary<string, object?> { ["code"] = "validation_unreadable" });
            }
            http.Response.Headers.CacheControl = "no-cache";
            return Results.Bytes(bytes, "application/json");
        })
        .WithTags("Validation")
        .WithName("Validation")
        .WithSummary("The rooftop results beside an independent cadastre (Saint-Denis)")
        .WithDescription("The cadastre is the Institut Paris Region's. As written by bench/validation/run: counts, median / p90 |diff| and bias per comparison, per-roof pairs, the largest outliers with the reason found, method and known limits (FR/EN).")
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    /// <summary>bench/validation/result.json of the checkout the host runs from (beside SmartRegion.sln above the binaries).</summary>
    private static string? FindResult()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "bench", "validation", "result.json");
                if (File.Exists(Path.Combine(dir.FullName, "SmartRegion.sln")) && File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }
}
