namespace SmartRegion.Data.Solar;

/// <summary>
/// Which solar results are served (issue 18, property 4: the solar API obeys the catalogue): for each building, its latest
/// result from a complete run whose catalogue version was not withdrawn by a rollback of the platform's solar datasets.
/// Every read of the results (solar API, 3D tiles, heat map, barometer) takes its rows through these fragments.
/// </summary>
public static class ServedSolarResults
{
    /// <summary>A condition on a <c>solar.run</c> row aliased <paramref name="run"/>: complete and not withdrawn.</summary>
    public static string RunIsServed(string run) => $"""
        {run}.status = 'complete' AND NOT EXISTS (
            SELECT 1 FROM catalog.dataset_version served_w
            WHERE served_w.withdrawn_at IS NOT NULL AND served_w.format = 'solar-run' AND (served_w.provenance ->> 'runId')::bigint = {run}.id)
        """;

    /// <summary>The served run of the building whose id is the SQL expression <paramref name="buildingId"/> (null when none): a scalar subquery.</summary>
    public static string RunOf(string buildingId) => $"""
        (SELECT served_br.run_id FROM solar.building_result served_br
         JOIN solar.run served_r ON served_r.id = served_br.run_id AND {RunIsServed("served_r")}
         WHERE served_br.building_id = {buildingId} ORDER BY served_br.run_id DESC LIMIT 1)
        """;

    /// <summary>Every building's served result (the rows of <c>solar.building_result</c>): a derived table to alias.</summary>
    public static readonly string Latest = $"""
        (SELECT DISTINCT ON (served_br.building_id) served_br.* FROM solar.building_result served_br
         JOIN solar.run served_r ON served_r.id = served_br.run_id AND {RunIsServed("served_r")}
         ORDER BY served_br.building_id, served_br.run_id DESC)
        """;

    /// <summary>The newest served run's id (null when none): what the 3D tiles are built from.</summary>
    public static readonly string LatestRunId = $"SELECT max(served_r.id) FROM solar.run served_r WHERE {RunIsServed("served_r")}";
}
