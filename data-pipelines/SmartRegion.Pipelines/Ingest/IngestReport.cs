using System.Text.Json;
using SmartRegion.Data.RegionLoading;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Pipelines.Ingest;

/// <summary>The JSON report of one ingest run (also summarised on one line).</summary>
internal sealed class IngestReport
{
    // Keep the report readable for a file full of errors: the counts stay exact, the lists are capped.
    private const int MaxListed = 1000;

    public required string Kind { get; init; }
    public required string File { get; init; }
    public string? Format { get; set; }
    public string? SourceCrs { get; set; }
    public required string Source { get; init; }
    public long? RunId { get; set; }
    public string Status { get; set; } = "running";
    public string? FileSha256 { get; set; }
    public int Read { get; set; }
    public int Accepted { get; set; }
    public int Repaired { get; set; }
    public int Rejected { get; set; }
    public int Warnings { get; set; }
    public int Inserted { get; set; }
    public int Updated { get; set; }
    public int Unchanged { get; set; }
    public int Retired { get; set; }
    public int Filtered { get; set; }
    public double DurationS { get; set; }

    /// <summary>Time of the set-based merge at the end (the rest streams while the file is read).</summary>
    public double MergeS { get; set; }
    public double RowsPerS { get; set; }
    public string? Error { get; set; }
    public List<FeatureProblem> Rejections { get; } = [];
    public List<FeatureProblem> Repairs { get; } = [];
    public List<FeatureProblem> WarningList { get; } = [];

    public void Reject(FeatureProblem p)
    {
        Rejected++;
        if (Rejections.Count < MaxListed)
        {
            Rejections.Add(p);
        }
    }

    public void Repair(FeatureProblem p)
    {
        Repaired++;
        if (Repairs.Count < MaxListed)
        {
            Repairs.Add(p);
        }
    }

    public void Warn(FeatureProblem p)
    {
        Warnings++;
        if (WarningList.Count < MaxListed)
        {
            WarningList.Add(p);
        }
    }

    /// <summary>Turns the features the merge dropped for a repeated id from accepted into rejected (with their repairs and warnings).</summary>
    public void DropDuplicates(BuildingMergeCounts merged)
    {
        if (merged.Duplicates == 0)
        {
            return;
        }
        Accepted -= merged.Duplicates;
        Repaired -= merged.DuplicatesRepaired;
        Warnings -= merged.DuplicateWarnings;
        var dropped = merged.DuplicateList.Select(d => d.FeatureIndex).ToHashSet();
        Repairs.RemoveAll(p => dropped.Contains(p.FeatureIndex));
        WarningList.RemoveAll(p => dropped.Contains(p.FeatureIndex));
        foreach (var d in merged.DuplicateList)
        {
            Reject(new FeatureProblem(d.FeatureIndex, null, d.SourceId, "id", $"duplicate id '{d.SourceId}' (first at feature {d.FirstIndex}); only the first is loaded"));
        }
        // Beyond the listed ones only the count is kept (the report's lists are capped anyway).
        Rejected += merged.Duplicates - merged.DuplicateList.Count;
    }

    public string SummaryLine() =>
        $"{Kind} {Path.GetFileName(File)}: {Status}; read {Read}, accepted {Accepted} (inserted {Inserted}, updated {Updated}, unchanged {Unchanged}), " +
        $"repaired {Repaired}, rejected {Rejected}, warnings {Warnings}" + (Retired > 0 ? $", retired {Retired}" : "") +
        (Filtered > 0 ? $", filtered {Filtered}" : "") + $" in {DurationS:F2} s ({RowsPerS:N0} rows/s)" + (RunId is { } id ? $"; run {id}" : "") +
        (Rejected > 0 && Rejections.Count > 0 ? $"; first rejection: {Describe(Rejections[0])}" : "");

    public static string Describe(FeatureProblem p) =>
        (p.Line is { } l ? $"line {l}" : $"feature {p.FeatureIndex}") + (p.SourceId is null ? "" : $" ({p.SourceId})") +
        (p.Field is null ? "" : $", field {p.Field}") + $": {p.Reason}";

    public void WriteTo(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }
        System.IO.File.WriteAllText(path, JsonSerializer.Serialize(this, IngestReportJson.Cli.IngestReport));
    }
}
