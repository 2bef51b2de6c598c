using System.Globalization;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace SmartRegion.Api.Explore;

/// <summary>A request's query parameters, checked against the names an endpoint takes (an unknown one is a 400, not ignored).</summary>
internal sealed class ExploreRequest
{
    /// <summary>Parameters Opendatasoft clients send that change nothing here.</summary>
    private static readonly HashSet<string> Tolerated = ["lang", "timezone", "include_links", "include_app_metas", "use_labels", "compressed", "epsg", "quote_all", "list_separator"];

    private readonly IQueryCollection _query;

    private ExploreRequest(IQueryCollection query) => _query = query;

    /// <summary>The request's parameters, or the 400 naming an unknown one.</summary>
    public static (ExploreRequest? Request, IResult? Error) Of(HttpContext ctx, params string[] accepted)
    {
        foreach (var key in ctx.Request.Query.Keys)
        {
            if (!accepted.Contains(key, StringComparer.Ordinal) && !Tolerated.Contains(key))
            {
                return (null, ExploreErrors.Result(400, "InvalidRESTParameterError",
                    $"Unknown API parameter '{ExploreErrors.Shorten(key)}': this endpoint takes {string.Join(", ", accepted)}."));
            }
            var values = ctx.Request.Query[key];
            if (values.Count > 1 && key is not ("refine" or "exclude" or "facet"))
            {
                return (null, ExploreErrors.Parameter(key, "it is given more than once."));
            }
            if (values.Any(v => v is not null && v.Contains('\0', StringComparison.Ordinal)))
            {
                return (null, ExploreErrors.Parameter(key, "it contains a NUL character."));
            }
        }
        return (new ExploreRequest(ctx.Request.Query), null);
    }

    public string? this[string name] => _query.TryGetValue(name, out var v) && !StringValues.IsNullOrEmpty(v) ? v.ToString() : null;

    public IEnumerable<string> All(string name) => _query.TryGetValue(name, out var v) ? v.Where(x => !string.IsNullOrEmpty(x)).Select(x => x!) : [];

    /// <summary>An integer parameter within [min, max], its default when absent, or the 400 saying so.</summary>
    public IResult? Integer(string name, long min, long max, long fallback, out long value)
    {
        value = fallback;
        if (this[name] is not { } text)
        {
            return null;
        }
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) || value < min || value > max)
        {
            return ExploreErrors.Parameter(name, $"{ExploreErrors.Shorten(text)} was found but {min.ToString(CultureInfo.InvariantCulture)} <= {name} <= {max.ToString("N0", CultureInfo.InvariantCulture).Replace(",", "", StringComparison.Ordinal)} is expected.");
        }
        return null;
    }

    public IResult? Boolean(string name, bool fallback, out bool value)
    {
        value = fallback;
        if (this[name] is not { } text)
        {
            return null;
        }
        if (!bool.TryParse(text, out value))
        {
            return ExploreErrors.Parameter(name, $"{ExploreErrors.Shorten(text)} was found but true or false is expected.");
        }
        return null;
    }

    /// <summary>An opaque deep-paging cursor: the version it belongs to and the last row id served.</summary>
    public static string Cursor(long versionId, long lastRow) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes($"{versionId.ToString(CultureInfo.InvariantCulture)}:{lastRow.ToString(CultureInfo.InvariantCulture)}"))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryReadCursor(string cursor, long versionId, out long lastRow)
    {
        lastRow = 0;
        try
        {
            var b64 = cursor.Replace('-', '+').Replace('_', '/');
            b64 += new string('=', (4 - b64.Length % 4) % 4);
            var parts = Encoding.ASCII.GetString(Convert.FromBase64String(b64)).Split(':');
            return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v == versionId
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out lastRow);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
