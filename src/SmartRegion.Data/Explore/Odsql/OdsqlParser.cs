using System.Globalization;
using System.Text;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using SmartRegion.Geo.Readers;

namespace SmartRegion.Data.Explore.Odsql;

/// <summary>A clause that does not parse or compile: what is wrong, in which clause, at which character.</summary>
public sealed class OdsqlException(string clause, int position, string reason)
    : Exception($"ODSQL query is malformed: {reason} (clause '{clause}', position {position.ToString(CultureInfo.InvariantCulture)}).")
{
    public string Clause { get; } = clause;
    public int Position { get; } = position;
    public string Reason { get; } = reason;
}

/// <summary>The limits every clause is held to before anything reaches the database.</summary>
public static class OdsqlLimits
{
    /// <summary>Longest clause text, in characters.</summary>
    public const int MaxClauseLength = 100_000;
    /// <summary>Deepest nesting of parentheses, operators and calls.</summary>
    public const int MaxDepth = 64;
    /// <summary>Most nodes in one clause's tree.</summary>
    public const int MaxNodes = 5_000;
    /// <summary>Most values in one IN list.</summary>
    public const int MaxInListItems = 1_000;
    /// <summary>Most vertices in one geom'…' literal.</summary>
    public const int MaxGeometryVertices = 10_000;
}

/// <summary>
/// The hand-written recursive-descent parser of ODSQL (the Opendatasoft query language) for the where, select,
/// group_by and order_by clauses. It builds a syntax tree; nothing here touches SQL.
/// </summary>
public sealed class OdsqlParser
{
    private enum T { End, Ident, QuotedIdent, String, Number, Symbol }

    private readonly record struct Token(T Type, string Text, int Start, int End, double Number = 0, bool IsInteger = false, string? Unit = null);

    private readonly string _clause;
    private readonly string _text;
    private readonly List<Token> _tokens;
    private int _i;
    private int _depth;
    private int _nodes;

    private OdsqlParser(string clause, string text)
    {
        _clause = clause;
        _text = text;
        if (text.Length > OdsqlLimits.MaxClauseLength)
        {
            throw new OdsqlException(clause, OdsqlLimits.MaxClauseLength,
                $"the clause is {text.Length.ToString("N0", CultureInfo.InvariantCulture)} characters long; at most {OdsqlLimits.MaxClauseLength.ToString("N0", CultureInfo.InvariantCulture)} are accepted");
        }
        _tokens = Lex();
    }

    public static OdsqlExpr ParseWhere(string text)
    {
        var p = new OdsqlParser("where", text);
        var e = p.Or();
        p.ExpectEnd();
        return e;
    }

    public static List<SelectItem> ParseSelect(string text, string clause = "select") => new OdsqlParser(clause, text).Items(allowStar: clause == "select");

    public static List<OrderItem> ParseOrderBy(string text)
    {
        var p = new OdsqlParser("order_by", text);
        var items = new List<OrderItem>();
        do
        {
            var e = p.Additive();
            var desc = false;
            if (p.Keyword("desc"))
            {
                desc = true;
            }
            else
            {
                p.Keyword("asc");
            }
            items.Add(new OrderItem(e, desc));
        }
        while (p.Symbol(","));
        p.ExpectEnd();
        return items;
    }

    private List<SelectItem> Items(bool allowStar)
    {
        var items = new List<SelectItem>();
        do
        {
            var start = Peek.Start;
            OdsqlExpr e = allowStar && Peek is { Type: T.Symbol, Text: "*" } ? Star() : Or();
            var text = _text[start..e.End].Trim();
            string? alias = null;
            if (Keyword("as"))
            {
                var t = Next();
                if (t.Type is not (T.Ident or T.QuotedIdent) || t.Text.Length == 0)
                {
                    throw Error(t.Start, "AS must be followed by a name");
                }
                alias = t.Text;
            }
            items.Add(new SelectItem(e, alias, text));
        }
        while (Symbol(","));
        ExpectEnd();
        return items;
    }

