namespace SmartRegion.Api.Infrastructure;

/// <summary>
/// CORS for reads: any origin may GET the APIs (with an API key in the Authorization header), never with the session
/// cookie, and no cross-origin page may send a state-changing call (the preflight allows GET and HEAD only).
/// </summary>
internal static class ReadCors
{
    public static IServiceCollection AddReadCors(this IServiceCollection services) =>
        services.AddCors(o => o.AddDefaultPolicy(p => p
            .AllowAnyOrigin()
            .WithMethods("GET", "HEAD")
            .WithHeaders("Authorization", "If-None-Match", "Accept", "Accept-Language")
            .WithExposedHeaders("ETag", "Content-Crs", "Retry-After", "X-Request-Id", "X-RateLimit-Limit", "X-RateLimit-Remaining",
                "X-RateLimit-Reset", "X-Tile-Features", "X-Tile-Capped")
            .SetPreflightMaxAge(TimeSpan.FromHours(1))));
}
