using System.Globalization;
using System.Text;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Npgsql;
using NpgsqlTypes;
using SmartRegion.Geo.Crs;

namespace SmartRegion.Data.Explore.Odsql;

/// <summary>One compiled expression: SQL text (identifiers from the schema, every literal a parameter), its type, whether it aggregates.</summary>
public readonly record struct SqlValue(string Sql, ValueKind Kind, bool Aggregate = false, int Srid = 4326);

/// <summary>A column of a compiled query's result: the name the client sees, its SQL (aliased c0, c1, …) and type.</summary>
public sealed record OutputColumn(string Name, string Sql, ValueKind Kind, int Srid);

/// <summary>The parts of a compiled query, ready to be placed around a table and the grant's row filter.</summary>
public sealed record CompiledQuery(
    IReadOnlyList<OutputColumn> Columns, string Where, IReadOnlyList<string> GroupBy, IReadOnlyList<string> OrderBy, bool Aggregated);

/// <summary>
/// Compiles ODSQL syntax trees to PostgreSQL. Names resolve only against the <see cref="QuerySchema"/> (the fields the
/// caller may see); every literal becomes a bound parameter; geometry filters transform the query shape to the
/// column's SRID, never the column, so its index is used.
/// </summary>
public sealed class OdsqlCompiler(QuerySchema schema, NpgsqlParameterCollection parameters)
{
    private const double MetresPerDegree = 111_195;
    /// <summary>Half the Earth's circumference: no two points are farther apart.</summary>
    private const double MaxDistanceM = 20_037_509;

    private static readonly HashSet<string> Aggregates = ["count", "sum", "avg", "min", "max", "median", "percentile"];

    private string _clause = "where";
    private IReadOnlyDictionary<string, OutputColumn>? _aliases;

    /// <summary>Compiles the clauses of a records query (any of them may be null).</summary>
    public CompiledQuery Compile(string? select, string? where, string? groupBy, string? orderBy)
    {
        _clause = "where";
        var whereSql = string.IsNullOrWhiteSpace(where) ? "true" : Condition(OdsqlParser.ParseWhere(where));

        var groups = new List<OutputColumn>();
        if (!string.IsNullOrWhiteSpace(groupBy))
        {
            _clause = "group_by";
            foreach (var item in OdsqlParser.ParseSelect(groupBy, "group_by"))
            {
                var v = GroupKey(item.Expr);
                groups.Add(new OutputColumn(item.OutputName, v.Sql, v.Kind, v.Srid));
            }
        }

        _clause = "select";
        var columns = new List<OutputColumn>(groups);
        var aggregated = groups.Count > 0;
        var items = string.IsNullOrWhiteSpace(select) ? null : OdsqlParser.ParseSelect(select);
        if (items is not null)
        {
            var compiled = new List<(SelectItem Item, SqlValue Value)>();
            foreach (var item in items)
            {
                if (item.Expr is StarExpr)
                {
                    if (groups.Count > 0)
                    {
                        throw new OdsqlException("select", item.Expr.Start, "* cannot be selected with group_by");
                    }
                    compiled.AddRange(schema.Fields.Select(f => (new SelectItem(new FieldExpr(0, 0, f.Name), null, f.Name), new SqlValue(f.Sql, f.Kind, false, f.Srid))));
                    continue;
                }
                compiled.Add((item, Value(item.Expr, allowAggregate: true)));
            }
            aggregated |= compiled.Any(c => c.Value.Aggregate);
            foreach (var (item, value) in compiled)
            {
                if (aggregated && !value.Aggregate)
                {
                    var key = groups.FirstOrDefault(g => g.Name == item.Text || g.Name == item.OutputName || (item.Expr is FieldExpr f && g.Name == f.Name));
                    if (key is null || (value.Sql != key.Sql && item.Expr is not FieldExpr))
                    {
                        throw new OdsqlException("select", item.Expr.Start,
                            $"'{item.Text}' is neither an aggregate (count, sum, avg, min, max, median, percentile) nor a group_by expression");
                    }
                    if (columns.Any(c => c.Name == item.OutputName))
                    {
                        continue;
                    }
                    columns.Add(new OutputColumn(item.OutputName, key.Sql, key.Kind, key.Srid));
                    continue;
                }
                if (columns.Any(c => c.Name == item.OutputName))
                {
                    throw new OdsqlException("select", item.Expr.Start, $"two columns are named '{item.OutputName}': give one an alias with AS");
                }
                columns.Add(new OutputColumn(item.OutputName, value.Sql, value.Kind, value.Srid));
            }
        }
        else if (groups.Count == 0)
        {
            columns.AddRange(schema.Fields.Select(f => new OutputColumn(f.Name, f.Sql, f.Kind, f.Srid)));
        }

        var order = new List<string>();
        if (!string.IsNullOrWhiteSpace(orderBy))
        {
            _clause = "order_by";
            _aliases = columns.Select((c, i) => (c, i)).GroupBy(x => x.c.Name).ToDictionary(g => g.Key, g => g.First().c with { Sql = $"c{g.First().i}" });
            foreach (var item in OdsqlParser.ParseOrderBy(orderBy))
            {
                var v = Value(item.Expr, allowAggregate: aggregated);
                if (aggregated && !v.Aggregate && !v.Sql.StartsWith('c') && groups.All(g => g.Sql != v.Sql))
                {
                    throw new OdsqlException("order_by", item.Expr.Start, "with group_by, order by a group_by expression, a select alias or an aggregate");
                }
                if (v.Kind is ValueKind.Geometry or ValueKind.TextArray)
                {
                    throw new OdsqlException("order_by", item.Expr.Start, "geometry and list fields cannot be ordered");
                }
                order.Add(v.Sql + (item.Descending ? " DESC NULLS LAST" : " ASC NULLS LAST"));
            }
            _aliases = null;
        }
        return new CompiledQuery(columns, whereSql, [.. groups.Select(g => g.Sql)], order, aggregated);
    }

