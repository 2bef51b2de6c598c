using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetTopologySuite.Geometries;
using SmartRegion.Geo.Crs;
using SmartRegion.Solar;
using SmartRegion.Solar.Weather;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Solar;

/// <summary>
/// POST /api/v1/solar/buildings/{id}/what-if over a computed neighbourhood (<see cref="ComputedSolarSite"/>: a tower south
/// of a gabled house): uncorrected it is the stored report; an obstacle, a tilt, a module and finances change what they
/// should; nothing is stored; bad input is a 400 naming the field.
/// </summary>
public sealed class SolarWhatIfTests(TestDatabase db)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly SemaphoreSlim SiteLock = new(1);
    private static ComputedSolarSite? _site;

    /// <summary>One site for the class (its tests only read it: a what-if writes nothing).</summary>
    private async Task<ComputedSolarSite> SiteAsync()
    {
        await SiteLock.WaitAsync(Ct);
        try
        {
            return _site ??= await ComputedSolarSite.CreateAsync(db, "what-if", 6_895_000, Ct);
        }
        finally
        {
            SiteLock.Release();
        }
    }

    private static readonly CrsTransform ToWgs84 = CrsTransform.Create(2154, 4326);
    private static readonly CrsTransform ToLambert93 = CrsTransform.Create(4326, 2154);

    /// <summary>A GeoJSON Polygon in WGS84 from Lambert-93 corners (closed here).</summary>
    private static JsonObject Polygon(params (double X, double Y)[] corners)
    {
        var ring = new JsonArray();
        foreach (var (x, y) in corners.Append(corners[0]))
        {
            var (lon, lat) = ToWgs84.Transform(x, y);
            ring.Add(new JsonArray(lon, lat));
        }
        return new JsonObject { ["type"] = "Polygon", ["coordinates"] = new JsonArray(ring) };
    }

    /// <summary>The number (1-based) of the report's face looking to <paramref name="azimuthDeg"/>, to the degree.</summary>
    private static int FaceLooking(JsonElement report, double azimuthDeg)
    {
        var faces = report.GetProperty("roofFaces").EnumerateArray().ToList();
        var index = faces.FindIndex(f => Angles.Normalize360Deg(f.GetProperty("azimuthDeg").GetDouble() - azimuthDeg + 1) < 2);
        Assert.True(index >= 0, $"the building has no face looking to {azimuthDeg}°");
        return index + 1;
    }

    private static JsonObject Box(double x0, double y0, double x1, double y1) => Polygon((x0, y0), (x1, y0), (x1, y1), (x0, y1));

    /// <summary>A WGS84 GeoJSON polygon of the report as a Lambert-93 plan polygon.</summary>
    private static Polygon Plan(JsonElement polygonWgs84)
    {
        var factory = new GeometryFactory(new PrecisionModel(), 2154);
        var ring = polygonWgs84.GetProperty("coordinates")[0].EnumerateArray()
            .Select(p => ToLambert93.Transform(p[0].GetDouble(), p[1].GetDouble()))
            .Select(p => new Coordinate(p.X, p.Y)).ToArray();
        return factory.CreatePolygon(ring);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(HttpClient client, long id, string body, string contentType = "application/json")
    {
        var response = await client.PostAsync($"/api/v1/solar/buildings/{id}/what-if", new StringContent(body, Encoding.UTF8, contentType), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    private static async Task<JsonElement> OkAsync(HttpClient client, long id, JsonNode body)
    {
        var (status, json, response) = await PostAsync(client, id, body.ToJsonString());
        using (response)
        {
            Assert.True(status == HttpStatusCode.OK, $"{(int)status} {json}");
            return json;
        }
    }

    /// <summary>The report's roof faces as a what-if's roofFaces: outline (with or without its altitudes), tilt, azimuth.</summary>
    private static JsonArray FacesOf(JsonElement report, bool withAltitudes)
    {
        var faces = new JsonArray();
        foreach (var f in report.GetProperty("roofFaces").EnumerateArray())
        {
            var ring = f.GetProperty("polygonWgs84").GetProperty("coordinates")[0].EnumerateArray()
                .Select(p => (JsonNode)(withAltitudes ? new JsonArray(p[0].GetDouble(), p[1].GetDouble(), p[2].GetDouble()) : new JsonArray(p[0].GetDouble(), p[1].GetDouble())));
            faces.Add(new JsonObject
            {
                ["polygonWgs84"] = new JsonObject { ["type"] = "Polygon", ["coordinates"] = new JsonArray(new JsonArray([.. ring])) },
                ["tiltDeg"] = f.GetProperty("tiltDeg").GetDouble(),
                ["azimuthDeg"] = f.GetProperty("azimuthDeg").GetDouble(),
            });
        }
        return faces;
    }

    private static async Task<JsonElement> StoredAsync(HttpClient client, long id) =>
        JsonDocument.Parse(await client.GetStringAsync($"/api/v1/solar/buildings/{id}", Ct)).RootElement.Clone();

    [Fact]
    public async Task WhatIf_NothingCorrected_TheStoredReportMarkedAsASimulation()
    {
        var site = await SiteAsync();
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();

        foreach (var id in new[] { site.House, site.Tower, site.NoHeight })
        {
            var stored = await StoredAsync(client, id);
            var (status, whatIf, response) = await PostAsync(client, id, "{}");
            using (response)
            {
                Assert.True(status == HttpStatusCode.OK, whatIf.ToString());
                Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
                Assert.Contains("compute;dur=", string.Join(",", response.Headers.GetValues("Server-Timing")));
            }
            var simulation = whatIf.GetProperty("simulation");
            Assert.Equal("what-if", simulation.GetProperty("kind").GetString());
            Assert.False(simulation.GetProperty("official").GetBoolean());
            Assert.False(simulation.GetProperty("stored").GetBoolean());
            Assert.Equal($"{ApiFactory.PublicBaseUrl}/api/v1/solar/buildings/{id}", simulation.GetProperty("officialReport").GetString());
            Assert.Equal(0, simulation.GetProperty("corrected").GetArrayLength());
            // The simulation comes first, so that no reader of the document can miss it.
            Assert.Equal("simulation", whatIf.EnumerateObject().First().Name);

            // The rest is the stored report: the same computation of the same buildings with the run's weather and parameters.
            var expected = JsonNode.Parse(stored.GetRawText())!.AsObject();
            var actual = JsonNode.Parse(whatIf.GetRawText())!.AsObject();
            actual.Remove("simulation");
            expected["provenance"]!.AsObject().Remove("computedAt");
            actual["provenance"]!.AsObject().Remove("computedAt");
            SolarReportDocumentTests.AssertSameJson(JsonDocument.Parse(expected.ToJsonString()).RootElement, JsonDocument.Parse(actual.ToJsonString()).RootElement, $"building {id}");
        }
    }

    [Fact]
    public async Task WhatIf_AnyCorrection_NothingStoredAndTheOfficialReportUnchanged()
    {
        var site = await SiteAsync();
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();
        var before = await client.GetStringAsync($"/api/v1/solar/buildings/{site.House}", Ct);
        var rows = await RowsAsync(site.House);

        var stored = JsonDocument.Parse(before).RootElement;
        var face = stored.GetProperty("roofFaces")[0];
        var body = new JsonObject
        {
            ["roofFaces"] = new JsonArray(new JsonObject { ["polygonWgs84"] = JsonNode.Parse(face.GetProperty("polygonWgs84").GetRawText()), ["tiltDeg"] = 10, ["azimuthDeg"] = 170 }),
            ["module"] = new JsonObject { ["peakPowerWp"] = 500 },
            ["finance"] = new JsonObject { ["electricityPriceEurPerKwh"] = 0.4 },
        };
        var whatIf = await OkAsync(client, site.House, body);
        Assert.NotEqual(stored.GetProperty("annualKwhAc").GetDouble(), whatIf.GetProperty("annualKwhAc").GetDouble());

        Assert.Equal(before, await client.GetStringAsync($"/api/v1/solar/buildings/{site.House}", Ct));
        Assert.Equal(rows, await RowsAsync(site.House));
    }

    /// <summary>What the database holds of a building's results and of the runs: a what-if changes none of it.</summary>
    private async Task<string> RowsAsync(long buildingId)
    {
        await using var cmd = db.DataSource.CreateCommand("""
            SELECT (SELECT count(*) FROM solar.run) || '/' || (SELECT count(*) FROM solar.building_result WHERE building_id = @b)
                || '/' || (SELECT count(*) FROM solar.face_result WHERE building_id = @b)
                || '/' || (SELECT coalesce(sum(annual_kwh_ac), 0) FROM solar.building_result WHERE building_id = @b)
            """);
        cmd.Parameters.AddWithValue("b", buildingId);
        return (string)(await cmd.ExecuteScalarAsync(Ct))!;
    }

    [Fact]
    public async Task WhatIf_TheStoredFacesGivenBack_TheSameRoofWithinTheRounding()
    {
        var site = await SiteAsync();
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();
        var stored = await StoredAsync(client, site.House);

        var whatIf = await OkAsync(client, site.House, new JsonObject { ["roofFaces"] = FacesOf(stored, withAltitudes: true) });

        Assert.Equal("corrected", whatIf.GetProperty("building").GetProperty("roofOrigin").GetString());
        Assert.Contains("roof_corrected", whatIf.GetProperty("uncertainty").GetProperty("notes").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(["roofFaces"], whatIf.GetProperty("simulation").GetProperty("corrected").EnumerateArray().Select(c => c.GetString()));
        foreach (var (expected, actual) in stored.GetProperty("roofFaces").EnumerateArray().Zip(whatIf.GetProperty("roofFaces").EnumerateArray()))
        {
            Assert.Equal("corrected", actual.GetProperty("origin").GetString());
            Assert.Equal(expected.GetProperty("tiltDeg").GetDouble(), actual.GetProperty("tiltDeg").GetDouble(), 0.02);
            // The outline came back through 1e-7° coordinates (about 1 cm): a few tenths of a square metre on 75 m².
            AssertRelative(expected.GetProperty("areaM2").GetDouble(), actual.GetProperty("areaM2").GetDouble(), 0.005, "face area");
            AssertRelative(expected.GetProperty("annualIrradiationKwhPerM2").GetDouble(), actual.GetProperty("annualIrradiationKwhPerM2").GetDouble(), 0.01, "face irradiation");
        }
        AssertRelative(stored.GetProperty("annualKwhAc").GetDouble(), whatIf.GetProperty("annualKwhAc").GetDouble(), 0.05, "annual kWh");
    }

    [Fact]
    public async Task WhatIf_AChimneyOnAFaceWithModules_NoModuleOnItAndFewerModules()
    {
        var site = await SiteAsync();
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();
        var stored = await StoredAsync(client, site.House);
        var panels = stored.GetProperty("panels").EnumerateArray().ToList();
        Assert.True(panels.Count > 4, $"the house has {panels.Count} modules");
        // A 2.5 m × 2.5 m chimney where the stored layout put its first module.
        var faceNo = panels[0].GetProperty("faceNo").GetInt32();
        var centre = Plan(panels[0].GetProperty("polygonWgs84")).Centroid;
        var chimney = Box(centre.X - 1.25, centre.Y - 1.25, centre.X + 1.25, centre.Y + 1.25);
        var body = new JsonObject { ["obstacles"] = new JsonArray(new JsonObject { ["faceNo"] = faceNo, ["kind"] = "chimney", ["polygonWgs84"] = chimney }) };

        var whatIf = await OkAsync(client, site.House, body);

        // Modules may abut the chimney: its outline less 3 cm (the report's 1e-7° coordinates are about 1 cm) is free.
        var chimneyPlan = Plan(JsonDocument.Parse(chimney.ToJsonString()).RootElement).Buffer(-0.03);
        var after = whatIf.GetProperty("panels").EnumerateArray().ToList();
        Assert.All(after, p => Assert.False(Plan(p.GetProperty("polygonWgs84")).Intersects(chimneyPlan), $"module {p.GetProperty("panelNo")} on the chimney"));
        int OnFace(List<JsonElement> list) => list.Count(p => p.GetProperty("faceNo").GetInt32() == faceNo);
        Assert.True(OnFace(after) < OnFace(panels), $"{OnFace(after)} modules on face {faceNo} with the chimney, {OnFace(panels)} without");
        Assert.True(whatIf.GetProperty("usableAreaM2").GetDouble() < stored.GetProperty("usableAreaM2").GetDouble());
        Assert.True(whatIf.GetProperty("annualKwhAc").GetDouble() < stored.GetProperty("annualKwhAc").GetDouble());
        var listed = whatIf.GetProperty("simulation").GetProperty("obstacles")[0];
        Assert.Equal("chimney", listed.GetProperty("kind").GetString());
        Assert.Equal(6.25, listed.GetProperty("planAreaM2").GetDouble(), 0.02);
        // The other faces keep their modules.
        Assert.Equal(panels.Count - OnFace(panels), after.Count - OnFace(after));
    }

    [Fact]
    public async Task WhatIf_ATallObstacleSouthOfTheModules_ShadesTheFace()
    {
        var site = await SiteAsync();
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();
        var stored = await StoredAsync(client, site.House);
        // The house's south face (its ridge runs east–west); a 2 m box near its eaves, in the middle.
        var faceNo = FaceLooking(stored, 180);
        double x = site.X, y = site.Y + 20;
        var box = Box(x + 6, y + 0.5, x + 8, y + 2.5);
        JsonObject Body(double heightM) => new()
        {
            ["obstacles"] = new JsonArray(new JsonObject { ["faceNo"] = faceNo, ["kind"] = "chimney", ["heightM"] = heightM, ["polygonWgs84"] = box.DeepClone() }),
        };

        var flat = await OkAsync(client, site.House, Body(0));
        var tall = await OkAsync(client, site.House, Body(4));

        JsonElement Face(JsonElement report) => report.GetProperty("roofFaces")[faceNo - 1];
        var (flatKwh, tallKwh) = (Face(flat).GetProperty("annualKwhAc").GetDouble(), Face(tall).GetProperty("annualKwhAc").GetDouble());
        Assert.True(tallKwh < 0.99 * flatKwh, $"face {faceNo}: {tallKwh} kWh with a 4 m chimney, {flatKwh} with a flat one");
        Assert.True(Face(tall).GetProperty("shadingLossFraction").GetDouble() > Face(flat).GetProperty("shadingLossFraction").GetDouble());
        Assert.Equal(4, tall.GetProperty("simulation").GetProperty("obstacles")[0].GetProperty("heightM").GetDouble());
        Assert.Equal(0, flat.GetProperty("simulation").GetProperty("obstacles")[0].GetProperty("heightM").GetDouble());
        // Where it stands, as a UI places it again: the box's centre (to the report's 1e-7°, about 1 cm).
        var centre = tall.GetProperty("simulation").GetProperty("obstacles")[0].GetProperty("centreWgs84");
        var (lon, lat) = ToWgs84.Transform(x + 7, y + 1.5);
        Assert.Equal(lon, centre.GetProperty("lon").GetDouble(), 1e-7);
        Assert.Equal(lat, centre.GetProperty("lat").GetDouble(), 1e-7);
    }

    [Fact]
    public async Task WhatIf_AnObstacleOnAnotherFaceOffTheRoofOrOnAnother_400NamingItsOutline()
    {
        var site = await SiteAsync();
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();
        var stored = await StoredAsync(client, site.House);
        var (south, north) = (FaceLooking(stored, 180), FaceLooking(stored, 0));
        double x = site.X, y = site.Y + 20;   // the ridge at y + 4.5
        JsonObject Obstacle(int faceNo, JsonObject box) => new() { ["faceNo"] = faceNo, ["kind"] = "vent", ["polygonWgs84"] = box };
        async Task<(int Status, string? Field, string Detail)> Refusal(params JsonObject[] obstacles)
        {
            var (status, json, response) = await PostAsync(client, site.House, new JsonObject { ["obstacles"] = new JsonArray(obstacles) }.ToJsonString());
            using (response)
            {
                return ((int)status, json.TryGetProperty("field", out var f) ? f.GetString() : null, json.GetProperty("detail").GetString()!);
            }
        }

        // Its centre on the north face, said to be on the south one: which face it stands on. A box astride the ridge whose
        // centre is on its face is taken (the packer keeps its whole outline free).
        var onNorth = await Refusal(Obstacle(south, Box(x + 3, y + 6, x + 4, y + 7)));
        Assert.Equal((400, "obstacles[0].polygonWgs84"), (onNorth.Status, onNorth.Field));
        Assert.Equal($"obstacles[0].polygonWgs84 stands on face {north}, not on face {south}: its centre must lie on its face (faceNo {north}).", onNorth.Detail);
        await OkAsync(client, site.House, new JsonObject { ["obstacles"] = new JsonArray(Obstacle(south, Box(x + 3, y + 3.8, x + 4, y + 4.8))) });
        // In the garden, 6 m south of the eaves: on no face.
        var garden = await Refusal(Obstacle(south, Box(x + 3, y - 7, x + 4, y - 6)));
        Assert.Equal((400, "obstacles[0].polygonWgs84"), (garden.Status, garden.Field));
        Assert.Equal($"obstacles[0].polygonWgs84 is off the roof: its centre is 6.5 m from face {south} and on no face of the building.", garden.Detail);
        // Two chimneys where one stands (the second overlaps the first by 0.5 m × 0.5 m); side by side they are taken.
        var twice = await Refusal(Obstacle(south, Box(x + 3, y + 1, x + 4, y + 2)), Obstacle(south, Box(x + 6, y + 1, x + 7, y + 2)),
            Obstacle(south, Box(x + 3.5, y + 1.5, x + 4.5, y + 2.5)));
        Assert.Equal((400, "obstacles[2].polygonWgs84"), (twice.Status, twice.Field));
        Assert.Equal("obstacles[2].polygonWgs84 overlaps obstacles[0] by 0.25 m² (in plan): two obstacles cannot stand in the same place.", twice.Detail);
        await OkAsync(client, site.House, new JsonObject { ["obstacles"] = new JsonArray(Obstacle(south, Box(x + 3, y + 1, x + 4, y + 2)), Obstacle(south, Box(x + 4, y + 1, x + 5, y + 2))) });
    }

    [Fact]
    public async Task WhatIf_ASteeperFace_ItsAreaAndUnshadedIrradiationFollowTheTilt()
    {
        var site = await SiteAsync();
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();
        var stored = await StoredAsync(client, site.House);
        // Without altitudes: each face's lowest point at the building's eaves.
        var faces = FacesOf(stored, withAltitudes: false);
        faces[0]!["tiltDeg"] = 60;
        var whatIf = await OkAsync(client, site.House, new JsonObject { ["roofFaces"] = faces });

        var face = whatIf.GetProperty("roofFaces")[0];
        var azimuth = stored.GetProperty("roofFaces")[0].GetProperty("azimuthDeg").GetDouble();
        Assert.Equal(60, face.GetProperty("tiltDeg").GetDouble(), 0.01);
        Assert.Equal(azimuth, face.GetProperty("azimuthDeg").GetDouble(), 0.01);
        var planArea = Plan(stored.GetProperty("roofFaces")[0].GetProperty("polygonWgs84")).Area;
        AssertRelative(planArea / Math.Cos(60 * Math.PI / 180), face.GetProperty("areaM2").GetDouble(), 0.005, "area of the 60° face");

        // Without its horizon, the face receives what the science kernel gives a 60° plane with that azimuth under the run's weather.
        var weatherPath = Path.Combine(Path.GetTempPath(), $"what-if-weather-{Guid.NewGuid():N}.csv");
        DemoWeather.Write(weatherPath, 48.95, 2.4, 40);
        var series = await WeatherFile.ReadAsync(weatherPath, WeatherFormat.Auto, null, Ct);
        File.Delete(weatherPath);
        var sky = StationSky.Compute(series, 72);
        var hourly = PlaneOfArray.Hourly(sky, new PlaneOrientation(60, azimuth), SkyModel.Perez, 0.2, null);
        var expectedUnshaded = Enumerable.Range(0, sky.Count).Sum(h => hourly.BeamWPerM2[h] + hourly.SkyDiffuseWPerM2[h] + hourly.GroundReflectedWPerM2[h]) / 1000;
        var unshaded = face.GetProperty("annualIrradiationKwhPerM2").GetDouble() / (1 - face.GetProperty("shadingLossFraction").GetDouble());
        AssertRelative(expectedUnshaded, unshaded, 0.005, "unshaded irradiation of the 60° face");
        var storedFace = stored.GetProperty("roofFaces")[0];
        var storedUnshaded = storedFace.GetProperty("annualIrradiationKwhPerM2").GetDouble() / (1 - storedFace.GetProperty("shadingLossFraction").GetDouble());
        Assert.True(Math.Abs(unshaded - storedUnshaded) > 0.02 * storedUnshaded, $"60°: {unshaded:F0} kWh/m², as stored: {storedUnshaded:F0}");
    }

    [Fact]
    public async Task WhatIf_AnotherModuleAndFinances_KwpPricesAndProvenanceFollow()
    {
        var site = await SiteAsync();
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();
        var stored = await StoredAsync(client, site.House);
        var body = new JsonObject
        {
            ["module"] = new JsonObject { ["peakPowerWp"] = 500 },
            ["finance"] = new JsonObject { ["electricityPriceEurPerKwh"] = 0.40, ["installedCostEurPerKwp"] = 1800, ["analysisYears"] = 25 },
        };
        var whatIf = await OkAsync(client, site.House, body);

        var panels = whatIf.GetProperty("panelCount").GetInt32();
        Assert.Equal(stored.GetProperty("panelCount").GetInt32(), panels);
        Assert.Equal(panels * 0.5, whatIf.GetProperty("installableKwp").GetDouble(), 1e-9);
        AssertRelative(stored.GetProperty("annualKwhAc").GetDouble() * 500 / 425, whatIf.GetProperty("annualKwhAc").GetDouble(), 1e-6, "energy of 500 Wp modules");
        var full = whatIf.GetProperty("finance").GetProperty("fullRoof");
        Assert.Equal(Math.Round(panels * 0.5 * 1800), full.GetProperty("installedCostEur").GetDouble(), 0.5);
        Assert.Equal(25, full.GetProperty("analysisYears").GetInt32());
        var parameters = whatIf.GetProperty("provenance").GetProperty("parameters");
        Assert.Equal(500, parameters.GetProperty("module").GetProperty("peakPowerWp").GetProperty("value").GetDouble());
        Assert.Equal("what-if request", parameters.GetProperty("module").GetProperty("peakPowerWp").GetProperty("source").GetString());
        Assert.Equal(0.40, parameters.GetProperty("finance").GetProperty("electricityPriceEurPerKwh").GetProperty("value").GetDouble());
        Assert.Equal(stored.GetProperty("provenance").GetProperty("runId").GetInt64(), whatIf.GetProperty("provenance").GetProperty("runId").GetInt64());
    }

    [Fact]
    public async Task WhatIf_ABuildingWithoutHeight_ComputedFromFacesWithAltitudes()
    {
        var site = await SiteAsync();
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();
        Assert.Equal("skipped", (await StoredAsync(client, site.NoHeight)).GetProperty("status").GetString());
        double x = site.X + 40, y = site.Y;
        var flat = Box(x, y, x + 10, y + 10);
        foreach (var position in flat["coordinates"]![0]!.AsArray())
        {
            position!.AsArray().Add(52.0);
        }
        var whatIf = await OkAsync(client, site.NoHeight, new JsonObject { ["roofFaces"] = new JsonArray(new JsonObject { ["polygonWgs84"] = flat, ["tiltDeg"] = 0 }) });

        Assert.Equal("ok", whatIf.GetProperty("status").GetString());
        Assert.Equal(100, whatIf.GetProperty("roofAreaM2").GetDouble(), 0.05);
        Assert.True(whatIf.GetProperty("panelCount").GetInt32() > 10, whatIf.GetProperty("panelCount").ToString());
        Assert.Equal(52, whatIf.GetProperty("panels")[0].GetProperty("centre").GetProperty("altitudeM").GetDouble(), 1.0);
    }

    [Fact]
    public async Task WhatIf_BadInput_400NamingTheField()
    {
        var site = await SiteAsync();
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();
        double x = site.X, y = site.Y + 20;
        var south = Box(x, y, x + 14, y + 4.5);
        string Face(JsonNode polygon, double tilt = 30, double azimuth = 180) =>
            new JsonObject { ["polygonWgs84"] = polygon.DeepClone(), ["tiltDeg"] = tilt, ["azimuthDeg"] = azimuth }.ToJsonString();
        string Faces(params string[] faces) => $$"""{"roofFaces": [{{string.Join(",", faces)}}]}""";
        var obstacle = Box(x + 5, y + 1, x + 6, y + 2).ToJsonString();
        var thousands = string.Join(",", Enumerable.Repeat($$"""{"faceNo": 1, "polygonWgs84": {{obstacle}}}""", 10_000));
        var openRing = JsonNode.Parse(south.ToJsonString())!;
        openRing["coordinates"]![0]!.AsArray().RemoveAt(4);
        var bowTie = Polygon((x, y), (x + 14, y + 4.5), (x + 14, y), (x, y + 4.5));
        var farLon = JsonNode.Parse(south.ToJsonString())!;
        farLon["coordinates"]![0]![1]![0] = 200;

        var cases = new (string Name, string Body, HttpStatusCode Status, string Field)[]
        {
            ("missing body", "", HttpStatusCode.BadRequest, "body"),
            ("not JSON", "roof: steep", HttpStatusCode.BadRequest, "body"),
            ("NaN literal", """{"module": {"peakPowerWp": NaN}}""", HttpStatusCode.BadRequest, "module.peakPowerWp"),
            ("NaN height of the second obstacle", $$"""{"obstacles": [{"faceNo": 1, "polygonWgs84": {{obstacle}}}, {"faceNo": 1, "heightM": NaN, "polygonWgs84": {{obstacle}}}]}""", HttpStatusCode.BadRequest, "obstacles[1].heightM"),
            ("Infinity literal", """{"finance": {"analysisYears": Infinity}}""", HttpStatusCode.BadRequest, "finance.analysisYears"),
            ("an array", "[]", HttpStatusCode.BadRequest, "body"),
            ("unknown member", """{"roofFace": []}""", HttpStatusCode.BadRequest, "roofFace"),
            ("roofFaces not an array", """{"roofFaces": {}}""", HttpStatusCode.BadRequest, "roofFaces"),
            ("no face", """{"roofFaces": []}""", HttpStatusCode.BadRequest, "roofFaces"),
            ("tilt 95°", Faces(Face(south, tilt: 95)), HttpStatusCode.BadRequest, "roofFaces[0].tiltDeg"),
            ("tilt 80°: a wall", Faces(Face(south, tilt: 80)), HttpStatusCode.BadRequest, "roofFaces[0].tiltDeg"),
            ("negative tilt", Faces(Face(south, tilt: -5)), HttpStatusCode.BadRequest, "roofFaces[0].tiltDeg"),
            ("tilt as text", Faces(Face(south).Replace("\"tiltDeg\":30", "\"tiltDeg\":\"30\"", StringComparison.Ordinal)), HttpStatusCode.BadRequest, "roofFaces[0].tiltDeg"),
            ("azimuth 360°", Faces(Face(south, azimuth: 360)), HttpStatusCode.BadRequest, "roofFaces[0].azimuthDeg"),
            ("tilted face without azimuth", $$"""{"roofFaces": [{"polygonWgs84": {{south.ToJsonString()}}, "tiltDeg": 30}]}""", HttpStatusCode.BadRequest, "roofFaces[0].azimuthDeg"),
            ("face without outline", """{"roofFaces": [{"tiltDeg": 30, "azimuthDeg": 180}]}""", HttpStatusCode.BadRequest, "roofFaces[0].polygonWgs84"),
            ("face outside the footprint", Faces(Face(Box(x + 30, y, x + 40, y + 4.5))), HttpStatusCode.BadRequest, "roofFaces[0].polygonWgs84"),
            ("face 3 m beyond a wall", Faces(Face(Box(x, y - 3, x + 14, y + 4.5))), HttpStatusCode.BadRequest, "roofFaces[0].polygonWgs84"),
            ("overlapping faces", Faces(Face(south), Face(Box(x, y + 2, x + 14, y + 6.5))), HttpStatusCode.BadRequest, "roofFaces[1].polygonWgs84"),
            ("ring not closed", Faces(Face(openRing)), HttpStatusCode.BadRequest, "roofFaces[0].polygonWgs84.coordinates[0]"),
            ("self-intersecting outline", Faces(Face(bowTie)), HttpStatusCode.BadRequest, "roofFaces[0].polygonWgs84"),
            ("longitude 200", Faces(Face(farLon)), HttpStatusCode.BadRequest, "roofFaces[0].polygonWgs84.coordinates[0][1]"),
            ("a point, not a polygon", Faces(Face(JsonNode.Parse("""{"type": "Point", "coordinates": [2.4, 48.9]}""")!)), HttpStatusCode.BadRequest, "roofFaces[0].polygonWgs84.type"),
            ("10,000 obstacles", $$"""{"obstacles": [{{thousands}}]}""", HttpStatusCode.BadRequest, "obstacles"),
            ("obstacle on face 9", $$"""{"obstacles": [{"faceNo": 9, "polygonWgs84": {{obstacle}}}]}""", HttpStatusCode.BadRequest, "obstacles[0].faceNo"),
            ("obstacle face 1.5", $$"""{"obstacles": [{"faceNo": 1.5, "polygonWgs84": {{obstacle}}}]}""", HttpStatusCode.BadRequest, "obstacles[0].faceNo"),
            ("obstacle off its face", $$"""{"obstacles": [{"faceNo": 1, "polygonWgs84": {{Box(x + 30, y, x + 31, y + 1).ToJsonString()}}}]}""", HttpStatusCode.BadRequest, "obstacles[0].polygonWgs84"),
            ("obstacle of an unknown kind", $$"""{"obstacles": [{"faceNo": 1, "kind": "cat", "polygonWgs84": {{obstacle}}}]}""", HttpStatusCode.BadRequest, "obstacles[0].kind"),
            ("obstacle of negative height", $$"""{"obstacles": [{"faceNo": 1, "heightM": -1, "polygonWgs84": {{obstacle}}}]}""", HttpStatusCode.BadRequest, "obstacles[0].heightM"),
            ("obstacle 80 m tall", $$"""{"obstacles": [{"faceNo": 1, "heightM": 80, "polygonWgs84": {{obstacle}}}]}""", HttpStatusCode.BadRequest, "obstacles[0].heightM"),
            ("obstacle height \"NaN\"", $$"""{"obstacles": [{"faceNo": 1, "heightM": "NaN", "polygonWgs84": {{obstacle}}}]}""", HttpStatusCode.BadRequest, "obstacles[0].heightM"),
            ("obstacle height 1e400", $$"""{"obstacles": [{"faceNo": 1, "heightM": 1e400, "polygonWgs84": {{obstacle}}}]}""", HttpStatusCode.BadRequest, "obstacles[0].heightM"),
            ("a panel of 0 W", """{"module": {"peakPowerWp": 0}}""", HttpStatusCode.BadRequest, "module.peakPowerWp"),
            ("a panel of -300 W", """{"module": {"peakPowerWp": -300}}""", HttpStatusCode.BadRequest, "module.peakPowerWp"),
            ("a 900 W panel of 1.9 m²", """{"module": {"peakPowerWp": 900}}""", HttpStatusCode.BadRequest, "module.peakPowerWp"),
            ("a power of \"NaN\"", """{"module": {"peakPowerWp": "NaN"}}""", HttpStatusCode.BadRequest, "module.peakPowerWp"),
            ("a power of 1e400", """{"module": {"peakPowerWp": 1e400}}""", HttpStatusCode.BadRequest, "module.peakPowerWp"),
            ("a module 10 m long", """{"module": {"lengthM": 10}}""", HttpStatusCode.BadRequest, "module.lengthM"),
            ("module efficiency member", """{"module": {"efficiency": 0.2}}""", HttpStatusCode.BadRequest, "module.efficiency"),
            ("a negative electricity price", """{"finance": {"electricityPriceEurPerKwh": -1}}""", HttpStatusCode.BadRequest, "finance.electricityPriceEurPerKwh"),
            ("2.5 years", """{"finance": {"analysisYears": 2.5}}""", HttpStatusCode.BadRequest, "finance.analysisYears"),
            ("finance as a number", """{"finance": 3}""", HttpStatusCode.BadRequest, "finance"),
        };
        var failures = new List<string>();
        foreach (var (name, body, status, field) in cases)
        {
            var (actual, json, response) = await PostAsync(client, site.House, body);
            using (response)
            {
                var gotField = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("field", out var f) ? f.GetString() : null;
                var detail = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("detail", out var d) ? d.GetString() : json.ToString();
                if (actual != status || gotField != field || string.IsNullOrEmpty(detail)
                    || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{name}: {(int)actual} field={gotField} ({detail}); expected {(int)status} field={field}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task WhatIf_BadRequestOrUnknownBuilding_ProblemsWithTheirStatus()
    {
        var site = await SiteAsync();
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();

        using (var response = await client.PostAsync("/api/v1/solar/buildings/abc/what-if", new StringContent("{}", Encoding.UTF8, "application/json"), Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("id", JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("parameter").GetString());
        }
        var (status, json, r1) = await PostAsync(client, 9_000_000_000_000, "{}");
        r1.Dispose();
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("not_found", json.GetProperty("code").GetString());

        (status, json, var r2) = await PostAsync(client, site.House, "{}", "text/plain");
        r2.Dispose();
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);

        var huge = $$"""{"roofFaces": [{"tiltDeg": 30, "azimuthDeg": 180, "pad": "{{new string('x', 5_000_000)}}"}]}""";
        (status, json, var r3) = await PostAsync(client, site.House, huge);
        r3.Dispose();
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("payload_too_large", json.GetProperty("code").GetString());

        // A building without a published result: 404, whatever the body says.
        await using (var cmd = db.DataSource.CreateCommand("""
            INSERT INTO region.building (source, source_id, footprint, height_above_ground_m, ingest_run_id)
            SELECT 'what-if-unpublished', 'U', ST_Multi(ST_MakeEnvelope(@x, @y, @x + 10, @y + 10, 2154)), 9, id FROM region.ingest_run LIMIT 1
            RETURNING id
            """))
        {
            cmd.Parameters.AddWithValue("x", site.X + 300);
            cmd.Parameters.AddWithValue("y", site.Y);
            var unpublished = (long)(await cmd.ExecuteScalarAsync(Ct))!;
            (status, _, var r4) = await PostAsync(client, unpublished, "{}");
            r4.Dispose();
            Assert.Equal(HttpStatusCode.NotFound, status);
        }
    }

    [Fact]
    public async Task OpenApi_TheWhatIf_DescribedWithItsBodyAndAnswer()
    {
        await using var factory = new ApiFactory(db.ApiConnectionString);
        using var client = factory.CreateClient();
        var doc = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json", Ct)).RootElement;
        var post = doc.GetProperty("paths").GetProperty("/api/v1/solar/buildings/{id}/what-if").GetProperty("post");
        var body = post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json");
        Assert.Equal("#/components/schemas/SolarWhatIfRequest", body.GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Equal("chimney", body.GetProperty("example").GetProperty("obstacles")[0].GetProperty("kind").GetString());
        var request = doc.GetProperty("components").GetProperty("schemas").GetProperty("SolarWhatIfRequest").GetProperty("properties");
        Assert.Equal(["finance", "module", "obstacles", "roofFaces"], request.EnumerateObject().Select(p => p.Name).Order());
        var answer = post.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var report = doc.GetProperty("components").GetProperty("schemas").GetProperty(answer.GetProperty("$ref").GetString()!.Split('/')[^1]);
        Assert.True(report.GetProperty("properties").TryGetProperty("simulation", out _), report.ToString());
        Assert.True(report.GetProperty("properties").TryGetProperty("roofFaces", out _), report.ToString());
        Assert.True(post.GetProperty("responses").TryGetProperty("400", out _));
    }

    private static void AssertRelative(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Abs(expected), $"{what}: {actual} where {expected} ± {tolerance:P1} was expected");
}
