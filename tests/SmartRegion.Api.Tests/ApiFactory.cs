using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace SmartRegion.Api.Tests;

/// <summary>
/// The real host, in memory, pointed at a given database, with optional extra settings (name → value). On the run's
/// database it connects as the API's least-privilege login (<see cref="SmartRegion.Testing.TestDatabase.ApiConnectionString"/>;
/// the owner's string is refused), as deployments do: an endpoint that needs more privilege fails its tests.
/// </summary>
public sealed class ApiFactory(string connectionString, IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    /// <summary>The public base URL the test host is configured with (links in documents start with it).</summary>
    public const string PublicBaseUrl = "https://data.region.test";

    /// <summary>A request header that sets the client's address in the in-memory server (which has none).</summary>
    public const string RemoteAddressHeader = "X-Test-Remote-Address";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:SmartRegion", SmartRegion.Testing.TestDatabase.RequireApiLogin(connectionString));
        builder.UseSetting("Web:Root", Path.Combine(SmartRegion.Testing.SharedData.RepositoryRoot, "web"));
        builder.UseSetting("PublicBaseUrl", PublicBaseUrl);
        // Tests share one anonymous address: budgets large enough for the suite (RateLimitTests sets its own).
        builder.UseSetting("RateLimits:AnonymousPerMinute", "1000000");
        builder.UseSetting("RateLimits:KeyPerMinute", "1000000");
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(name, value);
        }
        builder.UseEnvironment("Testing");
        // Tests share one database: no background 3D tiles build over other tests' rows (Tiles3dApiTests builds on demand).
        builder.UseSetting("Tiles3d:AutoBuild", "false");
        builder.ConfigureServices(services => services.AddTransient<IStartupFilter, TestRemoteAddress>());
    }

    /// <summary>
    /// Gives every in-memory request a client address, as Kestrel would: the <see cref="RemoteAddressHeader"/>'s, else
    /// loopback. Runs before the host's own pipeline; a request whose test set an address keeps it.
    /// </summary>
    private sealed class TestRemoteAddress : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((ctx, nextMiddleware) =>
            {
                ctx.Connection.RemoteIpAddress ??= ctx.Request.Headers.TryGetValue(RemoteAddressHeader, out var value)
                    ? IPAddress.Parse(value.ToString())
                    : IPAddress.Loopback;
                return nextMiddleware(ctx);
            });
            next(app);
        };
    }
}
