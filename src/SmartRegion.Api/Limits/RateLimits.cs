using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.RateLimiting;
using SmartRegion.Api.Catalog;

namespace SmartRegion.Api.Limits;

/// <summary>The API's request budgets (configuration section RateLimits): per API key (or signed-in user) and per anonymous client address.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests a minute for each anonymous client address (a burst of this many, refilled evenly).</summary>
    public int AnonymousPerMinute { get; set; } = 600;

    /// <summary>Requests a minute for each API key or signed-in user.</summary>
    public int KeyPerMinute { get; set; } = 6_000;
}

/// <summary>
/// ASP.NET Core's token-bucket rate limiter, partitioned by caller: every API response says the budget in
/// X-RateLimit-Limit / -Remaining / -Reset (seconds until the bucket is full again), and a refusal is a 429 with
/// Retry-After. Refusals are counted on the <c>smartregion.rate_limit.rejections</c> instrument of the
/// <c>SmartRegion.Api</c> meter (for /metrics).
/// </summary>
internal static class RateLimits
{
    public const string MeterName = "SmartRegion.Api";
    public const string RejectionsInstrument = "smartregion.rate_limit.rejections";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Requests refused with 429, tagged <c>caller</c> = key | user | anonymous.</summary>
    public static readonly Counter<long> Rejections = Meter.CreateCounter<long>(RejectionsInstrument, "{request}", "Requests refused with 429 by the API rate limiter");

    private sealed record Budget(string Kind, int PerMinute);

    public static IServiceCollection AddApiRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("RateLimits").Get<RateLimitOptions>() ?? new RateLimitOptions();
        if (options.AnonymousPerMinute < 1 || options.KeyPerMinute < 1)
        {
            throw new InvalidOperationException("RateLimits:AnonymousPerMinute and RateLimits:KeyPerMinute must be at least 1.");
        }
        services.AddSingleton(options);
        services.AddSingleton(PartitionedRateLimiter.Create<HttpContext, string>(ctx =>
        {
            var (key, budget) = Partition(ctx, options);
            return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = budget.PerMinute,
                TokensPerPeriod = Math.Max(1, budget.PerMinute / 60),
                ReplenishmentPeriod = TimeSpan.FromSeconds(budget.PerMinute >= 60 ? 1 : 60.0 / budget.PerMinute),
                QueueLimit = 0,
                AutoReplenishment = false,
            });
        }));
        return services;
    }

    private static (string Key, Budget Budget) Partition(HttpContext ctx, RateLimitOptions options)
    {
        var caller = ctx.Caller();
        if (caller.ApiKeyId is { } keyId)
        {
            return ($"key:{keyId.ToString(CultureInfo.InvariantCulture)}", new Budget("key", options.KeyPerMinute));
        }
        if (caller.UserId is { } userId)
        {
            return ($"user:{userId.ToString(CultureInfo.InvariantCulture)}", new Budget("user", options.KeyPerMinute));
        }
        return ($"ip:{ctx.Connection.RemoteIpAddress}", new Budget("anonymous", options.AnonymousPerMinute));
    }

    /// <summary>
    /// The paths the budgets cover: every API, not the web pages or the health probes — nor the 3D Tiles, whose
    /// immutable, ETagged contents a 3D view fetches by the hundred (a CDN's to absorb, not a budget's).
    /// </summary>
    public static bool IsLimited(PathString path) =>
        (path.StartsWithSegments("/api") && !path.StartsWithSegments("/api/v1/3dtiles"))
        || path.StartsWithSegments("/ogc") || path.StartsWithSegments("/tiles")
        || path.StartsWithSegments("/catalog.jsonld") || path.StartsWithSegments("/catalog.ttl");

    /// <summary>Runs after the caller is known (UseCatalogCallers), so a key's budget follows the key wherever it calls from.</summary>
    public static WebApplication UseApiRateLimits(this WebApplication app)
    {
        var limiter = app.Services.GetRequiredService<PartitionedRateLimiter<HttpContext>>();
        var options = app.Services.GetRequiredService<RateLimitOptions>();
        app.Use(async (ctx, next) =>
        {
            if (!IsLimited(ctx.Request.Path))
            {
                await next(ctx);
                return;
            }
            using var lease = limiter.AttemptAcquire(ctx);
            var (_, budget) = Partition(ctx, options);
            var remaining = limiter.GetStatistics(ctx)?.CurrentAvailablePermits ?? 0;
            var perSecond = budget.PerMinute / 60.0;
            var headers = ctx.Response.Headers;
            headers["X-RateLimit-Limit"] = budget.PerMinute.ToString(CultureInfo.InvariantCulture);
            headers["X-RateLimit-Remaining"] = Math.Max(0, remaining).ToString(CultureInfo.InvariantCulture);
            headers["X-RateLimit-Reset"] = ((long)Math.Ceiling((budget.PerMinute - Math.Max(0, remaining)) / perSecond)).ToString(CultureInfo.InvariantCulture);
            if (lease.IsAcquired)
            {
                await next(ctx);
                return;
            }
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(Math.Ceiling(1 / Math.Min(perSecond, 1)));
            var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
            Rejections.Add(1, new KeyValuePair<string, object?>("caller", budget.Kind));
            headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            var detail = $"More than {budget.PerMinute.ToString(CultureInfo.InvariantCulture)} requests a minute for this {(budget.Kind == "anonymous" ? "client address (send an API key for a larger budget)" : budget.Kind == "key" ? "API key" : "user")}: retry in {seconds.ToString(CultureInfo.InvariantCulture)} s.";
            if (ctx.Request.Path.StartsWithSegments("/api/explore"))
            {
                ctx.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                await ctx.Response.WriteAsJsonAsync(new { message = detail, error_code = "TooManyRequests" }, ctx.RequestAborted);
                return;
            }
            await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests", detail: detail,
                extensions: new Dictionary<string, object?> { ["code"] = "rate_limited" }).ExecuteAsync(ctx);
        });
        return app;
    }
}
