using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using SmartRegion.Testing;

namespace SmartRegion.Web.Tests;

/// <summary>
/// Everything the browser tests share, made once per run: a fresh database with the demo district loaded through
/// the real CLI (<c>sample demo</c>: buildings, addresses, weather and the solar computation, which also publishes
/// the solar datasets), the real Api on Kestrel at 127.0.0.1 on a free port, and one headless Debian chromium.
/// </summary>
public sealed class WebSite : IAsyncLifetime
{
    /// <summary>Buildings in the demo district the tests load (fewer than the demo's 2,000: the computation is most of the set-up).</summary>
    public const int DemoBuildings = 300;

    private IPlaywright? _playwright;
    private WebApplicationFactory<Program>? _factory;

    public TestDatabase Database { get; } = new();

    /// <summary>The Api's address, http://127.0.0.1:port.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: .smartregion/test-artifacts/web/ in the checkout.</summary>
    public static string ArtifactsFolder { get; } = Path.Combine(SharedData.RepositoryRoot, ".smartregion", "test-artifacts", "web");

    /// <summary>The real host's services (for tests that arrange rows directly, e.g. accounts).</summary>
    public IServiceProvider Services => _factory!.Services;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(ArtifactsFolder);
        await Database.InitializeAsync();
        var demo = RunCliAsync(["sample", "demo", "--out", Path.Combine(Path.GetTempPath(), $"sr-web-demo-{Guid.NewGuid():N}"),
            "--buildings", DemoBuildings.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

        (_factory, var baseAddress) = StartHost(Database.ApiConnectionString);
        BaseAddress = baseAddress;

        // Generous waits: the tests share two cores with builds and other suites (load averages of 40+ were seen).
        Assertions.SetDefaultExpectTimeout(20_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath(),
            Headless = true,
            // The brief's flags; a fresh profile comes with launch() itself (Playwright refuses --user-data-dir here).
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
            ],
        });
        await demo;
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        await Database.DisposeAsync();
    }

    /// <summary>Runs the operator CLI (the built SmartRegion.Pipelines.dll beside this assembly's build) on the test database.</summary>
    public async Task<string> RunCliAsync(IReadOnlyList<string> args, string? connectionString = null)
    {
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var cli = Path.Combine(bin.Parent!.Parent!.FullName, "SmartRegion.Pipelines", bin.Name, "SmartRegion.Pipelines.dll");
        if (!File.Exists(cli))
        {
            throw new FileNotFoundException($"the CLI is not built: {cli}");
        }
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(cli);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["SMARTREGION_DB"] = connectionString ?? Database.ConnectionString;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"smartregion {string.Join(' ', args)} exited {process.ExitCode}:\n{await stderr}");
        }
        return await stdout;
    }

    private static string ChromiumPath()
    {
        var path = Environment.GetEnvironmentVariable("SMARTREGION_CHROMIUM") is { Length: > 0 } env ? env : "/usr/bin/chromium";
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"Debian's chromium is not installed at {path} (./smartregion test installs it; or set SMARTREGION_CHROMIUM)");
    }

    /// <summary>
    /// Starts the real Api on Kestrel at 127.0.0.1 on a free port over <paramref name="connectionString"/>, with any other
    /// settings and services (a test's second site on another database uses it too); dispose the factory to stop it.
    /// </summary>
    public static (WebApplicationFactory<Program> Factory, Uri BaseAddress) StartHost(
        string connectionString, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var factory = new SiteFactory(connectionString, settings, services);
        factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var baseAddress = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        Assert.Equal("127.0.0.1", baseAddress.Host);
        return (factory, baseAddress);
    }

    private sealed class SiteFactory(string connectionString, IReadOnlyDictionary<string, string?>? settings, Action<IServiceCollection>? services)
        : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            // The API's least-privilege login, never the owner (issue 18, property 13): a page that needs more fails here.
            builder.UseSetting("ConnectionStrings:SmartRegion", TestDatabase.RequireApiLogin(connectionString));
            builder.UseSetting("Web:Root", Path.Combine(SharedData.RepositoryRoot, "web"));
            foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
            {
                builder.UseSetting(name, value);
            }
            builder.UseEnvironment("Testing");
            if (services is not null)
            {
                builder.ConfigureTestServices(services);
            }
        }
    }
}
