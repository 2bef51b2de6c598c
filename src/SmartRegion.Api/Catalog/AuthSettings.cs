using SmartRegion.Data.Catalog;

namespace SmartRegion.Api.Catalog;

/// <summary>Sign-in settings (configuration section <c>Auth</c>): session lifetimes and the failed sign-in throttle.</summary>
internal sealed class AuthSettings(IConfiguration configuration)
{
    public SessionLifetime Lifetime { get; } = new(
        TimeSpan.FromMinutes(Math.Max(1, configuration.GetValue("Auth:SessionIdleMinutes", SessionLifetime.Default.Idle.TotalMinutes))),
        TimeSpan.FromHours(Math.Max(0.1, configuration.GetValue("Auth:SessionMaxHours", SessionLifetime.Default.Max.TotalHours))));

    public ThrottleLimits Throttle { get; } = new(
        Math.Max(1, configuration.GetValue("Auth:MaxFailuresPerAccount", ThrottleLimits.Default.PerAccount)),
        Math.Max(1, configuration.GetValue("Auth:MaxFailuresPerClient", ThrottleLimits.Default.PerClient)),
        TimeSpan.FromMinutes(Math.Max(0.1, configuration.GetValue("Auth:FailureWindowMinutes", ThrottleLimits.Default.Window.TotalMinutes))));

    /// <summary>The shortest password a person may set.</summary>
    public int MinPasswordLength { get; } = Math.Max(8, configuration.GetValue("Auth:MinPasswordLength", 12));
}
