using Scalar.AspNetCore;

namespace SmartRegion.Api.Docs;

/// <summary>
/// The interactive API reference at /docs: the page is web/docs/index.html (no inline script, as the CSP wants), the
/// Scalar viewer's script comes from its NuGet package under /scalar (nothing from a CDN), the document is /openapi/v1.json.
/// </summary>
internal static class DocsEndpoints
{
    public const string ScalarPrefix = "/scalar";

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapScalarApiReference(ScalarPrefix, o => o
            .WithTitle("SmartRegion API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableDefaultFonts());
        return app;
    }
}
