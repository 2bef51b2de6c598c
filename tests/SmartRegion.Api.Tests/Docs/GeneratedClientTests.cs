using System.Collections;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NJsonSchema.CodeGeneration.CSharp;
using NSwag;
using NSwag.CodeGeneration.CSharp;
using SmartRegion.Api.Tests.Catalog;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Docs;

/// <summary>
/// A client generated from the live OpenAPI document by a standard generator (NSwag), compiled with Roslyn and called:
/// the typed schemas must be good enough for a developer's client to read real answers into typed objects.
/// </summary>
public sealed class GeneratedClientTests(TestDatabase db) : CatalogTest(db)
{
    [Fact]
    public async Task NswagClient_FromLiveDocument_ReadsExploreCatalogueAndSolarAnswersTyped()
    {
        var published = await Explore.ExploreKit.PublishAsync(Kit);
        using var http = Kit.Client();
        var json = await http.GetStringAsync("/openapi/v1.json", Ct);
        var document = await OpenApiDocument.FromJsonAsync(json, Ct);
        var settings = new CSharpClientGeneratorSettings
        {
            ClassName = "SmartRegionClient",
            UseBaseUrl = false,
            GenerateClientInterfaces = false,
            CSharpGeneratorSettings = { Namespace = "Generated", JsonLibrary = CSharpJsonLibrary.SystemTextJson },
        };
        var code = new CSharpClientGenerator(document, settings).GenerateFile();
        var assembly = Compile(code);
        var clientType = assembly.GetType("Generated.SmartRegionClient")!;
        var client = Activator.CreateInstance(clientType, http)!;

        // Explore: the records page of the schools, read into the generated ExploreRecordsPage type.
        var page = await CallAsync(client, "ExploreRecordsAsync", ("dataset_id", published.Id), ("where", "commune = \"Pantin\""), ("order_by", "id"), ("limit", 10));
        Assert.Equal("ExploreRecordsPage", page!.GetType().Name);
        Assert.Equal(2L, Get(page, "Total_count"));
        Assert.Equal(2, ((ICollection)Get(page, "Results")!).Count);

        // Catalogue (explore): the dataset's metadata and fields.
        var info = await CallAsync(client, "ExploreDatasetAsync", ("dataset_id", published.Id));
        Assert.Equal(published.Id, Get(info!, "Dataset_id"));
        Assert.Equal(7, ((ICollection)Get(info!, "Fields")!).Count);

        // Solar: no building is computed here, so the typed client raises the documented 404.
        var error = await Assert.ThrowsAnyAsync<Exception>(() => CallAsync(client, "SolarBuildingAsync", ("id", "999999999")));
        Assert.Equal(404, (int)error.GetType().GetProperty("StatusCode")!.GetValue(error)!);
    }

    private static Assembly Compile(string code)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create($"generated_{Guid.NewGuid():N}", [CSharpSyntaxTree.ParseText(code)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(10)));
        stream.Position = 0;
        return new AssemblyLoadContext(null, isCollectible: true).LoadFromStream(stream);
    }

    /// <summary>Calls a generated method by its parameters' names (the generator's casing and order are its own).</summary>
    private static async Task<object?> CallAsync(object client, string method, params (string Name, object Value)[] args)
    {
        static string Key(string s) => s.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        var m = client.GetType().GetMethods().First(x => x.Name == method && !x.GetParameters().Any(p => p.ParameterType == typeof(CancellationToken)));
        var full = m.GetParameters().Select(p =>
        {
            var given = args.Where(a => Key(a.Name) == Key(p.Name!)).Select(a => (object?)a.Value).FirstOrDefault();
            var type = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
            return given is null ? null : type == typeof(string) ? given.ToString() : Convert.ChangeType(given, type, System.Globalization.CultureInfo.InvariantCulture);
        }).ToArray();
        Assert.True(args.All(a => m.GetParameters().Any(p => Key(p.Name!) == Key(a.Name))),
            $"{method}({string.Join(", ", m.GetParameters().Select(p => $"{p.ParameterType.Name} {p.Name}"))}) lacks one of {string.Join(", ", args.Select(a => a.Name))}");
        var task = (Task)m.Invoke(client, full)!;
        await task;
        return task.GetType().GetProperty("Result")?.GetValue(task);
    }

    private static object? Get(object o, string property) =>
        o.GetType().GetProperty(property, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)!.GetValue(o);
}
