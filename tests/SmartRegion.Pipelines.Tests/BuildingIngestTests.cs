using SmartRegion.Geo.Readers;
using SmartRegion.Pipelines.Ingest;
using SmartRegion.Testing;
using static SmartRegion.Pipelines.Tests.Fixtures;

namespace SmartRegion.Pipelines.Tests;

public sealed class BuildingIngestTests(TestDatabase db)
{
    [Fact]
    public async Task IngestGeoJson_SaintDenisCrs84_LoadsBdTopoAttributesInLambert93()
    {
        var path = SharedData.Require("buildings/saint-denis_bdtopo_batiment.geojson");
        var source = UniqueSource("sd");
        var report = await BuildingIngest.RunAsync(db.DataSource, Options(path, source), null, Ct);

        Assert.Equal(436, report.Read);
        // The file comes from a spatial join that duplicated 4 buildings: same cleabs, rejected after the first.
        Assert.Equal(432, report.Accepted);
        Assert.Equal(4, report.Rejected);
        Assert.All(report.Rejections, r => Assert.Contains("duplicate id", r.Reason));
        Assert.Equal(432, report.Inserted);
        Assert.Equal(64, report.FileSha256!.Length);

        // BATIMENT0000000243398338: hauteur 7.0, altitude_minimale_sol 38.0, altitude_maximale_toit 46.8 (first feature).
        var row = await ScalarAsync<string>(db, """
            SELECT concat_ws('|', height_above_ground_m, ground_altitude_ngfign69_m, roof_max_altitude_ngfign69_m, altitude_datum,
                   ST_SRID(footprint), round(ST_X(ST_Centroid(footprint)))::int / 1000, round(ST_Y(ST_Centroid(footprint)))::int / 1000,
                   attributes->>'code_insee')
            FROM region.building WHERE source = @s AND source_id = 'BATIMENT0000000243398338'
            """, ("s", source));
        Assert.Equal("7|38|46.8|NGF-IGN69|2154|652|6867|93066", row);
        // 349 features have hauteur; the 4 rejected duplicates have it too.
        Assert.Equal(345L, await ScalarAsync<long>(db, "SELECT count(*) FROM region.building WHERE source = @s AND height_above_ground_m IS NOT NULL", ("s", source)) + 0);
        // materiaux_de_la_toiture (land-registry digits, set on 49 features) as the roof covering the roof inference reads.
        Assert.Equal("concrete:8,metal:3,other:5,slates:3,tiles:17,tiles+metal:3,tiles+other:1", await ScalarAsync<string>(db, """
            SELECT string_agg(roof_covering || ':' || n, ',' ORDER BY roof_covering)
            FROM (SELECT roof_covering, count(*) AS n FROM region.building WHERE source = @s AND roof_covering IS NOT NULL GROUP BY 1) c
            """, ("s", source)));
    }

