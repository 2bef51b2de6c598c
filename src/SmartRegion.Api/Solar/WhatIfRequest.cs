using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Valid;
using SmartRegion.Geo;
using SmartRegion.Geo.Crs;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Api.Solar;

/// <summary>A what-if request the API refuses: <see cref="Field"/> is where (a JSON path such as <c>roofFaces[1].tiltDeg</c>).</summary>
internal sealed class WhatIfInputException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>A corrected face as asked: its outline (storage CRS, 2D) and, when the request gave altitudes, its lowest one.</summary>
internal sealed record WhatIfFace(Polygon Plan, double TiltDeg, double AzimuthDeg, double? LowestAltitudeM);

/// <summary>An area to keep free, as asked: its face (1-based), its kind, its outline (storage CRS, 2D), its height above the face (m).</summary>
internal sealed record WhatIfObstacle(int FaceNo, string Kind, Polygon Plan, double HeightM = 0);

/// <summary>
/// A what-if request, read and checked field by field (POST /api/v1/solar/buildings/{id}/what-if): the corrected roof
/// faces, the areas to keep free, the module and the financial assumptions. Every refusal names its field.
/// </summary>
/// <param name="Overrides">The module and finance values in config/solar-defaults.json's shape (bare values), merged into the run's parameters.</param>
/// <param name="Corrected">The members the request gave (<c>roofFaces</c>, <c>obstacles</c>, <c>module</c>, <c>finance</c>), for the report.</param>
internal sealed record WhatIfRequest(IReadOnlyList<WhatIfFace>? RoofFaces, IReadOnlyList<WhatIfObstacle> Obstacles, JsonObject Overrides, IReadOnlyList<string> Corrected)
{
    /// <summary>The largest body read (4 MiB: a hundred faces of a thousand vertices each take about 4 MB, a few obstacles a few kB).</summary>
    public const int MaxBodyBytes = 4 << 20;

    /// <summary>At most this many corrected faces (the largest LOD2 roofs of Paris have a few dozen).</summary>
    public const int MaxRoofFaces = 100;

    /// <summary>At most this many areas to keep free (a roof of many dormers and vents has tens).</summary>
    public const int MaxObstacles = 200;

    /// <summary>At most this many positions in one ring, and rings in one polygon.</summary>
    public const int MaxRingPositions = 1000, MaxRings = 20;

    /// <summary>Altitudes (NGF-IGN69, m) a roof can have: below the Dead Sea shore to above Mont Blanc.</summary>
    public const double MinAltitudeM = -500, MaxAltitudeM = 5000;

    /// <summary>
    /// Rated power per module area at most this (W/m² at STC): 30 % efficiency; the best commercial modules reach about 24 %
    /// (2025 datasheets), so more is a typing error, not a module.
    /// </summary>
    public const double MaxModuleWpPerM2 = 300;

    /// <summary>The kinds of areas to keep free; <c>other</c> for anything else.</summary>
    public static readonly string[] ObstacleKinds = ["chimney", "dormer", "window", "skylight", "vent", "antenna", "tree", "other"];

    /// <summary>
    /// An obstacle rises at most this far above its face (m): an industrial chimney stack or a tall tree over the roof;
    /// more is a typing error.
    /// </summary>
    public const double MaxObstacleHeightM = 50;

    private static readonly GeometryFactory Factory = new(new PrecisionModel(), RegionSettings.Srid);
    private static readonly GeometryFactory Wgs84 = new(new PrecisionModel(), 4326);

    private static readonly string[] Members = ["roofFaces", "obstacles", "module", "finance"];

    /// <summary>The module members (module.* of the defaults): name, range, whether the minimum itself is refused.</summary>
    private static readonly (string Name, double Min, double Max, bool MinExclusive)[] ModuleMembers =
    [
        ("peakPowerWp", 0, 1000, true),
        ("lengthM", 0.2, 3, false),
        ("widthM", 0.2, 3, false),
        ("gapM", 0, 0.5, false),
    ];

