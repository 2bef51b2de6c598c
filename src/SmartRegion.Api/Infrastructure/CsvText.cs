using System.Globalization;

namespace SmartRegion.Api.Infrastructure;

/// <summary>
/// CSV cells as every CSV the platform writes them (the catalogue's export.csv, the explore API's exports, the catalogue
/// export, the barometer): RFC 4180 quoting, and no cell a spreadsheet would run as a formula. The one implementation.
/// </summary>
internal static class CsvText
{
    /// <summary>
    /// A text cell: one that starts with = + - @, TAB or CR gets a leading ' so that spreadsheets show it instead of
    /// running it (OWASP's CSV injection advice), unless it is a plain number ("-12.5" stays numeric); then quoted when
    /// it holds the delimiter, a quote or a line break.
    /// </summary>
    public static string Cell(string s, char delimiter = ',')
    {
        if (s.Length > 0 && s[0] is '=' or '+' or '-' or '@' or '\t' or '\r'
            && !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            s = "'" + s;
        }
        return s.Contains(delimiter) || s.AsSpan().IndexOfAny("\"\r\n") >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
    }

    /// <summary>A value's text in a CSV cell: numbers invariant and round-trippable, dates ISO 8601 in UTC.</summary>
    public static string Text(object? value) => value switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>
    /// A record's value as a CSV cell: numbers bare (they cannot be formulas; NaN and infinities, which no spreadsheet
    /// reads as numbers, as an empty cell), anything else through <see cref="Cell"/>.
    /// </summary>
    public static string Value(object? value, char delimiter = ',') => value switch
    {
        double d when !double.IsFinite(d) => "",
        float f when !float.IsFinite(f) => "",
        _ when IsNumber(value) => Text(value),
        _ => Cell(Text(value), delimiter),
    };

    /// <summary>Whether a value is written as a bare number (never neutralised: it cannot be a formula).</summary>
    public static bool IsNumber(object? value) => value is long or int or short or double or float or decimal;
}
