namespace SmartRegion.Data.Catalog;

/// <summary>A request the catalogue refuses because of its content; <see cref="Field"/> names what was wrong. Maps to 400/422.</summary>
public sealed class CatalogValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// The thing to create already exists (slug, email) or the state does not allow the change. Maps to 409 with
/// <see cref="Code"/> as the problem's code, so a client can tell the cases apart (and word them in its own language).
/// </summary>
public sealed class CatalogConflictException(string message, string code = "conflict") : Exception(message)
{
    public string Code { get; } = code;
}