    [Fact]
    public async Task IngestGeoJson_LyonEpsg3946ShapefileNames_MapsUpperCaseFields()
    {
        var path = SharedData.Require("buildings/lyon-1er_bdtopo_batiment_3946.geojson");
        var source = UniqueSource("lyon");
        var report = await BuildingIngest.RunAsync(db.DataSource, Options(path, source), null, Ct);
        Assert.Equal(2576, report.Accepted);
        Assert.Equal("EPSG:3946", report.SourceCrs);
        var row = await ScalarAsync<string>(db, """
            SELECT concat_ws('|', height_above_ground_m, ground_altitude_ngfign69_m, roof_min_altitude_ngfign69_m, roof_max_altitude_ngfign69_m,
                   GeometryType(geometry_3d), ST_Z(ST_PointN(ST_ExteriorRing(ST_GeometryN(geometry_3d, 1)), 1)))
            FROM region.building WHERE source = @s AND source_id = 'BATIMENT0000000240876972'
            """, ("s", source));
        Assert.Equal("9.2|200.6|209.7|210.7|MULTIPOLYGON|209.7", row);
        // Lyon 1er lies around 45.767 N 4.834 E: in Lambert-93 about (842 000, 6 519 000).
        var x = await ScalarAsync<double>(db, "SELECT avg(ST_X(ST_Centroid(footprint))) FROM region.building WHERE source = @s", ("s", source));
        var y = await ScalarAsync<double>(db, "SELECT avg(ST_Y(ST_Centroid(footprint))) FROM region.building WHERE source = @s", ("s", source));
        Assert.InRange(x, 841_000, 844_000);
        Assert.InRange(y, 6_518_000, 6_521_000);
        // Same footprint as PostGIS's own transform of the source coordinates, to the millimetre.
        var offsetM = await ScalarAsync<double>(db, """
            SELECT ST_Distance(ST_PointN(ST_ExteriorRing(ST_GeometryN(footprint, 1)), 1),
                               ST_Transform(ST_SetSRID(ST_MakePoint(1841205.541376449167728, 5176065.184761937707663), 3946), 2154))
            FROM region.building WHERE source = @s AND source_id = 'BATIMENT0000000240876972'
            """, ("s", source));
        Assert.True(offsetM < 0.001, $"{offsetM} m");
    }

    [Fact]
    public async Task IngestTwice_SameFile_LeavesSameRowsAndChangesNothing()
    {
        var source = UniqueSource("idem");
        var path = TempFile("a.geojson", Collection2154(SquareFeature("A", 652000, 6862000), SquareFeature("B", 652100, 6862000)));
        var first = await BuildingIngest.RunAsync(db.DataSource, Options(path, source), null, Ct);
        var ids = await ScalarAsync<string>(db, "SELECT string_agg(id::text || ':' || updated_at::text, ',' ORDER BY id) FROM region.building WHERE source = @s", ("s", source));
        var second = await BuildingIngest.RunAsync(db.DataSource, Options(path, source), null, Ct);
        Assert.Equal(2, first.Inserted);
        Assert.Equal((0, 0, 2), (second.Inserted, second.Updated, second.Unchanged));
        Assert.Equal(ids, await ScalarAsync<string>(db, "SELECT string_agg(id::text || ':' || updated_at::text, ',' ORDER BY id) FROM region.building WHERE source = @s", ("s", source)));
    }

    [Fact]
    public async Task IngestReplaceSource_ChangedAndVanished_UpdatesAndRetires()
    {
        var source = UniqueSource("repl");
        var v1 = TempFile("v1.geojson", Collection2154(SquareFeature("A", 652000, 6862000), SquareFeature("B", 652100, 6862000), SquareFeature("C", 652200, 6862000)));
        var v2 = TempFile("v2.geojson", Collection2154(SquareFeature("A", 652000, 6862000), SquareFeature("B", 652100, 6862000, extra: "\"hauteur\": 12.0"), SquareFeature("D", 652300, 6862000)));
        await BuildingIngest.RunAsync(db.DataSource, Options(v1, source), null, Ct);
        var r = await BuildingIngest.RunAsync(db.DataSource, Options(v2, source, replace: true), null, Ct);
        Assert.Equal((1, 1, 1, 1), (r.Inserted, r.Updated, r.Unchanged, r.Retired));
        Assert.Equal(12.0, await ScalarAsync<double>(db, "SELECT height_above_ground_m FROM region.building WHERE source = @s AND source_id = 'B'", ("s", source)));
        Assert.Equal("A,B,D", await ScalarAsync<string>(db, "SELECT string_agg(source_id, ',' ORDER BY source_id) FROM region.building_current WHERE source = @s", ("s", source)));
        Assert.Equal(r.RunId, await ScalarAsync<long>(db, "SELECT retired_run_id FROM region.building WHERE source = @s AND source_id = 'C'", ("s", source)));
    }

