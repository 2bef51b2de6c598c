using System.Xml.Linq;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests;

/// <summary>STYLE.md's arrows point down only; this reads the .csproj files and fails when one points the wrong way.</summary>
public sealed class ArchitectureTests
{
    // What each project may reference (projects) and which packages are off limits.
    private static readonly Dictionary<string, string[]> AllowedProjectReferences = new()
    {
        ["SmartRegion.Solar"] = [],
        // Geo turns geometry into the numbers Solar needs, in Solar's conventions (Solar.Angles is their one owner).
        ["SmartRegion.Geo"] = ["SmartRegion.Solar"],
        ["SmartRegion.Parquet"] = [],
        // The rooftop engine: the science and the geometry, nothing that stores, serves or parses a command line.
        ["SmartRegion.Rooftop"] = ["SmartRegion.Geo", "SmartRegion.Solar"],
        ["SmartRegion.Data"] = ["SmartRegion.Solar", "SmartRegion.Geo", "SmartRegion.Parquet", "SmartRegion.Rooftop"],
        ["SmartRegion.Api"] = ["SmartRegion.Data", "SmartRegion.Solar", "SmartRegion.Geo", "SmartRegion.Parquet", "SmartRegion.Rooftop"],
        ["SmartRegion.Pipelines"] = ["SmartRegion.Data", "SmartRegion.Solar", "SmartRegion.Geo", "SmartRegion.Parquet", "SmartRegion.Rooftop"],
    };

    private static readonly Dictionary<string, string[]> AllowedPackages = new()
    {
        ["SmartRegion.Solar"] = [],
        ["SmartRegion.Parquet"] = ["ZstdSharp.Port", "Snappier"],
        ["SmartRegion.Geo"] = ["NetTopologySuite", "ProjNET", "Microsoft.Data.Sqlite", "SharpGLTF.Core"],
        ["SmartRegion.Rooftop"] = [],
    };

    public static TheoryData<string> Projects => new(AllowedProjectReferences.Keys);

    [Theory]
    [MemberData(nameof(Projects))]
    public void ProjectReferences_PointDownOnly(string project)
    {
        var references = ReadProject(project).Descendants("ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToList();
        var wrong = references.Except(AllowedProjectReferences[project]).ToList();
        Assert.True(wrong.Count == 0, $"{project} must not reference {string.Join(", ", wrong)}");
    }

    [Theory]
    [InlineData("SmartRegion.Solar")]
    [InlineData("SmartRegion.Geo")]
    [InlineData("SmartRegion.Parquet")]
    [InlineData("SmartRegion.Rooftop")]
    public void KernelProjects_UseNoDatabaseOrHttpPackages(string project)
    {
        var xml = ReadProject(project);
        var packages = xml.Descendants("PackageReference").Select(e => e.Attribute("Include")!.Value).ToList();
        var wrong = packages.Except(AllowedPackages[project]).ToList();
        Assert.True(wrong.Count == 0, $"{project} must not use the package(s) {string.Join(", ", wrong)}");
        Assert.DoesNotContain(xml.Descendants("FrameworkReference"), e => e.Attribute("Include")!.Value.Contains("AspNetCore", StringComparison.Ordinal));
        Assert.Equal("Microsoft.NET.Sdk", xml.Root!.Attribute("Sdk")!.Value);
    }

    [Fact]
    public void ApiAndPipelines_DoNotReferenceEachOther()
    {
        Assert.DoesNotContain(ReadProject("SmartRegion.Api").Descendants("ProjectReference"),
            e => e.Attribute("Include")!.Value.Contains("Pipelines", StringComparison.Ordinal));
        Assert.DoesNotContain(ReadProject("SmartRegion.Pipelines").Descendants("ProjectReference"),
            e => e.Attribute("Include")!.Value.Contains("Api", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("SmartRegion.Solar.Tests")]
    [InlineData("SmartRegion.Geo.Tests")]
    [InlineData("SmartRegion.Parquet.Tests")]
    [InlineData("SmartRegion.Rooftop.Tests")]
    public void KernelTestProjects_StartNoDatabase(string project)
    {
        // The kernels use no database, so their tests need none: a test comparing with PostGIS belongs to SmartRegion.Data.Tests.
        var folder = Path.Combine(SharedData.RepositoryRoot, "tests", project);
        var users = Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains("TestDatabase", StringComparison.Ordinal))
            .Select(Path.GetFileName)
            .ToList();
        Assert.True(users.Count == 0, $"{project} uses the database fixture in {string.Join(", ", users)}");
    }

    [Fact]
    public void EveryProductProject_IsCheckedHere()
    {
        var onDisk = Directory.GetFiles(Path.Combine(SharedData.RepositoryRoot, "src"), "*.csproj", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(SharedData.RepositoryRoot, "data-pipelines"), "*.csproj", SearchOption.AllDirectories))
            .Select(Path.GetFileNameWithoutExtension)
            .Order()
            .ToList();
        Assert.Equal(AllowedProjectReferences.Keys.Order(), onDisk);
    }

    private static XDocument ReadProject(string name)
    {
        var folder = name == "SmartRegion.Pipelines" ? "data-pipelines" : "src";
        var path = Path.Combine(SharedData.RepositoryRoot, folder, name, name + ".csproj");
        return XDocument.Load(path);
    }
}
