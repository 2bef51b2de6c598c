using System.Text.Json;
using System.Text.Json.Serialization;
using SmartRegion.Pipelines.Cli;

namespace SmartRegion.Pipelines.Ingest;

// The options each kind of run records in region.ingest_run.options (the names it has always had).
internal sealed record BuildingRunOptions(bool Strict, bool DryRun, bool ReplaceSource, string? Layer, string? IdField, [property: JsonPropertyName("srs")] int? Srs);

internal sealed record AddressRunOptions(string? LatColumn, string? LonColumn);

internal sealed record WeatherRunOptions([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("timeShiftMin")] double? TimeShiftMin);

internal sealed record BoundaryRunOptions(string Level, string? CodeField, string? NameField);

/// <summary>
/// The JSON every ingest writes (its run's options, its report), generated at build time: reflection-based serialization emitted
/// code at run time, about a tenth of a small file's whole load.
/// </summary>
[JsonSerializable(typeof(BuildingRunOptions))]
[JsonSerializable(typeof(AddressRunOptions))]
[JsonSerializable(typeof(WeatherRunOptions))]
[JsonSerializable(typeof(BoundaryRunOptions))]
internal sealed partial class IngestRunJson : JsonSerializerContext
{
    public static string Write(BuildingRunOptions o) => JsonSerializer.Serialize(o, Default.BuildingRunOptions);

    public static string Write(AddressRunOptions o) => JsonSerializer.Serialize(o, Default.AddressRunOptions);

    public static string Write(WeatherRunOptions o) => JsonSerializer.Serialize(o, Default.WeatherRunOptions);

    public static string Write(BoundaryRunOptions o) => JsonSerializer.Serialize(o, Default.BoundaryRunOptions);
}

/// <summary>The report file, with the CLI's JSON options (<see cref="CliJson.Options"/>).</summary>
[JsonSerializable(typeof(IngestReport))]
internal sealed partial class IngestReportJson : JsonSerializerContext
{
    public static readonly IngestReportJson Cli = new(new JsonSerializerOptions(CliJson.Options));
}
