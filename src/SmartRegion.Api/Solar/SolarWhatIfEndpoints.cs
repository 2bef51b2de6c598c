using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using SmartRegion.Data.Solar;
using SmartRegion.Geo;
using SmartRegion.Geo.Crs;
using SmartRegion.Rooftop;

namespace SmartRegion.Api.Solar;

/// <summary>
/// POST /api/v1/solar/buildings/{id}/what-if: one building computed on demand with a resident's correction (roof faces,
/// areas to keep free, module, financial assumptions), within the run that computed its stored result — its weather, its
/// model, the stored buildings around it for shade. The answer is the stored report's shape with <c>simulation</c> first;
/// nothing is stored.
/// </summary>
internal static class SolarWhatIfEndpoints
{
    /// <summary>What the provenance's parameters say of the values a what-if changed.</summary>
    public const string OverrideSource = "what-if request";

    public static RouteGroupBuilder MapSolarWhatIf(this RouteGroupBuilder group)
    {
        group.MapPost("/buildings/{id}/what-if", async (HttpContext http, string id, SolarResultQueries queries, SolarTileStore buildings,
            WhatIfRuns runs, SolarAccess access, Infrastructure.PublicUrls urls, ILogger<WhatIfRuns> logger, CancellationToken ct) =>
        {
            if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var buildingId))
            {
                return Infrastructure.ParameterProblem.Invalid("id", $"'{id}' is not a building id (a positive integer).");
            }
            if (http.Request.ContentType is { } type && !IsJson(type))
            {
                return Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", $"The body must be JSON (application/json), not {type}.", "body");
            }
            if (await ReadBodyAsync(http.Request, ct) is not { } body)
            {
                return Problem(StatusCodes.Status413PayloadTooLarge, "payload_too_large", $"The body is larger than {WhatIfRequest.MaxBodyBytes} bytes.", "body");
            }
            try
            {
                var request = WhatIfRequest.Parse(body);
                var notFound = $"Building {buildingId} has no published solar result.";
                if (!await access.AllowsAsync(http, SolarAccess.Buildings, "solar.what-if") || await queries.ServedRunIdAsync(buildingId, ct) is not { } runId)
                {
                    return NotFound(notFound);
                }
                var clock = Stopwatch.StartNew();
                if (await runs.ContextAsync(runId, ct) is not { } run)
                {
                    return Problem(StatusCodes.Status409Conflict, "not_recomputable",
                        $"Building {buildingId}'s result comes from solar run {runId}, which cannot be computed again (no weather station, or parameters this version cannot read).");
                }
                var parameters = request.Overrides.Count == 0 ? run.Parameters : run.Parameters.WithOverrides(request.Overrides, OverrideSource);
                WhatIfRequest.CheckModule(parameters.Module);
                var around = await buildings.LoadBuildingAsync(buildingId, parameters.HorizonRadiusM, ct);
                if (around.FirstOrDefault(b => b.IsTarget) is not { } target)
                {
                    return NotFound(notFound);
                }
                var correction = WhatIfCorrection.For(request, target, around, parameters);
                var loadMs = clock.Elapsed.TotalMilliseconds;
                using var core = await runs.TakeCoreAsync(ct);
                if (core is null)
                {
                    http.Response.Headers.RetryAfter = "2";
                    return Problem(StatusCodes.Status503ServiceUnavailable, "busy", "Every core is computing a what-if: try again in a few seconds.");
                }
                var waitMs = clock.Elapsed.TotalMilliseconds - loadMs;
                var simulation = SimulationJson(request, urls.For($"/api/v1/solar/buildings/{buildingId}"));
                var answer = WhatIf.Compute(around, run.WithParameters(parameters), correction, simulation, DateTimeOffset.UtcNow);
                if (answer.Result.Failure is { } failure)
                {
                    logger.LogWarning(failure, "What-if of building {BuildingId} failed", buildingId);
                    return Problem(StatusCodes.Status422UnprocessableEntity, "computation_failed", $"Building {buildingId} could not be computed with this correction.");
                }
                var computeMs = clock.Elapsed.TotalMilliseconds - loadMs - waitMs;
                http.Response.Headers.CacheControl = "no-store";
                http.Response.Headers["Server-Timing"] = FormattableString.Invariant($"load;dur={loadMs:F1}, queue;dur={waitMs:F1}, compute;dur={computeMs:F1}");
                return Results.Text(answer.ReportJson, "application/json");
            }
            catch (WhatIfInputException e)
            {
                return Problem(StatusCodes.Status400BadRequest, "invalid_field", e.Message, e.Field);
            }
        })
        .WithName("SolarWhatIf")
        .WithSummary("What if: a building's solar report with a corrected roof or other choices")
        .WithDescription("""
            Corrections: the roof, obstacles, another module or other finances.
            Computes the building on demand, as the run that computed its published result did (its weather, model and
            parameters; the stored buildings around it cast shade), with the request's corrections: roofFaces replace the
            roof (outline in WGS84, tilt, azimuth; the lowest point at the altitudes given, else at the eaves), obstacles keep
            areas of a face free of modules and, with a heightM, shade the roof as the neighbours do, module and finance replace the run's values. The answer has the stored report's
            shape with `simulation` first and the what-if's values in provenance.parameters; it is never stored. `{}` computes
            the roof as modelled. Served to whoever may read the building's published report (404 otherwise).
            """)
        // The body is read and checked by the handler (every refusal names its field; another media type is a 415 here, where
        // .Accepts would make routing fall through to the API's 404): the document describes it all the same.
        .AddOpenApiOperationTransformer(async (operation, context, ct) =>
        {
            context.Document?.AddComponent(nameof(SolarWhatIfRequest), await context.GetOrCreateSchemaAsync(typeof(SolarWhatIfRequest), null, ct));
            var schema = new OpenApiSchemaReference(nameof(SolarWhatIfRequest), context.Document);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = "The corrections; {} computes the roof as modelled.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new OpenApiMediaType { Schema = schema, Example = JsonNode.Parse(RequestExample) },
                },
            };
        })
        .Produces<SolarWhatIfReport>(StatusCodes.Status200OK, "application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    /// <summary>The OpenAPI document's example: a steeper south face, a chimney on it, 500 Wp modules, a dearer electricity.</summary>
    private const string RequestExample = """
        {"roofFaces":[{"polygonWgs84":{"type":"Polygon","coordinates":[[[2.36140,48.90825],[2.36159,48.90825],[2.36159,48.90829],[2.36140,48.90829],[2.36140,48.90825]]]},"tiltDeg":35,"azimuthDeg":180},
                      {"polygonWgs84":{"type":"Polygon","coordinates":[[[2.36140,48.90829],[2.36159,48.90829],[2.36159,48.90833],[2.36140,48.90833],[2.36140,48.90829]]]},"tiltDeg":35,"azimuthDeg":0}],
         "obstacles":[{"faceNo":1,"kind":"chimney","heightM":1.2,"polygonWgs84":{"type":"Polygon","coordinates":[[[2.36148,48.90826],[2.36150,48.90826],[2.36150,48.90827],[2.36148,48.90827],[2.36148,48.90826]]]}}],
         "module":{"peakPowerWp":500,"lengthM":1.95,"widthM":1.13},
         "finance":{"electricityPriceEurPerKwh":0.25,"householdConsumptionKwhPerYear":6000}}
        """;

    private static bool IsJson(string contentType)
    {
        var media = contentType.Split(';')[0].Trim();
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The body, or null when it is larger than <see cref="WhatIfRequest.MaxBodyBytes"/>.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > WhatIfRequest.MaxBodyBytes)
        {
            return null;
        }
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var read = await request.Body.ReadAsync(buffer.GetMemory(16_384), ct);
            if (read == 0)
            {
                return buffer.WrittenMemory;
            }
            buffer.Advance(read);
            if (buffer.WrittenCount > WhatIfRequest.MaxBodyBytes)
            {
                return null;
            }
        }
    }

    /// <summary>The report's <c>simulation</c> member: a what-if, not the official result, what was corrected, where the official report is.</summary>
    private static string SimulationJson(WhatIfRequest request, string officialReportUrl)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("kind", "what-if");
            w.WriteBoolean("official", false);
            w.WriteBoolean("stored", false);
            w.WriteString("officialReport", officialReportUrl);
            w.WriteStartArray("corrected");
            foreach (var member in request.Corrected)
            {
                w.WriteStringValue(member);
            }
            w.WriteEndArray();
            w.WriteStartArray("obstacles");
            var toWgs84 = CrsTransform.Create(RegionSettings.Srid, 4326);
            foreach (var obstacle in request.Obstacles)
            {
                w.WriteStartObject();
                w.WriteNumber("faceNo", obstacle.FaceNo);
                w.WriteString("kind", obstacle.Kind);
                w.WriteNumber("planAreaM2", Math.Round(obstacle.Plan.Area, 2));
                w.WriteNumber("heightM", obstacle.HeightM);
                // Where it stands: the centre its top is lifted from and its shade cast, as a UI places it again.
                var centre = obstacle.Plan.Centroid;
                var (lon, lat) = toWgs84.Transform(centre.X, centre.Y);
                w.WriteStartObject("centreWgs84");
                w.WriteNumber("lat", Math.Round(lat, 7));
                w.WriteNumber("lon", Math.Round(lon, 7));
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static IResult Problem(int status, string code, string detail, string? field = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (field is not null)
        {
            extensions["field"] = field;
        }
        return Results.Problem(statusCode: status, detail: detail, extensions: extensions);
    }

    private static IResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "not_found", detail);
}
