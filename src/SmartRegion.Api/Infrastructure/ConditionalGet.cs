using System.Security.Cryptography;

namespace SmartRegion.Api.Infrastructure;

/// <summary>
/// ETag / If-None-Match for metadata documents: the answer is hashed (it depends on who asks, so the tag does too)
/// and a client that already holds it gets a 304 without the body. Tiles and TileJSON tag themselves.
/// </summary>
internal static class ConditionalGet
{
    private const int MaxBufferedBytes = 8 << 20;

    /// <summary>Metadata paths: catalogue and dataset documents of the explore API, and the OGC API's documents.</summary>
    public static bool IsMetadata(PathString path)
    {
        var p = path.Value ?? "";
        if (p.StartsWith("/api/explore/v2.1/catalog/", StringComparison.Ordinal))
        {
            var rest = p["/api/explore/v2.1/catalog/".Length..].TrimEnd('/');
            return rest is "datasets" or "facets" || (rest.StartsWith("datasets/", StringComparison.Ordinal) && rest.Count(c => c == '/') == 1);
        }
        return p is "/ogc" or "/ogc/" or "/ogc/conformance" or "/ogc/api" or "/ogc/collections"
            || (p.StartsWith("/ogc/collections/", StringComparison.Ordinal) && p.TrimEnd('/').Count(c => c == '/') == 3);
    }

    public static WebApplication UseConditionalGet(this WebApplication app)
    {
        app.Use(async (ctx, next) =>
        {
            if (!HttpMethods.IsGet(ctx.Request.Method) || !IsMetadata(ctx.Request.Path))
            {
                await next(ctx);
                return;
            }
            var original = ctx.Response.Body;
            using var buffer = new MemoryStream();
            ctx.Response.Body = buffer;
            try
            {
                await next(ctx);
            }
            finally
            {
                ctx.Response.Body = original;
            }
            if (ctx.Response.StatusCode == StatusCodes.Status200OK && buffer.Length <= MaxBufferedBytes)
            {
                var etag = $"\"{Convert.ToHexString(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)), 0, 12).ToLowerInvariant()}\"";
                ctx.Response.Headers.ETag = etag;
                ctx.Response.Headers.CacheControl = "no-cache";
                ctx.Response.Headers.Vary = "Authorization, Cookie";
                if (ctx.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == etag || t.Trim() == "*")))
                {
                    ctx.Response.StatusCode = StatusCodes.Status304NotModified;
                    ctx.Response.ContentLength = 0;
                    return;
                }
            }
            buffer.Position = 0;
            await buffer.CopyToAsync(original, ctx.RequestAborted);
        });
        return app;
    }
}