    private StarExpr Star()
    {
        var t = Next();
        return Count(new StarExpr(t.Start, t.End));
    }

    // ----- expressions, lowest precedence first -----

    private OdsqlExpr Or()
    {
        var left = And();
        while (Keyword("or"))
        {
            var right = And();
            left = Count(new BinaryExpr(left.Start, right.End, BinaryOp.Or, left, right));
        }
        return left;
    }

    private OdsqlExpr And()
    {
        var left = Not();
        while (Keyword("and"))
        {
            var right = Not();
            left = Count(new BinaryExpr(left.Start, right.End, BinaryOp.And, left, right));
        }
        return left;
    }

    private OdsqlExpr Not()
    {
        var start = Peek.Start;
        if (Keyword("not"))
        {
            Enter();
            var operand = Not();
            _depth--;
            return Count(new NotExpr(start, operand.End, operand));
        }
        return Predicate();
    }

    private OdsqlExpr Predicate()
    {
        var left = Additive();
        var t = Peek;
        if (t.Type == T.Symbol && t.Text is "=" or "!=" or "<>" or "<" or "<=" or ">" or ">=")
        {
            _i++;
            var right = Additive();
            var op = t.Text switch
            {
                "=" => BinaryOp.Equal,
                "!=" or "<>" => BinaryOp.NotEqual,
                "<" => BinaryOp.Less,
                "<=" => BinaryOp.LessOrEqual,
                ">" => BinaryOp.Greater,
                _ => BinaryOp.GreaterOrEqual,
            };
            return Count(new BinaryExpr(left.Start, right.End, op, left, right));
        }
        if (Keyword("like"))
        {
            var right = Additive();
            return Count(new BinaryExpr(left.Start, right.End, BinaryOp.Like, left, right));
        }
        if (Keyword("is"))
        {
            var negated = Keyword("not");
            var n = Next();
            if (n.Type != T.Ident || !n.Text.Equals("null", StringComparison.OrdinalIgnoreCase))
            {
                throw Error(n.Start, "IS must be followed by NULL or NOT NULL");
            }
            return Count(new IsNullExpr(left.Start, n.End, left, negated));
        }
        var save = _i;
        var notIn = Keyword("not");
        if (Keyword("in"))
        {
            return In(left, notIn);
        }
        _i = save;
        return left;
    }

    private OdsqlExpr In(OdsqlExpr operand, bool negated)
    {
        var open = Next();
        if (open is { Type: T.Symbol, Text: "(" })
        {
            var items = new List<OdsqlExpr>();
            if (!Symbol(")"))
            {
                do
                {
                    if (items.Count == OdsqlLimits.MaxInListItems)
                    {
                        throw Error(Peek.Start, $"an IN list holds at most {OdsqlLimits.MaxInListItems.ToString("N0", CultureInfo.InvariantCulture)} values");
                    }
                    items.Add(Additive());
                }
                while (Symbol(","));
                var close = Next();
                if (close is not { Type: T.Symbol, Text: ")" })
                {
                    throw Error(close.Start, "expected ',' or ')' in the IN list");
                }
            }
            return Count(new InListExpr(operand.Start, _tokens[_i - 1].End, operand, items, negated));
        }
        if (open is { Type: T.Symbol, Text: "[" or "]" })
        {
            var low = Additive();
            var dots = Next();
            if (dots is not { Type: T.Symbol, Text: ".." })
            {
                throw Error(dots.Start, "a range is written [low..high] (a bracket turned outwards excludes its bound)");
            }
            var high = Additive();
            var close = Next();
            if (close is not { Type: T.Symbol, Text: "[" or "]" })
            {
                throw Error(close.Start, "a range ends with ']' (inclusive) or '[' (exclusive)");
            }
            return Count(new InRangeExpr(operand.Start, close.End, operand, low, open.Text == "[", high, close.Text == "]", negated));
        }
        throw Error(open.Start, "IN must be followed by a list (a, b, …) or a range [low..high]");
    }

    private OdsqlExpr Additive() => LeftAssociative(Multiplicative, "+", BinaryOp.Add, "-", BinaryOp.Subtract);

