namespace SmartRegion.Parquet;

/// <summary>
/// A column's value type. The arrays a <see cref="ColumnData"/> holds per type:
/// Boolean bool[], Int8 sbyte[], Int16 short[], Int32 int[], Int64 long[], UInt8 byte[], UInt16 ushort[],
/// UInt32 uint[], UInt64 ulong[], Float float[], Double double[], String and Json string[], Binary and
/// FixedBinary byte[][], Date DateOnly[], Timestamp DateTime[] (UTC), Decimal decimal[].
/// </summary>
public enum ParquetType
{
    Boolean, Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64, Float, Double,
    String, Json, Binary, FixedBinary, Date, Timestamp, Decimal,
}

/// <summary>One column of a flat schema. Geometry columns are <see cref="ParquetType.Binary"/> holding WKB.</summary>
public sealed record ParquetColumn
{
    public ParquetColumn(string name, ParquetType type, bool nullable = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Type = type;
        Nullable = nullable;
    }

    /// <summary>The column's name; for a field of a struct read from a file, the dotted path (<c>bbox.xmin</c>).</summary>
    public string Name { get; init; }

    public ParquetType Type { get; init; }

    public bool Nullable { get; init; }

    /// <summary>Decimal digits (Decimal only; at most 18 when writing).</summary>
    public int Precision { get; init; }

    /// <summary>Digits after the decimal point (Decimal only).</summary>
    public int Scale { get; init; }

    /// <summary>Bytes per value (FixedBinary only).</summary>
    public int FixedLength { get; init; }

    /// <summary>For timestamps read from a file: false when the writer did not declare them UTC (values then have Kind Unspecified).</summary>
    public bool TimestampIsUtc { get; init; } = true;

    /// <summary>The struct this column belongs to in the file (its parent group), or null for a top-level column.</summary>
    public string? Group { get; init; }

    public static ParquetColumn Decimal(string name, int precision, int scale, bool nullable = true) =>
        new(name, ParquetType.Decimal, nullable) { Precision = precision, Scale = scale };

    public static ParquetColumn FixedBinary(string name, int length, bool nullable = true) =>
        new(name, ParquetType.FixedBinary, nullable) { FixedLength = length };

    /// <summary>The CLR element type of this column's value array.</summary>
    public Type ClrType => Type switch
    {
        ParquetType.Boolean => typeof(bool),
        ParquetType.Int8 => typeof(sbyte),
        ParquetType.Int16 => typeof(short),
        ParquetType.Int32 => typeof(int),
        ParquetType.Int64 => typeof(long),
        ParquetType.UInt8 => typeof(byte),
        ParquetType.UInt16 => typeof(ushort),
        ParquetType.UInt32 => typeof(uint),
        ParquetType.UInt64 => typeof(ulong),
        ParquetType.Float => typeof(float),
        ParquetType.Double => typeof(double),
        ParquetType.String or ParquetType.Json => typeof(string),
        ParquetType.Binary or ParquetType.FixedBinary => typeof(byte[]),
        ParquetType.Date => typeof(DateOnly),
        ParquetType.Timestamp => typeof(DateTime),
        ParquetType.Decimal => typeof(decimal),
        _ => throw new ArgumentOutOfRangeException(nameof(Type)),
    };
}

/// <summary>An ordered list of uniquely named columns.</summary>
public sealed class ParquetSchema
{
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public ParquetSchema(IEnumerable<ParquetColumn> columns)
    {
        Columns = columns.ToList();
        for (var i = 0; i < Columns.Count; i++)
        {
            var c = Columns[i];
            if (!_index.TryAdd(c.Name, i))
            {
                throw new ArgumentException($"column '{c.Name}' appears twice", nameof(columns));
            }
        }
    }

    public ParquetSchema(params ParquetColumn[] columns) : this((IEnumerable<ParquetColumn>)columns) { }

    public IReadOnlyList<ParquetColumn> Columns { get; }

    /// <summary>The position of the named column, or -1.</summary>
    public int IndexOf(string name) => _index.TryGetValue(name, out var i) ? i : -1;
}

/// <summary>
/// One column's values for a batch of rows: a typed array (see <see cref="ParquetType"/>) and an optional null mask
/// (<c>true</c> = null; the value array holds a default there).
/// </summary>
public sealed class ColumnData
{
    public ColumnData(ParquetColumn column, Array values, bool[]? nulls = null)
    {
        if (values.GetType().GetElementType() != column.ClrType || values.Rank != 1)
        {
            throw new ArgumentException($"column '{column.Name}' of type {column.Type} needs a {column.ClrType.Name}[], not {values.GetType().Name}", nameof(values));
        }
        if (nulls is not null && nulls.Length < values.Length)
        {
            throw new ArgumentException($"column '{column.Name}': the null mask is shorter than the values", nameof(nulls));
        }
        Column = column;
        Values = values;
        Nulls = nulls;
    }

    public ParquetColumn Column { get; }

    /// <summary>One value per row: a T[] with T given by <see cref="ParquetColumn.ClrType"/>.</summary>
    public Array Values { get; }

    /// <summary>True where the row is null; null when the batch has no nulls.</summary>
    public bool[]? Nulls { get; }

    public int Count => Values.Length;

    public T[] As<T>() => (T[])Values;

    public bool IsNull(int row) => Nulls is not null && Nulls[row];

    /// <summary>The value at <paramref name="row"/>, boxed, or null. For display and row-wise callers; bulk readers use <see cref="As{T}"/>.</summary>
    public object? GetValue(int row) => IsNull(row) ? null : Values.GetValue(row);
}
