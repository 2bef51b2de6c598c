using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace SmartRegion.Testing;

/// <summary>The Khronos glTF-Validator (npm <c>gltf-validator</c>, run by node) on GLB files.</summary>
public static class GltfValidator
{
    /// <summary>One file's result: its error, warning and info counts and the validator's messages.</summary>
    public sealed record Report(string File, int NumErrors, int NumWarnings, int NumInfos, string[] Messages);

    /// <summary>Validates the files; fails under CI and skips otherwise when node or the npm package is missing.</summary>
    public static async Task<IReadOnlyList<Report>> ValidateAsync(IReadOnlyCollection<string> files, CancellationToken cancellationToken)
    {
        var root = SharedData.RepositoryRoot;
        var script = Path.Combine(root, "tests", "web", "tools", "validate-glb.mjs");
        if (!Directory.Exists(Path.Combine(root, "node_modules", "gltf-validator")))
        {
            var message = "node_modules/gltf-validator is missing: run npm install (./smartregion test does)";
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
            {
                Assert.Fail(message);
            }
            Assert.Skip(message);
        }
        var start = new ProcessStartInfo("node") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var f in files)
        {
            start.ArgumentList.Add(f);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"gltf-validator failed ({process.ExitCode}): {await stderr}");
        }
        return JsonSerializer.Deserialize<Report[]>(await stdout, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }
}
