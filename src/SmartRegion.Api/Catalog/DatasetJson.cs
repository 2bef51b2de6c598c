using System.Globalization;
using System.Text.Json;
using SmartRegion.Data.Catalog;

namespace SmartRegion.Api.Catalog;

/// <summary>Dataset metadata in and out of JSON: a create or PATCH body merged onto current values, and the public document.</summary>
internal static class DatasetJson
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "id", "publisher", "title", "description", "contact", "licence", "keywords", "themes", "spatial", "temporal",
        "updateFrequency", "landingPage", "visibility",
    };

    /// <summary>
    /// Applies the properties present in <paramref name="body"/> onto <paramref name="current"/>. A property that is
    /// absent keeps its value — in particular visibility, which only changes when the body names it.
    /// </summary>
    public static DatasetMetadata Merge(JsonElement body, DatasetMetadata current)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new CatalogValidationException("body", "the body must be a JSON object");
        }
        foreach (var p in body.EnumerateObject())
        {
            if (!Known.Contains(p.Name))
            {
                throw new CatalogValidationException(p.Name, $"unknown property '{p.Name}'");
            }
        }
        var m = current;
        if (body.TryGetProperty("title", out var v)) { m = m with { Title = Text(v, "title") ?? "" }; }
        if (body.TryGetProperty("description", out v)) { m = m with { DescriptionMd = Text(v, "description") ?? "" }; }
        if (body.TryGetProperty("licence", out v)) { m = m with { LicenceId = Text(v, "licence") ?? "" }; }
        if (body.TryGetProperty("keywords", out v)) { m = m with { Keywords = Strings(v, "keywords") }; }
        if (body.TryGetProperty("themes", out v)) { m = m with { Themes = Strings(v, "themes") }; }
        if (body.TryGetProperty("updateFrequency", out v)) { m = m with { UpdateFrequency = Text(v, "updateFrequency") }; }
        if (body.TryGetProperty("landingPage", out v)) { m = m with { LandingPage = Text(v, "landingPage") }; }
        if (body.TryGetProperty("visibility", out v)) { m = m with { Visibility = Text(v, "visibility") ?? "" }; }
        if (body.TryGetProperty("contact", out v))
        {
            m = v.ValueKind == JsonValueKind.Null ? m with { ContactName = null, ContactEmail = null } : m with
            {
                ContactName = v.TryGetProperty("name", out var n) ? Text(n, "contact.name") : m.ContactName,
                ContactEmail = v.TryGetProperty("email", out var e) ? Text(e, "contact.email") : m.ContactEmail,
            };
        }
        if (body.TryGetProperty("spatial", out v))
        {
            m = v.ValueKind == JsonValueKind.Null ? m with { SpatialBboxWgs84 = null, SpatialCommunes = [] } : m with
            {
                SpatialBboxWgs84 = v.TryGetProperty("bboxWgs84", out var b)
                    ? (b.ValueKind == JsonValueKind.Null ? null : Numbers(b, "spatial.bboxWgs84"))
                    : m.SpatialBboxWgs84,
                SpatialCommunes = v.TryGetProperty("communes", out var c) ? Strings(c, "spatial.communes") : m.SpatialCommunes,
            };
        }
        if (body.TryGetProperty("temporal", out v))
        {
            m = v.ValueKind == JsonValueKind.Null ? m with { TemporalStart = null, TemporalEnd = null } : m with
            {
                TemporalStart = v.TryGetProperty("start", out var s) ? Date(s, "temporal.start") : m.TemporalStart,
                TemporalEnd = v.TryGetProperty("end", out var e) ? Date(e, "temporal.end") : m.TemporalEnd,
            };
        }
        return m;
    }

    /// <summary>The defaults of a new dataset: private until its publisher says otherwise.</summary>
    public static DatasetMetadata Blank => new("", "", null, null, "", [], [], null, [], null, null, null, null, "private");

    public static object Document(DatasetRecord d, DatasetAccess access) => new
    {
        id = d.Slug,
        title = d.Metadata.Title,
        description = new { markdown = d.Metadata.DescriptionMd, html = SafeMarkdown.ToHtml(d.Metadata.DescriptionMd) },
        publisher = new { id = d.OwnerOrgSlug, name = d.OwnerOrgName },
        contact = d.Metadata.ContactName is null && d.Metadata.ContactEmail is null ? null : new { name = d.Metadata.ContactName, email = d.Metadata.ContactEmail },
        licence = new { id = d.Metadata.LicenceId, uri = d.LicenceUri },
        keywords = d.Metadata.Keywords,
        themes = d.Metadata.Themes.Select(t => new { code = t, uri = Vocabulary.ThemeBase + t }),
        spatial = new { bboxWgs84 = d.Metadata.SpatialBboxWgs84, communes = d.Metadata.SpatialCommunes },
        temporal = new { start = d.Metadata.TemporalStart, end = d.Metadata.TemporalEnd },
        updateFrequency = d.Metadata.UpdateFrequency is { } f ? new { code = f, uri = Vocabulary.FrequencyBase + f } : null,
        landingPage = d.Metadata.LandingPage,
        visibility = d.Metadata.Visibility,
        currentVersion = d.CurrentVersionNumber,
        format = d.CurrentFormat,
        hasGeometry = d.HasGeometry,
        // A grantee limited to some rows is not told how many the whole version holds.
        rowCount = access.RowFilters is null ? d.CurrentRowCount : null,
        // How the current version was made, when the platform made it (a solar run); null for uploads.
        provenance = d.CurrentProvenanceJson is { } p ? JsonDocument.Parse(p).RootElement : (JsonElement?)null,
        created = d.CreatedAt,
        modified = d.ModifiedAt,
        access = new { level = access.Level.ToString().ToLowerInvariant(), fields = access.Fields?.Order(StringComparer.Ordinal), rowsFiltered = access.RowFilters is not null },
    };

    private static string? Text(JsonElement v, string field) => v.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => v.GetString(),
        _ => throw new CatalogValidationException(field, $"{field} must be a string"),
    };

    private static string[] Strings(JsonElement v, string field) => v.ValueKind switch
    {
        JsonValueKind.Null => [],
        JsonValueKind.Array => [.. v.EnumerateArray().Select(x => Text(x, field) ?? throw new CatalogValidationException(field, $"{field} must not contain null"))],
        _ => throw new CatalogValidationException(field, $"{field} must be an array of strings"),
    };

    private static double[] Numbers(JsonElement v, string field) => v.ValueKind == JsonValueKind.Array
        ? [.. v.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Number ? x.GetDouble() : throw new CatalogValidationException(field, $"{field} must hold numbers"))]
        : throw new CatalogValidationException(field, $"{field} must be an array of 4 numbers");

    private static DateOnly? Date(JsonElement v, string field) =>
        Text(v, field) is not { } s ? null
        : DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
        : throw new CatalogValidationException(field, $"{field} must be a date yyyy-MM-dd");
}
