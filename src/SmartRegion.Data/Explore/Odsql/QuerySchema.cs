namespace SmartRegion.Data.Explore.Odsql;

/// <summary>The type of an ODSQL value once compiled.</summary>
public enum ValueKind { Text, Integer, Number, Boolean, Date, DateTime, Geometry, TextArray, Null }

/// <summary>
/// A field a query may name: its ODSQL name, the SQL that reads it (a quoted column of the platform's own catalogue,
/// never text from the request), its type, and for geometry its stored SRID.
/// </summary>
public sealed record QueryField(string Name, string Sql, ValueKind Kind, int Srid = 4326);

/// <summary>
/// What a query may see: the fields the caller's grant allows (nothing else resolves), and how a bare "text" searches.
/// </summary>
public sealed class QuerySchema(IReadOnlyList<QueryField> fields, Func<string, string>? fullText = null)
{
    private readonly Dictionary<string, QueryField> _exact = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
    private readonly ILookup<string, QueryField> _folded = fields.ToLookup(f => f.Name, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<QueryField> Fields { get; } = fields;

    /// <summary>Full-text search SQL for a bound parameter holding the searched text; null = over every text field.</summary>
    public Func<string, string>? FullText { get; } = fullText;

    /// <summary>The field of that name (exactly, else the one field equal ignoring case), or null.</summary>
    public QueryField? Find(string name) =>
        _exact.TryGetValue(name, out var f) ? f : _folded[name].Count() == 1 ? _folded[name].First() : null;
}
