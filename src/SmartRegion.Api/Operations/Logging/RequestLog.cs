using System.Diagnostics;

namespace SmartRegion.Api.Operations.Logging;

/// <summary>
/// One log line per request, written when the response is complete: method, path and query (secrets masked by the
/// formatter), status, duration and the matched route; the hosting scope adds the request id (also the
/// <c>X-Request-Id</c> header) and the trace id. Static files answered 200/304 log under their own category, which a
/// terminal hides.
/// </summary>
internal static class RequestLog
{
    public const string Category = "SmartRegion.Requests";
    public const string StaticFilesCategory = "SmartRegion.Requests.StaticFiles";

    public static WebApplication UseRequestLog(this WebApplication app)
    {
        var factory = app.Services.GetRequiredService<ILoggerFactory>();
        var requests = factory.CreateLogger(Category);
        var staticFiles = factory.CreateLogger(StaticFilesCategory);
        app.Use(async (ctx, next) =>
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                await next(ctx);
            }
            finally
            {
                var elapsedMs = Math.Round(Stopwatch.GetElapsedTime(start).TotalMilliseconds, 1);
                var status = ctx.Response.StatusCode;
                var route = RouteOf(ctx);
                var path = ctx.Request.Path.Value + ctx.Request.QueryString.Value;
                var logger = route is null && status is 200 or 304 ? staticFiles : requests;
                var level = status >= 500 ? LogLevel.Warning : LogLevel.Information;
                if (ctx.RequestAborted.IsCancellationRequested && !ctx.Response.HasStarted)
                {
                    status = 499;
                }
                if (logger.IsEnabled(level))
                {
                    logger.Log(level, RequestEvent, new RequestEntry(ctx.Request.Method, path, status, elapsedMs, route), null,
                        static (entry, _) => entry.ToString());
                }
            }
        });
        return app;
    }

    /// <summary>The matched route's template (<c>/api/v1/datasets/{id}</c>), without the trailing slash a group's "/" leaves; null for static files.</summary>
    public static string? RouteOf(HttpContext ctx) =>
        (ctx.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText is { } raw ? (raw.Length > 1 ? raw.TrimEnd('/') : raw) : null;

    private static readonly EventId RequestEvent = new(1, "request");

    /// <summary>The request line's fields (structured for the JSON formatter) and its text.</summary>
    private sealed class RequestEntry(string method, string path, int status, double durationMs, string? route)
        : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly KeyValuePair<string, object?>[] _fields =
        [
            new("Method", method), new("Path", path), new("Status", status), new("DurationMs", durationMs), new("Route", route),
        ];

        public int Count => _fields.Length;

        public KeyValuePair<string, object?> this[int index] => _fields[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_fields).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _fields.GetEnumerator();

        public override string ToString() =>
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{method} {path} {status} {durationMs} ms");
    }
}
