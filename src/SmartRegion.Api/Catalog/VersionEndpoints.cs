using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using SmartRegion.Data.Catalog;
using SmartRegion.Data.Catalog.Uploads;

namespace SmartRegion.Api.Catalog;

/// <summary>Uploads (streamed to disk, ingested by a background job), versions, publish and rollback.</summary>
internal static class VersionEndpoints
{
    public sealed record RollbackRequest(int Version);

    public sealed record ServerFileRequest(string? Path, string? Format, string? Layer, string? Delimiter, string? Encoding,
        string? DecimalSeparator, bool? Strict);

    private static readonly Dictionary<string, string> FormatByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".csv"] = "csv", [".tsv"] = "csv", [".txt"] = "csv", [".geojson"] = "geojson", [".json"] = "geojson",
        [".gpkg"] = "gpkg", [".parquet"] = "parquet", [".geoparquet"] = "parquet",
    };

    public static RouteGroupBuilder MapVersionEndpoints(this RouteGroupBuilder api)
    {
        var datasets = api.MapGroup("/datasets").WithTags("Publishing");

        datasets.MapPost("/{id}/versions", async (string id, HttpContext ctx, VersionStore versions, UploadSettings settings, UploadSignal signal,
            string? fileName, string? format, string? delimiter, string? encoding, string? decimalSeparator, string? layer, bool? strict) =>
        {
            var gate = await DatasetGate.OpenAsync(ctx, id, AccessLevel.Edit, "publish");
            if (gate.Denied is not null)
            {
                return gate.Denied;
            }
            if (ctx.Request.ContentLength > settings.MaxUploadBytes)
            {
                return TooLarge(settings.MaxUploadBytes);
            }
            if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = settings.MaxUploadBytes + 1024 * 1024;
            }
            var temp = Path.Combine(settings.Directory, $"incoming-{Guid.NewGuid():N}");
            try
            {
                Received upload;
                try
                {
                    Directory.CreateDirectory(settings.Directory);
                    upload = await ReceiveAsync(ctx, temp, settings.MaxUploadBytes);
                }
                catch (IOException e) when (UploadStorage.IsFull(e))
                {
                    return UploadStorage.Full(ctx, settings.Directory, e);
                }
                if (upload.Problem is not null)
                {
                    return upload.Problem;
                }
                var name = upload.FileName ?? fileName ?? "upload";
                if (!IsSafeFileName(name))
                {
                    return CatalogProblems.BadRequest("invalid_file_name", "The file name must be a plain name: no path separators, '..', NUL or control characters, at most 255 characters.");
                }
                if (upload.Bytes == 0)
                {
                    return CatalogProblems.BadRequest("empty_upload", "The upload is empty.");
                }
                var sniffed = await SniffAsync(temp, ctx.RequestAborted);
                if (Compressed(sniffed) is { } compressed)
                {
                    return compressed;
                }
                var declared = format ?? (FormatByExtension.TryGetValue(Path.GetExtension(name), out var byExt) ? byExt : null);
                if (declared is not null && !FormatByExtension.ContainsValue(declared))
                {
                    return CatalogProblems.BadRequest("invalid_parameter", "format must be csv, geojson, gpkg or parquet");
                }
                if (declared is not null && declared != sniffed)
                {
                    return CatalogProblems.Problem(415, "content_mismatch", $"The upload is declared as {declared} but its content is {Describe(sniffed)}.");
                }
                var stored = UploadJobRunner.NewStoredFileName();
                // A rename in the same folder: the stored file appears whole or not at all.
                File.Move(temp, Path.Combine(settings.Directory, stored));
                var options = new UploadOptions(delimiter, encoding, decimalSeparator, layer, strict ?? false, upload.TableSchema, stored);
                var (version, jobId) = await versions.CreateUploadAsync(gate.Dataset!.Id, sniffed, name, upload.Bytes,
                    upload.Sha256, JsonSerializer.Serialize(options, JsonSerializerOptions.Web), ctx.Caller().UserId, ctx.RequestAborted);
                signal.Notify();
                var location = $"/api/v1/datasets/{id}/versions/{version.Number}";
                return Results.Accepted(location, new { version = version.Number, jobId, status = version.Status, statusUrl = location, jobUrl = $"/api/v1/jobs/{jobId}" });
            }
            finally
            {
                if (File.Exists(temp))
                {
                    File.Delete(temp);
                }
            }
        })
        .DisableAntiforgery()
        .WithSummary("Upload a file as a new version (publish scope; editor) → 202 with the job")
        .WithDescription("""
            The body is the file itself (any content type) or multipart/form-data with a 'file' part and an optional
            'tableSchema' part (Frictionless Table Schema JSON). CSV, GeoJSON, GeoPackage (one layer: ?layer=), Parquet / GeoParquet (types from the file; the 'geo' primary column is the geometry).
            Query: fileName, format (csv|geojson|gpkg|parquet), layer, delimiter, encoding, decimalSeparator, strict (reject the whole file on
            any bad row). A compressed file (gzip, zip, xz, zstd, 7z) is refused with 415 compressed_file: uploads are never decompressed. Example: curl -H 'Authorization: Apikey …' --data-binary @arbres.csv
            '/api/v1/datasets/arbres-plantes/versions?fileName=arbres.csv'
            """);

        datasets.MapPost("/{id}/versions/from-server-file", async (string id, ServerFileRequest body, HttpContext ctx, VersionStore versions,
            ServerFileRoots serverFiles, UploadSignal signal) =>
        {
            // The gate's Edit level is exactly "platform admin, or editor or admin of the publishing organisation".
            var gate = await DatasetGate.OpenAsync(ctx, id, AccessLevel.Edit, "publish");
            if (gate.Denied is not null)
            {
                return gate.Denied;
            }
            // The dataset's organisation's roots (a platform admin imports into a dataset from its organisation's roots only).
            var (opened, refusal) = serverFiles.Open(gate.Dataset!.OwnerOrgSlug, body.Path);
            if (refusal is not null)
            {
                return CatalogProblems.BadRequest(refusal.Code, refusal.Message);
            }
            string sniffed;
            long bytes;
            string sha;
            using (opened)
            {
                sniffed = await SniffAsync(opened!.ReadPath, ctx.RequestAborted);
                if (Compressed(sniffed) is { } compressed)
                {
                    return compressed;
                }
                if (body.Format is { } declared && declared != sniffed)
                {
                    return FormatByExtension.ContainsValue(declared)
                        ? CatalogProblems.Problem(415, "content_mismatch", $"The file is declared as {declared} but its content is {Describe(sniffed)}.")
                        : CatalogProblems.BadRequest("invalid_parameter", "format must be csv, geojson, gpkg or parquet");
                }
                (bytes, sha) = await HashAsync(opened.ReadPath, ctx.RequestAborted);
            }
            // The worker opens and checks it again against the organisation's roots when it reads it.
            var path = ServerFileRoots.Resolve(body.Path!);
            var options = new UploadOptions(body.Delimiter, body.Encoding, body.DecimalSeparator, body.Layer, body.Strict ?? false, null, null, path);
            var (version, jobId) = await versions.CreateUploadAsync(gate.Dataset!.Id, sniffed, Path.GetFileName(path!), bytes, sha,
                JsonSerializer.Serialize(options, JsonSerializerOptions.Web), ctx.Caller().UserId, ctx.RequestAborted, (ctx.Actor(), path!));
            signal.Notify();
            var location = $"/api/v1/datasets/{id}/versions/{version.Number}";
            return Results.Accepted(location, new { version = version.Number, jobId, status = version.Status, statusUrl = location, jobUrl = $"/api/v1/jobs/{jobId}" });
        })
        .WithSummary("A new version from a file already on the server → 202 with the job")
        .WithDescription("""
            Under the organisation's Catalog:ServerFileRoots only (publish scope; editor).
            Body: {"path": "/srv/opendata/batiments.parquet", "format": "parquet", "layer": …, "strict": false}. The file is read in
            place (never copied, never deleted), from the roots of the dataset's organisation only. A path with NUL or control
            characters or a '.' or '..' segment answers 400 invalid_path / path_traversal; any path outside the organisation's roots
            (directly or through symbolic links, existing or not) answers one and the same 400 path_outside_roots. The worker
            checks the file again when it opens it.
            """);

        datasets.MapGet("/{id}/versions", async (string id, HttpContext ctx, VersionStore versions) =>
        {
            var gate = await DatasetGate.OpenAsync(ctx, id, AccessLevel.Read, "read");
            if (gate.Denied is not null)
            {
                return gate.Denied;
            }
            var member = gate.Access.Level >= AccessLevel.Member;
            var list = await versions.ListAsync(gate.Dataset!.Id, ctx.RequestAborted);
            await gate.LogReadAsync(ctx, "versions");
            return Results.Ok(list.Where(v => member || v.Status is "published" or "superseded")
                .Select(v => Document(v, gate.Dataset.CurrentVersionId, member, gate.Access)));
        }).WithSummary("Version history: who, when, rows, checksum")
          .WithDescription("Members also see failed and pending versions and their reports.");

        datasets.MapGet("/{id}/versions/{number:int}", async (string id, int number, HttpContext ctx, VersionStore versions) =>
        {
            var gate = await DatasetGate.OpenAsync(ctx, id, AccessLevel.Read, "read");
            if (gate.Denied is not null)
            {
                return gate.Denied;
            }
            var member = gate.Access.Level >= AccessLevel.Member;
            var v = await versions.GetAsync(gate.Dataset!.Id, number, ctx.RequestAborted);
            await gate.LogReadAsync(ctx, "version");
            return v is null || (!member && v.Status is not ("published" or "superseded"))
                ? CatalogProblems.Problem(404, "version_not_found", $"No version {number}.")
                : Results.Ok(Document(v, gate.Dataset.CurrentVersionId, member, gate.Access));
        }).WithSummary("One version: status, schema with confidence per column, validation report");

        datasets.MapPost("/{id}/versions/{number:int}/publish", async (string id, int number, HttpContext ctx, VersionStore versions) =>
        {
            var gate = await DatasetGate.OpenAsync(ctx, id, AccessLevel.Edit, "publish");
            if (gate.Denied is not null)
            {
                return gate.Denied;
            }
            var v = await versions.PublishAsync(gate.Dataset!.Id, number, ctx.Caller().UserId, rollback: false, ctx.RequestAborted, ctx.Actor());
            return Results.Ok(Document(v, v.Id, true, gate.Access));
        }).WithSummary("Publish a ready version (publish scope; editor)")
          .WithDescription("The dataset switches to it atomically.");

        datasets.MapPost("/{id}/rollback", async (string id, RollbackRequest body, HttpContext ctx, VersionStore versions) =>
        {
            var gate = await DatasetGate.OpenAsync(ctx, id, AccessLevel.Edit, "publish");
            if (gate.Denied is not null)
            {
                return gate.Denied;
            }
            var v = await versions.PublishAsync(gate.Dataset!.Id, body.Version, ctx.Caller().UserId, rollback: true, ctx.RequestAborted, ctx.Actor());
            return Results.Ok(Document(v, v.Id, true, gate.Access));
        })
        .WithSummary("Roll back to an earlier published version (publish scope; editor)")
        .WithDescription("Example body: {\"version\": 1}");

        api.MapGet("/jobs/{jobId:long}", async (long jobId, HttpContext ctx, VersionStore versions) =>
        {
            var job = await versions.GetJobAsync(jobId, ctx.RequestAborted);
            // Jobs are looked up through their dataset (that very one: another organisation may use its id) so that a hidden
            // dataset's jobs are as absent as the dataset.
            var gate = await DatasetGate.OpenAsync(ctx, job?.DatasetSlug ?? "-", AccessLevel.Member, "read", job?.DatasetId ?? 0);
            if (job is null || gate.Denied is not null)
            {
                return CatalogProblems.Problem(404, "job_not_found", $"No job {jobId}.");
            }
            var v = await versions.GetAsync(gate.Dataset!.Id, job.VersionNumber, ctx.RequestAborted);
            return Results.Ok(new { job.JobId, job.Status, job.Error, dataset = job.DatasetSlug, version = Document(v!, gate.Dataset.CurrentVersionId, true, gate.Access) });
        }).WithTags("Publishing").WithSummary("An ingestion job's status, with its version's validation report");

        return api;
    }

    private sealed record Received(long Bytes, string Sha256, string? FileName, string? TableSchema, IResult? Problem);

    /// <summary>Streams the body (raw, or the 'file' part of a multipart form) to <paramref name="path"/>, hashing as it goes.</summary>
    private static async Task<Received> ReceiveAsync(HttpContext ctx, string path, long maxBytes)
    {
        var ct = ctx.RequestAborted;
        var contentType = ctx.Request.ContentType ?? "";
        if (!contentType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            var (bytes, sha) = await CopyLimitedAsync(ctx.Request.Body, path, maxBytes, ct);
            return bytes < 0 ? new Received(0, "", null, null, TooLarge(maxBytes)) : new Received(bytes, sha, null, null, null);
        }
        var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(contentType).Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            return new Received(0, "", null, null, CatalogProblems.BadRequest("invalid_multipart", "The multipart body has no boundary."));
        }
        var reader = new MultipartReader(boundary, ctx.Request.Body);
        (long Bytes, string Sha)? file = null;
        string? fileName = null, tableSchema = null;
        MultipartSection? section;
        while ((section = await reader.ReadNextSectionAsync(ct)) is not null)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
            {
                continue;
            }
            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
            if (name == "file" && file is null)
            {
                fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                file = await CopyLimitedAsync(section.Body, path, maxBytes, ct);
                if (file.Value.Bytes < 0)
                {
                    return new Received(0, "", null, null, TooLarge(maxBytes));
                }
            }
            else if (name == "tableSchema")
            {
                using var sr = new StreamReader(section.Body, Encoding.UTF8);
                var buffer = new char[1024 * 1024 + 1];
                var n = await sr.ReadBlockAsync(buffer, ct);
                if (n > 1024 * 1024)
                {
                    return new Received(0, "", null, null, CatalogProblems.BadRequest("invalid_table_schema", "The Table Schema is larger than 1 MB."));
                }
                tableSchema = new string(buffer, 0, n);
            }
        }
        return file is null
            ? new Received(0, "", null, null, CatalogProblems.BadRequest("missing_file", "The multipart body has no 'file' part."))
            : new Received(file.Value.Bytes, file.Value.Sha, fileName, tableSchema, null);
    }

    private static IResult TooLarge(long maxBytes) =>
        CatalogProblems.Problem(413, "upload_too_large", $"The upload is larger than the limit of {maxBytes:N0} bytes.");

    /// <summary>Copies at most <paramref name="maxBytes"/>; returns -1 bytes when the stream is longer.</summary>
    private static async Task<(long Bytes, string Sha)> CopyLimitedAsync(Stream body, string path, long maxBytes, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        var buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(buffer, ct)) > 0)
        {
            total += n;
            if (total > maxBytes)
            {
                return (-1, "");
            }
            hash.AppendData(buffer, 0, n);
            await file.WriteAsync(buffer.AsMemory(0, n), ct);
        }
        return (total, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static async Task<(long Bytes, string Sha)> HashAsync(string path, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var hash = await SHA256.HashDataAsync(file, ct);
        return (file.Length, Convert.ToHexStringLower(hash));
    }

    /// <summary>
    /// Property 9: no upload is decompressed, so no archive can expand without bound (a zip or gzip bomb); a compressed
    /// file is refused at the door, saying so, instead of being read as text.
    /// </summary>
    private static IResult? Compressed(string sniffed) => sniffed.StartsWith("compressed:", StringComparison.Ordinal)
        ? CatalogProblems.Problem(415, "compressed_file",
            $"The file is {sniffed["compressed:".Length..]}-compressed. Send the file itself (CSV, GeoJSON, GeoPackage or Parquet, whose pages may be compressed): uploads are never decompressed.")
        : null;

    /// <summary>
    /// What the bytes are, whatever the name says: SQLite (GeoPackage), Parquet, JSON, a compressed file
    /// (<c>compressed:gzip</c>, …), else text (CSV).
    /// </summary>
    private static async Task<string> SniffAsync(string path, CancellationToken ct)
    {
        var head = new byte[64];
        int n;
        await using (var f = File.OpenRead(path))
        {
            n = await f.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        }
        var span = head.AsSpan(0, n);
        if (span.StartsWith("SQLite format 3\0"u8))
        {
            return "gpkg";
        }
        if (span.StartsWith("PAR1"u8))
        {
            return "parquet";
        }
        foreach (var (magic, name) in CompressionMagic)
        {
            if (span.StartsWith(magic))
            {
                return $"compressed:{name}";
            }
        }
        if (span.StartsWith((byte[])[0xEF, 0xBB, 0xBF]))
        {
            span = span[3..];
        }
        var first = span.IndexOfAnyExcept(" \t\r\n"u8);
        return first >= 0 && span[first] == (byte)'{' ? "geojson" : "csv";
    }

    private static readonly (byte[] Magic, string Name)[] CompressionMagic =
    [
        ([0x1F, 0x8B], "gzip"), ("PK\u0003\u0004"u8.ToArray(), "zip"), ("PK\u0005\u0006"u8.ToArray(), "zip"),
        ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "xz"), ([0x28, 0xB5, 0x2F, 0xFD], "zstd"), ([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C], "7z"),
    ];

    private static string Describe(string sniffed) => sniffed switch
    {
        "gpkg" => "an SQLite/GeoPackage file",
        "parquet" => "a Parquet file",
        "geojson" => "JSON",
        _ => "text (CSV), not an SQLite/GeoPackage, Parquet or JSON file",
    };

    internal static bool IsSafeFileName(string name) =>
        name.Length is > 0 and <= 255 && name != "." && !name.Contains("..", StringComparison.Ordinal)
        && name.IndexOfAny(['/', '\\', '\0', ':']) < 0 && !name.Any(char.IsControl);

    private static object Document(VersionRecord v, long? currentVersionId, bool member, DatasetAccess access) => new
    {
        number = v.Number,
        status = v.Status,
        current = v.Id == currentVersionId,
        format = v.Format,
        fileName = member ? v.FileName : null,
        byteCount = v.ByteCount,
        checksumSha256 = v.ChecksumSha256,
        rowCount = access.RowFilters is null ? v.RowCount : null,
        bboxWgs84 = access.RowFilters is null ? v.BboxWgs84 : null,
        hasGeometry = v.HasGeometry,
        provenance = v.ProvenanceJson is { } p ? JsonDocument.Parse(p).RootElement : (JsonElement?)null,
        schema = v.SchemaJson is null ? (JsonElement?)null : VisibleSchema(v.SchemaJson, access),
        report = member && v.ReportJson is not null ? JsonDocument.Parse(v.ReportJson).RootElement : (JsonElement?)null,
        error = member ? v.Error : null,
        createdBy = member ? v.CreatedBy : null,
        createdAt = v.CreatedAt,
        processedAt = v.ProcessedAt,
        publishedBy = member ? v.PublishedBy : null,
        publishedAt = v.PublishedAt,
    };

    /// <summary>The schema with only the fields the caller may see.</summary>
    private static JsonElement VisibleSchema(string schemaJson, DatasetAccess access)
    {
        var root = JsonDocument.Parse(schemaJson).RootElement;
        if (access.Fields is null)
        {
            return root;
        }
        var fields = root.GetProperty("fields").EnumerateArray().Where(f => access.Fields.Contains(f.GetProperty("name").GetString()!));
        return JsonSerializer.SerializeToElement(new { fields });
    }
}
