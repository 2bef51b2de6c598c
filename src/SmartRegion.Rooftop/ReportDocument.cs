using System.Buffers;
using System.Text;
using System.Text.Json;
using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;
using SmartRegion.Geo;
using SmartRegion.Geo.Crs;
using SmartRegion.Geo.Panels;

namespace SmartRegion.Rooftop;

/// <summary>Where a report's numbers come from, as far as the computation knows it (the run's finish and parameters are added when served).</summary>
/// <param name="IngestRunIds">The loads whose buildings the run read.</param>
public sealed record ReportProvenance(long RunId, string ModelVersion, IReadOnlyList<long> IngestRunIds, ReportStation? Station);

/// <summary>The weather station of a run, as its reports name it.</summary>
public sealed record ReportStation(long Id, string Name, string Source, string? Licence, double LatitudeDeg, double LongitudeDeg);

/// <summary>
/// A building's report as the solar API serves it (GET /api/v1/solar/buildings/{id}), written once by the computation so
/// that the API reads it by key instead of rebuilding it from rows: building, address, centre, status, totals, months,
/// configurations, finance, CO₂, uncertainty, roof faces, panels, and last the provenance. Positions are WGS84 (faces and
/// panels as GeoJSON with 7 decimals, altitudes NGF-IGN69); numbers are rounded as the API has always given them.
/// </summary>
/// <remarks>
/// The document ends with the provenance object, whose last member is the weather station: the server completes it with
/// the run's finish time and parameters (<see cref="CompleteProvenance"/>), which are not known, or too large to repeat,
/// when a building is computed.
/// </remarks>
public static class ReportDocument
{
    /// <summary>The text <see cref="Write"/> ends with, before <see cref="CompleteProvenance"/> inserts the run's members.</summary>
    private const string OpenTail = "}}";

    /// <summary>The JSON text of <paramref name="result"/>'s report.</summary>
    /// <param name="simulationJson">A what-if's description (a JSON object), written first as <c>simulation</c>: the report of
    /// a simulation says so before anything else. Null for the stored reports, which have no such member.</param>
    /// <param name="panelsApart">Write <c>"panels":[]</c>: the stored form, whose modules are kept as numbers
    /// (<see cref="ReportPanels.Encode"/>) and written into it when it is read (<see cref="CompleteStoredUtf8Async"/>).</param>
    public static string Write(
        BuildingResult result, BuildingFacts facts, ReportProvenance provenance, CrsTransform toWgs84, string? simulationJson = null, bool panelsApart = false)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (simulationJson is not null)
            {
                Raw(w, "simulation", simulationJson);
            }
            w.WritePropertyName("building");
            w.WriteStartObject();
            w.WriteNumber("id", result.BuildingId);
            w.WriteString("source", facts.Source);
            w.WriteString("sourceId", facts.SourceId);
            w.WritePropertyName("sourceIds");
            w.WriteStartObject();
            foreach (var (name, id) in facts.SourceIds)
            {
                w.WriteString(name, id);
            }
            w.WriteEndObject();
            Number(w, "heightAboveGroundM", facts.HeightAboveGroundM, 3);
            Text(w, "roofShape", facts.RoofShape);
            Text(w, "usage", facts.Usage);
            Text(w, "roofOrigin", result.RoofOrigin);
            w.WriteEndObject();
            if (facts.Address is { } address)
            {
                w.WritePropertyName("address");
                w.WriteStartObject();
                w.WriteString("label", address.Label);
                w.WriteNumber("distanceM", address.DistanceM);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("address");
            }
            var (lon, lat) = toWgs84.Transform(result.Centre.X, result.Centre.Y);
            w.WritePropertyName("centre");
            w.WriteStartObject();
            w.WriteNumber("lat", lat);
            w.WriteNumber("lon", lon);
            w.WriteEndObject();
            w.WriteString("status", result.StatusCode);
            Text(w, "reason", result.ReasonCode);
            Number(w, "roofAreaM2", result.RoofAreaM2, 3);
            Number(w, "usableAreaM2", result.UsableAreaM2, 3);
            Number(w, "meanIrradiationKwhPerM2", result.MeanIrradiationKwhPerM2, 3);
            if (result.PanelCount is { } panels)
            {
                w.WriteNumber("panelCount", panels);
            }
            else
            {
                w.WriteNull("panelCount");
            }
            Number(w, "installableKwp", result.InstallableKwp, 3);
            Number(w, "annualKwhAc", result.AnnualKwhAc, 3);
            if (result.MonthlyKwhAc is { } monthly)
            {
                w.WriteStartArray("monthlyKwhAc");
                foreach (var v in monthly)
                {
                    w.WriteNumberValue(v);
                }
                w.WriteEndArray();
            }
            else
            {
                w.WriteNull("monthlyKwhAc");
            }
            Raw(w, "configurations", result.ConfigurationsJson);
            Raw(w, "finance", result.FinanceJson);
            Number(w, "co2AvoidedKgPerYear", result.Co2AvoidedKgPerYear, 3);
            Raw(w, "uncertainty", result.UncertaintyJson);
            WriteFaces(w, result, toWgs84);
            w.WriteStartArray("panels");
            if (!panelsApart)
            {
                WritePanels(w, ReportPanels.Of(result.Faces), toWgs84);
            }
            w.WriteEndArray();
            WriteProvenance(w, provenance, result.StationDistanceKm);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// A stored report with its run's members added to the provenance: <paramref name="runMembersJson"/> is a list of JSON
    /// members without braces (<c>"computedAt":"…","parameters":{…}</c>), the same for every building of the run.
    /// </summary>
    public static string CompleteProvenance(string stored, string runMembersJson) =>
        stored.EndsWith(OpenTail, StringComparison.Ordinal)
            ? string.Concat(stored.AsSpan(0, stored.Length - OpenTail.Length), ",", runMembersJson, OpenTail)
            : throw new FormatException("a stored solar report does not end with its provenance");

