namespace SmartRegion.Rooftop;

/// <summary>A what-if's answer: the building's result and its report, marked as a simulation.</summary>
public sealed record WhatIfResult(BuildingResult Result, string ReportJson);

/// <summary>
/// One building computed on demand with a resident's correction (issue 14, "what if"): the same computation as a run's
/// (<see cref="TileComputer"/>: the neighbours cast shade, the building's own corrected faces too), the run's weather and
/// model, and the report in the stored reports' shape with a <c>simulation</c> member first. Nothing is stored.
/// </summary>
public static class WhatIf
{
    /// <param name="buildings">The building (the one target, with its <see cref="BuildingInput.Facts"/>) and every building within the run's horizon radius.</param>
    /// <param name="run">The run whose weather and model the building's stored result came from, with the what-if's parameters (<see cref="SolarRunContext.WithParameters"/>).</param>
    /// <param name="simulationJson">What the report says of the simulation (a JSON object).</param>
    public static WhatIfResult Compute(
        IReadOnlyList<BuildingInput> buildings, SolarRunContext run, RoofCorrection correction, string simulationJson, DateTimeOffset computedAt)
    {
        var target = buildings.Single(b => b.IsTarget);
        var facts = target.Facts ?? throw new ArgumentException("the what-if's building comes without its facts", nameof(buildings));
        var provenance = run.Provenance ?? throw new ArgumentException("a what-if runs within a stored run", nameof(run));
        // The report is written here, with the simulation member: the tile computation writes none without facts.
        var inputs = buildings.Select(b => b.IsTarget ? b with { Facts = null } : b).ToList();
        var result = TileComputer.Compute(inputs, run, corrections: new Dictionary<long, RoofCorrection> { [target.Id] = correction }).Single();
        var report = ReportDocument.Write(result, facts, provenance, run.ToWgs84.Value!, simulationJson);
        return new WhatIfResult(result, ReportDocument.CompleteProvenance(report, ReportDocument.ProvenanceMembers(computedAt, run.Parameters.DocumentJson)));
    }
}
