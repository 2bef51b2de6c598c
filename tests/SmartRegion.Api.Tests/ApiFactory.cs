using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace SmartRegion.Api.Tests;

/// <summary>The real host, in memory, pointed at a given database.</summary>
public sealed class ApiFactory(string connectionString) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:SmartRegion", connectionString);
        builder.UseSetting("Web:Root", Path.Combine(SmartRegion.Testing.SharedData.RepositoryRoot, "web"));
        builder.UseEnvironment("Testing");
    }
}