    [Fact]
    public async Task IngestSequence_NdjsonAndRecordSeparators_ReadsEveryFeature()
    {
        var source = UniqueSource("seq");
        var path = TempFile("b.geojsonl", $"{SquareFeature("A", 652000, 6862000)}\n\u001e{SquareFeature("B", 652100, 6862000)}\n");
        var o = Options(path, source) with { Epsg = 2154 };
        var r = await BuildingIngest.RunAsync(db.DataSource, o, null, Ct);
        Assert.Equal("geojsonseq", r.Format);
        Assert.Equal(2, r.Inserted);
    }

    [Fact]
    public async Task IngestSingleFeature_Crs84_IsOneBuilding()
    {
        var source = UniqueSource("single");
        var path = TempFile("one.geojson", """{"type":"Feature","id":"x1","properties":{"building":"yes","height":"12 m","building:levels":"4","roof:shape":"gabled"},"geometry":{"type":"Polygon","coordinates":[[[2.35,48.85],[2.3501,48.85],[2.3501,48.8501],[2.35,48.8501],[2.35,48.85]]]}}""");
        var r = await BuildingIngest.RunAsync(db.DataSource, Options(path, source), null, Ct);
        Assert.Equal(1, r.Inserted);
        Assert.Equal("12|4|gabled|yes", await ScalarAsync<string>(db, "SELECT concat_ws('|', height_above_ground_m, storeys, roof_shape, usage) FROM region.building WHERE source = @s AND source_id = 'x1'", ("s", source)));
    }

    [Fact]
    public async Task IngestBadFeatures_EachRejectedWithFeatureIndexAndField()
    {
        var source = UniqueSource("bad");
        var bowtie = """{"type":"Feature","properties":{"cleabs":"BOW"},"geometry":{"type":"Polygon","coordinates":[[[652000,6862000],[652010,6862010],[652010,6862000],[652000,6862010],[652000,6862000]]]}}""";
        var path = TempFile("bad.geojson", Collection2154(
            SquareFeature("OK", 652000, 6862000),                                                                   // 0
            """{"type":"Feature","properties":{"cleabs":"EMPTY"},"geometry":{"type":"Polygon","coordinates":[]}}""", // 1
            """{"type":"Feature","properties":{"cleabs":"INF"},"geometry":{"type":"Polygon","coordinates":[[[1e999,6862000],[652010,6862000],[652010,6862010],[1e999,6862000]]]}}""", // 2
            SquareFeature("FAR", 85000, 447000),                                                                  // 3: RD coordinates declared as 2154
            SquareFeature("NEG", 652400, 6862000, extra: "\"hauteur\": -3"),                                      // 4: warning, height dropped
            SquareFeature("OK", 652500, 6862000),                                                                 // 5: duplicate id
            bowtie,                                                                                               // 6: repaired
            """{"type":"Feature","properties":{"cleabs":"PT"},"geometry":{"type":"Point","coordinates":[652000,6862000]}}""")); // 7
        var r = await BuildingIngest.RunAsync(db.DataSource, Options(path, source), null, Ct);
        Assert.Equal(8, r.Read);
        Assert.Equal(3, r.Accepted); // OK, NEG, BOW
        var byIndex = r.Rejections.ToDictionary(p => p.FeatureIndex);
        Assert.Contains("empty", byIndex[1].Reason);
        Assert.Equal("geometry.coordinates[0][0]", byIndex[2].Field);
        Assert.Contains("not a finite number", byIndex[2].Reason);
        Assert.Contains("vertex 0 (85000, 447000) is far outside the area of EPSG:2154", byIndex[3].Reason);
        Assert.Contains("duplicate id 'OK' (first at feature 0)", byIndex[5].Reason);
        Assert.Equal("geometry.type", byIndex[7].Field);
        var warning = Assert.Single(r.WarningList);
        Assert.Equal(("hauteur", 4), (warning.Field, warning.FeatureIndex));
        var repair = Assert.Single(r.Repairs);
        Assert.Equal(6, repair.FeatureIndex);
        Assert.Contains("Self-intersection", repair.Reason);
        Assert.True(await ScalarAsync<bool>(db, "SELECT ST_IsValid(footprint) AND height_above_ground_m IS NULL FROM region.building WHERE source = @s AND source_id = 'BOW'", ("s", source)));

        var strict = await BuildingIngest.RunAsync(db.DataSource, Options(path, UniqueSource("strict"), strict: true), null, Ct);
        Assert.Equal(1, strict.Accepted);
        Assert.Contains("--strict", strict.Rejections.Single(p => p.FeatureIndex == 6).Reason);
        Assert.Contains("--strict", strict.Rejections.Single(p => p.FeatureIndex == 4).Reason);
    }

