using System.Text;

namespace SmartRegion.Geo.Text;

/// <summary>The one normalisation of address text for search: lower case, no accents, no punctuation, French street-type abbreviations expanded.</summary>
/// <remarks>Done here, not with PostgreSQL's unaccent (an extension the server may lack, and not immutable for indexes).</remarks>
public static class SearchText
{
    private static readonly Dictionary<string, string> Abbreviations = new(StringComparer.Ordinal)
    {
        ["r"] = "rue", ["av"] = "avenue", ["ave"] = "avenue", ["bd"] = "boulevard", ["bld"] = "boulevard", ["boul"] = "boulevard",
        ["pl"] = "place", ["imp"] = "impasse", ["all"] = "allee", ["che"] = "chemin", ["ch"] = "chemin", ["rte"] = "route",
        ["sq"] = "square", ["pass"] = "passage", ["fg"] = "faubourg", ["crs"] = "cours", ["qu"] = "quai", ["st"] = "saint",
        ["ste"] = "sainte", ["pdt"] = "president", ["gal"] = "general", ["mal"] = "marechal", ["cdt"] = "commandant",
    };

    /// <summary>Normalised text: "12, Av. du Président-Wilson" → "12 avenue du president wilson".</summary>
    public static string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            var c = char.ToLowerInvariant(ch);
            var mapped = c switch
            {
                'à' or 'â' or 'ä' or 'á' or 'ã' or 'å' => "a",
                'ç' => "c",
                'é' or 'è' or 'ê' or 'ë' => "e",
                'î' or 'ï' or 'í' or 'ì' => "i",
                'ô' or 'ö' or 'ó' or 'ò' or 'õ' => "o",
                'ù' or 'û' or 'ü' or 'ú' => "u",
                'ÿ' => "y",
                'ñ' => "n",
                'œ' => "oe",
                'æ' => "ae",
                _ when char.IsLetterOrDigit(c) => null,
                _ => " ",
            };
            if (mapped is null)
            {
                sb.Append(c);
            }
            else
            {
                sb.Append(mapped);
            }
        }
        var words = sb.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => Abbreviations.TryGetValue(w, out var full) ? full : w);
        return string.Join(' ', words);
    }
}
