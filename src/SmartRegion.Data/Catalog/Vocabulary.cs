namespace SmartRegion.Data.Catalog;

/// <summary>The controlled vocabularies of the catalogue: organisation kinds, roles, scopes, licences, EU themes and frequencies.</summary>
public static class Vocabulary
{
    public static readonly IReadOnlyList<string> OrganisationKinds = ["public_agency", "company", "association", "university", "platform"];
    public static readonly IReadOnlyList<string> Roles = ["admin", "editor", "viewer"];
    public static readonly IReadOnlyList<string> Scopes = ["read", "publish", "admin"];
    public static readonly IReadOnlyList<string> Visibilities = ["public", "restricted", "private"];

    /// <summary>Licence id → URI (the ones French and EU portals use most).</summary>
    public static readonly IReadOnlyDictionary<string, string> Licences = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["etalab-2.0"] = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        ["odbl-1.0"] = "https://opendatacommons.org/licenses/odbl/1-0/",
        ["cc-by-4.0"] = "https://creativecommons.org/licenses/by/4.0/",
        ["cc-by-sa-4.0"] = "https://creativecommons.org/licenses/by-sa/4.0/",
        ["cc0-1.0"] = "https://creativecommons.org/publicdomain/zero/1.0/",
        ["proprietary"] = "http://publications.europa.eu/resource/authority/licence/COM_REUSE",
    };

    /// <summary>EU data-theme vocabulary (http://publications.europa.eu/resource/authority/data-theme).</summary>
    public static readonly IReadOnlyList<string> Themes =
        ["AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "OP_DATPRO", "REGI", "SOCI", "TECH", "TRAN"];

    public const string ThemeBase = "http://publications.europa.eu/resource/authority/data-theme/";

    /// <summary>EU frequency vocabulary (http://publications.europa.eu/resource/authority/frequency), the common codes.</summary>
    public static readonly IReadOnlyList<string> Frequencies =
        ["CONT", "UPDATE_CONT", "HOURLY", "DAILY", "WEEKLY", "BIWEEKLY", "MONTHLY", "QUARTERLY", "BIANNUAL", "ANNUAL",
         "BIENNIAL", "IRREG", "NEVER", "UNKNOWN", "OTHER"];

    public const string FrequencyBase = "http://publications.europa.eu/resource/authority/frequency/";

    /// <summary>Role rank: admin 3, editor 2, viewer 1, none 0.</summary>
    public static int RoleRank(string? role) => role switch
    {
        "admin" => 3,
        "editor" => 2,
        "viewer" => 1,
        _ => 0,
    };
}