    [Fact]
    public async Task IngestDirect_FileRepeatsAnId_LoadsAgainStagedAndReportsTheDuplicate()
    {
        // Every file goes the direct way here (no minimum size): the repeated id fails the direct COPY, the staged reload reports it.
        var source = UniqueSource("direct");
        var path = TempFile("dup.geojson", Collection2154(SquareFeature("A", 652000, 6862000), SquareFeature("B", 652100, 6862000),
            SquareFeature("A", 652200, 6862000, extra: "\"hauteur\": -3")));
        var r = await BuildingIngest.RunAsync(db.DataSource, Options(path, source) with { DirectLoadMinBytes = 0 }, null, Ct);
        Assert.Equal((3, 2, 1, 2), (r.Read, r.Accepted, r.Rejected, r.Inserted));
        Assert.Contains("duplicate id 'A' (first at feature 0)", Assert.Single(r.Rejections).Reason);
        Assert.Equal(0, r.Warnings); // the duplicate's own warning went with it
        Assert.Empty(r.WarningList);
        Assert.Equal(652005.0, await ScalarAsync<double>(db, "SELECT ST_X(ST_Centroid(footprint)) FROM region.building WHERE source = @s AND source_id = 'A'", ("s", source)), 3);

        var clean = UniqueSource("direct");
        var cleanPath = TempFile("clean.geojson", Collection2154(SquareFeature("A", 652000, 6862000), SquareFeature("B", 652100, 6862000)));
        var c = await BuildingIngest.RunAsync(db.DataSource, Options(cleanPath, clean) with { DirectLoadMinBytes = 0 }, null, Ct);
        Assert.Equal((2, 2, 0), (c.Accepted, c.Inserted, c.Rejected));
        Assert.Equal(2L, await ScalarAsync<long>(db, "SELECT count(*) FROM region.building WHERE source = @s AND ingest_run_id = @r", ("s", clean), ("r", c.RunId!.Value)));
    }