    private OdsqlExpr Multiplicative() => LeftAssociative(Unary, "*", BinaryOp.Multiply, "/", BinaryOp.Divide);

    /// <summary>A chain of one precedence level's two operators, grouped from the left (a - b - c = (a - b) - c).</summary>
    private OdsqlExpr LeftAssociative(Func<OdsqlExpr> operand, string first, BinaryOp firstOp, string second, BinaryOp secondOp)
    {
        var left = operand();
        while (Peek.Type == T.Symbol && (Peek.Text == first || Peek.Text == second))
        {
            var op = Peek.Text == first ? firstOp : secondOp;
            _i++;
            var right = operand();
            left = Count(new BinaryExpr(left.Start, right.End, op, left, right));
        }
        return left;
    }

    private OdsqlExpr Unary()
    {
        if (Peek is { Type: T.Symbol, Text: "-" } minus)
        {
            _i++;
            Enter();
            var operand = Unary();
            _depth--;
            return Count(new NegateExpr(minus.Start, operand.End, operand));
        }
        return Primary();
    }

    private OdsqlExpr Primary()
    {
        var t = Next();
        switch (t.Type)
        {
            case T.String:
                return Count(new LiteralExpr(t.Start, t.End, LiteralKind.Text, t.Text));
            case T.Number when t.Unit is not null:
                return Count(new LiteralExpr(t.Start, t.End, LiteralKind.Distance, Metres(t)));
            case T.Number:
                return Count(t.IsInteger
                    ? new LiteralExpr(t.Start, t.End, LiteralKind.Integer, (long)t.Number)
                    : new LiteralExpr(t.Start, t.End, LiteralKind.Number, t.Number));
            case T.QuotedIdent:
                return Count(new FieldExpr(t.Start, t.End, t.Text));
            case T.Symbol when t.Text == "(":
                Enter();
                var inner = Or();
                _depth--;
                var close = Next();
                if (close is not { Type: T.Symbol, Text: ")" })
                {
                    throw Error(close.Start, close.Type == T.End ? "a '(' is never closed" : $"expected ')' but found '{close.Text}'");
                }
                return inner;
            case T.Ident:
                return Identifier(t);
            case T.End:
                throw Error(t.Start, "the expression ends too early");
            default:
                throw Error(t.Start, $"unexpected '{t.Text}'");
        }
    }

    private OdsqlExpr Identifier(Token t)
    {
        var lower = t.Text.ToLowerInvariant();
        switch (lower)
        {
            case "true" or "false":
                return Count(new LiteralExpr(t.Start, t.End, LiteralKind.Boolean, lower == "true"));
            case "null":
                return Count(new LiteralExpr(t.Start, t.End, LiteralKind.Null, null));
            case "date" when Peek.Type == T.String && Peek.Start == t.End:
                var d = Next();
                return Count(new LiteralExpr(t.Start, d.End, LiteralKind.Date, ParseDate(d)));
            case "geom" when Peek.Type == T.String && Peek.Start == t.End:
                var g = Next();
                return Count(new LiteralExpr(t.Start, g.End, LiteralKind.Geometry, ParseGeometry(g)));
            case "and" or "or" or "not" or "in" or "like" or "is" or "as" or "asc" or "desc":
                throw Error(t.Start, $"'{t.Text}' is a keyword: write `{t.Text}` in backquotes for a field of that name");
        }
        if (Peek is { Type: T.Symbol, Text: "(" })
        {
            _i++;
            Enter();
            var args = new List<OdsqlExpr>();
            if (!Symbol(")"))
            {
                do
                {
                    args.Add(Peek is { Type: T.Symbol, Text: "*" } && lower == "count" ? Star() : Or());
                }
                while (Symbol(","));
                var close = Next();
                if (close is not { Type: T.Symbol, Text: ")" })
                {
                    throw Error(close.Start, close.Type == T.End ? $"the call of {t.Text}( is never closed" : $"expected ',' or ')' in the call of {t.Text}");
                }
            }
            _depth--;
            return Count(new CallExpr(t.Start, _tokens[_i - 1].End, lower, args));
        }
        return Count(new FieldExpr(t.Start, t.End, t.Text));
    }

