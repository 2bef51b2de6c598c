namespace SmartRegion.Data.Catalog;

/// <summary>A request the catalogue refuses because of its content; <see cref="Field"/> names what was wrong. Maps to 400/422.</summary>
public sealed class CatalogValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>The thing to create already exists (slug, email) or the state does not allow the change. Maps to 409.</summary>
public sealed class CatalogConflictException(string message) : Exception(message);