    /// <summary>Compiles a where clause alone (catalogue searches, facets).</summary>
    public string CompileWhere(string where)
    {
        _clause = "where";
        return Condition(OdsqlParser.ParseWhere(where));
    }

    /// <summary>Compiles a condition built as a syntax tree by another API (OGC property filters and datetime).</summary>
    public string CompileCondition(OdsqlExpr condition, string clause)
    {
        _clause = clause;
        return Condition(condition);
    }

    /// <summary>
    /// A box filter on a geometry field, the box given in <paramref name="boxSrid"/> (4326 = lon/lat here; OGC's
    /// lat-first axis order is the caller's to swap): the box is transformed to the column's SRID, never the column.
    /// </summary>
    public string BoxCondition(QueryField field, double minX, double minY, double maxX, double maxY, int boxSrid)
    {
        if (boxSrid == 4326)
        {
            return Box(minX, minY, maxX, maxY, field.Srid) is { } lonLat ? $"({field.Sql} && {lonLat} AND ST_Intersects({field.Sql}, {lonLat}))" : "false";
        }
        var env = $"ST_MakeEnvelope({Bind(minX, NpgsqlDbType.Double)}, {Bind(minY, NpgsqlDbType.Double)}, {Bind(maxX, NpgsqlDbType.Double)}, {Bind(maxY, NpgsqlDbType.Double)}, {Srid(boxSrid)})";
        var box = boxSrid == field.Srid ? env : $"ST_Transform({env}, {Srid(field.Srid)})";
        return $"({field.Sql} && {box} AND ST_Intersects({field.Sql}, {box}))";
    }

    /// <summary>Compiles an order_by clause over the schema's fields alone (catalogue searches).</summary>
    public List<string> CompileOrderBy(string orderBy)
    {
        _clause = "order_by";
        _aliases = null;
        var order = new List<string>();
        foreach (var item in OdsqlParser.ParseOrderBy(orderBy))
        {
            var v = Value(item.Expr, allowAggregate: false);
            if (v.Kind is ValueKind.Geometry or ValueKind.TextArray)
            {
                throw new OdsqlException("order_by", item.Expr.Start, "geometry and list fields cannot be ordered");
            }
            order.Add(v.Sql + (item.Descending ? " DESC NULLS LAST" : " ASC NULLS LAST"));
        }
        return order;
    }

    /// <summary>Binds a value and returns its placeholder.</summary>
    public string Bind(object? value, NpgsqlDbType? type = null)
    {
        var name = $"q{parameters.Count.ToString(CultureInfo.InvariantCulture)}";
        var p = type is { } t ? new NpgsqlParameter(name, t) { Value = value ?? DBNull.Value } : new NpgsqlParameter(name, value ?? DBNull.Value);
        parameters.Add(p);
        return "@" + name;
    }

    // ----- conditions -----

    private string Condition(OdsqlExpr e)
    {
        switch (e)
        {
            case LiteralExpr { Kind: LiteralKind.Text, Value: string text }:
                return FullText(null, text, e);
            case BinaryExpr { Op: BinaryOp.And or BinaryOp.Or } b:
                return $"({Condition(b.Left)} {(b.Op == BinaryOp.And ? "AND" : "OR")} {Condition(b.Right)})";
            case NotExpr n:
                return $"(NOT coalesce({Condition(n.Operand)}, false))";
        }
        var v = Value(e, allowAggregate: false);
        if (v.Kind != ValueKind.Boolean)
        {
            throw Error(e, $"this expression is a {Describe(v.Kind)}, not a condition");
        }
        return v.Sql;
    }

