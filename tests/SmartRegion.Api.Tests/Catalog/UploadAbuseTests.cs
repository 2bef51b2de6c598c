using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using SmartRegion.Testing;

namespace SmartRegion.Api.Tests.Catalog;

/// <summary>
/// Runs alone: tests here start hosts with lowered limits, and a job must be taken by that host's worker, not by
/// the worker of another test class's host running at the same time against the same database.
/// </summary>
[CollectionDefinition(nameof(UploadAbuseTests), DisableParallelization = true)]
public sealed class UploadAbuseCollection;

/// <summary>Hostile and broken uploads: each gets a clear 4xx or a failed job with its reason, never a 500 or a published half.</summary>
[Collection(nameof(UploadAbuseTests))]
public sealed class UploadAbuseTests(TestDatabase db) : CatalogTest(db)
{
    private async Task<(HttpClient Client, string Dataset)> DatasetAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>? factory = null)
    {
        var org = await Kit.OrgAsync("org");
        var (_, key) = await Kit.UserWithKeyAsync(org, "editor");
        var client = factory?.CreateClient() ?? Kit.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Apikey", key);
        var id = (await Kit.CreateDatasetAsync(client, org.Slug, "private")).GetProperty("id").GetString()!;
        return (client, id);
    }

    private static async Task<JsonElement> FailedAsync(HttpClient client, string id, byte[] bytes, string name, string? query = null)
    {
        var job = await Uploads.UploadBytesAndWaitAsync(client, id, bytes, name, query);
        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Equal("failed", job.GetProperty("version").GetProperty("status").GetString());
        return job;
    }

    [Fact]
    public async Task Csv_100000Columns_FailsNamingTheLimit()
    {
        var (client, id) = await DatasetAsync();
        var header = string.Join(',', Enumerable.Range(0, 100_000).Select(i => $"c{i}"));
        var job = await FailedAsync(client, id, Encoding.UTF8.GetBytes(header + "\n1,2\n"), "wide.csv");
        Assert.Contains("more than 1000 columns", job.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Csv_OneHugeLine_FailsWithLine()
    {
        var (client, id) = await DatasetAsync();
        var bytes = Encoding.UTF8.GetBytes("a;b\n1;" + new string('x', 3_000_000) + "\n");
        var job = await FailedAsync(client, id, bytes, "long.csv");
        Assert.Contains("line 2", job.GetProperty("error").GetString());
        Assert.Contains("longer than", job.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Csv_MixedEncodings_FailsWithLine()
    {
        var (client, id) = await DatasetAsync();
        var utf8 = new StringBuilder("nom;ville\n");
        for (var i = 0; i < 5000; i++)
        {
            utf8.Append("Été;Saint-Denis\n");
        }
        var bytes = Encoding.UTF8.GetBytes(utf8.ToString()).Concat(new byte[] { (byte)'H', 0xE9, (byte)';', (byte)'x', (byte)'\n' }).ToArray();
        var job = await FailedAsync(client, id, bytes, "mixed.csv");
        Assert.Contains("line 5002", job.GetProperty("error").GetString());
        Assert.Contains("mixed encodings", job.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Csv_Windows1252DecimalComma_DetectedAndTyped()
    {
        var (client, id) = await DatasetAsync();
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var bytes = Encoding.GetEncoding(1252).GetBytes("commune;hauteur_m;planté_le\nSaint-Denis;12,5;2024-03-01\nÉpinay;7,25;2023-11-30\nBobigny;bad;2023-01-01\n");
        var job = await Uploads.UploadBytesAndWaitAsync(client, id, bytes, "legacy.csv");
        var v = job.GetProperty("version");
        Assert.Equal("ready", v.GetProperty("status").GetString());
        var report = v.GetProperty("report");
        Assert.Equal("windows-1252", report.GetProperty("detected").GetProperty("encoding").GetString());
        Assert.Equal(",", report.GetProperty("detected").GetProperty("decimalSeparator").GetString());
        var fields = v.GetProperty("schema").GetProperty("fields");
        Assert.Equal("planté_le", fields[2].GetProperty("name").GetString());
        Assert.Equal("date", fields[2].GetProperty("type").GetString());
        // 2 of 3 values are numbers: below the 90 % bar, so the column stays text.
        Assert.Equal("text", fields[1].GetProperty("type").GetString());
        Assert.Equal(3, v.GetProperty("rowCount").GetInt64());
    }

    [Fact]
    public async Task Csv_BadRows_ReportedWithLineAndColumn_StrictModeFailsWhole()
    {
        var (client, id) = await DatasetAsync();
        var csv = new StringBuilder("id,valeur\n");
        for (var i = 1; i <= 30; i++)
        {
            csv.Append(i).Append(',').Append(i * 1.5).Append('\n');
        }
        csv.Append("31,pas un nombre\n32,1,2\n");
        var bytes = Encoding.UTF8.GetBytes(csv.ToString());

        var job = await Uploads.UploadBytesAndWaitAsync(client, id, bytes, "bad.csv");
        var v = job.GetProperty("version");
        Assert.Equal("ready", v.GetProperty("status").GetString());
        var report = v.GetProperty("report");
        Assert.Equal(32, report.GetProperty("rowsRead").GetInt64());
        Assert.Equal(30, report.GetProperty("rowsLoaded").GetInt64());
        var errors = report.GetProperty("errors").EnumerateArray().ToList();
        Assert.Contains(errors, e => e.GetProperty("row").GetInt64() == 32 && e.GetProperty("column").GetString() == "valeur");
        Assert.Contains(errors, e => e.GetProperty("row").GetInt64() == 33 && e.GetProperty("message").GetString()!.Contains("3 fields"));
        var number = v.GetProperty("schema").GetProperty("fields")[1];
        Assert.Equal("number", number.GetProperty("type").GetString());
        Assert.Equal(0.9677, number.GetProperty("confidence").GetDouble(), 3);

        var strict = await FailedAsync(client, id, bytes, "bad.csv", "&strict=true");
        Assert.Equal(2, strict.GetProperty("version").GetProperty("report").GetProperty("errorCount").GetInt64());
        Assert.Equal(404, (await CatalogKit.SendAsync(client, HttpMethod.Get, $"/api/v1/datasets/{id}/records")).Status);
        Assert.Equal(409, (await CatalogKit.SendAsync(client, HttpMethod.Post, $"/api/v1/datasets/{id}/versions/2/publish")).Status);
    }

    [Fact]
    public async Task TableSchema_Supplied_OverridesInference()
    {
        var (client, id) = await DatasetAsync();
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes("code,n\n01000,5\n75056,6\n")), "file", "codes.csv" },
            { new StringContent("""{"fields":[{"name":"code","type":"string"},{"name":"n","type":"number"}]}"""), "tableSchema" },
        };
        using var response = await client.PostAsync($"/api/v1/datasets/{id}/versions", form, Ct);
        Assert.Equal(202, (int)response.StatusCode);
        var job = await Uploads.WaitAsync(client, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement);
        var fields = job.GetProperty("version").GetProperty("schema").GetProperty("fields");
        Assert.Equal("text", fields[0].GetProperty("type").GetString());
        Assert.Equal("number", fields[1].GetProperty("type").GetString());
        Assert.Equal("codes.csv", job.GetProperty("version").GetProperty("fileName").GetString());
    }

    [Fact]
    public async Task GeoJson_HugePolygon_FailsOnFeatureSize()
    {
        await using var small = Factory.WithWebHostBuilder(b => b.UseSetting("Catalog:MaxFeatureBytes", "1000000"));
        var (client, id) = await DatasetAsync(small);
        var ring = string.Join(',', Enumerable.Range(0, 100_000).Select(i => $"[{2 + i * 1e-7:F7},48.9]"));
        var bytes = Encoding.UTF8.GetBytes("""{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[""" + ring + "]]}}]}");
        var job = await FailedAsync(client, id, bytes, "huge.geojson");
        Assert.Contains("larger than", job.GetProperty("error").GetString());
    }

    [Fact]
    public async Task GeoJson_BadGeometry_RowRejectedOthersLoaded()
    {
        var (client, id) = await DatasetAsync();
        var bytes = Encoding.UTF8.GetBytes("""
            {"type":"FeatureCollection","features":[
             {"type":"Feature","properties":{"n":1},"geometry":{"type":"Point","coordinates":[2.35,48.85]}},
             {"type":"Feature","properties":{"n":2},"geometry":{"type":"Circle","coordinates":[0,0]}},
             {"type":"Feature","properties":{"n":3},"geometry":null}]}
            """);
        var v = (await Uploads.UploadBytesAndWaitAsync(client, id, bytes, "pts.geojson")).GetProperty("version");
        Assert.Equal("ready", v.GetProperty("status").GetString());
        Assert.Equal(2, v.GetProperty("rowCount").GetInt64());
        var error = v.GetProperty("report").GetProperty("errors")[0];
        Assert.Equal(2, error.GetProperty("row").GetInt64());
        Assert.Equal("geometry", error.GetProperty("column").GetString());
    }

    [Theory]
    [InlineData("not-sqlite.gpkg", "col1,col2\n1,2\n", 415, "content_mismatch")]
    [InlineData("data.csv", "{\"type\":\"FeatureCollection\",\"features\":[]}", 415, "content_mismatch")]
    [InlineData("data.parquet", "col1,col2\n1,2\n", 415, "content_mismatch")]
    [InlineData("../../etc/passwd.csv", "a\n1\n", 400, "invalid_file_name")]
    // A NUL in the query string is refused before the endpoint, naming the parameter (RequestGuard).
    [InlineData("a\u0000b.csv", "a\n1\n", 400, "invalid_parameter")]
    [InlineData("empty.csv", "", 400, "empty_upload")]
    public async Task Upload_BadFileOrName_Clear4xx(string name, string content, int status, string code)
    {
        var (client, id) = await DatasetAsync();
        var (actual, body) = await Uploads.UploadBytesAsync(client, id, Encoding.UTF8.GetBytes(content), name);
        Assert.Equal(status, actual);
        Assert.Equal(code, body.GetProperty("code").GetString());
        var (_, versions) = await CatalogKit.SendAsync(client, HttpMethod.Get, $"/api/v1/datasets/{id}/versions");
        Assert.Equal("[]", versions);
    }

    [Fact]
    public async Task Upload_GzipOrZipBomb_Refused415_NeverDecompressed()
    {
        // 20 MB of zeros: 20 kB of gzip, the same in a zip (a real bomb only has more zeros). Sniffed as text, the gzip was
        // accepted as "a CSV" before property 9.
        var zeros = new byte[20 << 20];
        var gzip = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(gzip, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            gz.Write(zeros);
        }
        var zip = new MemoryStream();
        using (var archive = new System.IO.Compression.ZipArchive(zip, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        using (var entry = archive.CreateEntry("bomb.csv").Open())
        {
            entry.Write(zeros);
        }
        var (client, id) = await DatasetAsync();
        foreach (var (bytes, name, kind) in new[] { (gzip.ToArray(), "bomb.csv", "gzip"), (gzip.ToArray(), "bomb.csv.gz", "gzip"), (zip.ToArray(), "bomb.zip", "zip") })
        {
            var (status, body) = await Uploads.UploadBytesAsync(client, id, bytes, name);
            Assert.True(status == 415, $"{name}: {status} {body}");
            Assert.Equal("compressed_file", body.GetProperty("code").GetString());
            Assert.StartsWith($"The file is {kind}-compressed.", body.GetProperty("detail").GetString());
        }
        var (_, versions) = await CatalogKit.SendAsync(client, HttpMethod.Get, $"/api/v1/datasets/{id}/versions");
        Assert.Equal("[]", versions);
    }

    [Fact]
    public async Task Upload_OverSizeLimit_Is413()
    {
        await using var small = Factory.WithWebHostBuilder(b => b.UseSetting("Catalog:MaxUploadBytes", "1000"));
        var (client, id) = await DatasetAsync(small);
        var (status, body) = await Uploads.UploadBytesAsync(client, id, new byte[5000], "big.csv");
        Assert.Equal(413, status);
        Assert.Equal("upload_too_large", body.GetProperty("code").GetString());
        // Without a Content-Length the limit still holds while streaming.
        using var chunked = new StreamContent(new MemoryStream(new byte[5000]));
        chunked.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/datasets/{id}/versions?fileName=big.csv") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(413, (int)response.StatusCode);
    }
}