    [Fact]
    public async Task IngestDirect_StoppedAfterRowsWereCopied_LeavesNothingOfTheRun()
    {
        // The first progress line comes after the first batch went into the direct COPY: stop the load right there.
        var source = UniqueSource("directstop");
        var path = TempFile("stop.geojson", Collection2154([.. Enumerable.Range(0, 3000).Select(i => SquareFeature("S" + i, 640_000 + (i % 50 * 20), 6_850_000 + (i / 50 * 20)))]));
        using var stop = new CancellationTokenSource();
        var progress = new SmartRegion.Pipelines.Cli.ProgressLine("buildings", new CancelOnWrite(stop));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            BuildingIngest.RunAsync(db.DataSource, Options(path, source) with { DirectLoadMinBytes = 0 }, progress, stop.Token));
        Assert.Equal(0L, await ScalarAsync<long>(db, "SELECT count(*) FROM region.building WHERE source = @s", ("s", source)));
        Assert.Equal("failed", await ScalarAsync<string>(db, "SELECT status FROM region.ingest_run WHERE source = @s", ("s", source)));
    }

    private sealed class CancelOnWrite(CancellationTokenSource stop) : StringWriter
    {
        public override void WriteLine(string? value) => stop.Cancel();
    }

    [Fact]
    public async Task IngestNotUtf8_Latin1Attribute_NamesFeatureAndByte()
    {
        var text = Collection2154(SquareFeature("A", 652000, 6862000, extra: "\"nature\": \"Indiff\u00e9renci\u00e9e\""));
        var path = TempFile("latin1.geojson", System.Text.Encoding.Latin1.GetBytes(text));
        var r = await BuildingIngest.RunAsync(db.DataSource, Options(path, UniqueSource("l1")), null, Ct);
        var p = Assert.Single(r.Rejections);
        Assert.Equal(0, p.FeatureIndex);
        Assert.Contains("not valid UTF-8", p.Reason);
    }

    [Fact]
    public async Task IngestDatabaseUnreachable_FileOfManyBatches_FailsWithTheConnectionErrorWithoutWaitingForever()
    {
        // A staged load parses while the connection opens: when it never opens, the parsing (blocked on a full queue) must stop.
        var features = Enumerable.Range(0, 3000).Select(i => SquareFeature($"U{i}", 652000 + i % 100 * 20, 6862000 + i / 100 * 20)).ToArray();
        var path = TempFile("u.geojson", Collection2154(features));
        await using var nowhere = Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=x;Password=x;Database=x;Timeout=3");
        var run = BuildingIngest.RunAsync(nowhere, Options(path, UniqueSource("nowhere")), null, Ct);
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60), Ct)));
        await Assert.ThrowsAsync<Npgsql.NpgsqlException>(() => run);
    }

    [Fact]
    public async Task IngestRun_RecordsItsOptionsAndItsReportUnderTheirNames()
    {
        var source = UniqueSource("opts");
        var path = TempFile("o.geojson", Collection2154(SquareFeature("O1", 652000, 6862000)));
        var report = await BuildingIngest.RunAsync(db.DataSource, Options(path, source, replace: true), null, Ct);
        Assert.Equal("true|false|false|null",
            await ScalarAsync<string>(db, "SELECT concat_ws('|', options->'ReplaceSource', options->'Strict', options->'DryRun', options->'srs') FROM region.ingest_run WHERE id = @id", ("id", report.RunId!.Value)));
        var file = Path.Combine(Path.GetDirectoryName(path)!, "report.json");
        report.WriteTo(file);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
        Assert.Equal("succeeded", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("inserted").GetInt32());
        Assert.Equal(report.RunId, json.RootElement.GetProperty("runId").GetInt64());
        Assert.False(json.RootElement.TryGetProperty("error", out _)); // nulls are left out
        Assert.Equal(0, json.RootElement.GetProperty("rejections").GetArrayLength());
    }

    [Fact]
    public async Task IngestTruncated_File_FailsWithoutChangingAnything()
    {
        var source = UniqueSource("trunc");
        var full = Collection2154(SquareFeature("A", 652000, 6862000), SquareFeature("B", 652100, 6862000));
        var path = TempFile("t.geojson", full[..(full.Length - 40)]);
        var e = await Assert.ThrowsAsync<SourceFormatException>(() => BuildingIngest.RunAsync(db.DataSource, Options(path, source), null, Ct));
        Assert.Contains("t.geojson", e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Equal(0L, await ScalarAsync<long>(db, "SELECT count(*) FROM region.building WHERE source = @s", ("s", source)));
        Assert.Equal("failed", await ScalarAsync<string>(db, "SELECT status FROM region.ingest_run WHERE source = @s", ("s", source)));
    }

    [Fact]
    public async Task IngestGeoPackage_NotSqlite_SaysSo()
    {
        var path = TempFile("fake.gpkg", """{"type":"FeatureCollection","features":[]}""");
        var e = await Assert.ThrowsAsync<SourceFormatException>(() => BuildingIngest.RunAsync(db.DataSource, Options(path, UniqueSource("gp")), null, Ct));
        Assert.Equal("fake.gpkg: not a GeoPackage: the file is not an SQLite database (its first bytes are not 'SQLite format 3')", e.Message);
    }

    [Fact]
    public async Task IngestGeoPackage_SaintDenisLayer_ReadsSrsTableAndBlobs()
    {
        var path = SharedData.Require("buildings/saint-denis_potentiel-solaire_reference.gpkg");
        var noLayer = await Assert.ThrowsAsync<SourceFormatException>(() => BuildingIngest.RunAsync(db.DataSource, Options(path, UniqueSource("gp")), null, Ct));
        Assert.Contains("9 feature layers; choose one with --layer", noLayer.Message);
        Assert.Contains("bdtopo_batiment", noLayer.Message);

        var source = UniqueSource("gpkg");
        var r = await BuildingIngest.RunAsync(db.DataSource, Options(path, source, layer: "bdtopo_batiment"), null, Ct);
        Assert.Equal(("gpkg", "EPSG:4326", 436, 432), (r.Format, r.SourceCrs, r.Read, r.Accepted));
        // Same building as the GeoJSON export of the same layer (cleabs_left__bat = BATIMENT0000000243398338, hauteur 7).
        Assert.Equal("7|652|6867", await ScalarAsync<string>(db, """
            SELECT concat_ws('|', height_above_ground_m, round(ST_X(ST_Centroid(footprint)))::int / 1000, round(ST_Y(ST_Centroid(footprint)))::int / 1000)
            FROM region.building WHERE source = @s AND source_id = 'BATIMENT0000000243398338'
            """, ("s", source)));
    }

    [Fact]
    public async Task IngestCsvWkt_BdTopoSample_SkipsDestroyedVersions()
    {
        var path = SharedData.Require("buildings/france_bdtopo_batiment_sample_wkt_2154.csv");
        var source = UniqueSource("csv");
        var r = await BuildingIngest.RunAsync(db.DataSource, Options(path, source), null, Ct);
        // 1,316 rows, of which 467 are destroyed historical versions (gcms_detruit = true).
        Assert.Equal((467, 849, 849), (r.Filtered, r.Read, r.Accepted));
        Assert.Equal("EPSG:2154", r.SourceCrs);
        Assert.All(r.WarningList, w => Assert.Equal("hauteur", w.Field));
        Assert.Equal(0L, await ScalarAsync<long>(db, "SELECT count(*) FROM region.building WHERE source = @s AND attributes->>'gcms_detruit' = 'true'", ("s", source)));
        // The first current row (line 167, cleabs BATIMENT0000000056785358) keeps its line number in messages and its WKT Z.
        Assert.Equal("MULTIPOLYGON", await ScalarAsync<string>(db, "SELECT GeometryType(geometry_3d) FROM region.building WHERE source = @s AND source_id = 'BATIMENT0000000056785358'", ("s", source)));
    }

    [Fact]
    public async Task IngestGzip_GeoJsonAndCsv_LoadTheSameRowsAsThePlainFiles()
    {
        var geojson = Collection2154(SquareFeature("A", 652000, 6862000), SquareFeature("B", 652100, 6862000), SquareFeature("C", 652200, 6862000));
        var csv = "cleabs;hauteur;geometrie\nA;9.5;POLYGON((652000 6862000,652010 6862000,652010 6862010,652000 6862010,652000 6862000))\n"
            + "B;7;POLYGON((652100 6862000,652110 6862000,652110 6862010,652100 6862010,652100 6862000))\n";
        foreach (var (name, text, count) in new[] { ("z.geojson", geojson, 3), ("z.csv", csv, 2) })
        {
            var plain = TempFile(name, text);
            var gz = TempFile(name + ".gz", Gzip(System.Text.Encoding.UTF8.GetBytes(text)));
            Assert.Equal(FeatureSources.Detect(plain), FeatureSources.Detect(gz));
            var (a, b) = (UniqueSource("plain"), UniqueSource("gz"));
            var rp = await BuildingIngest.RunAsync(db.DataSource, Options(plain, a), null, Ct);
            var rg = await BuildingIngest.RunAsync(db.DataSource, Options(gz, b), null, Ct);
            Assert.Equal((count, count), (rp.Accepted, rg.Accepted));
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(gz))), rg.FileSha256); // the file's bytes
            const string Rows = "SELECT string_agg(source_id || ':' || ST_AsText(footprint) || ':' || height_above_ground_m, ',' ORDER BY source_id) FROM region.building WHERE source = @s";
            Assert.Equal(await ScalarAsync<string>(db, Rows, ("s", a)), await ScalarAsync<string>(db, Rows, ("s", b)));
        }
    }

    [Fact]
    public async Task IngestGzip_TruncatedOrGeoPackage_FailsClearlyWithoutChangingAnything()
    {
        var csv = "cleabs;hauteur;geometrie\n" + string.Concat(Enumerable.Range(0, 2000).Select(i =>
            $"B{i};{i % 9 + 3};POLYGON(({652000 + i * 20} 6862000,{652010 + i * 20} 6862000,{652010 + i * 20} 6862010,{652000 + i * 20} 6862000))\n"));
        var whole = Gzip(System.Text.Encoding.UTF8.GetBytes(csv));
        // Cut at a line end of the decompressed text or not, .NET's decompressor ends quietly: the trailer check must see it.
        var path = TempFile("cut.csv.gz", whole[..(whole.Length * 2 / 3)]);
        var source = UniqueSource("cutgz");
        var e = await Assert.ThrowsAsync<SourceFormatException>(() => BuildingIngest.RunAsync(db.DataSource, Options(path, source), null, Ct));
        Assert.StartsWith("cut.csv.gz: the gzip file is truncated or corrupt", e.Message);
        Assert.Equal(0L, await ScalarAsync<long>(db, "SELECT count(*) FROM region.building WHERE source = @s", ("s", source)));
        Assert.Equal("failed", await ScalarAsync<string>(db, "SELECT status FROM region.ingest_run WHERE source = @s", ("s", source)));

        var corrupt = whole.ToArray();
        corrupt[40] ^= 0xFF;
        corrupt[41] ^= 0x5A;
        var bad = await Assert.ThrowsAsync<SourceFormatException>(() =>
            BuildingIngest.RunAsync(db.DataSource, Options(TempFile("flip.csv.gz", corrupt), UniqueSource("flipgz")), null, Ct));
        Assert.Contains("flip.csv.gz: the gzip", bad.Message);

        var gpkg = TempFile("x.gpkg.gz", Gzip([1, 2, 3]));
        var g = await Assert.ThrowsAsync<SourceFormatException>(() => BuildingIngest.RunAsync(db.DataSource, Options(gpkg, UniqueSource("gpgz")), null, Ct));
        Assert.Equal("x.gpkg.gz is gzip-compressed: a GeoPackage is an SQLite database, read in place; gunzip it first", g.Message);
    }

    [Fact]
    public async Task IngestGzip_CityJsonSeq_ReadsRoofSurfaces()
    {
        var plain = SharedData.Require("lod2/montreal_b4.city.jsonl");
        var gz = TempFile("montreal_b4.city.jsonl.gz", Gzip(File.ReadAllBytes(plain)));
        Assert.Equal("cityjson", FeatureSources.Detect(gz));
        var (a, b) = (UniqueSource("cjplain"), UniqueSource("cjgz"));
        var rp = await BuildingIngest.RunAsync(db.DataSource, Options(plain, a), null, Ct);
        var rg = await BuildingIngest.RunAsync(db.DataSource, Options(gz, b), null, Ct);
        Assert.Equal(("cityjsonseq", rp.Accepted), (rg.Format, rg.Accepted));
        Assert.True(rg.Accepted > 0);
        const string Roofs = "SELECT count(*) FROM region.roof_surface r JOIN region.building b ON b.id = r.building_id WHERE b.source = @s";
        Assert.Equal(await ScalarAsync<long>(db, Roofs, ("s", a)), await ScalarAsync<long>(db, Roofs, ("s", b)));
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Optimal))
        {
            gz.Write(data);
        }
        return output.ToArray();
    }
}