    private string FullText(QueryField? field, string text, OdsqlExpr at)
    {
        var words = new List<string>();
        foreach (var raw in text.Split([' ', '\t', ',', ';', '.', '\'', '"', '-', '(', ')'], StringSplitOptions.RemoveEmptyEntries))
        {
            var prefix = raw.EndsWith('*');
            var word = new string([.. raw.TrimEnd('*').Where(char.IsLetterOrDigit)]);
            if (word.Length > 0)
            {
                words.Add(prefix ? word : word + "\\M");
            }
        }
        if (words.Count == 0)
        {
            throw Error(at, "the searched text has no word");
        }
        if (field is null && schema.FullText is { } custom)
        {
            return custom(Bind(text));
        }
        var texts = field is not null ? [field] : schema.Fields.Where(f => f.Kind == ValueKind.Text).ToList();
        if (texts.Count == 0)
        {
            return "false";
        }
        var haystack = texts.Count == 1 ? texts[0].Sql : $"concat_ws(' ', {string.Join(", ", texts.Select(f => f.Sql))})";
        // Word starts (\m) of letters and digits only: nothing in the pattern can backtrack.
        return "(" + string.Join(" AND ", words.Select(w => $"{haystack} ~* {Bind("\\m" + w)}")) + ")";
    }

    // ----- values -----

    private SqlValue Value(OdsqlExpr e, bool allowAggregate, ValueKind? hint = null)
    {
        switch (e)
        {
            case LiteralExpr l:
                return Literal(l, hint);
            case FieldExpr f:
                if (_aliases is not null && _aliases.TryGetValue(f.Name, out var alias))
                {
                    return new SqlValue(alias.Sql, alias.Kind, false, alias.Srid);
                }
                var field = schema.Find(f.Name) ?? throw Error(e, $"unknown field '{f.Name}'{Suggest(f.Name)}");
                return new SqlValue(field.Sql, field.Kind, false, field.Srid);
            case StarExpr:
                throw Error(e, "* is only allowed alone in select or in count(*)");
            case NegateExpr n:
                var operand = Value(n.Operand, allowAggregate);
                RequireNumber(operand, n.Operand);
                return operand with { Sql = $"(-{operand.Sql})" };
            case BinaryExpr { Op: BinaryOp.And or BinaryOp.Or } or NotExpr when _clause == "where":
                return new SqlValue(Condition(e), ValueKind.Boolean);
            case BinaryExpr b:
                return Binary(b, allowAggregate);
            case NotExpr n:
                var inner = Value(n.Operand, allowAggregate);
                RequireKind(inner, ValueKind.Boolean, n.Operand);
                return inner with { Sql = $"(NOT {inner.Sql})" };
            case IsNullExpr i:
                var tested = Value(i.Operand, allowAggregate);
                return new SqlValue($"({tested.Sql} IS {(i.Negated ? "NOT " : "")}NULL)", ValueKind.Boolean, tested.Aggregate);
            case InListExpr i:
                return InList(i, allowAggregate);
            case InRangeExpr r:
                return InRange(r, allowAggregate);
            case CallExpr c:
                return Call(c, allowAggregate);
            default:
                throw Error(e, "unsupported expression");
        }
    }

