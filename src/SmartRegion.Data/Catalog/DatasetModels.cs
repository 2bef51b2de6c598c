using System.Globalization;
using System.Text.RegularExpressions;

namespace SmartRegion.Data.Catalog;

/// <summary>A dataset's DCAT-AP 3 metadata as the publisher edits it.</summary>
public sealed partial record DatasetMetadata(
    string Title,
    string DescriptionMd,
    string? ContactName,
    string? ContactEmail,
    string LicenceId,
    string[] Keywords,
    string[] Themes,
    double[]? SpatialBboxWgs84,
    string[] SpatialCommunes,
    DateOnly? TemporalStart,
    DateOnly? TemporalEnd,
    string? UpdateFrequency,
    string? LandingPage,
    string Visibility)
{
    /// <summary>Throws <see cref="CatalogValidationException"/> naming the first wrong field.</summary>
    public void Validate()
    {
        foreach (var (field, text) in new (string, string?)[]
        {
            ("title", Title), ("description", DescriptionMd), ("contact.name", ContactName), ("contact.email", ContactEmail),
            ("licence", LicenceId), ("updateFrequency", UpdateFrequency), ("landingPage", LandingPage), ("visibility", Visibility),
        })
        {
            CheckText(field, text);
        }
        foreach (var (field, list) in new[] { ("keywords", Keywords), ("themes", Themes), ("spatial.communes", SpatialCommunes) })
        {
            foreach (var text in list)
            {
                CheckText(field, text);
            }
        }
        if (string.IsNullOrWhiteSpace(Title) || Title.Length > 500)
        {
            throw new CatalogValidationException("title", "title is required (1–500 characters)");
        }
        if (DescriptionMd.Length > 100_000)
        {
            throw new CatalogValidationException("description", "description is longer than 100,000 characters");
        }
        if (!Vocabulary.Licences.ContainsKey(LicenceId))
        {
            throw new CatalogValidationException("licence", $"licence '{LicenceId}' is not one of {string.Join(", ", Vocabulary.Licences.Keys)}");
        }
        if (Themes.FirstOrDefault(t => !Vocabulary.Themes.Contains(t)) is { } theme)
        {
            throw new CatalogValidationException("themes", $"theme '{theme}' is not in the EU data-theme vocabulary ({string.Join(", ", Vocabulary.Themes)})");
        }
        if (UpdateFrequency is not null && !Vocabulary.Frequencies.Contains(UpdateFrequency))
        {
            throw new CatalogValidationException("updateFrequency", $"updateFrequency '{UpdateFrequency}' is not in the EU frequency vocabulary ({string.Join(", ", Vocabulary.Frequencies)})");
        }
        if (!Vocabulary.Visibilities.Contains(Visibility))
        {
            throw new CatalogValidationException("visibility", "visibility must be public, restricted or private");
        }
        if (SpatialBboxWgs84 is { } b && (b.Length != 4 || b.Any(v => !double.IsFinite(v)) || b[0] > b[2] || b[1] > b[3]
            || b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90))
        {
            throw new CatalogValidationException("spatial.bboxWgs84", "bbox must be [west, south, east, north] in WGS84 degrees with west ≤ east and south ≤ north");
        }
        if (SpatialCommunes.FirstOrDefault(c => !CommuneCode().IsMatch(c)) is { } commune)
        {
            throw new CatalogValidationException("spatial.communes", $"'{commune}' is not an INSEE commune code (5 characters, e.g. 93066 or 2A004)");
        }
        if (TemporalStart is { } s && TemporalEnd is { } e && e < s)
        {
            throw new CatalogValidationException("temporal", "temporal end is before its start");
        }
        if (LandingPage is not null && !IsHttpUrl(LandingPage))
        {
            throw new CatalogValidationException("landingPage", "landingPage must be an absolute http(s) URL");
        }
        if (ContactEmail is not null && !ContactEmail.Contains('@', StringComparison.Ordinal))
        {
            throw new CatalogValidationException("contact.email", "contact e-mail is not an e-mail address");
        }
        if (Keywords.Length > 100 || Keywords.Any(k => k.Length is 0 or > 100))
        {
            throw new CatalogValidationException("keywords", "at most 100 keywords, each 1–100 characters");
        }
    }

    /// <summary>Refuses a control character other than tab and line breaks (NUL first: PostgreSQL cannot store it in text).</summary>
    public static void CheckText(string field, string? text)
    {
        foreach (var c in text ?? "")
        {
            if (c is (< '\u0020' and not ('\t' or '\n' or '\r')) or '\u007f')
            {
                throw new CatalogValidationException(field, $"{field} contains a control character (U+{(int)c:X4})");
            }
        }
    }

    public static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps);

    public static bool IsSlug(string slug) => SlugPattern().IsMatch(slug);

    [GeneratedRegex("^[0-9][0-9AB][0-9]{3}$")]
    private static partial Regex CommuneCode();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,99}$")]
    private static partial Regex SlugPattern();
}

/// <summary>A dataset as stored, with its owner and current version summary.</summary>
public sealed record DatasetRecord(
    long Id,
    string Slug,
    long OwnerOrgId,
    string OwnerOrgSlug,
    string OwnerOrgName,
    DatasetMetadata Metadata,
    long? CurrentVersionId,
    int? CurrentVersionNumber,
    string? CurrentFormat,
    bool HasGeometry,
    DateTimeOffset CreatedAt,
    DateTimeOffset ModifiedAt,
    string? CurrentProvenanceJson = null,
    long? CurrentRowCount = null)
{
    public string LicenceUri => Vocabulary.Licences[Metadata.LicenceId];

    public string ModifiedIso => ModifiedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>One version of a dataset: an upload and what became of it, or a solar run's results with their provenance.</summary>
public sealed record VersionRecord(
    long Id,
    long DatasetId,
    int Number,
    string Status,
    string Format,
    string FileName,
    long ByteCount,
    string ChecksumSha256,
    string OptionsJson,
    string? SchemaJson,
    string? ReportJson,
    long? RowCount,
    double[]? BboxWgs84,
    string? RecordsTable,
    bool HasGeometry,
    string? Error,
    string? CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ProcessedAt,
    string? PublishedBy,
    DateTimeOffset? PublishedAt,
    string? ProvenanceJson = null);

/// <summary>A grant as listed to the owning organisation.</summary>
public sealed record GrantRecord(
    long Id, string GranteeOrgSlug, string Purpose, DateTimeOffset ExpiresAt, string[]? Fields, string? RowFilterJson,
    DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, bool Active);

/// <summary>One access-log line: who (the organisation read through, and all of the caller's), what, how many rows, how it ended.</summary>
public sealed record AccessLogEntry(long Id, DateTimeOffset At, string? OrgSlug, string? UserEmail, string? KeyPrefix, string Endpoint, long? RowsReturned,
    string[] CallerOrgSlugs, bool PlatformAdmin, string Outcome);
