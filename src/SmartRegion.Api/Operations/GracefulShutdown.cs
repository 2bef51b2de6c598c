namespace SmartRegion.Api.Operations;

/// <summary>
/// SIGTERM (or Ctrl-C): readiness turns down at once, Kestrel stops accepting connections and lets the requests in flight
/// finish, background workers hand their jobs back, and the process exits — within <c>Operations:ShutdownSeconds</c>
/// (default 20 s; in-flight requests still running then are cut).
/// </summary>
internal static class GracefulShutdown
{
    public static IServiceCollection AddGracefulShutdown(this IServiceCollection services, IConfiguration configuration)
    {
        var seconds = configuration.GetValue("Operations:ShutdownSeconds", 20.0);
        if (seconds is < 1 or > 600)
        {
            throw new InvalidOperationException($"Operations:ShutdownSeconds is {seconds}; give 1 to 600 seconds.");
        }
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(seconds));
        return services;
    }
}