    private SqlValue Literal(LiteralExpr l, ValueKind? hint)
    {
        object? value = l.Value;
        switch (hint)
        {
            case ValueKind.Integer or ValueKind.Number when l.Kind == LiteralKind.Text:
                if (!double.TryParse((string)value!, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || !double.IsFinite(n))
                {
                    throw Error(l, $"\"{Shorten((string)value!)}\" is not a number");
                }
                return new SqlValue(Bind(n, NpgsqlDbType.Double), ValueKind.Number);
            case ValueKind.Text or ValueKind.TextArray when l.Kind is LiteralKind.Integer or LiteralKind.Number or LiteralKind.Boolean:
                return new SqlValue(Bind(Convert.ToString(value, CultureInfo.InvariantCulture)!.ToLowerInvariant(), NpgsqlDbType.Text), ValueKind.Text);
            case ValueKind.Date or ValueKind.DateTime when l.Kind == LiteralKind.Text:
                if (!OdsqlParser.TryParseDate((string)value!, out var date))
                {
                    throw Error(l, $"\"{Shorten((string)value!)}\" is not a date (write 2024-05-31 or 2024-05-31T12:00:00Z)");
                }
                return new SqlValue(Bind(date.UtcDateTime, NpgsqlDbType.TimestampTz), ValueKind.DateTime);
            case ValueKind.Boolean when l.Kind == LiteralKind.Text && bool.TryParse((string)value!, out var b):
                return new SqlValue(Bind(b, NpgsqlDbType.Boolean), ValueKind.Boolean);
        }
        return l.Kind switch
        {
            LiteralKind.Text => new SqlValue(Bind(value, NpgsqlDbType.Text), ValueKind.Text),
            LiteralKind.Integer => new SqlValue(Bind(value, NpgsqlDbType.Bigint), ValueKind.Integer),
            LiteralKind.Number => new SqlValue(Bind(value, NpgsqlDbType.Double), ValueKind.Number),
            LiteralKind.Boolean => new SqlValue(Bind(value, NpgsqlDbType.Boolean), ValueKind.Boolean),
            LiteralKind.Null => new SqlValue("NULL", ValueKind.Null),
            LiteralKind.Date => new SqlValue(Bind(((DateTimeOffset)value!).UtcDateTime, NpgsqlDbType.TimestampTz), ValueKind.DateTime),
            LiteralKind.Geometry => new SqlValue($"ST_GeomFromEWKB({Bind(Ewkb((Geometry)value!), NpgsqlDbType.Bytea)})", ValueKind.Geometry),
            _ => throw Error(l, "a distance (such as 10km) is only allowed as the last argument of within_distance"),
        };
    }

    private SqlValue Binary(BinaryExpr b, bool allowAggregate)
    {
        if (b.Op is BinaryOp.Add or BinaryOp.Subtract or BinaryOp.Multiply or BinaryOp.Divide)
        {
            var (l, r) = Pair(b.Left, b.Right, allowAggregate);
            RequireNumber(l, b.Left);
            RequireNumber(r, b.Right);
            var agg = l.Aggregate || r.Aggregate;
            return b.Op switch
            {
                BinaryOp.Divide => new SqlValue($"({l.Sql}::double precision / NULLIF({r.Sql}, 0))", ValueKind.Number, agg),
                _ => new SqlValue($"({l.Sql} {b.Op switch { BinaryOp.Add => "+", BinaryOp.Subtract => "-", _ => "*" }} {r.Sql})",
                    l.Kind == ValueKind.Integer && r.Kind == ValueKind.Integer ? ValueKind.Integer : ValueKind.Number, agg),
            };
        }
        if (b.Op == BinaryOp.Like)
        {
            var target = Value(b.Left, allowAggregate);
            RequireKind(target, ValueKind.Text, b.Left);
            if (b.Right is not LiteralExpr { Kind: LiteralKind.Text, Value: string pattern })
            {
                throw Error(b.Right, "LIKE takes a \"pattern\" string (* matches any characters)");
            }
            // ODSQL's wildcard is *; SQL's own % and _ are matched literally.
            var sqlPattern = new StringBuilder();
            foreach (var ch in pattern)
            {
                sqlPattern.Append(ch switch { '*' => "%", '%' => "\\%", '_' => "\\_", '\\' => "\\\\", _ => ch.ToString() });
            }
            return new SqlValue($"({target.Sql} ILIKE {Bind(sqlPattern.ToString(), NpgsqlDbType.Text)})", ValueKind.Boolean, target.Aggregate);
        }
        if (b.Op is BinaryOp.And or BinaryOp.Or)
        {
            var l = Value(b.Left, allowAggregate);
            var r = Value(b.Right, allowAggregate);
            RequireKind(l, ValueKind.Boolean, b.Left);
            RequireKind(r, ValueKind.Boolean, b.Right);
            return new SqlValue($"({l.Sql} {(b.Op == BinaryOp.And ? "AND" : "OR")} {r.Sql})", ValueKind.Boolean, l.Aggregate || r.Aggregate);
        }
        var (left, right) = Pair(b.Left, b.Right, allowAggregate);
        var op = b.Op switch
        {
            BinaryOp.Equal => "=",
            BinaryOp.NotEqual => "<>",
            BinaryOp.Less => "<",
            BinaryOp.LessOrEqual => "<=",
            BinaryOp.Greater => ">",
            _ => ">=",
        };
        if (left.Kind == ValueKind.Null || right.Kind == ValueKind.Null)
        {
            throw Error(b, "compare with null using IS NULL or IS NOT NULL");
        }
        if (left.Kind == ValueKind.TextArray || right.Kind == ValueKind.TextArray)
        {
            var (list, item) = left.Kind == ValueKind.TextArray ? (left, right) : (right, left);
            if (b.Op is not (BinaryOp.Equal or BinaryOp.NotEqual) || item.Kind != ValueKind.Text)
            {
                throw Error(b, "a list field is compared with = or != and a text");
            }
            return new SqlValue($"({(b.Op == BinaryOp.NotEqual ? "NOT " : "")}coalesce({item.Sql} = ANY({list.Sql}), false))", ValueKind.Boolean);
        }
        RequireComparable(left, right, b);
        if (left.Kind is ValueKind.Geometry or ValueKind.Boolean && b.Op is not (BinaryOp.Equal or BinaryOp.NotEqual))
        {
            throw Error(b, $"a {Describe(left.Kind)} is compared with = or != only");
        }
        if (left.Kind == ValueKind.Geometry)
        {
            return new SqlValue($"({(b.Op == BinaryOp.NotEqual ? "NOT " : "")}ST_Equals({left.Sql}, ST_Transform({right.Sql}, {Srid(left.Srid)})))", ValueKind.Boolean);
        }
        return new SqlValue($"({left.Sql} {op} {right.Sql})", ValueKind.Boolean, left.Aggregate || right.Aggregate);
    }

    /// <summary>Compiles two operands, binding a literal on one side in the type of the other (price = "12", date = "2024-01-01").</summary>
    private (SqlValue Left, SqlValue Right) Pair(OdsqlExpr a, OdsqlExpr b, bool allowAggregate)
    {
        if (a is LiteralExpr && b is not LiteralExpr)
        {
            var right = Value(b, allowAggregate);
            return (Value(a, allowAggregate, right.Kind), right);
        }
        var left = Value(a, allowAggregate);
        return (left, Value(b, allowAggregate, b is LiteralExpr ? left.Kind : null));
    }

    private SqlValue InList(InListExpr i, bool allowAggregate)
    {
        var target = Value(i.Operand, allowAggregate);
        if (i.Items.Count == 0)
        {
            return new SqlValue(i.Negated ? "true" : "false", ValueKind.Boolean);
        }
        var items = i.Items.Select(x => Value(x, allowAggregate, target.Kind)).ToList();
        foreach (var (item, expr) in items.Zip(i.Items))
        {
            if (target.Kind == ValueKind.TextArray ? item.Kind != ValueKind.Text : item.Kind != ValueKind.Null && !Comparable(target.Kind, item.Kind))
            {
                throw Error(expr, $"a {Describe(item.Kind)} in a list of {Describe(target.Kind)} values");
            }
        }
        var list = string.Join(", ", items.Select(x => x.Sql));
        return target.Kind == ValueKind.TextArray
            ? new SqlValue($"({(i.Negated ? "NOT " : "")}coalesce({target.Sql} && ARRAY[{list}]::text[], false))", ValueKind.Boolean)
            : new SqlValue($"({target.Sql} {(i.Negated ? "NOT " : "")}IN ({list}))", ValueKind.Boolean, target.Aggregate);
    }

    private SqlValue InRange(InRangeExpr r, bool allowAggregate)
    {
        var target = Value(r.Operand, allowAggregate);
        var low = Value(r.Low, allowAggregate, target.Kind);
        var high = Value(r.High, allowAggregate, target.Kind);
        RequireComparable(target, low, r.Low);
        RequireComparable(target, high, r.High);
        if (target.Kind is ValueKind.Geometry or ValueKind.Boolean)
        {
            throw Error(r, $"a {Describe(target.Kind)} has no range");
        }
        var sql = $"({target.Sql} {(r.LowInclusive ? ">=" : ">")} {low.Sql} AND {target.Sql} {(r.HighInclusive ? "<=" : "<")} {high.Sql})";
        return new SqlValue(r.Negated ? $"(NOT {sql})" : sql, ValueKind.Boolean, target.Aggregate);
    }

    // ----- functions -----

    private SqlValue Call(CallExpr c, bool allowAggregate)
    {
        if (Aggregates.Contains(c.Name))
        {
            return Aggregate(c, allowAggregate);
        }
        switch (c.Name)
        {
            case "within_distance" or "distance":
                return WithinDistance(c);
            case "in_bbox":
                return InBbox(c);
            case "intersects" or "within" or "disjoint":
                return Spatial(c);
            case "search":
                if (c.Args.Count is < 1 or > 2 || c.Args[^1] is not LiteralExpr { Kind: LiteralKind.Text, Value: string text })
                {
                    throw Error(c, "search takes (\"text\") or (field, \"text\")");
                }
                QueryField? field = null;
                if (c.Args.Count == 2)
                {
                    field = c.Args[0] is FieldExpr f ? schema.Find(f.Name) : null;
                    if (field is null || field.Kind != ValueKind.Text)
                    {
                        throw Error(c.Args[0], "search's first argument is a text field");
                    }
                }
                return new SqlValue(FullText(field, text, c), ValueKind.Boolean);
            case "startswith":
                Arity(c, 2);
                var s = Value(c.Args[0], allowAggregate);
                RequireKind(s, ValueKind.Text, c.Args[0]);
                if (c.Args[1] is not LiteralExpr { Kind: LiteralKind.Text, Value: string start })
                {
                    throw Error(c.Args[1], "startswith takes a \"text\"");
                }
                return new SqlValue($"(left({s.Sql}, {Bind(start.Length, NpgsqlDbType.Integer)}) = {Bind(start, NpgsqlDbType.Text)})", ValueKind.Boolean);
            case "year" or "month" or "day" or "hour" or "minute" or "second":
                Arity(c, 1);
                var d = Value(c.Args[0], allowAggregate);
                if (d.Kind is not (ValueKind.Date or ValueKind.DateTime))
                {
                    throw Error(c.Args[0], $"{c.Name}() takes a date or datetime field");
                }
                return new SqlValue($"extract({c.Name} FROM {d.Sql})::bigint", ValueKind.Integer, d.Aggregate);
            case "date_format":
                return DateFormat(c, allowAggregate);
            case "lower" or "upper" or "length":
                Arity(c, 1);
                var t = Value(c.Args[0], allowAggregate);
                RequireKind(t, ValueKind.Text, c.Args[0]);
                return c.Name == "length"
                    ? new SqlValue($"char_length({t.Sql})::bigint", ValueKind.Integer, t.Aggregate)
                    : new SqlValue($"{c.Name}({t.Sql})", ValueKind.Text, t.Aggregate);
            case "abs" or "floor" or "ceil":
                Arity(c, 1);
                var a = Value(c.Args[0], allowAggregate);
                RequireNumber(a, c.Args[0]);
                return a with { Sql = $"{c.Name}({a.Sql})" };
            case "range":
                throw Error(c, "range() is a group_by function");
            default:
                throw Error(c, $"unknown function '{c.Name}'");
        }
    }

    private SqlValue Aggregate(CallExpr c, bool allowAggregate)
    {
        if (!allowAggregate)
        {
            throw Error(c, $"the aggregate {c.Name}() is allowed in select and order_by only");
        }
        if (c.Name == "count")
        {
            if (c.Args.Count == 0 || c.Args is [StarExpr])
            {
                return new SqlValue("count(*)", ValueKind.Integer, true);
            }
            Arity(c, 1);
            var counted = Value(c.Args[0], false);
            return new SqlValue($"count({counted.Sql})", ValueKind.Integer, true);
        }
        if (c.Name == "percentile")
        {
            Arity(c, 2);
            var x = Value(c.Args[0], false);
            RequireNumber(x, c.Args[0]);
            var p = c.Args[1] is LiteralExpr { Value: long or double } l ? Convert.ToDouble(l.Value, CultureInfo.InvariantCulture) : double.NaN;
            if (!(p is >= 0 and <= 100))
            {
                throw Error(c.Args[1], "percentile's second argument is a number from 0 to 100");
            }
            return new SqlValue($"percentile_cont({Bind(p / 100, NpgsqlDbType.Double)}) WITHIN GROUP (ORDER BY {x.Sql})", ValueKind.Number, true);
        }
        Arity(c, 1);
        var v = Value(c.Args[0], false);
        if (c.Name is "min" or "max")
        {
            if (v.Kind is ValueKind.Geometry or ValueKind.TextArray or ValueKind.Boolean)
            {
                throw Error(c.Args[0], $"{c.Name}() takes a number, a date or a text");
            }
            return new SqlValue($"{c.Name}({v.Sql})", v.Kind, true);
        }
        RequireNumber(v, c.Args[0]);
        return c.Name switch
        {
            "median" => new SqlValue($"percentile_cont(0.5) WITHIN GROUP (ORDER BY {v.Sql})", ValueKind.Number, true),
            "sum" => new SqlValue($"sum({v.Sql})::double precision", ValueKind.Number, true),
            _ => new SqlValue($"avg({v.Sql})::double precision", ValueKind.Number, true),
        };
    }

    private SqlValue GroupKey(OdsqlExpr e)
    {
        if (e is CallExpr { Name: "range" } c)
        {
            Arity(c, 2);
            var x = Value(c.Args[0], false);
            RequireNumber(x, c.Args[0]);
            var step = c.Args[1] is LiteralExpr { Value: long or double } l ? Convert.ToDouble(l.Value, CultureInfo.InvariantCulture) : double.NaN;
            if (!(step > 0) || !double.IsFinite(step))
            {
                throw Error(c.Args[1], "range's step is a positive number");
            }
            var p = Bind(step, NpgsqlDbType.Double);
            // The interval's lower bound; rows with no value form their own group (null).
            return new SqlValue($"(floor({x.Sql} / {p}) * {p})", ValueKind.Number);
        }
        var v = Value(e, false);
        if (v.Kind is ValueKind.Geometry)
        {
            throw Error(e, "geometries cannot be grouped");
        }
        if (!NamesAField(e))
        {
            throw Error(e, "a group_by expression names a field");
        }
        return v;
    }

    private SqlValue DateFormat(CallExpr c, bool allowAggregate)
    {
        Arity(c, 2);
        var d = Value(c.Args[0], allowAggregate);
        if (d.Kind is not (ValueKind.Date or ValueKind.DateTime))
        {
            throw Error(c.Args[0], "date_format() takes a date or datetime field");
        }
        if (c.Args[1] is not LiteralExpr { Kind: LiteralKind.Text, Value: string format })
        {
            throw Error(c.Args[1], "date_format's format is a \"text\" such as \"yyyy-MM\"");
        }
        var pg = new StringBuilder();
        for (var i = 0; i < format.Length;)
        {
            var ch = format[i];
            var run = 1;
            while (i + run < format.Length && format[i + run] == ch)
            {
                run++;
            }
            var token = format.Substring(i, run);
            pg.Append(token switch
            {
                "yyyy" or "YYYY" => "YYYY",
                "yy" => "YY",
                "MM" => "MM",
                "dd" => "DD",
                "HH" => "HH24",
                "mm" => "MI",
                "ss" => "SS",
                _ when char.IsLetter(ch) => throw Error(c.Args[1], $"'{token}' is not a date_format pattern (yyyy, yy, MM, dd, HH, mm, ss)"),
                _ when ch == '"' || ch == '\\' => throw Error(c.Args[1], "date_format's format cannot hold quotes or backslashes"),
                _ => token,
            });
            i += run;
        }
        return new SqlValue($"to_char({d.Sql}, {Bind(pg.ToString(), NpgsqlDbType.Text)})", ValueKind.Text, d.Aggregate);
    }

    private (QueryField Field, Geometry Literal) GeoArgs(CallExpr c)
    {
        if (c.Args.Count < 2 || c.Args[0] is not FieldExpr f)
        {
            throw Error(c, $"{c.Name}'s first argument is a geometry field");
        }
        var field = schema.Find(f.Name) ?? throw Error(c.Args[0], $"unknown field '{f.Name}'{Suggest(f.Name)}");
        if (field.Kind != ValueKind.Geometry)
        {
            throw Error(c.Args[0], $"'{f.Name}' is not a geometry field");
        }
        if (c.Args[1] is not LiteralExpr { Kind: LiteralKind.Geometry, Value: Geometry g })
        {
            throw Error(c.Args[1], $"{c.Name}'s second argument is a geom'…' literal (WKT or GeoJSON, lon lat)");
        }
        return (field, g);
    }

    private SqlValue Spatial(CallExpr c)
    {
        Arity(c, 2);
        var (field, g) = GeoArgs(c);
        var shape = Shape(g, field.Srid);
        var fn = c.Name switch { "intersects" => "ST_Intersects", "within" => "ST_Within", _ => "ST_Disjoint" };
        return new SqlValue($"{fn}({field.Sql}, {shape})", ValueKind.Boolean);
    }

    private SqlValue WithinDistance(CallExpr c)
    {
        Arity(c, 3);
        var (field, g) = GeoArgs(c);
        var metres = c.Args[2] switch
        {
            LiteralExpr { Kind: LiteralKind.Distance, Value: double m } => m,
            LiteralExpr { Value: long or double } l => Convert.ToDouble(l.Value, CultureInfo.InvariantCulture),
            NegateExpr => -1,
            _ => throw Error(c.Args[2], "the distance is a number with a unit, such as 500m or 2km"),
        };
        if (!(metres >= 0) || metres > MaxDistanceM)
        {
            throw Error(c.Args[2], "the distance must be between 0 and 20,037 km (half the Earth's circumference)");
        }
        var point = Bind(Ewkb(g), NpgsqlDbType.Bytea);
        var exact = field.Srid == 4326
            ? $"ST_DWithin({field.Sql}::geography, ST_GeomFromEWKB({point})::geography, {Bind(metres, NpgsqlDbType.Double)})"
            : $"ST_DWithin(ST_Transform({field.Sql}, 4326)::geography, ST_GeomFromEWKB({point})::geography, {Bind(metres, NpgsqlDbType.Double)})";
        // A box around the shape, widened by the distance, lets the spatial index prefilter.
        var env = g.EnvelopeInternal;
        var dLat = metres / MetresPerDegree;
        var maxAbsLat = Math.Max(Math.Abs(env.MinY), Math.Abs(env.MaxY)) + dLat;
        if (maxAbsLat >= 89)
        {
            return new SqlValue(exact, ValueKind.Boolean);
        }
        var dLon = metres / (MetresPerDegree * Math.Cos(maxAbsLat * Math.PI / 180));
        if (dLon >= 180)
        {
            return new SqlValue(exact, ValueKind.Boolean);
        }
        var box = Box(env.MinX - dLon, env.MinY - dLat, env.MaxX + dLon, env.MaxY + dLat, field.Srid);
        return new SqlValue(box is null ? "false" : $"({field.Sql} && {box} AND {exact})", ValueKind.Boolean);
    }

    private SqlValue InBbox(CallExpr c)
    {
        Arity(c, 5);
        if (c.Args[0] is not FieldExpr f)
        {
            throw Error(c, "in_bbox's first argument is a geometry field");
        }
        var field = schema.Find(f.Name) ?? throw Error(c.Args[0], $"unknown field '{f.Name}'{Suggest(f.Name)}");
        if (field.Kind != ValueKind.Geometry)
        {
            throw Error(c.Args[0], $"'{f.Name}' is not a geometry field");
        }
        var n = new double[4];
        for (var i = 0; i < 4; i++)
        {
            var arg = c.Args[i + 1];
            var sign = 1.0;
            if (arg is NegateExpr neg)
            {
                sign = -1;
                arg = neg.Operand;
            }
            n[i] = arg is LiteralExpr { Value: long or double } l ? sign * Convert.ToDouble(l.Value, CultureInfo.InvariantCulture) : double.NaN;
            var isLat = i % 2 == 0;
            if (!double.IsFinite(n[i]) || Math.Abs(n[i]) > (isLat ? 90 : 180))
            {
                throw Error(arg, $"in_bbox(field, lat1, lon1, lat2, lon2): {(isLat ? "a latitude is a number from -90 to 90" : "a longitude is a number from -180 to 180")}");
            }
        }
        var box = Box(Math.Min(n[1], n[3]), Math.Min(n[0], n[2]), Math.Max(n[1], n[3]), Math.Max(n[0], n[2]), field.Srid);
        return new SqlValue(box is null ? "false" : $"({field.Sql} && {box} AND ST_Intersects({field.Sql}, {box}))", ValueKind.Boolean);
    }

    /// <summary>A lon/lat box in the column's SRID, cut to that CRS's area of use; null when they do not meet.</summary>
    private string? Box(double minLon, double minLat, double maxLon, double maxLat, int srid)
    {
        if (srid != 4326)
        {
            if (KnownCrs.ClampToAreaOfUse(srid, Math.Max(minLon, -180), Math.Max(minLat, -90), Math.Min(maxLon, 180), Math.Min(maxLat, 90)) is not { } b)
            {
                return null;
            }
            (minLon, minLat, maxLon, maxLat) = b;
        }
        var env = $"ST_MakeEnvelope({Bind(minLon, NpgsqlDbType.Double)}, {Bind(minLat, NpgsqlDbType.Double)}, {Bind(maxLon, NpgsqlDbType.Double)}, {Bind(maxLat, NpgsqlDbType.Double)}, 4326)";
        return srid == 4326 ? env : $"ST_Transform({env}, {Srid(srid)})";
    }

    private string Shape(Geometry g, int srid)
    {
        var lit = $"ST_GeomFromEWKB({Bind(Ewkb(g), NpgsqlDbType.Bytea)})";
        return srid == 4326 ? lit : $"ST_Transform({lit}, {Srid(srid)})";
    }

    // ----- checks -----

    private static bool NamesAField(OdsqlExpr e) => e switch
    {
        FieldExpr => true,
        NegateExpr n => NamesAField(n.Operand),
        BinaryExpr b => NamesAField(b.Left) || NamesAField(b.Right),
        NotExpr n => NamesAField(n.Operand),
        IsNullExpr i => NamesAField(i.Operand),
        InListExpr i => NamesAField(i.Operand),
        InRangeExpr r => NamesAField(r.Operand),
        CallExpr c => c.Args.Any(NamesAField),
        _ => false,
    };

    private static string Srid(int srid) => srid.ToString(CultureInfo.InvariantCulture);

    private static byte[] Ewkb(Geometry g) => new WKBWriter(ByteOrder.LittleEndian, handleSRID: true, emitZ: false).Write(g);

    private void Arity(CallExpr c, int n)
    {
        if (c.Args.Count != n)
        {
            throw Error(c, $"{c.Name}() takes {n} argument{(n == 1 ? "" : "s")}, not {c.Args.Count}");
        }
    }

    private void RequireNumber(SqlValue v, OdsqlExpr at)
    {
        if (v.Kind is not (ValueKind.Integer or ValueKind.Number))
        {
            throw Error(at, $"a number is needed here, not a {Describe(v.Kind)}");
        }
    }

    private void RequireKind(SqlValue v, ValueKind kind, OdsqlExpr at)
    {
        if (v.Kind != kind)
        {
            throw Error(at, $"a {Describe(kind)} is needed here, not a {Describe(v.Kind)}");
        }
    }

    private void RequireComparable(SqlValue a, SqlValue b, OdsqlExpr at)
    {
        if (!Comparable(a.Kind, b.Kind))
        {
            throw Error(at, $"a {Describe(a.Kind)} cannot be compared with a {Describe(b.Kind)}");
        }
    }

    private static bool Comparable(ValueKind a, ValueKind b) =>
        a == b || (IsNumber(a) && IsNumber(b)) || (IsDate(a) && IsDate(b));

    private static bool IsNumber(ValueKind k) => k is ValueKind.Integer or ValueKind.Number;

    private static bool IsDate(ValueKind k) => k is ValueKind.Date or ValueKind.DateTime;

    private static string Describe(ValueKind k) => k switch
    {
        ValueKind.Integer or ValueKind.Number => "number",
        ValueKind.DateTime => "datetime",
        ValueKind.TextArray => "list of texts",
        _ => k.ToString().ToLowerInvariant(),
    };

    private string Suggest(string name)
    {
        var close = schema.Fields.Select(f => f.Name).Where(n => n.Contains(name, StringComparison.OrdinalIgnoreCase) || name.Contains(n, StringComparison.OrdinalIgnoreCase)).Take(3).ToList();
        return close.Count == 0 ? "" : $" (did you mean {string.Join(", ", close.Select(n => $"'{n}'"))}?)";
    }

    private OdsqlException Error(OdsqlExpr at, string reason) => new(_clause, at.Start, reason);

    private static string Shorten(string s) => s.Length > 60 ? s[..60] + "…" : s;
}
