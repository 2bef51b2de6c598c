using SmartRegion.Data.Catalog.Uploads;

namespace SmartRegion.Api.Catalog;

/// <summary>
/// Reads <c>Catalog:ServerFileRoots</c>: per organisation, the server directories it may import from
/// (<c>"ServerFileRoots": {"ville-de-lyon": ["/srv/lyon"]}</c>, or <c>Catalog__ServerFileRoots__ville-de-lyon__0=/srv/lyon</c>).
/// </summary>
internal static class ServerFileSettings
{
    public static ServerFileRoots Read(IConfiguration configuration)
    {
        var roots = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var org in configuration.GetSection("Catalog:ServerFileRoots").GetChildren())
        {
            if (!string.IsNullOrEmpty(org.Value) && !org.GetChildren().Any())
            {
                // The former shape (one list for every organisation) would let any publisher read every root.
                throw new InvalidOperationException(
                    "Catalog:ServerFileRoots is set per organisation: Catalog:ServerFileRoots:<organisation id>:0 = /srv/… " +
                    "(JSON: \"ServerFileRoots\": {\"ville-de-lyon\": [\"/srv/lyon\"]}); a list shared by every organisation is no longer read");
            }
            roots[org.Key] = [.. org.GetChildren().Select(c => c.Value).OfType<string>().Where(v => v.Length > 0)];
        }
        return new ServerFileRoots(roots);
    }
}
