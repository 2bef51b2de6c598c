using System.Globalization;
using SmartRegion.Data.Catalog;

namespace SmartRegion.Api.Catalog;

/// <summary>
/// The ETag of a dataset's metadata: its modification instant in microseconds since 1970 (what PostgreSQL stores),
/// so If-Match on a PATCH is checked by the UPDATE itself and two editors can never silently overwrite each other.
/// </summary>
internal static class MetadataETag
{
    public static string Of(DatasetRecord d) =>
        $"\"{((d.ModifiedAt - DateTimeOffset.UnixEpoch).Ticks / 10).ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>The instant named by an If-Match value (weak or strong, the first of a list), or DateTimeOffset.MinValue when it names none.</summary>
    public static DateTimeOffset Parse(string ifMatch)
    {
        var first = ifMatch.Split(',')[0].Trim();
        if (first.StartsWith("W/", StringComparison.Ordinal))
        {
            first = first[2..];
        }
        return long.TryParse(first.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var micros) && micros < long.MaxValue / 10
            ? DateTimeOffset.UnixEpoch.AddTicks(micros * 10)
            : DateTimeOffset.MinValue;
    }

    /// <summary>412: someone changed the metadata since the editor read it; the current ETag comes along.</summary>
    public static IResult Changed(DatasetRecord current) => new ChangedResult(Of(current));

    private sealed class ChangedResult(string etag) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.ETag = etag;
            return CatalogProblems.Problem(StatusCodes.Status412PreconditionFailed, "metadata_changed",
                "Someone changed this dataset's metadata since you read it; nothing was saved. Read it again (its ETag is in this answer) and re-apply your changes.")
                .ExecuteAsync(httpContext);
        }
    }
}