    /// <summary>The finance members: request name, the defaults' member it sets, range, whole number, size band field (null: not banded).</summary>
    private static readonly (string Name, string Member, double Min, double Max, bool Integer, string? Band)[] FinanceMembers =
    [
        ("electricityPriceEurPerKwh", "electricityPriceEurPerKwh", 0, 5, false, null),
        ("electricityPriceEscalationPerYear", "electricityPriceEscalationPerYear", -0.1, 0.2, false, null),
        ("householdConsumptionKwhPerYear", "householdConsumptionKwhPerYear", 0, 1_000_000, false, null),
        ("installedCostEurPerKwp", "installedCostEurPerKwpByBand", 0, 20_000, false, "eurPerKwp"),
        ("selfConsumptionPremiumEurPerKwp", "selfConsumptionPremiumEurPerKwpByBand", 0, 5_000, false, "eurPerKwp"),
        ("surplusTariffEurPerKwh", "surplusTariffEurPerKwhByBand", 0, 5, false, "eurPerKwh"),
        ("annualMaintenanceFractionOfCost", "annualMaintenanceFractionOfCost", 0, 0.2, false, null),
        ("moduleDegradationPerYear", "moduleDegradationPerYear", 0, 0.1, false, null),
        ("analysisYears", "analysisYears", 1, 50, true, null),
    ];

