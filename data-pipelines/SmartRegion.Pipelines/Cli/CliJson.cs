using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SmartRegion.Pipelines.Cli;

/// <summary>The CLI's JSON output: camelCase, units in the names, one document on stdout.</summary>
internal static class CliJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict,
    };

    public static void Write<T>(T value, TextWriter? output = null)
    {
        var writer = output ?? Console.Out;
        writer.WriteLine(JsonSerializer.Serialize(value, Options));
    }
}
