namespace SmartRegion.Geo.Buildings;

/// <summary>
/// A roof's covering material in one vocabulary across sources: <c>tiles</c>, <c>slates</c>, <c>metal</c>,
/// <c>concrete</c>, <c>glass</c>, <c>other</c>; two materials are joined with <c>+</c> (<c>tiles+metal</c>).
/// </summary>
/// <remarks>
/// Tiles and slates are small overlapping elements that shed water only on a slope (NF DTU 40.21 for clay tiles, 40.11 for
/// slates, each with its minimum slope): a roof covered with them is pitched, which the roof inference uses when a building
/// has no ridge altitude.
/// </remarks>
public static class RoofCovering
{
    public const string Tiles = "tiles";
    public const string Slates = "slates";
    public const string Metal = "metal";
    public const string Concrete = "concrete";
    public const string Glass = "glass";
    public const string Other = "other";

    /// <summary>
    /// BD TOPO's <c>materiaux_de_la_toiture</c> (shapefile <c>MAT_TOITS</c>): two digits taken from the land registry's
    /// (fichiers fonciers, MAJIC <c>dmatto</c>) roof materials, one per material, 0 where none is known: 1 tiles, 2 slates,
    /// 3 zinc or aluminium, 4 concrete, 9 other (<c>10</c> tiles; <c>13</c> tiles and zinc; <c>01</c> tiles; <c>00</c>
    /// unknown). Null when unknown or not a code.
    /// </summary>
    public static string? FromBdTopoCode(string? code)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return null;
        }
        var materials = new List<string>(2);
        foreach (var c in code.Trim())
        {
            var material = c switch
            {
                '0' => null,
                '1' => Tiles,
                '2' => Slates,
                '3' => Metal,
                '4' => Concrete,
                '9' => Other,
                _ => "?",
            };
            if (material == "?")
            {
                return null;
            }
            if (material is not null && !materials.Contains(material))
            {
                materials.Add(material);
            }
        }
        return materials.Count == 0 ? null : string.Join('+', materials);
    }

    /// <summary>OpenStreetMap's <c>roof:material</c> tag (roof_tiles, slate, metal, concrete, glass…); null when absent.</summary>
    public static string? FromOsm(string? tag) => tag?.Trim() switch
    {
        null or "" => null,
        "roof_tiles" or "tile" or "tiles" => Tiles,
        "slate" => Slates,
        "metal" or "copper" or "zinc" or "tin" or "aluminium" or "metal_sheet" => Metal,
        "concrete" => Concrete,
        "glass" => Glass,
        _ => Other,
    };

    /// <summary>Whether <paramref name="covering"/> (this vocabulary) includes <paramref name="material"/>.</summary>
    public static bool Includes(string? covering, string material) =>
        covering is not null && covering.Split('+').Contains(material, StringComparer.Ordinal);
}
