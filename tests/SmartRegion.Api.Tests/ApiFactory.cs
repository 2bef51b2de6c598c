using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace SmartRegion.Api.Tests;

/// <summary>The real host, in memory, pointed at a given database, with optional extra settings (name → value).</summary>
public sealed class ApiFactory(string connectionString, IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    /// <summary>The public base URL the test host is configured with (links in documents start with it).</summary>
    public const string PublicBaseUrl = "https://data.region.test";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:SmartRegion", connectionString);
        builder.UseSetting("Web:Root", Path.Combine(SmartRegion.Testing.SharedData.RepositoryRoot, "web"));
        builder.UseSetting("PublicBaseUrl", PublicBaseUrl);
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(name, value);
        }
        builder.UseEnvironment("Testing");
        // Tests share one database: no background 3D tiles build over other tests' rows (Tiles3dApiTests builds on demand).
        builder.UseSetting("Tiles3d:AutoBuild", "false");
    }
}
