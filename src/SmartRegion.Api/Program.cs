using SmartRegion.Api.Barometer;
using SmartRegion.Api.Catalog;
using SmartRegion.Api.Geocoding;
using SmartRegion.Api.Infrastructure;
using SmartRegion.Api.Operations;
using SmartRegion.Api.Operations.Logging;
using SmartRegion.Api.Region;
using SmartRegion.Api.Solar;
using SmartRegion.Api.Tiles3d;
using SmartRegion.Api.Validation;

var builder = WebApplication.CreateBuilder(args);

builder.Logging.AddSmartRegionConsole(builder.Configuration);

builder.Services.AddSmartRegionProblemDetails();
builder.Services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
{
    doc.Info.Title = "SmartRegion API";
    doc.Info.Description = "Open data, OGC API Features, tiles and rooftop solar potential of the region.";
    return Task.CompletedTask;
}));
builder.Services.AddPublicUrls();
builder.Services.AddSmartRegionDatabase(builder.Configuration);
builder.Services.AddHealth();
builder.Services.AddGracefulShutdown(builder.Configuration);
builder.Services.AddSmartRegionMetrics();
builder.Services.AddSolarApi();
builder.Services.AddCatalog();
builder.Services.AddTiles3d(builder.Configuration);
builder.Services.AddBarometer();

var app = builder.Build();

app.UseTrustedForwardedHeaders();
app.UseRequestLog();
app.UseSmartRegionProblemDetails();
app.UseRequestIdHeader();
app.UseSecurityHeaders();
app.UseRequestGuard();
app.MapMetrics();
app.UseCatalogCallers();

app.MapOpenApi();
app.MapHealthEndpoints();
app.MapSolarEndpoints();
app.MapGeocodeEndpoints();
app.MapBoundaryEndpoints();
app.MapCatalogEndpoints();
app.MapTiles3dEndpoints();
app.MapBarometerEndpoints();
app.MapValidationEndpoints();
app.MapApiFallback();
app.UseWebRoot(app.Configuration, app.Logger);

app.Run();

/// <summary>The web host's entry point (public so tests can start it with WebApplicationFactory).</summary>
public partial class Program;
