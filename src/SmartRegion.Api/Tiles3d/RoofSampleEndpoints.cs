using System.Globalization;
using System.Text.Json;
using SmartRegion.Data.Tiles3d;
using SmartRegion.Geo.Crs;
using SmartRegion.Geo.Tiles3d;

namespace SmartRegion.Api.Tiles3d;

/// <summary>
/// GET /api/v1/solar/roof-samples?bbox=…: every sample of the roof faces in a box with its kWh/m²/yr and its cell (the
/// sample's square of the face's grid in the roof plane, cut to the face), so that a map can draw a per-sample heat map
/// on the roofs when zoomed in. The same numbers the computation stored; nothing is recomputed.
/// </summary>
internal static class RoofSampleEndpoints
{
    /// <summary>At most this many samples per answer (≈ 1.5 MB of JSON); the faces nearest the box's centre come first.</summary>
    public const int MaxSamples = 20_000;

    /// <summary>A box wider or taller than this (degrees, ≈ 5.5 km of latitude) is refused: the heat map is for a street, not a region.</summary>
    public const double MaxBoxSpanDeg = 0.05;

    public static void MapRoofSamples(this WebApplication app)
    {
        app.MapGet("/api/v1/solar/roof-samples", async (HttpContext http, string? bbox, int? limit, RoofSampleQueries queries, Solar.SolarAccess access,
            CancellationToken ct) =>
        {
            var parts = bbox?.Split(',');
            var v = new double[4];
            if (parts is not { Length: 4 } || !parts.Select((p, i) => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]) && double.IsFinite(v[i])).All(ok => ok))
            {
                return Infrastructure.ParameterProblem.Invalid("bbox", "bbox must be minLon,minLat,maxLon,maxLat in WGS84 degrees.");
            }
            if (v[0] >= v[2] || v[1] >= v[3] || v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90)
            {
                return Infrastructure.ParameterProblem.Invalid("bbox", "bbox must satisfy -180 ≤ minLon < maxLon ≤ 180 and -90 ≤ minLat < maxLat ≤ 90.");
            }
            if (v[2] - v[0] > MaxBoxSpanDeg || v[3] - v[1] > MaxBoxSpanDeg)
            {
                return Infrastructure.ParameterProblem.Invalid("bbox", $"bbox spans more than {MaxBoxSpanDeg.ToString(CultureInfo.InvariantCulture)}° (the samples are for a street or a block; use /api/v1/solar/roof-faces for wider areas).");
            }
            var max = limit ?? MaxSamples;
            if (max is < 1 or > MaxSamples)
            {
                return Infrastructure.ParameterProblem.Invalid("limit", $"limit (samples) must be between 1 and {MaxSamples}.");
            }
            var (faces, truncated) = KnownCrs.ClampToAreaOfUse(KnownCrs.Lambert93, v[0], v[1], v[2], v[3]) is { } box
                && await access.AllowsAsync(http, Solar.SolarAccess.RoofFaces, "solar.roof-samples")
                ? await queries.FacesInBoxAsync(box.MinLon, box.MinLat, box.MaxLon, box.MaxLat, max, ct)
                : ([], false);
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(buffer))
            {
                Write(json, faces, truncated);
            }
            return Results.Bytes(buffer.WrittenMemory.ToArray(), "application/json");
        })
        .WithName("SolarRoofSamples")
        .WithTags("Solar")
        .WithSummary("Per-sample irradiation of the roof faces in a small WGS84 box")
        .WithDescription($"""
            With each sample's cell, for heat maps.
            Faces of each building's served result (the published solar datasets decide: property 4), nearest the box's centre first, up to {MaxSamples} samples (limit=);
            truncated tells whether faces were left out. Per face: buildingId, faceNo, kwhPerM2 (one per sample) and cells (one
            open ring per sample: lon, lat, altitude NGF-IGN69 m, repeated; empty when the cell misses the face). The box may
            span at most {MaxBoxSpanDeg}°.
            """)
        .Produces(StatusCodes.Status200OK, contentType: "application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static void Write(Utf8JsonWriter json, List<RoofFaceSamples> faces, bool truncated)
    {
        json.WriteStartObject();
        json.WriteNumber("samples", faces.Sum(f => f.KwhPerM2.Length));
        json.WriteBoolean("truncated", truncated);
        json.WriteString("altitudeDatum", "NGF-IGN69");
        json.WriteStartArray("faces");
        foreach (var face in faces)
        {
            json.WriteStartObject();
            json.WriteNumber("buildingId", face.BuildingId);
            json.WriteNumber("faceNo", face.FaceNo);
            json.WriteStartArray("kwhPerM2");
            foreach (var k in face.KwhPerM2)
            {
                json.WriteNumberValue(Math.Round(k, 1));
            }
            json.WriteEndArray();
            json.WriteStartArray("cells");
            foreach (var ring in RoofSampleCells.Cells(face.Grid, face.Ij, face.Outline))
            {
                json.WriteStartArray();
                for (var n = 0; n < ring.Length; n += 3)
                {
                    var (lon, lat) = Lambert93.ToGeographicDeg(ring[n], ring[n + 1]);
                    json.WriteNumberValue(Math.Round(lon, 7));
                    json.WriteNumberValue(Math.Round(lat, 7));
                    json.WriteNumberValue(Math.Round(ring[n + 2], 2));
                }
                json.WriteEndArray();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
