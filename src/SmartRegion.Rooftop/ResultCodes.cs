namespace SmartRegion.Rooftop;

/// <summary>What became of a building in a run; its code is what the published data say (<see cref="ResultCodes.Code(BuildingStatus)"/>).</summary>
public enum BuildingStatus
{
    /// <summary><c>ok</c>: computed (its notes, if any, say what was assumed or repaired).</summary>
    Ok,

    /// <summary><c>skipped</c>: not computed, for the <see cref="SkipReason"/> given.</summary>
    Skipped,

    /// <summary><c>failed</c>: the computation broke on it (<c>computation_failed</c>); the detail is in the worker's log.</summary>
    Failed,
}

/// <summary>Why a building has no result.</summary>
public enum SkipReason
{
    /// <summary><c>footprint_too_small</c>: empty, or no part of at least <see cref="SolarParameters.MinFootprintPartAreaM2"/>.</summary>
    FootprintTooSmall,

    /// <summary><c>no_height</c>: no height, roof altitude or storey count.</summary>
    NoHeight,

    /// <summary><c>roof_not_above_ground</c>: a height of zero or less.</summary>
    RoofNotAboveGround,

    /// <summary><c>no_roof_face</c>: no roof face could be inferred from the footprint.</summary>
    NoRoofFace,

    /// <summary><c>station_too_far</c>: the run's weather station is farther than weather.stationMaxKm (the distance is in the result).</summary>
    StationTooFar,

    /// <summary><c>computation_failed</c>: the computation broke on this building (status failed).</summary>
    ComputationFailed,
}

/// <summary>What was assumed or repaired to compute a building.</summary>
public enum ResultNote
{
    /// <summary><c>lod2_degenerate_polygon_ignored</c>: a LOD2 roof polygon without a plane (collinear, zero area, repeated vertices, no altitude).</summary>
    Lod2DegeneratePolygonIgnored,

    /// <summary><c>lod2_vertical_polygon_ignored</c>: a LOD2 "roof" polygon steeper than roof.lod2MaxTiltDeg.</summary>
    Lod2VerticalPolygonIgnored,

    /// <summary><c>footprint_repaired</c>: a self-intersecting footprint, repaired.</summary>
    FootprintRepaired,

    /// <summary><c>footprint_multi_part</c>: a footprint of several parts, a roof inferred for each.</summary>
    FootprintMultiPart,

    /// <summary><c>ground_altitude_unknown</c>: the tile's median ground altitude stood in.</summary>
    GroundAltitudeUnknown,

    /// <summary><c>height_from_storeys</c>: no height, roof.storeyHeightM per storey assumed.</summary>
    HeightFromStoreys,

    /// <summary><c>roof_corrected</c>: the roof faces are a resident's correction (a what-if simulation), not the platform's model.</summary>
    RoofCorrected,

    /// <summary>
    /// <c>roof_pitch_from_covering</c>: no ridge altitude, but a covering laid only on a slope (tiles, slates): pitched at
    /// that material's minimum slope (roof.tilesMinTiltDeg, roof.slatesMinTiltDeg) from the gutter height.
    /// </summary>
    RoofPitchFromCovering,
}

/// <summary>The stable codes of statuses, reasons and notes in the published data (and their English wording for logs).</summary>
public static class ResultCodes
{
    public static string Code(BuildingStatus status) => status switch
    {
        BuildingStatus.Ok => "ok",
        BuildingStatus.Skipped => "skipped",
        BuildingStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static string Code(SkipReason reason) => reason switch
    {
        SkipReason.FootprintTooSmall => "footprint_too_small",
        SkipReason.NoHeight => "no_height",
        SkipReason.RoofNotAboveGround => "roof_not_above_ground",
        SkipReason.NoRoofFace => "no_roof_face",
        SkipReason.StationTooFar => "station_too_far",
        SkipReason.ComputationFailed => "computation_failed",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };

    public static string Code(ResultNote note) => note switch
    {
        ResultNote.Lod2DegeneratePolygonIgnored => "lod2_degenerate_polygon_ignored",
        ResultNote.Lod2VerticalPolygonIgnored => "lod2_vertical_polygon_ignored",
        ResultNote.FootprintRepaired => "footprint_repaired",
        ResultNote.FootprintMultiPart => "footprint_multi_part",
        ResultNote.GroundAltitudeUnknown => "ground_altitude_unknown",
        ResultNote.HeightFromStoreys => "height_from_storeys",
        ResultNote.RoofCorrected => "roof_corrected",
        ResultNote.RoofPitchFromCovering => "roof_pitch_from_covering",
        _ => throw new ArgumentOutOfRangeException(nameof(note)),
    };
}