    // ----- literals -----

    private static readonly string[] DateFormats = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mmzzz", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mm:ss'Z'",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy/MM/dd", "yyyy-MM", "yyyy"];

    /// <summary>An ISO date or datetime (UTC unless an offset is written), as ODSQL's date'…' takes it.</summary>
    public static bool TryParseDate(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    private DateTimeOffset ParseDate(Token t)
    {
        if (TryParseDate(t.Text, out var value))
        {
            return value;
        }
        throw Error(t.Start, $"date'{Shorten(t.Text)}' is not a date (write date'2024-05-31' or date'2024-05-31T12:00:00Z')");
    }

    private Geometry ParseGeometry(Token t)
    {
        var text = t.Text.Trim();
        Geometry geometry;
        try
        {
            var factory = new GeometryFactory(new PrecisionModel(), 4326);
            geometry = text.StartsWith('{')
                ? GeoJsonGeometry.Read(Encoding.UTF8.GetBytes(text), factory, "geom") ?? throw new FormatException("the GeoJSON geometry is null")
                : new WKTReader(factory.GeometryServices) { IsOldNtsCoordinateSyntaxAllowed = false }.Read(text);
        }
        catch (Exception e) when (e is ParseException or FormatException or ArgumentException or FeatureFieldException
                                       or System.Text.Json.JsonException or InvalidOperationException)
        {
            throw Error(t.Start, $"geom'…' is neither WKT nor a GeoJSON geometry: {Shorten(e.Message)}");
        }
        geometry.SRID = 4326;
        if (geometry.NumPoints > OdsqlLimits.MaxGeometryVertices)
        {
            throw Error(t.Start, $"geom'…' has {geometry.NumPoints.ToString("N0", CultureInfo.InvariantCulture)} vertices; at most {OdsqlLimits.MaxGeometryVertices.ToString("N0", CultureInfo.InvariantCulture)} are accepted");
        }
        foreach (var c in geometry.Coordinates)
        {
            if (!double.IsFinite(c.X) || !double.IsFinite(c.Y) || c.X is < -180 or > 180 || c.Y is < -90 or > 90)
            {
                throw Error(t.Start, $"geom'…' has a coordinate outside WGS 84 longitude/latitude ({c.X.ToString(CultureInfo.InvariantCulture)} {c.Y.ToString(CultureInfo.InvariantCulture)}): coordinates are lon lat in degrees");
            }
        }
        if (geometry.IsEmpty)
        {
            throw Error(t.Start, "geom'…' is empty");
        }
        return geometry;
    }

    private static readonly Dictionary<string, double> Units = new(StringComparer.OrdinalIgnoreCase)
    {
        ["m"] = 1, ["km"] = 1000, ["mi"] = 1609.344, ["yd"] = 0.9144, ["ft"] = 0.3048, ["cm"] = 0.01, ["mm"] = 0.001,
    };

    private double Metres(Token t)
    {
        if (!Units.TryGetValue(t.Unit!, out var factor))
        {
            throw Error(t.Start, $"'{t.Unit}' is not a distance unit (m, km, mi, yd, ft, cm, mm)");
        }
        return t.Number * factor;
    }

    // ----- tokens -----

    private Token Peek => _tokens[_i];

    private Token Next() => _tokens[_i < _tokens.Count - 1 ? _i++ : _i];

    private bool Symbol(string s)
    {
        if (Peek.Type == T.Symbol && Peek.Text == s)
        {
            _i++;
            return true;
        }
        return false;
    }

    private bool Keyword(string k)
    {
        if (Peek.Type == T.Ident && Peek.Text.Equals(k, StringComparison.OrdinalIgnoreCase))
        {
            _i++;
            return true;
        }
        return false;
    }

    private void ExpectEnd()
    {
        if (Peek.Type != T.End)
        {
            throw Error(Peek.Start, $"unexpected '{Shorten(Peek.Text)}' after the end of the expression");
        }
    }

    private void Enter()
    {
        if (++_depth > OdsqlLimits.MaxDepth)
        {
            throw Error(Peek.Start, $"the expression nests deeper than {OdsqlLimits.MaxDepth} levels");
        }
    }

    private TNode Count<TNode>(TNode node) where TNode : OdsqlExpr
    {
        if (++_nodes > OdsqlLimits.MaxNodes)
        {
            throw Error(node.Start, $"the expression has more than {OdsqlLimits.MaxNodes.ToString("N0", CultureInfo.InvariantCulture)} terms");
        }
        return node;
    }

    private OdsqlException Error(int position, string reason) => new(_clause, position, reason);

    private static string Shorten(string s) => s.Length > 60 ? s[..60] + "…" : s;

    private List<Token> Lex()
    {
        var tokens = new List<Token>();
        var s = _text;
        var i = 0;
        while (true)
        {
            while (i < s.Length && char.IsWhiteSpace(s[i]))
            {
                i++;
            }
            if (i >= s.Length)
            {
                tokens.Add(new Token(T.End, "end of the clause", s.Length, s.Length));
                return tokens;
            }
            var start = i;
            var c = s[i];
            if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] == '_'))
                {
                    i++;
                }
                tokens.Add(new Token(T.Ident, s[start..i], start, i));
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1])))
            {
                tokens.Add(LexNumber(ref i));
            }
            else if (c is '"' or '\'' or '`')
            {
                var sb = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= s.Length)
                    {
                        throw Error(start, c == '`' ? "a backquoted name is never closed" : $"a string opened with {c} is never closed");
                    }
                    if (s[i] == '\\' && i + 1 < s.Length)
                    {
                        sb.Append(s[i + 1]);
                        i += 2;
                        continue;
                    }
                    if (s[i] == c)
                    {
                        if (i + 1 < s.Length && s[i + 1] == c)
                        {
                            sb.Append(c);
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (s[i] == '\0')
                    {
                        throw Error(i, "a NUL character is not allowed");
                    }
                    sb.Append(s[i++]);
                }
                tokens.Add(new Token(c == '`' ? T.QuotedIdent : T.String, sb.ToString(), start, i));
            }
            else
            {
                var two = i + 1 < s.Length ? s.Substring(i, 2) : "";
                if (two is "!=" or "<>" or "<=" or ">=" or "..")
                {
                    tokens.Add(new Token(T.Symbol, two, start, i += 2));
                }
                else if (c is '=' or '<' or '>' or '+' or '-' or '*' or '/' or '(' or ')' or '[' or ']' or ',')
                {
                    tokens.Add(new Token(T.Symbol, c.ToString(), start, ++i));
                }
                else
                {
                    var shown = c == '\0' ? "NUL" : char.IsControl(c) ? $"U+{(int)c:X4}" : $"'{c}' (U+{(int)c:X4})";
                    throw Error(start, $"unexpected character {shown}: strings are written in \"double\" or 'single' ASCII quotes and names in `backquotes`");
                }
            }
        }
    }

    private Token LexNumber(ref int i)
    {
        var s = _text;
        var start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }
        var integer = true;
        if (i + 1 < s.Length && s[i] == '.' && char.IsAsciiDigit(s[i + 1]))
        {
            integer = false;
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }
        }
        if (i < s.Length && s[i] is 'e' or 'E' && i + 1 < s.Length && (char.IsAsciiDigit(s[i + 1]) || (s[i + 1] is '+' or '-' && i + 2 < s.Length && char.IsAsciiDigit(s[i + 2]))))
        {
            integer = false;
            i += 2;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }
        }
        var text = s[start..i];
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw Error(start, $"{Shorten(text)} is not a finite number");
        }
        if (integer && !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            integer = false;
        }
        string? unit = null;
        if (i < s.Length && char.IsAsciiLetter(s[i]))
        {
            var u = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
            {
                i++;
            }
            unit = s[u..i];
        }
        return new Token(T.Number, text, start, i, value, integer, unit);
    }
}
