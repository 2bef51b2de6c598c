using Xunit;

namespace SmartRegion.Testing;

/// <summary>
/// The real open data in <c>../shared/data/</c> beside the checkout (or <c>SMARTREGION_SHARED_DATA</c>).
/// When it is missing, a test fails under CI and is skipped with a clear message otherwise.
/// </summary>
public static class SharedData
{
    /// <summary>The repository root (the folder holding SmartRegion.sln).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The folder with the real data, whether or not it exists.</summary>
    public static string Folder =>
        Environment.GetEnvironmentVariable("SMARTREGION_SHARED_DATA") is { Length: > 0 } env
            ? env
            : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data"));

    /// <summary>The full path of a real data file; fails under CI and skips otherwise when it is missing.</summary>
    public static string Require(string relativePath)
    {
        var path = Path.Combine(Folder, relativePath);
        if (File.Exists(path))
        {
            return path;
        }
        var message = $"real data file {relativePath} not found in {Folder} (set SMARTREGION_SHARED_DATA or place ../shared/data beside the checkout)";
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Assert.Fail(message);
        }
        Assert.Skip(message);
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SmartRegion.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"SmartRegion.sln not found above {AppContext.BaseDirectory}");
    }
}
