using Microsoft.Extensions.FileProviders;

namespace SmartRegion.Api.Infrastructure;

/// <summary>
/// Clean URLs for the static site: <c>/catalogue</c> serves <c>catalogue/index.html</c>, <c>/x/y</c> serves
/// <c>x/y.html</c>, and the patterns in <see cref="Routes"/> serve one page for many paths
/// (<c>/catalogue/{id}</c> → <c>catalogue/dataset.html</c>; the page reads its id from <c>location.pathname</c>).
/// A page path that matches nothing gets <c>404.html</c> with status 404; API paths never reach here.
/// </summary>
internal sealed class WebPages(IFileProvider files)
{
    /// <summary>Paths that serve one page for many ids: add a line for a new page kind.</summary>
    public static readonly IReadOnlyList<(string Pattern, string Page)> Routes =
    [
        ("/catalogue/{id}", "/catalogue/dataset.html"),
        ("/tableau-de-bord/commune/{id}", "/tableau-de-bord/commune.html"),
        // The partner space is one page; its script loads the part the address names (web/js/portal/main.js).
        ("/portail/nouveau", "/portail/index.html"),
        ("/portail/cles", "/portail/index.html"),
        ("/portail/membres", "/portail/index.html"),
        ("/portail/compte", "/portail/index.html"),
        ("/portail/connexion", "/portail/index.html"),
        ("/portail/invitation/{id}", "/portail/index.html"),
        ("/portail/jeux-de-donnees/{id}", "/portail/index.html"),
    ];

    // Paths owned by API endpoints: a miss there stays a problem document, never an HTML page.
    private static readonly string[] ApiPrefixes = ["/api", "/ogc", "/tiles", "/healthz", "/openapi", "/metrics", "/catalog."];

    /// <summary>Rewrites a clean page URL to the file that serves it; leaves everything else alone.</summary>
    public void Rewrite(HttpContext ctx)
    {
        if (!IsPageRequest(ctx, out var path))
        {
            return;
        }
        var target = Resolve(path);
        if (target is not null)
        {
            ctx.Request.Path = target;
        }
    }

    /// <summary>Answers 404.html for a page path nothing served; null when the request is not such a miss.</summary>
    public Task? NotFoundAsync(HttpContext ctx)
    {
        if (!IsPageRequest(ctx, out _) || ctx.Response.HasStarted || !files.GetFileInfo("/404.html").Exists)
        {
            return null;
        }
        var accept = ctx.Request.Headers.Accept.ToString();
        if (accept.Length > 0 && !accept.Contains("text/html", StringComparison.Ordinal) && !accept.Contains("*/*", StringComparison.Ordinal))
        {
            return null;
        }
        ctx.Response.StatusCode = StatusCodes.Status404NotFound;
        ctx.Response.ContentType = "text/html; charset=utf-8";
        return ctx.Response.SendFileAsync(files.GetFileInfo("/404.html"), ctx.RequestAborted);
    }

    /// <summary>The file that serves a clean path, or null (an existing file, or no page).</summary>
    internal string? Resolve(string path)
    {
        var trimmed = path.Length > 1 ? path.TrimEnd('/') : path;
        if (trimmed == "/" || files.GetFileInfo(trimmed) is { Exists: true, IsDirectory: false })
        {
            return null;
        }
        if (files.GetFileInfo(trimmed + "/index.html").Exists)
        {
            return trimmed + "/index.html";
        }
        if (Path.GetExtension(trimmed).Length == 0 && files.GetFileInfo(trimmed + ".html").Exists)
        {
            return trimmed + ".html";
        }
        foreach (var (pattern, page) in Routes)
        {
            if (Matches(pattern, trimmed))
            {
                return page;
            }
        }
        return null;
    }

    private static bool Matches(string pattern, string path)
    {
        var want = pattern.Split('/');
        var have = path.Split('/');
        if (want.Length != have.Length)
        {
            return false;
        }
        for (var i = 0; i < want.Length; i++)
        {
            var isParameter = want[i].StartsWith('{');
            // A parameter is one non-empty segment that is not a file name (ids are slugs).
            if (isParameter ? have[i].Length == 0 || have[i].Contains('.', StringComparison.Ordinal) : !string.Equals(want[i], have[i], StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsPageRequest(HttpContext ctx, out string path)
    {
        path = ctx.Request.Path.Value ?? "/";
        if (!HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method) || ctx.GetEndpoint() is not null)
        {
            return false;
        }
        foreach (var prefix in ApiPrefixes)
        {
            if (path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }
        return true;
    }
}
