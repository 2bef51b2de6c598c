using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Operations;

/// <summary>
/// The real API host as its own process (the build's SmartRegion.Api.dll) on a free loopback port, its output captured
/// line by line: for what an in-memory host cannot show (console logs, signals, kill -9).
/// </summary>
internal sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private ApiProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Every line written to standard output so far.</summary>
    public IReadOnlyList<string> StandardOutput => _stdout.ToArray();

    /// <summary>Every line written to standard error so far.</summary>
    public IReadOnlyList<string> StandardError => _stderr.ToArray();

    /// <summary>The Api's build output beside this test assembly's (artifacts/bin/SmartRegion.Api/&lt;config&gt;/).</summary>
    public static string ApiDll
    {
        get
        {
            var sep = Path.DirectorySeparatorChar;
            var dll = Path.Combine(AppContext.BaseDirectory.Replace($"{sep}SmartRegion.Api.Tests{sep}", $"{sep}SmartRegion.Api{sep}", StringComparison.Ordinal),
                "SmartRegion.Api.dll");
            Assert.True(File.Exists(dll), $"the API's build output is missing: {dll}");
            return dll;
        }
    }

    /// <summary>Starts the host and waits until it answers /healthz/live (and /healthz/ready unless told not to).</summary>
    /// <param name="launcher">A command the host is started through (e.g. <c>unshare -m …</c>), its arguments followed by <c>dotnet Api.dll</c>.</param>
    public static async Task<ApiProcess> StartAsync(
        string connectionString, IReadOnlyDictionary<string, string>? environment = null, bool waitReady = true, int? port = null,
        IReadOnlyList<string>? launcher = null)
    {
        var chosen = port ?? FreePort();
        var start = launcher is { Count: > 0 }
            ? new ProcessStartInfo(launcher[0], [.. launcher.Skip(1), "dotnet", ApiDll])
            : new ProcessStartInfo("dotnet", [ApiDll]);
        start = new ProcessStartInfo(start.FileName, start.ArgumentList)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.Environment["SMARTREGION_DB"] = TestDatabase.RequireApiLogin(connectionString);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{chosen}";
        start.Environment["Web__Root"] = Path.Combine(SharedData.RepositoryRoot, "web");
        start.Environment["DOTNET_gcServer"] = "0";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var api = new ApiProcess(process, chosen);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                api._stdout.Enqueue(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                api._stderr.Enqueue(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await api.WaitUntilAsync(waitReady ? "/healthz/ready" : "/healthz/live", TimeSpan.FromSeconds(90));
        return api;
    }

    /// <summary>Polls <paramref name="path"/> until it answers 200; fails with the process's output otherwise.</summary>
    public async Task WaitUntilAsync(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"the API exited with {_process.ExitCode}:\n{string.Join('\n', StandardError.TakeLast(30))}\n{string.Join('\n', StandardOutput.TakeLast(30))}");
            }
            try
            {
                using var response = await probe.GetAsync(path);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"the API did not answer {path} within {timeout.TotalSeconds} s:\n{string.Join('\n', StandardOutput.TakeLast(30))}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Sends a POSIX signal (15 = SIGTERM, 9 = SIGKILL) with kill(1).</summary>
    public void Signal(int signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardError = true,
        })!;
        kill.WaitForExit();
        if (kill.ExitCode != 0 && !_process.HasExited)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} failed: {kill.StandardError.ReadToEnd()}");
        }
    }

    /// <summary>Waits for the process to exit; false after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            // The asynchronous readers deliver the last lines after the exit.
            _process.WaitForExit();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGTERM and a wait (the host's graceful stop), then SIGKILL if it has not exited.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }
        Signal(15);
        if (!await WaitForExitAsync(TimeSpan.FromSeconds(30)))
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await StopAsync();
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
