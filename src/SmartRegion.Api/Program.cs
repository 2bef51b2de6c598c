using SmartRegion.Api.Barometer;
using SmartRegion.Api.Catalog;
using SmartRegion.Api.Docs;
using SmartRegion.Api.Explore;
using SmartRegion.Api.Geocoding;
using SmartRegion.Api.Infrastructure;
using SmartRegion.Api.Operations;
using SmartRegion.Api.Operations.Logging;
using SmartRegion.Api.Region;
using SmartRegion.Api.Solar;
using SmartRegion.Api.Tiles3d;
using SmartRegion.Api.Validation;
using SmartRegion.Api.Limits;
using SmartRegion.Api.Ogc;
using SmartRegion.Api.Tiles;

var builder = WebApplication.CreateBuilder(args);

builder.Logging.AddSmartRegionConsole(builder.Configuration);

builder.Services.AddSmartRegionProblemDetails();
// Numbers are numbers: the web defaults also read them from strings, which the OpenAPI document then declares as
// "integer or string" and client generators turn into odd types.
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict);
builder.Services.AddOpenApi(o =>
{
    // OpenAPI 3.0: what client generators (NSwag, openapi-typescript) read without surprises.
    o.OpenApiVersion = Microsoft.OpenApi.OpenApiSpecVersion.OpenApi3_0;
    o.AddDocumentTransformer((doc, context, _) =>
    {
        doc.Info.Title = "SmartRegion API";
        doc.Info.Description = "Open data, OGC API Features, tiles and rooftop solar potential of the region.";
        // The server is the platform's public address, never the request's Host (which a client chooses).
        doc.Servers = [new Microsoft.OpenApi.OpenApiServer { Url = context.ApplicationServices.GetRequiredService<PublicUrls>().Base }];
        return Task.CompletedTask;
    });
});
builder.Services.AddPublicUrls();
builder.Services.AddSmartRegionDatabase(builder.Configuration);
builder.Services.AddHealth();
builder.Services.AddGracefulShutdown(builder.Configuration);
builder.Services.AddSmartRegionMetrics();
builder.Services.AddSolarApi();
builder.Services.AddCatalog();
builder.Services.AddOidcSignIn(builder.Configuration);
builder.Services.AddTiles3d(builder.Configuration);
builder.Services.AddBarometer();
builder.Services.AddExplore();
builder.Services.AddApiRateLimits(builder.Configuration);
builder.Services.AddReadCors();

var app = builder.Build();

app.UseTrustedForwardedHeaders();
app.UseRequestLog();
app.UseSmartRegionProblemDetails();
app.UseRequestIdHeader();
app.UseSecurityHeaders();
app.UseCors();
app.UseRequestGuard();
app.MapMetrics();
app.UseCatalogCallers();
app.UseApiRateLimits();
// OpenID Connect sign-in: the providers' callbacks (after the callers: a sign-in replaces the session it came with).
app.UseAuthentication();
app.UseConditionalGet();

app.MapOpenApi();
app.MapApiDocs();
app.MapHealthEndpoints();
app.MapSolarEndpoints();
app.MapGeocodeEndpoints();
app.MapBoundaryEndpoints();
app.MapCatalogEndpoints();
app.MapTiles3dEndpoints();
app.MapBarometerEndpoints();
app.MapValidationEndpoints();
app.MapExploreEndpoints();
app.MapOgcEndpoints();
app.MapVectorTileEndpoints();
app.MapApiFallback();
app.UseWebRoot(app.Configuration, app.Logger);

app.Run();

/// <summary>The web host's entry point (public so tests can start it with WebApplicationFactory).</summary>
public partial class Program;