    /// <summary>
    /// <see cref="CompleteProvenance"/> on UTF-8: reads the stored report's <paramref name="length"/> bytes from
    /// <paramref name="stored"/> straight into the answer's buffer (pooled: the GC never sees a report, whatever its size),
    /// then writes the run's members before the closing braces.
    /// </summary>
    public static async ValueTask<ReportBytes> CompleteProvenanceUtf8Async(Stream stored, int length, byte[] runMembersUtf8, CancellationToken cancellationToken)
    {
        // stored[..^2] + "," + members + "}}": the answer is one byte longer than the stored report and the members together.
        var answer = new ReportBytes(length + 1 + runMembersUtf8.Length);
        try
        {
            var buffer = answer.Array;
            await stored.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken);
            if (length < OpenTail.Length || buffer[length - 2] != (byte)'}' || buffer[length - 1] != (byte)'}')
            {
                throw new FormatException("a stored solar report does not end with its provenance");
            }
            buffer[length - 2] = (byte)',';
            runMembersUtf8.CopyTo(buffer, length - 1);
            buffer[answer.Length - 2] = (byte)'}';
            buffer[answer.Length - 1] = (byte)'}';
            return answer;
        }
        catch
        {
            answer.Dispose();
            throw;
        }
    }

    /// <summary>The member a stored report holds in place of its modules (<c>panelsApart</c>).</summary>
    private static ReadOnlySpan<byte> StoredPanels => "\"panels\":[]"u8;

    private static readonly GeometryFactory PanelFactory = new(new PrecisionModel(), RegionSettings.Srid);

    [ThreadStatic]
    private static CrsTransform? t_toWgs84;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_panels;

    /// <summary>
    /// A stored report as served: its <paramref name="length"/> bytes read from <paramref name="stored"/>, its modules written
    /// into its <c>panels</c> from <paramref name="panelLayout"/> (null: the report holds its panels, or has none), and the
    /// run's members added to its provenance (<see cref="CompleteProvenanceUtf8Async"/>).
    /// </summary>
    public static async ValueTask<ReportBytes> CompleteStoredUtf8Async(
        Stream stored, int length, double[]? panelLayout, byte[] runMembersUtf8, CancellationToken cancellationToken)
    {
        if (panelLayout is null)
        {
            return await CompleteProvenanceUtf8Async(stored, length, runMembersUtf8, cancellationToken);
        }
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            await stored.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken);
            return CompleteStored(buffer.AsSpan(0, length), panelLayout, runMembersUtf8);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary><see cref="CompleteStoredUtf8Async"/> on text (the batch endpoint's path).</summary>
    public static string CompleteStored(string stored, double[]? panelLayout, string runMembersJson)
    {
        if (panelLayout is null)
        {
            return CompleteProvenance(stored, runMembersJson);
        }
        using var bytes = CompleteStored(Encoding.UTF8.GetBytes(stored), panelLayout, Encoding.UTF8.GetBytes(runMembersJson));
        return Encoding.UTF8.GetString(bytes.Memory.Span);
    }

    /// <summary>
    /// A stored report's UTF-8 with its modules written into its <c>panels</c> (the same bytes as a report written with them:
    /// the same writer, the same numbers) and the run's members added to its provenance.
    /// </summary>
    /// <exception cref="FormatException">The report is not a stored one, or the layout not a layout.</exception>
    public static ReportBytes CompleteStored(ReadOnlySpan<byte> stored, double[] panelLayout, ReadOnlySpan<byte> runMembersUtf8)
    {
        if (stored.Length < OpenTail.Length || stored[^2] != (byte)'}' || stored[^1] != (byte)'}')
        {
            throw new FormatException("a stored solar report does not end with its provenance");
        }
        // The last "panels":[] is the report's own member: quotes inside strings are escaped, and only the provenance follows.
        var at = stored.LastIndexOf(StoredPanels);
        if (at < 0)
        {
            throw new FormatException("a stored solar report with a panel layout has no empty panels member");
        }
        var panels = t_panels ??= new ArrayBufferWriter<byte>(16_384);
        panels.ResetWrittenCount();
        using (var w = new Utf8JsonWriter(panels))
        {
            w.WriteStartArray();
            WritePanels(w, ReportPanels.Decode(panelLayout), t_toWgs84 ??= CrsTransform.Create(RegionSettings.Srid, KnownCrs.Wgs84));
            w.WriteEndArray();
        }
        var head = stored[..(at + StoredPanels.Length - 2)];      // up to "panels":
        var tail = stored[(at + StoredPanels.Length)..^OpenTail.Length]; // the provenance, without the closing braces
        var answer = new ReportBytes(head.Length + panels.WrittenCount + tail.Length + 1 + runMembersUtf8.Length + OpenTail.Length);
        var span = answer.Array.AsSpan(0, answer.Length);
        head.CopyTo(span);
        var n = head.Length;
        panels.WrittenSpan.CopyTo(span[n..]);
        n += panels.WrittenCount;
        tail.CopyTo(span[n..]);
        n += tail.Length;
        span[n++] = (byte)',';
        runMembersUtf8.CopyTo(span[n..]);
        n += runMembersUtf8.Length;
        span[n++] = (byte)'}';
        span[n] = (byte)'}';
        return answer;
    }

    /// <summary>
    /// The members <see cref="CompleteProvenance"/> adds (<c>"computedAt":…,"parameters":{…}</c>) for a report computed at
    /// <paramref name="computedAt"/> with the parameter document <paramref name="parametersJson"/>.
    /// </summary>
    public static string ProvenanceMembers(DateTimeOffset computedAt, string parametersJson)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("computedAt", computedAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            w.WritePropertyName("parameters");
            w.WriteRawValue(parametersJson);
            w.WriteEndObject();
        }
        var members = Encoding.UTF8.GetString(buffer.WrittenSpan);
        return members[1..^1];
    }

    private static void WriteFaces(Utf8JsonWriter w, BuildingResult result, CrsTransform toWgs84)
    {
        w.WriteStartArray("roofFaces");
        foreach (var f in result.Faces)
        {
            w.WriteStartObject();
            w.WriteNumber("faceNo", f.FaceNo);
            w.WriteString("origin", f.Origin);
            w.WriteNumber("tiltDeg", Math.Round(f.TiltDeg, 2));
            w.WriteNumber("azimuthDeg", Math.Round(f.AzimuthDeg, 2));
            w.WriteNumber("areaM2", Math.Round(f.AreaM2, 2));
            w.WriteNumber("usableAreaM2", Math.Round(f.UsableAreaM2, 2));
            w.WriteNumber("annualIrradiationKwhPerM2", Math.Round(f.AnnualIrradiationKwhPerM2, 1));
            w.WriteStartArray("quantilesKwhPerM2");
            foreach (var q in f.QuantilesKwhPerM2)
            {
                w.WriteNumberValue(Math.Round(q, 1));
            }
            w.WriteEndArray();
            w.WriteNumber("shadingLossFraction", Math.Round(f.ShadingLossFraction, 4));
            w.WriteNumber("suitabilityClass", f.SuitabilityClass);
            w.WriteNumber("panelCount", f.PanelCount);
            w.WriteNumber("installableKwp", Math.Round(f.InstallableKwp, 3));
            w.WriteNumber("annualKwhAc", Math.Round(f.AnnualKwhAc, 1));
            w.WriteStartArray("monthlyKwhAc");
            foreach (var m in f.MonthlyKwhAc)
            {
                w.WriteNumberValue(Math.Round(m, 1));
            }
            w.WriteEndArray();
            w.WritePropertyName("polygonWgs84");
            GeoJsonPolygon(w, f.Polygon, toWgs84);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    [ThreadStatic]
    private static Coordinate[]? t_corners;

    /// <summary>
    /// The modules' objects of a report's <c>panels</c> array, face by face: each module's outline made from its numbers
    /// (<see cref="PackedModules.Corners"/>, into five reused coordinates), its centre as NetTopologySuite's centroid of that
    /// polygon (<see cref="PolygonCentroid"/>), its corners and centre in WGS84. No geometry object per module: this runs for
    /// every module of a report the API serves.
    /// </summary>
    private static void WritePanels(Utf8JsonWriter w, List<FacePanels> faces, CrsTransform toWgs84)
    {
        var corners = t_corners ??= [new CoordinateZ(), new CoordinateZ(), new CoordinateZ(), new CoordinateZ(), new CoordinateZ()];
        Span<double> lonLat = stackalloc double[8];
        foreach (var (faceNo, modules, kwh) in faces)
        {
            for (var i = 0; i < modules.Count; i++)
            {
                modules.Corners(i, corners);
                w.WriteStartObject();
                w.WriteNumber("faceNo", faceNo);
                w.WriteNumber("panelNo", i + 1);
                w.WriteBoolean("portrait", modules.Portrait);
                if (float.IsNaN(kwh[i]))
                {
                    w.WriteNull("annualKwhAc");
                }
                else
                {
                    w.WriteNumber("annualKwhAc", kwh[i]);
                }
                var (cx, cy) = PolygonCentroid(corners);
                var (lon, lat) = toWgs84.Transform(cx, cy);
                w.WritePropertyName("centre");
                w.WriteStartObject();
                w.WriteNumber("lat", lat);
                w.WriteNumber("lon", lon);
                // The mean altitude of the ring's points, its closing point included (as PostGIS's ST_DumpPoints counts them).
                double z = 0;
                foreach (var c in corners)
                {
                    z += c.Z;
                }
                w.WriteNumber("altitudeM", z / corners.Length);
                w.WriteEndObject();
                // The outline as GeoJSONPolygon writes it; the closing point is the first one, transformed once.
                w.WritePropertyName("polygonWgs84");
                w.WriteStartObject();
                w.WriteString("type", "Polygon");
                w.WriteStartArray("coordinates");
                w.WriteStartArray();
                for (var c = 0; c < corners.Length; c++)
                {
                    if (c < 4)
                    {
                        (lonLat[2 * c], lonLat[2 * c + 1]) = toWgs84.Transform(corners[c].X, corners[c].Y);
                    }
                    var k = c < 4 ? c : 0;
                    w.WriteStartArray();
                    WriteRounded7(w, lonLat[2 * k]);
                    WriteRounded7(w, lonLat[2 * k + 1]);
                    if (!double.IsNaN(corners[c].Z))
                    {
                        WriteRounded7(w, corners[c].Z);
                    }
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndObject();
            }
        }
    }

    /// <summary>
    /// <c>Polygon.Centroid</c> of the polygon of this closed ring (no holes), as NetTopologySuite 2.5 computes it
    /// (<c>Algorithm.Centroid</c>: triangles fanned from the first point, twice their signed areas times three times their
    /// centroids summed, then divided), to the bit, without making the polygon.
    /// </summary>
    internal static (double X, double Y) PolygonCentroid(Coordinate[] ring)
    {
        var sign = Orientation.IsCCW(ring) ? -1.0 : 1.0;
        var p0 = ring[0];
        double cgX = 0, cgY = 0, areaSum2 = 0;
        for (var i = 0; i < ring.Length - 1; i++)
        {
            Coordinate p1 = ring[i], p2 = ring[i + 1];
            var tX = p0.X + p1.X + p2.X;
            var tY = p0.Y + p1.Y + p2.Y;
            var area2 = (p1.X - p0.X) * (p2.Y - p0.Y) - (p2.X - p0.X) * (p1.Y - p0.Y);
            cgX += sign * area2 * tX;
            cgY += sign * area2 * tY;
            areaSum2 += sign * area2;
        }
        if (Math.Abs(areaSum2) > 0.0)
        {
            return (cgX / 3 / areaSum2, cgY / 3 / areaSum2);
        }
        // A ring without area (not a module's): NetTopologySuite's own answer (its line or point centroid).
        var centroid = PanelFactory.CreatePolygon(ring.Select(c => c.Copy()).ToArray()).Centroid;
        return (centroid.X, centroid.Y);
    }

    private static void WriteProvenance(Utf8JsonWriter w, ReportProvenance p, double? stationDistanceKm)
    {
        w.WritePropertyName("provenance");
        w.WriteStartObject();
        w.WriteNumber("runId", p.RunId);
        w.WriteString("modelVersion", p.ModelVersion);
        w.WriteStartArray("ingestRunIds");
        foreach (var id in p.IngestRunIds)
        {
            w.WriteNumberValue(id);
        }
        w.WriteEndArray();
        if (p.Station is { } s)
        {
            w.WritePropertyName("weatherStation");
            w.WriteStartObject();
            w.WriteNumber("id", s.Id);
            w.WriteString("name", s.Name);
            w.WriteString("source", s.Source);
            Text(w, "licence", s.Licence);
            w.WriteNumber("lat", s.LatitudeDeg);
            w.WriteNumber("lon", s.LongitudeDeg);
            Number(w, "distanceKm", stationDistanceKm, 3);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("weatherStation");
        }
        w.WriteEndObject();
    }

    /// <summary>A 3D polygon as GeoJSON in WGS84: 7 decimals (about 1 cm), altitudes as they are (to 7 decimals too).</summary>
    private static void GeoJsonPolygon(Utf8JsonWriter w, Polygon polygon, CrsTransform toWgs84)
    {
        w.WriteStartObject();
        w.WriteString("type", "Polygon");
        w.WriteStartArray("coordinates");
        Ring(w, polygon.ExteriorRing, toWgs84);
        foreach (var hole in polygon.InteriorRings)
        {
            Ring(w, hole, toWgs84);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Ring(Utf8JsonWriter w, LineString ring, CrsTransform toWgs84)
    {
        w.WriteStartArray();
        var sequence = ring.CoordinateSequence;
        for (var i = 0; i < sequence.Count; i++)
        {
            var (lon, lat) = toWgs84.Transform(sequence.GetX(i), sequence.GetY(i));
            w.WriteStartArray();
            WriteRounded7(w, lon);
            WriteRounded7(w, lat);
            var z = sequence.GetZ(i);
            if (!double.IsNaN(z))
            {
                WriteRounded7(w, z);
            }
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }

    /// <summary>
    /// Writes <c>Math.Round(v, 7)</c> as <see cref="Utf8JsonWriter.WriteNumberValue(double)"/> does (the shortest text that
    /// reads back as the same double), for the values a report's positions take, from their integer count of 1e-7 units
    /// instead of .NET's general shortest-round-trip search (a fifth of a report's time; a report has ~250 positions).
    /// </summary>
    /// <remarks>
    /// <c>Math.Round(v, 7)</c> is the double nearest to k·10⁻⁷ for the integer k; with at most 15 significant digits (|v| below
    /// 10⁸), that decimal is the only one of its length or shorter that reads back as this double, so its digits without
    /// trailing zeros are the shortest round-trip text. Values outside [10⁻⁴, 10⁸) (exponent notation, or too many digits)
    /// and zero (its sign) go to the general writer.
    /// </remarks>
    internal static void WriteRounded7(Utf8JsonWriter w, double v)
    {
        var rounded = Math.Round(v, 7);
        var magnitude = Math.Abs(rounded);
        if (!(magnitude >= 1e-4 && magnitude < 1e8))
        {
            w.WriteNumberValue(rounded);
            return;
        }
        var units = (long)Math.Round(magnitude * 1e7);
        Span<byte> text = stackalloc byte[24];
        var end = text.Length;
        var fraction = units % 10_000_000;
        var whole = units / 10_000_000;
        var fractionDigits = 7;
        while (fractionDigits > 0 && fraction % 10 == 0)
        {
            fraction /= 10;
            fractionDigits--;
        }
        if (fractionDigits > 0)
        {
            for (var d = 0; d < fractionDigits; d++)
            {
                text[--end] = (byte)('0' + fraction % 10);
                fraction /= 10;
            }
            text[--end] = (byte)'.';
        }
        do
        {
            text[--end] = (byte)('0' + whole % 10);
            whole /= 10;
        }
        while (whole > 0);
        if (rounded < 0)
        {
            text[--end] = (byte)'-';
        }
        w.WriteRawValue(text[end..], skipInputValidation: true);
    }

    private static void Number(Utf8JsonWriter w, string name, double? value, int decimals)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, Math.Round(v, decimals));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void Text(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static void Raw(Utf8JsonWriter w, string name, string? json)
    {
        w.WritePropertyName(name);
        if (json is null)
        {
            w.WriteNullValue();
        }
        else
        {
            w.WriteRawValue(json, skipInputValidation: true);
        }
    }
}

/// <summary>A report's UTF-8 JSON in a buffer rented from the shared array pool; disposing gives the buffer back.</summary>
public sealed class ReportBytes : IDisposable
{
    private byte[]? _array;

    public ReportBytes(int length)
    {
        _array = ArrayPool<byte>.Shared.Rent(length);
        Length = length;
    }

    /// <summary>A report made elsewhere (a legacy result rebuilt), copied in.</summary>
    public static ReportBytes Of(string json)
    {
        var bytes = new ReportBytes(Encoding.UTF8.GetByteCount(json));
        Encoding.UTF8.GetBytes(json, bytes.Array);
        return bytes;
    }

    public int Length { get; }

    /// <summary>The rented buffer: its first <see cref="Length"/> bytes are the report.</summary>
    public byte[] Array => _array ?? throw new ObjectDisposedException(nameof(ReportBytes));

    public ReadOnlyMemory<byte> Memory => Array.AsMemory(0, Length);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _array, null) is { } array)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
