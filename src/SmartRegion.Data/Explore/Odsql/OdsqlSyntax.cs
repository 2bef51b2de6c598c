namespace SmartRegion.Data.Explore.Odsql;

/// <summary>An ODSQL expression: a node of the syntax tree, with its span in the clause's text.</summary>
public abstract record OdsqlExpr(int Start, int End);

/// <summary>The kinds of literal ODSQL writes: "text", 12, 1.5, true, null, date'…', geom'…' and 10km.</summary>
public enum LiteralKind { Text, Integer, Number, Boolean, Null, Date, Geometry, Distance }

/// <summary>A literal; <see cref="Value"/> is string, long, double, bool, null, DateTimeOffset, Geometry (WGS 84) or metres (double).</summary>
public sealed record LiteralExpr(int Start, int End, LiteralKind Kind, object? Value) : OdsqlExpr(Start, End);

/// <summary>A field (or, in order_by, a select alias) by name; backquoted names may hold any character.</summary>
public sealed record FieldExpr(int Start, int End, string Name) : OdsqlExpr(Start, End);

/// <summary>The <c>*</c> of <c>select=*</c> and <c>count(*)</c>.</summary>
public sealed record StarExpr(int Start, int End) : OdsqlExpr(Start, End);

/// <summary>Unary minus.</summary>
public sealed record NegateExpr(int Start, int End, OdsqlExpr Operand) : OdsqlExpr(Start, End);

/// <summary>The binary operators: arithmetic, comparison, LIKE, AND, OR.</summary>
public enum BinaryOp { Add, Subtract, Multiply, Divide, Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual, Like, And, Or }

public sealed record BinaryExpr(int Start, int End, BinaryOp Op, OdsqlExpr Left, OdsqlExpr Right) : OdsqlExpr(Start, End);

public sealed record NotExpr(int Start, int End, OdsqlExpr Operand) : OdsqlExpr(Start, End);

public sealed record IsNullExpr(int Start, int End, OdsqlExpr Operand, bool Negated) : OdsqlExpr(Start, End);

/// <summary><c>x IN (a, b, …)</c>.</summary>
public sealed record InListExpr(int Start, int End, OdsqlExpr Operand, IReadOnlyList<OdsqlExpr> Items, bool Negated) : OdsqlExpr(Start, End);

/// <summary><c>x IN [a..b]</c>, <c>]a..b[</c>…: a bracket turned outwards excludes its bound.</summary>
public sealed record InRangeExpr(int Start, int End, OdsqlExpr Operand, OdsqlExpr Low, bool LowInclusive, OdsqlExpr High, bool HighInclusive, bool Negated)
    : OdsqlExpr(Start, End);

/// <summary>A function call, its name lower-cased.</summary>
public sealed record CallExpr(int Start, int End, string Name, IReadOnlyList<OdsqlExpr> Args) : OdsqlExpr(Start, End);

/// <summary>A select or group_by item: the expression, its alias, and its text (the output name when there is no alias).</summary>
public sealed record SelectItem(OdsqlExpr Expr, string? Alias, string Text)
{
    public string OutputName => Alias ?? Text;
}

/// <summary>An order_by item.</summary>
public sealed record OrderItem(OdsqlExpr Expr, bool Descending);