    /// <summary>Reads and checks a request body (what needs the building is checked by <see cref="WhatIfCorrection"/>).</summary>
    /// <exception cref="WhatIfInputException">The first field found wrong.</exception>
    public static WhatIfRequest Parse(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            throw new WhatIfInputException("body", "A JSON object is required: {} computes the roof as the platform modelled it; roofFaces, obstacles, module and finance correct it.");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            // Name where it stopped being JSON (a NaN written as a number: module.peakPowerWp), not just "body".
            var at = FailurePath(body.Span);
            throw new WhatIfInputException(at ?? "body", at is null ? $"The body is not JSON: {e.Message}" : $"{at} is not JSON (a number is finite, text is quoted): {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new WhatIfInputException("body", $"The body must be a JSON object, not {Kind(root)}.");
            }
            foreach (var member in root.EnumerateObject())
            {
                if (!Members.Contains(member.Name, StringComparer.Ordinal))
                {
                    throw new WhatIfInputException(member.Name, $"Unknown member '{member.Name}': a what-if takes {string.Join(", ", Members)}.");
                }
            }
            var toStorage = CrsTransform.Create(4326, RegionSettings.Srid);
            var corrected = Members.Where(m => root.TryGetProperty(m, out var v) && v.ValueKind != JsonValueKind.Null).ToList();
            var faces = root.TryGetProperty("roofFaces", out var f) && f.ValueKind != JsonValueKind.Null ? ReadFaces(f, toStorage) : null;
            var obstacles = root.TryGetProperty("obstacles", out var o) && o.ValueKind != JsonValueKind.Null ? ReadObstacles(o, toStorage) : [];
            var overrides = new JsonObject();
            if (root.TryGetProperty("module", out var m) && m.ValueKind != JsonValueKind.Null)
            {
                overrides["module"] = Module(m);
            }
            if (root.TryGetProperty("finance", out var fin) && fin.ValueKind != JsonValueKind.Null)
            {
                overrides["finance"] = Finance(fin);
            }
            return new WhatIfRequest(faces, obstacles, overrides, corrected);
        }
    }

    private static List<WhatIfFace> ReadFaces(JsonElement array, CrsTransform toStorage)
    {
        var items = Array(array, "roofFaces", 1, MaxRoofFaces);
        var faces = new List<WhatIfFace>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"roofFaces[{i}]";
            var face = Object(items[i], path, ["polygonWgs84", "tiltDeg", "azimuthDeg"]);
            // At most 90° here; the run's roof.lod2MaxTiltDeg is checked with the building (WhatIfCorrection).
            var tilt = Number(face, $"{path}.tiltDeg", 0, 90, required: true)!.Value;
            var flat = tilt < Geo.Roofs.RoofPlane.FlatTiltDeg;
            var azimuth = NumberIn(face, $"{path}.azimuthDeg", 0, 360, maxExclusive: true, required: !flat) ?? 180;
            var (plan, lowest) = Polygon(Property(face, "polygonWgs84", $"{path}.polygonWgs84", required: true)!.Value, $"{path}.polygonWgs84", toStorage);
            faces.Add(new WhatIfFace(plan, tilt, azimuth, lowest));
        }
        return faces;
    }

    private static List<WhatIfObstacle> ReadObstacles(JsonElement array, CrsTransform toStorage)
    {
        var items = Array(array, "obstacles", 0, MaxObstacles);
        var obstacles = new List<WhatIfObstacle>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"obstacles[{i}]";
            var obstacle = Object(items[i], path, ["faceNo", "kind", "polygonWgs84", "heightM"]);
            var faceNo = Number(obstacle, $"{path}.faceNo", 1, 1000, required: true, integer: true)!.Value;
            var kind = "other";
            if (Property(obstacle, "kind", $"{path}.kind", required: false) is { } k)
            {
                kind = k.ValueKind == JsonValueKind.String && ObstacleKinds.Contains(k.GetString(), StringComparer.Ordinal)
                    ? k.GetString()!
                    : throw new WhatIfInputException($"{path}.kind", $"{path}.kind must be one of {string.Join(", ", ObstacleKinds)}.");
            }
            var heightM = Number(obstacle, $"{path}.heightM", 0, MaxObstacleHeightM, required: false) ?? 0;
            var (plan, _) = Polygon(Property(obstacle, "polygonWgs84", $"{path}.polygonWgs84", required: true)!.Value, $"{path}.polygonWgs84", toStorage);
            obstacles.Add(new WhatIfObstacle((int)faceNo, kind, plan, heightM));
        }
        return obstacles;
    }

    private static JsonObject Module(JsonElement element)
    {
        var module = Object(element, "module", ModuleMembers.Select(m => m.Name).ToArray());
        var values = new JsonObject();
        foreach (var (name, min, max, minExclusive) in ModuleMembers)
        {
            if (Number(module, $"module.{name}", min, max, required: false, minExclusive: minExclusive) is { } v)
            {
                values[name] = v;
            }
        }
        return values;
    }

    /// <summary>The module's rated power per area, checked once the run's defaults complete what the request left out.</summary>
    public static void CheckModule(Geo.Panels.ModuleSpec module)
    {
        var wpPerM2 = module.PeakPowerWp / (module.LengthM * module.WidthM);
        if (wpPerM2 > MaxModuleWpPerM2)
        {
            throw new WhatIfInputException("module.peakPowerWp",
                $"module.peakPowerWp {Text(module.PeakPowerWp)} Wp on {Text(Math.Round(module.LengthM * module.WidthM, 2))} m² would be {Text(Math.Round(wpPerM2 / 10))} % efficient; modules reach about 24 % ({MaxModuleWpPerM2} Wp/m² at most).");
        }
    }

    private static JsonObject Finance(JsonElement element)
    {
        var finance = Object(element, "finance", FinanceMembers.Select(m => m.Name).ToArray());
        var values = new JsonObject();
        foreach (var (name, member, min, max, integer, band) in FinanceMembers)
        {
            if (Number(finance, $"finance.{name}", min, max, required: false, integer: integer) is not { } v)
            {
                continue;
            }
            // One value for every installation size: a single band up to any size.
            values[member] = band is null ? v : new JsonArray(new JsonObject { ["upToKwp"] = 1e9, [band] = v });
        }
        return values;
    }

    /// <summary>A GeoJSON Polygon in WGS84 (lon, lat[, altitude NGF-IGN69]) as a valid 2D polygon in the storage CRS, and its lowest altitude if it has altitudes.</summary>
    private static (Polygon Plan, double? LowestAltitudeM) Polygon(JsonElement element, string path, CrsTransform toStorage)
    {
        Geometry? geometry;
        try
        {
            geometry = GeoJsonGeometry.Read(Encoding.UTF8.GetBytes(element.GetRawText()), Wgs84, path);
        }
        catch (FeatureFieldException e)
        {
            throw new WhatIfInputException(e.Field, $"{e.Field} {e.Message}.");
        }
        if (geometry is not Polygon polygon)
        {
            throw new WhatIfInputException($"{path}.type", $"{path} must be a GeoJSON Polygon, not {geometry?.GeometryType ?? "null"}.");
        }
        if (polygon.NumInteriorRings + 1 > MaxRings)
        {
            throw new WhatIfInputException($"{path}.coordinates", $"{path}.coordinates has {polygon.NumInteriorRings + 1} rings: at most {MaxRings}.");
        }
        var rings = new List<LinearRing>(polygon.NumInteriorRings + 1);
        int withAltitude = 0, without = 0;
        var lowest = double.PositiveInfinity;
        for (var r = 0; r <= polygon.NumInteriorRings; r++)
        {
            var ring = (r == 0 ? polygon.ExteriorRing : polygon.GetInteriorRingN(r - 1)).Coordinates;
            if (ring.Length > MaxRingPositions)
            {
                throw new WhatIfInputException($"{path}.coordinates[{r}]", $"{path}.coordinates[{r}] has {ring.Length} positions: at most {MaxRingPositions}.");
            }
            var plan = new Coordinate[ring.Length];
            for (var k = 0; k < ring.Length; k++)
            {
                var (lon, lat, z) = (ring[k].X, ring[k].Y, ring[k].Z);
                var at = $"{path}.coordinates[{r}][{k}]";
                if (lon is < -180 or > 180 || lat is < -90 or > 90)
                {
                    throw new WhatIfInputException(at, $"{at} ({Text(lon)}, {Text(lat)}) is not a WGS84 longitude, latitude.");
                }
                if (double.IsNaN(z))
                {
                    without++;
                }
                else if (z is < MinAltitudeM or > MaxAltitudeM)
                {
                    throw new WhatIfInputException(at, $"{at}: the altitude {Text(z)} is outside [{Text(MinAltitudeM)}, {Text(MaxAltitudeM)}] (NGF-IGN69, m).");
                }
                else
                {
                    withAltitude++;
                    lowest = r == 0 ? Math.Min(lowest, z) : lowest;
                }
                var (x, y) = toStorage.Transform(lon, lat);
                if (!double.IsFinite(x) || !double.IsFinite(y))
                {
                    throw new WhatIfInputException(at, $"{at} cannot be placed in the region's coordinates (EPSG:{RegionSettings.Srid}).");
                }
                plan[k] = new Coordinate(x, y);
            }
            rings.Add(Factory.CreateLinearRing(plan));
        }
        if (withAltitude > 0 && without > 0)
        {
            throw new WhatIfInputException(path, $"{path}: either every position has an altitude or none has.");
        }
        var result = Factory.CreatePolygon(rings[0], rings.Skip(1).ToArray());
        if (new IsValidOp(result).ValidationError is { } invalid)
        {
            throw new WhatIfInputException(path, $"{path} is not a valid polygon: {invalid.Message}.");
        }
        if (result.Area <= 0)
        {
            throw new WhatIfInputException(path, $"{path} has no area.");
        }
        return (result, withAltitude > 0 ? lowest : null);
    }

    /// <summary>
    /// The JSON path of the value where <paramref name="body"/> stops being JSON (<c>obstacles[0].heightM</c>), or null when
    /// it fails before any member or item (not JSON at all).
    /// </summary>
    private static string? FailurePath(ReadOnlySpan<byte> body)
    {
        var frames = new List<(bool IsArray, int Index, string? Member)>();
        var afterName = false;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    frames[^1] = (false, -1, reader.GetString());
                    afterName = true;
                    continue;
                }
                if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    frames.RemoveAt(frames.Count - 1);
                    continue;
                }
                // A value: an array's next item, or the member just named.
                if (frames.Count > 0 && frames[^1].IsArray)
                {
                    frames[^1] = (true, frames[^1].Index + 1, null);
                }
                afterName = false;
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    frames.Add((reader.TokenType == JsonTokenType.StartArray, -1, null));
                }
            }
        }
        catch (JsonException)
        {
            var path = new StringBuilder();
            for (var k = 0; k < frames.Count; k++)
            {
                var (isArray, index, member) = frames[k];
                var last = k == frames.Count - 1;
                if (isArray)
                {
                    // The item that failed comes after the last one read.
                    path.Append(CultureInfo.InvariantCulture, $"[{(last ? index + 1 : index)}]");
                }
                else if (member is not null && (!last || afterName))
                {
                    path.Append(path.Length == 0 ? "" : ".").Append(member);
                }
            }
            return path.Length == 0 ? null : path.ToString();
        }
        return null;
    }

    private static JsonElement? Property(JsonElement obj, string name, string path, bool required)
    {
        if (obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
        {
            return value;
        }
        return required ? throw new WhatIfInputException(path, $"{path} is required.") : null;
    }

    private static JsonElement Object(JsonElement element, string path, string[] allowed)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new WhatIfInputException(path, $"{path} must be an object, not {Kind(element)}.");
        }
        foreach (var member in element.EnumerateObject())
        {
            if (!allowed.Contains(member.Name, StringComparer.Ordinal))
            {
                throw new WhatIfInputException($"{path}.{member.Name}", $"Unknown member {path}.{member.Name}: {path} takes {string.Join(", ", allowed)}.");
            }
        }
        return element;
    }

    private static List<JsonElement> Array(JsonElement element, string path, int min, int max)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw new WhatIfInputException(path, $"{path} must be an array, not {Kind(element)}.");
        }
        var length = element.GetArrayLength();
        if (length < min || length > max)
        {
            throw new WhatIfInputException(path, min == max
                ? $"{path} must have {min} items, not {length}."
                : $"{path} has {length} items: between {min} and {max} are allowed.");
        }
        return [.. element.EnumerateArray()];
    }

    private static double? Number(JsonElement obj, string path, double min, double max, bool required, bool integer = false, bool minExclusive = false)
    {
        if (Property(obj, path[(path.LastIndexOf('.') + 1)..], path, required) is not { } element)
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var v) || !double.IsFinite(v))
        {
            throw new WhatIfInputException(path, $"{path} must be a number, not {Kind(element)}.");
        }
        if (integer && v != Math.Floor(v))
        {
            throw new WhatIfInputException(path, $"{path} must be a whole number, not {Text(v)}.");
        }
        if (v < min || v > max || (minExclusive && v <= min))
        {
            throw new WhatIfInputException(path, $"{path} {Text(v)} is outside {(minExclusive ? "(" : "[")}{Text(min)}, {Text(max)}].");
        }
        return v;
    }

    private static double? NumberIn(JsonElement obj, string path, double min, double max, bool maxExclusive, bool required)
    {
        var v = Number(obj, path, min, max, required);
        if (v is { } value && maxExclusive && value >= max)
        {
            throw new WhatIfInputException(path, $"{path} {Text(value)} is outside [{Text(min)}, {Text(max)}).");
        }
        return v;
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Truncate(element.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Truncate(element.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => element.ValueKind.ToString(),
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";

    internal static string Text(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
}
