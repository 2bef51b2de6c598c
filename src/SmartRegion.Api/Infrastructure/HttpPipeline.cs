using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace SmartRegion.Api.Infrastructure;

/// <summary>Request id header, security headers and the static web site.</summary>
internal static class HttpPipeline
{
    // CesiumJS needs eval (its bundled Knockout) and blob: workers; see shared/notes/cesium-offline.md.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-eval' blob:; worker-src 'self' blob:; " +
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'";

    public static WebApplication UseRequestIdHeader(this WebApplication app)
    {
        app.Use((ctx, next) =>
        {
            ctx.Response.Headers["X-Request-Id"] = ctx.TraceIdentifier;
            return next(ctx);
        });
        return app;
    }

    /// <summary>
    /// Takes the client's address and scheme from X-Forwarded-For / X-Forwarded-Proto only when the connection comes
    /// from a proxy listed in <c>Network:TrustedProxies</c> (addresses or CIDR networks). With none listed the headers
    /// are ignored: anyone can send them. (ASP.NET Core would otherwise trust loopback by default.)
    /// </summary>
    public static WebApplication UseTrustedForwardedHeaders(this WebApplication app)
    {
        var proxies = app.Configuration.GetSection("Network:TrustedProxies").Get<string[]>() ?? [];
        if (proxies.Length == 0)
        {
            return app;
        }
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in proxies)
        {
            if (IPAddress.TryParse(proxy, out var address))
            {
                options.KnownProxies.Add(address);
            }
            else if (System.Net.IPNetwork.TryParse(proxy, out var network))
            {
                options.KnownIPNetworks.Add(network);
            }
            else
            {
                throw new InvalidOperationException($"Network:TrustedProxies: '{proxy}' is neither an IP address nor a CIDR network such as 10.0.0.0/8");
            }
        }
        app.UseForwardedHeaders(options);
        return app;
    }

    public static IServiceCollection AddPublicUrls(this IServiceCollection services) => services.AddSingleton<PublicUrls>();

    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        // Fails at start-up, with the reason, when PublicBaseUrl is not a usable URL.
        _ = app.Services.GetRequiredService<PublicUrls>();
        app.Use((ctx, next) =>
        {
            var headers = ctx.Response.Headers;
            headers["X-Content-Type-Options"] = "nosniff";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Content-Security-Policy"] = ContentSecurityPolicy;
            if (ctx.Request.IsHttps)
            {
                // Served over TLS (directly, or behind a trusted proxy that says so): browsers keep to HTTPS from now on.
                headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            }
            if (IsPrivate(ctx.Request))
            {
                // Whatever an endpoint says about caching, an answer made for one caller is kept by no cache.
                ctx.Response.OnStarting(() =>
                {
                    ctx.Response.Headers.CacheControl = "no-store";
                    ctx.Response.Headers.Remove("Expires");
                    return Task.CompletedTask;
                });
            }
            return next(ctx);
        });
        return app;
    }

    /// <summary>
    /// A request whose answer is not public: it carries credentials (an Authorization header, a session cookie), or it
    /// is a sign-in or account call. Anonymous reads are public by construction (they see only public data).
    /// </summary>
    private static bool IsPrivate(HttpRequest request) =>
        request.Headers.Authorization.Count > 0
        || request.Cookies.ContainsKey(Catalog.CallerResolution.CookieName)
        || request.Path.StartsWithSegments("/api/v1/auth")
        || request.Path.StartsWithSegments("/api/v1/keys");

    /// <summary>Serves <c>web/</c>: from <c>Web:Root</c> when set, else the folder beside SmartRegion.sln above the binaries.</summary>
    public static WebApplication UseWebRoot(this WebApplication app, IConfiguration configuration, ILogger logger)
    {
        var root = configuration["Web:Root"] ?? FindWebRoot();
        if (root is null || !Directory.Exists(root))
        {
            logger.LogWarning("No web/ folder found (set Web:Root); the API runs without the web pages");
            return app;
        }
        var files = new PhysicalFileProvider(Path.GetFullPath(root));
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".glb"] = "model/gltf-binary";
        types.Mappings[".gltf"] = "model/gltf+json";
        types.Mappings[".b3dm"] = "application/octet-stream";
        types.Mappings[".pnts"] = "application/octet-stream";
        types.Mappings[".subtree"] = "application/octet-stream";
        types.Mappings[".ktx2"] = "image/ktx2";
        types.Mappings[".mjs"] = "text/javascript";
        types.Mappings[".pbf"] = "application/x-protobuf";
        types.Mappings[".br"] = "application/octet-stream";   // a precompressed file (PreferBrotli), asked for by its plain name
        var pages = new WebPages(files);
        app.Use((ctx, next) =>
        {
            pages.Rewrite(ctx);
            PreferBrotli(ctx, files, types);
            return next(ctx);
        });
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files, ContentTypeProvider = types });
        app.Use((ctx, next) => pages.NotFoundAsync(ctx) ?? next(ctx));
        return app;
    }

    /// <summary>
    /// Serves <c>X.br</c> (written beside <c>X</c> by <c>./smartregion</c>'s vendor copy, e.g. the 6 MB Cesium.js as 1.1 MB)
    /// in place of <c>X</c> to a client that accepts Brotli, with <c>X</c>'s content type and <c>Content-Encoding: br</c>.
    /// The static-file middleware then serves it as any file (ETag, ranges, 304s of its own).
    /// </summary>
    private static void PreferBrotli(HttpContext ctx, IFileProvider files, FileExtensionContentTypeProvider types)
    {
        var path = ctx.Request.Path.Value;
        if (path is null || !path.StartsWith("/vendor/", StringComparison.Ordinal) || !AcceptsBrotli(ctx.Request)
            || !types.TryGetContentType(path, out var type) || !files.GetFileInfo(path + ".br").Exists)
        {
            return;
        }
        ctx.Request.Path = path + ".br";
        ctx.Response.OnStarting(() =>
        {
            var headers = ctx.Response.Headers;
            headers.Vary = "Accept-Encoding";
            if (ctx.Response.StatusCode is StatusCodes.Status200OK or StatusCodes.Status206PartialContent)
            {
                headers.ContentEncoding = "br";
                headers.ContentType = type;
            }
            return Task.CompletedTask;
        });
    }

    private static bool AcceptsBrotli(HttpRequest request) =>
        request.GetTypedHeaders().AcceptEncoding.Any(e => e.Value.Equals("br", StringComparison.OrdinalIgnoreCase) && (e.Quality ?? 1) > 0);

    private static string? FindWebRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "web");
                if (File.Exists(Path.Combine(candidate, "index.html"))
                    && (File.Exists(Path.Combine(dir.FullName, "SmartRegion.sln")) || File.Exists(Path.Combine(dir.FullName, "SmartRegion.Api.dll"))))
                {
                    return candidate;
                }
            }
        }
        return null;
    }
}
