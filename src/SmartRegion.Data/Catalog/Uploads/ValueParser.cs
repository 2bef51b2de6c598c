using System.Globalization;
using System.Text.RegularExpressions;

namespace SmartRegion.Data.Catalog.Uploads;

/// <summary>Column types of uploaded data, and the text → value conversions shared by inference and loading.</summary>
public static partial class ValueParser
{
    public static readonly IReadOnlyList<string> Types = ["integer", "number", "boolean", "date", "datetime", "text", "geometry"];

    private static readonly string[] DateFormats = ["yyyy-MM-dd", "dd/MM/yyyy", "d/M/yyyy"];

    private static readonly string[] DateTimeFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd HH:mm:ssK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mmK", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "dd/MM/yyyy HH:mm:ss", "dd/MM/yyyy HH:mm",
    ];

    public static bool LooksDecimal(string v, char separator) =>
        separator == ',' ? CommaDecimal().IsMatch(v) : DotDecimal().IsMatch(v);

    /// <summary>Integers without leading zeros: "01234" is a code (postcode, INSEE), not a number.</summary>
    public static bool TryInteger(string v, out long value)
    {
        value = 0;
        var s = v.Trim();
        return IntegerPattern().IsMatch(s) && long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryNumber(string v, char decimalSeparator, out double value)
    {
        value = 0;
        var s = v.Trim();
        if (decimalSeparator == ',')
        {
            if (s.Contains('.', StringComparison.Ordinal))
            {
                return false;
            }
            s = s.Replace(',', '.');
        }
        else if (s.Contains(',', StringComparison.Ordinal))
        {
            return false;
        }
        return NumberPattern().IsMatch(s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value) && (!s.StartsWith('0') || s.Length == 1 || s[1] == '.' || s.StartsWith("0e", StringComparison.OrdinalIgnoreCase));
    }

    public static bool TryBoolean(string v, out bool value)
    {
        switch (v.Trim().ToLowerInvariant())
        {
            case "true" or "yes" or "oui" or "vrai":
                value = true;
                return true;
            case "false" or "no" or "non" or "faux":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    public static bool TryDate(string v, out DateOnly value) =>
        DateOnly.TryParseExact(v.Trim(), DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);

    /// <summary>ISO 8601 (or dd/MM/yyyy HH:mm); a time without offset is taken as UTC.</summary>
    public static bool TryDateTime(string v, out DateTime utc)
    {
        if (DateTimeOffset.TryParseExact(v.Trim(), DateTimeFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var dto))
        {
            utc = dto.UtcDateTime;
            return true;
        }
        utc = default;
        return false;
    }

    /// <summary>The geometry encoding a text value looks like: a GeoJSON geometry object, WKT, or null.</summary>
    public static string? GeometryEncoding(string v)
    {
        var s = v.TrimStart();
        if (s.StartsWith('{') && s.Contains("\"coordinates\"", StringComparison.Ordinal) && s.Contains("\"type\"", StringComparison.Ordinal))
        {
            return "geojson";
        }
        return WktPattern().IsMatch(s) ? "wkt" : null;
    }

    [GeneratedRegex(@"^[+-]?(0|[1-9][0-9]{0,17})$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"^-?[0-9]+,[0-9]+$")]
    private static partial Regex CommaDecimal();

    [GeneratedRegex(@"^-?[0-9]+\.[0-9]+$")]
    private static partial Regex DotDecimal();

    [GeneratedRegex(@"^(SRID=\d+;)?(POINT|LINESTRING|POLYGON|MULTIPOINT|MULTILINESTRING|MULTIPOLYGON|GEOMETRYCOLLECTION)\s*(Z|M|ZM)?\s*(\(|EMPTY)", RegexOptions.IgnoreCase)]
    private static partial Regex WktPattern();
}
